"""Importers: export files to plain records (pure parsers: no database, no printing).

``read_paths`` reads files, folders and zips in any supported format (see :mod:`fokus.importers.reader` and
:mod:`fokus.importers.detect`); ``parse_mapping`` turns the CLI's ``--map`` items into a CSV column mapping. The
per-format modules document their formats: :mod:`.graph`, :mod:`.dyi`, :mod:`.csvfile`, :mod:`.transcript`; limits on
untrusted input are in :mod:`.limits`.
"""

from fokus.importers.csvfile import parse_csv
from fokus.importers.csvmapping import CROWDTANGLE, FIELDS, parse_mapping
from fokus.importers.dyi import parse_dyi
from fokus.importers.graph import parse_graph
from fokus.importers.reader import FORMATS, read_paths
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.importers.transcript import parse_transcript

__all__ = [
    "CROWDTANGLE",
    "FIELDS",
    "FORMATS",
    "MessageKind",
    "MessageRecord",
    "ParsedSource",
    "SourceKind",
    "parse_csv",
    "parse_dyi",
    "parse_graph",
    "parse_mapping",
    "parse_transcript",
    "read_paths",
]
