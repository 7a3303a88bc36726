"""REFI-QDA exchange: projects (.qdpx) and codebooks (.qdc) to and from NVivo, ATLAS.ti, MAXQDA, QualCoder and qc.

``project_export`` and ``project_import`` move whole projects (the import reads a project's messages in
``qdpx_messages``, its cases and variables in ``qdpx_cases``, its notes in ``qdpx_memos`` and fokus's own fields in
``qdpx_fields``); ``qdc`` reads and writes codebooks and ``codebook_export`` writes the project's; ``codes`` carries a
code's definition, notes and examples in a REFI-QDA description; ``qdpx_read``, ``qdpx_texts`` (the sources' texts,
from the archive or beside it) and ``xmlsafe`` read untrusted files safely; ``render`` turns a thread into a
document; ``guids`` keeps GUIDs stable.
"""
