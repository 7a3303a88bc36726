"""REFI-QDA exchange: projects (.qdpx) and codebooks (.qdc) to and from NVivo, ATLAS.ti, MAXQDA, QualCoder and qc.

``project_export`` and ``project_import`` move whole projects; ``qdc`` codebooks; ``qdpx_read`` and ``xmlsafe``
read untrusted files safely; ``render`` turns a thread into a document; ``guids`` keeps GUIDs stable.
"""
