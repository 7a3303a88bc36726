"""Importers: export files to plain records (pure parsers: no database, no printing).

The formats fokus reads are listed once, in :mod:`fokus.importers.formats`. ``read_paths`` reads files, folders and
zips in any of them (see :mod:`fokus.importers.reader` and :mod:`fokus.importers.detect`), and ``FORMATS`` holds the
values its ``fmt`` takes (``"auto"`` and the formats' names); ``parse_mapping`` turns the CLI's ``--map`` items into
a CSV column mapping. The per-format modules document their formats: :mod:`.graph`, :mod:`.dyi`, :mod:`.csvfile`,
:mod:`.transcript`; limits on untrusted input are in :mod:`.limits`.

The names below are imported on first use: the CLI reads the formats registry for ``--format`` when ``fokus --help``
runs, and importing this package must not load every parser for that.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fokus.importers.csvfile import parse_csv
    from fokus.importers.csvmapping import CROWDTANGLE, FIELDS, parse_mapping
    from fokus.importers.dyi import parse_dyi
    from fokus.importers.graph import parse_graph
    from fokus.importers.reader import FORMATS, read_paths
    from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
    from fokus.importers.transcript import parse_transcript

#: The module each public name lives in.
_HOMES = {
    "CROWDTANGLE": "csvmapping",
    "FIELDS": "csvmapping",
    "FORMATS": "reader",
    "MessageKind": "records",
    "MessageRecord": "records",
    "ParsedSource": "records",
    "SourceKind": "records",
    "parse_csv": "csvfile",
    "parse_dyi": "dyi",
    "parse_graph": "graph",
    "parse_mapping": "csvmapping",
    "parse_transcript": "transcript",
    "read_paths": "reader",
}

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


def __getattr__(name: str) -> Any:
    """``fokus.importers.read_paths`` and the other public names, imported from their module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
