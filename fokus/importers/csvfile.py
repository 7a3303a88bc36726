"""CSV: threads kept in a spreadsheet, and CrowdTangle exports.

The default header (names matched ignoring case and surrounding spaces; column order free)::

    id, thread_id, parent_id, author, created_time, text[, case][, reactions][, title][, url][, link]

``id``, ``author``, ``created_time`` and ``text`` are required; the rest may be left out. Other headers are read
through a mapping of field to column (:mod:`fokus.importers.csvmapping`, which also holds the CrowdTangle preset).

The file is UTF-8, with or without a byte-order mark ("CSV UTF-8" in Excel); another encoding is an error naming the
first bad byte, not a guess. The delimiter is a comma unless the header line holds more semicolons (what Excel
writes in Norway) or tabs. Quoted fields may hold delimiters, quotes (doubled) and line breaks.

How a row sits in its thread:

- ``thread_id`` empty (or missing, or equal to ``id``): the row is a post, and its own thread;
- ``thread_id`` set, ``parent_id`` empty (or equal to ``thread_id``): a comment on the thread's post;
- ``parent_id`` another message: a reply to it.

A ``thread_id`` or ``parent_id`` that no row of the file has is allowed: the thread may already be in the project
(an earlier file, a Graph archive), and the service resolves it or reports it.

Times: ISO 8601 with or without an offset, ``YYYY-MM-DD HH:MM[:SS]``, ``DD.MM.YYYY HH:MM``, unix seconds, or the
CrowdTangle form ``2019-05-03 12:10:05 CEST`` (:mod:`fokus.importers.times`); a time without an offset is in the
zone given (Europe/Oslo by default). ``reactions`` is a whole number, thousands separators allowed ("1,234").

Decisions:

- A row with an empty ``author`` is kept as "Ukjent", with a note.
- A row with an empty ``text`` is kept (text "") when it has a ``link`` or other rows answer it; otherwise skipped with
  a note. For CrowdTangle this means an empty ``Message`` is not replaced by ``Description`` or ``Link Text``: those
  are written by the linked site, and coding them as the page's own words would misattribute them.
- An id that appears twice with the same content is imported once, with a note; with different content it is an
  error naming both lines.
- Blank rows are skipped. A row with a different number of fields than the header is an error (unless the extra
  fields are empty): it usually means a wrong delimiter or a broken quote.
- Errors name the physical line where the record starts: missing columns (listing the header found), NUL bytes,
  malformed quoting, unreadable times, empty ids, fields over the size limit, ids, authors and cases longer than
  their database columns hold, more rows than ``MAX_RECORDS`` (:mod:`fokus.importers.limits`).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import tzinfo

from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.importers import limits
from fokus.importers.csvmapping import FIELDS, REQUIRED_FIELDS
from fokus.importers.decoding import decode_text
from fokus.importers.limits import (
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    allow_long_csv_fields,
    check_count,
    check_file_size,
    check_length,
    check_text_length,
    csv_error_reason,
    shown_text,
)
from fokus.importers.notes import Notes
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.importers.times import parse_time, zone_named

UNKNOWN_AUTHOR = "Ukjent"
_DELIMITERS = (",", ";", "\t")
_THOUSANDS = str.maketrans("", "", ", .\u00a0\u202f'")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: comma, unless semicolons or tabs outnumber commas."""
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals: comma wins ties
    return best if counts[best] else ","


def header_of(text: str) -> list[str]:
    """The normalised column names of CSV text's first line ([] if it cannot be read)."""
    text = text.lstrip("\ufeff")
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).rstrip("\r")
    try:
        row = next(csv.reader([first], delimiter=sniff_delimiter(first)), [])
    except csv.Error:
        return []
    return [name.strip().lower() for name in row]


def has_known_header(text: str, mapping: Mapping[str, str] | None = None) -> bool:
    """Whether CSV text's header holds every required column (under ``mapping``), for format detection."""
    names = set(header_of(text))
    mapping = mapping or {}
    return all(mapping.get(field, field).strip().lower() in names for field in REQUIRED_FIELDS)


def parse_csv(
    data: bytes, path: str, *, mapping: Mapping[str, str] | None = None, timezone: str = "Europe/Oslo"
) -> ParsedSource:
    """Read one CSV file (its bytes; ``path`` names it) into a ParsedSource, or raise a FokusError with its line."""
    check_file_size(len(data), path, parsed=True)
    text = decode_text(data, path)
    return csv_source(text, path, hashlib.sha256(data).hexdigest(), mapping or {}, zone_named(timezone))


def csv_source(text: str, path: str, sha256: str, mapping: Mapping[str, str], zone: tzinfo) -> ParsedSource:
    """A ParsedSource for decoded CSV text (format detection has decoded it already)."""
    try:
        messages, notes = _CsvReader(text, mapping, zone).read()
    except FokusError as err:
        raise err.located(path=path) from None
    return ParsedSource(path, SourceKind.CSV, sha256, messages, notes)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    values: dict[str, str]  # field -> stripped value, for the fields the file has


class _CsvReader:
    def __init__(self, text: str, mapping: Mapping[str, str], zone: tzinfo) -> None:
        self.text = text
        self.mapping = mapping
        self.zone = zone
        self.notes = Notes()

    def read(self) -> tuple[list[MessageRecord], list[str]]:
        if not self.text.strip():
            raise FokusError(_("empty file: no header line"), where="line 1")
        nul = self.text.find("\0")
        if nul >= 0:
            head = self.text[:nul]
            line = head.count("\n") + head.count("\r") - head.count("\r\n") + 1  # as the csv module counts
            raise FokusError(
                _("NUL byte in the text: this is a binary file or a broken export, not CSV"),
                where=f"line {line} (byte {len(self.text[:nul].encode('utf-8', 'surrogatepass'))})",
            )
        rows = list(self._rows())
        answered = {r.values.get("thread_id", "") for r in rows} | {r.values.get("parent_id", "") for r in rows}
        messages: list[MessageRecord] = []
        first_line: dict[str, _Row] = {}
        for row in rows:
            record = self._record(row, answered)
            if record is None:
                continue
            earlier = first_line.get(record.source_id)
            if earlier is not None:
                if earlier.values != row.values:
                    raise FokusError(
                        _("id {id!r} was already used on line {line} for a different message").format(
                            id=record.source_id, line=earlier.line
                        ),
                        where=f"line {row.line}",
                        hint=_("every row needs its own id"),
                    )
                self.notes.add(_("the same row twice (imported once)"), f"line {row.line}")
                continue
            first_line[record.source_id] = row
            messages.append(record)
        if not rows:
            self.notes.line(_("the file has a header but no rows"))
        return messages, self.notes.render()

    def _rows(self) -> Iterator[_Row]:
        end = self.text.find("\n")
        first = self.text if end < 0 else self.text[:end]
        allow_long_csv_fields()
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=sniff_delimiter(first), strict=True)
        header = self._next(reader, 1)
        if header is None:
            raise FokusError(_("empty file: no header line"), where="line 1")
        columns = self._columns([name.strip().lower() for name in header], header)
        width = len(header)
        count = 0
        while True:
            start = reader.line_num + 1
            row = self._next(reader, start)
            if row is None:
                return
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            check_count(count, limits.MAX_RECORDS, N_("rows"), f"line {start}")
            if len(row) != width and not (len(row) > width and not any(c.strip() for c in row[width:])):
                raise FokusError(
                    _("{count} fields, but the header has {width}").format(count=len(row), width=width),
                    where=f"line {start}",
                    hint=_("a wrong delimiter or an unclosed quote on this or the line before"),
                )
            yield _Row(start, {field: row[i].strip() for field, i in columns.items()})

    @staticmethod
    def _next(reader: Iterator[list[str]], start: int) -> list[str] | None:
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as err:
            raise FokusError(
                csv_error_reason(err), where=f"line {start}", hint=_("a quote inside a quoted field is written twice")
            ) from None

    def _columns(self, names: list[str], header: list[str]) -> dict[str, int]:
        """Field -> column index; missing required columns are one error naming them all."""
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            index.setdefault(name, i)
        columns: dict[str, int] = {}
        missing: list[str] = []
        for field in FIELDS:
            column = self.mapping.get(field, field).strip().lower()
            if column in index:
                if names.count(column) > 1:
                    raise FokusError(
                        _("the column {column!r} appears more than once in the header").format(column=column),
                        where="line 1",
                    )
                columns[field] = index[column]
            elif field in REQUIRED_FIELDS or field in self.mapping:
                missing.append(
                    column if column == field else _("{column} (for {field})").format(column=column, field=field)
                )
        if missing:
            found = ", ".join(h.strip() for h in header) or "(nothing)"
            raise FokusError(
                ngettext(
                    "missing column: {columns}; the header has: {found}",
                    "missing columns: {columns}; the header has: {found}",
                    len(missing),
                ).format(columns=", ".join(missing), found=found),
                where="line 1",
                hint=_(
                    "name the columns id, thread_id, parent_id, author, created_time, text, or map them with"
                    " --map field=Column (or --map crowdtangle)"
                ),
            )
        return columns

    def _record(self, row: _Row, answered: set[str]) -> MessageRecord | None:
        v, where = row.values, f"line {row.line}"
        mid = check_length(v["id"], MAX_ID_CHARS, N_("id"), where)
        if not mid:
            raise FokusError(_("empty id"), where=where, hint=_("every row needs an id"))
        thread = check_length(v.get("thread_id", ""), MAX_ID_CHARS, N_("thread_id"), where)
        parent = check_length(v.get("parent_id", ""), MAX_ID_CHARS, N_("parent_id"), where)
        if not thread or thread == mid:
            if parent and parent != mid:
                raise FokusError(
                    _("parent_id {parent!r} on a post (thread_id is empty or the row's own id)").format(parent=parent),
                    where=where,
                    hint=_("give the id of the thread's post in thread_id"),
                )
            kind, thread, parent = MessageKind.POST, mid, ""
        elif parent == mid:
            raise FokusError(_("parent_id is the row's own id"), where=where)
        elif not parent or parent == thread:
            kind, parent = MessageKind.COMMENT, thread
        else:
            kind = MessageKind.REPLY
        try:
            created = parse_time(v["created_time"], self.zone)
        except FokusError as err:
            raise FokusError(f"created_time: {err.reason}", where=where, hint=err.hint) from None
        text = v["text"].replace("\r\n", "\n").replace("\r", "\n")
        check_text_length(text, None, where)
        link = v.get("link") or None
        if not text and not link and mid not in answered:
            self.notes.add(_("row without text (skipped)"), where)
            return None
        author = check_length(v["author"], MAX_NAME_CHARS, N_("author name"), where)
        if not author:
            self.notes.add(_("row without an author (set to {author!r})").format(author=UNKNOWN_AUTHOR), where)
            author = UNKNOWN_AUTHOR
        return MessageRecord(
            source_id=mid,
            thread_id=thread,
            parent_id=parent or None,
            kind=kind,
            author=author,
            created_at=created,
            text=text,
            location=where,
            reactions=_reactions(v.get("reactions", ""), where),
            case=check_length(v.get("case", ""), MAX_NAME_CHARS, N_("case name"), where) or None,
            title=v.get("title") or None,
            url=v.get("url") or None,
            attachments=(link,) if link else (),
        )


def _reactions(value: str, where: str) -> int | None:
    if not value:
        return None
    digits = value.translate(_THOUSANDS)
    groups_ok = value.isdigit() or all(len(g) == 3 for g in _split_groups(value)[1:])
    if digits.isdigit() and digits.isascii() and groups_ok and len(digits) <= 15:
        return int(digits)
    raise FokusError(_("reactions: not a whole number: {value}").format(value=shown_text(value)), where=where)


def _split_groups(value: str) -> list[str]:
    for sep in ", .\u00a0\u202f'":
        value = value.replace(sep, " ")
    return value.split(" ")
