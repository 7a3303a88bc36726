"""Which format a file is in, decided by its content, and the parser that reads it.

The formats themselves, how each is recognised and parsed, are in :mod:`fokus.importers.formats`; this module decides
how a file is read before they are asked. The extension alone is not trusted (exports get renamed, Facepager writes
``.json`` and ``.txt`` alike):

- JSON (a ``.json`` file, or one that starts with ``{`` or ``[``) is parsed, then asked of the formats that read JSON
  (a DYI groups or membership file, Graph API JSON);
- a file whose name a format claims (``.csv``, ``.tsv``) is of that format (in a folder, one it does not recognise is
  skipped: a table of cases beside the exports is not an export);
- other text is asked of the formats that read text (a transcript when its first line that is not blank or a ``#``
  comment starts with ``===``, CSV when its header holds the required columns under the mapping given);
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.archive import is_zip
from fokus.importers.decoding import decode_text, load_json
from fokus.importers.formats import FORMATS, Content, Reading, by_kind, claimed_by, detection_order
from fokus.importers.limits import check_file_size
from fokus.importers.records import ParsedSource, SourceKind

JSON_SUFFIX = ".json"
#: Files fokus looks into inside a folder or zip; others are skipped by name.
CANDIDATE_SUFFIXES = frozenset({JSON_SUFFIX, ".txt", ".text", ""}).union(*(fmt.suffixes for fmt in FORMATS))


def _listed(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b, and c"`` (in the reader's language)."""
    if len(items) == 1:
        return items[0]
    return _("{items}, and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def _neither(items: Sequence[str]) -> str:
    """``["a", "b"]`` -> ``"neither a nor b"``; ``["a", "b", "c"]`` -> ``"neither a, b, nor c"`` (in the reader's
    language)."""
    if len(items) == 1:
        return _("not {item}").format(item=items[0])
    if len(items) == 2:
        return _("neither {first} nor {second}").format(first=items[0], second=items[1])
    return _("neither {items}, nor {last}").format(items=", ".join(items[:-1]), last=items[-1])


# Functions, not constants: the language is chosen after this module is imported.
def what_fokus_reads() -> str:
    """The hint for a file no format reads: every format fokus reads, in the reader's language."""
    return _("fokus reads {formats}").format(formats=_listed([_(fmt.in_hint) for fmt in FORMATS]))


def _json_shapes() -> str:
    return _neither([_(fmt.shape) for fmt in FORMATS if fmt.reads == "json"])


def _text_shapes() -> str:
    return _neither(["JSON", *(_(fmt.shape) for fmt in FORMATS if fmt.reads == "text")])


def refi_error(path: str) -> FokusError:
    """The error for a REFI-QDA project given as an export."""
    return FokusError(
        _("REFI-QDA projects cannot be imported yet"),
        path=path,
        hint=_("import the exports the project was made from"),
    )


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the caller decided: a forced format (None = detect), the CSV mapping, the zone for naive times."""

    kind: SourceKind | None
    zone: tzinfo
    mapping: Mapping[str, str] = field(default_factory=dict)


class NotAnExport(Exception):
    """Content that no parser recognises; ``error`` is the precise FokusError when there is one (bad encoding).
    ``reason`` is for people (a note on a skipped file), in their language."""

    def __init__(self, reason: str, error: FokusError | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error

    def as_error(self, path: str) -> FokusError:
        """The FokusError for a file given directly."""
        return self.error or FokusError(
            _("{reason}: not an export fokus can read").format(reason=self.reason), path=path, hint=what_fokus_reads()
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
        forced = by_kind(options.kind)
        return forced.parse(_content(forced.reads, data, path, options), sha256, zone)
    suffix = suffix_of(path)
    if suffix == ".qdpx":
        raise refi_error(path)
    claimed = claimed_by(suffix)
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    if not body.strip():
        if claimed is not None or suffix == JSON_SUFFIX:
            raise FokusError(_("empty file"), path=path, where="byte 0")
        raise NotAnExport(_("an empty file"))
    if is_zip(body[:4]):
        raise NotAnExport(_("a zip inside a zip (unpack the outer one first)"))
    if suffix == JSON_SUFFIX or body.lstrip()[:1] in (b"{", b"["):
        parsed = _first_fit(_content("json", data, path, options), "json", sha256, zone)
        if parsed is None:
            error = FokusError(
                _("JSON of the wrong shape: {shapes}").format(shapes=_json_shapes()), path=path, where="$"
            )
            raise NotAnExport(_("JSON of another shape"), error)
        return parsed
    if claimed is not None:
        content = _content(claimed.reads, data, path, options)
        if claimed.recognises(content):
            return claimed.parse(content, sha256, zone)
        try:  # a table of something else (a README's cases.csv): its precise error if given directly
            return claimed.parse(content, sha256, zone)
        except FokusError as err:
            raise NotAnExport(_(claimed.unrecognised), err) from None
    binary = b"\0" in body[:8192]
    try:
        text = decode_text(data, path)
    except FokusError as err:
        raise NotAnExport(_("a binary file") if binary else _("not UTF-8 text"), None if binary else err) from None
    parsed = _first_fit(Content(path, text, options.mapping, binary), "text", sha256, zone)
    if parsed is None:
        raise NotAnExport(_("a binary file") if binary else _text_shapes())
    return parsed


def _content(reads: Reading, data: bytes, path: str, options: ReadOptions) -> Content:
    """The file as formats that read ``reads`` see it (broken JSON or text is the parser's error, at its place)."""
    value = load_json(data, path) if reads == "json" else decode_text(data, path)
    return Content(path, value, options.mapping)


def _first_fit(content: Content, reads: Reading, sha256: str, zone: tzinfo) -> ParsedSource | None:
    """The first format that reads ``reads`` and recognises the content parses it; None when none does."""
    fmt = next((f for f in detection_order(reads) if f.recognises(content)), None)
    return None if fmt is None else fmt.parse(content, sha256, zone)
