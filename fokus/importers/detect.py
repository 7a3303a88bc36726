"""Which format a file is in, decided by its content, and the parser that reads it.

The extension alone is not trusted (exports get renamed, Facepager writes ``.json`` and ``.txt`` alike):

- JSON (a ``.json`` file, or one that starts with ``{`` or ``[``) is parsed, then: an object with ``group_posts_v2``,
  ``group_comments_v2`` (or the older keys) is a DYI file; a DYI membership file (by name) is DYI without messages;
  a feed page ``{"data": [...]}``, a list of posts or a post object is Graph API JSON;
- a ``.csv`` or ``.tsv`` file is CSV (in a folder, one without the required columns is skipped: a table of cases
  beside the exports is not an export);
- other text is a transcript when its first line that is not blank or a ``#`` comment starts with ``===``, and CSV
  when its header holds the required columns (under the mapping given);
- anything else is not an export. Given directly that is an error; inside a folder or zip the file is skipped with a
  note (a README beside the exports must not stop an import).

A file that is recognised but broken (truncated JSON, a CSV row with a bad date) is always an error, in a folder too:
skipping it would quietly leave messages out of the analysis.

When the user names the format (``--format``), that parser reads the file, and a mismatch gives its own error
(forcing ``csv`` on a JSON file reports the missing columns).
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo

from fokus.errors import FokusError
from fokus.importers.archive import is_zip
from fokus.importers.csvfile import csv_source, has_known_header
from fokus.importers.decoding import decode_text, load_json
from fokus.importers.dyi import dyi_file_source, is_membership_file, looks_like_dyi
from fokus.importers.graph import graph_source, looks_like_graph
from fokus.importers.limits import check_file_size
from fokus.importers.records import ParsedSource, SourceKind
from fokus.importers.transcript import looks_like_transcript, transcript_source

CSV_SUFFIXES = frozenset({".csv", ".tsv"})
#: Files fokus looks into inside a folder or zip; others are skipped by name.
CANDIDATE_SUFFIXES = frozenset({".json", ".txt", ".text", ""}) | CSV_SUFFIXES
WHAT_FOKUS_READS = (
    "fokus reads Graph API JSON, Facebook DYI archives (zip, folder or JSON file), CSV with the columns id, author, "
    "created_time, text (or --map), and transcripts starting with '=== <title>'"
)


def refi_error(path: str) -> FokusError:
    """The error for a REFI-QDA project given as an export."""
    return FokusError(
        "REFI-QDA projects cannot be imported yet", path=path, hint="import the exports the project was made from"
    )


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the caller decided: a forced format (None = detect), the CSV mapping, the zone for naive times."""

    kind: SourceKind | None
    zone: tzinfo
    mapping: Mapping[str, str] = field(default_factory=dict)


class NotAnExport(Exception):
    """Content that no parser recognises; ``error`` is the precise FokusError when there is one (bad encoding)."""

    def __init__(self, reason: str, error: FokusError | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error

    def as_error(self, path: str) -> FokusError:
        """The FokusError for a file given directly."""
        return self.error or FokusError(
            f"{self.reason}: not an export fokus can read", path=path, hint=WHAT_FOKUS_READS
        )


def suffix_of(path: str) -> str:
    """``"a.zip!x/Feed.JSON"`` -> ``".json"``."""
    return os.path.splitext(path.rsplit("!", 1)[-1].rsplit("/", 1)[-1])[1].lower()


def parse_bytes(data: bytes, path: str, options: ReadOptions) -> ParsedSource:
    """Detect the format of one file's bytes (``path`` names it) and parse it; NotAnExport when none fits."""
    check_file_size(len(data), path, parsed=True)
    sha256 = hashlib.sha256(data).hexdigest()
    zone = options.zone
    if options.kind is not None:
        return _forced(options.kind, data, path, sha256, options.mapping, zone)
    suffix = suffix_of(path)
    if suffix == ".qdpx":
        raise refi_error(path)
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    if not body.strip():
        if suffix in CSV_SUFFIXES or suffix == ".json":
            raise FokusError("empty file", path=path, where="byte 0")
        raise NotAnExport("an empty file")
    if is_zip(body[:4]):
        raise NotAnExport("a zip inside a zip (unpack the outer one first)")
    if suffix == ".json" or body.lstrip()[:1] in (b"{", b"["):
        doc = load_json(data, path)
        if looks_like_dyi(doc) or is_membership_file(path):
            return dyi_file_source(doc, path, sha256)
        if looks_like_graph(doc):
            return graph_source(doc, path, sha256, zone)
        raise NotAnExport(
            "JSON of another shape",
            FokusError(
                'JSON of the wrong shape: neither a Graph API export ({"data": [...]}, a list of posts, a post) nor a '
                "DYI groups file (group_posts_v2, group_comments_v2)",
                path=path,
                where="$",
            ),
        )
    if suffix in CSV_SUFFIXES:
        text = decode_text(data, path)
        if has_known_header(text, options.mapping):
            return csv_source(text, path, sha256, options.mapping, zone)
        try:  # a table of something else (a README's cases.csv): its precise error if given directly
            return csv_source(text, path, sha256, options.mapping, zone)
        except FokusError as err:
            raise NotAnExport("CSV without the columns fokus reads", err) from None
    binary = b"\0" in body[:8192]
    try:
        text = decode_text(data, path)
    except FokusError as err:
        raise NotAnExport("a binary file" if binary else "not UTF-8 text", None if binary else err) from None
    if binary and not looks_like_transcript(text):  # a damaged transcript is refused by its reader, at the line
        raise NotAnExport("a binary file")
    if looks_like_transcript(text):
        return transcript_source(text, path, sha256, zone)
    if has_known_header(text, options.mapping):
        return csv_source(text, path, sha256, options.mapping, zone)
    raise NotAnExport("neither JSON, CSV with known columns, nor a transcript")


def _forced(
    kind: SourceKind, data: bytes, path: str, sha256: str, mapping: Mapping[str, str], zone: tzinfo
) -> ParsedSource:
    if kind is SourceKind.GRAPH_JSON:
        return graph_source(load_json(data, path), path, sha256, zone)
    if kind is SourceKind.DYI:
        return dyi_file_source(load_json(data, path), path, sha256)
    if kind is SourceKind.CSV:
        return csv_source(decode_text(data, path), path, sha256, mapping, zone)
    return transcript_source(decode_text(data, path), path, sha256, zone)
