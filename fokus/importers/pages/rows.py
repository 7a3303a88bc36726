"""Tables of page data (CSV, and newline-delimited JSON flattened to columns) read row by row, with their places.

Facepager, CrowdTangle, 4CAT and the Meta Content Library all export one row per post or comment, under column
names that say what a cell holds. The readers of those formats (:mod:`.facepager`, :mod:`.crowdtangle`,
:mod:`.fourcat`, :mod:`.mcl`) share what every table needs, so that a bad cell is refused the same way whatever
tool wrote it:

- bytes to text as everywhere in fokus (:func:`fokus.importers.decoding.decode_text`: UTF-8 with or without a
  byte-order mark; UTF-16 and other encodings refused with the byte, never guessed), NUL bytes refused;
- CSV separated by commas, semicolons (Facepager's default, Norwegian Excel) or tabs, told from the header line;
  quotes strict, fields up to the limit in :mod:`fokus.importers.limits`; a row with another number of fields than
  the header refused with its line;
- newline-delimited JSON (one object a line, as the Content Library's API writes): nested objects flattened to
  dotted names (``statistics.reaction_count``), so both shapes are read by the same column names;
- column names compared in lower case, surrounding spaces ignored; a name twice in a header is refused;
- cells read as counts (whole numbers, thousands grouped by commas or spaces as CrowdTangle writes them; an empty
  cell is None, never 0), times (:func:`fokus.importers.times.parse_time`, plus an offset after a space,
  ``2013-03-01 10:00:00 +0100``), ids and texts within the database's limits. Every refusal names the line and
  the column as the header names it: ``line 2, column 15 (Likes): not a count (a whole number): 'mange'``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers import limits
from fokus.importers.csvfile import header_of, sniff_delimiter
from fokus.importers.decoding import decode_text
from fokus.importers.limits import (
    MAX_ID_CHARS,
    MAX_INTEGER,
    MAX_TEXT_CHARS,
    check_length,
    check_text_length,
    shown_text,
)
from fokus.importers.notes import Notes
from fokus.importers.times import parse_time

_GROUPED = re.compile(r"\d{1,3}(?:([, \u00a0\u202f])\d{3})(?:\1\d{3})*|\d+")
_OFFSET_AFTER_SPACE = re.compile(r"^(.*\d) ([+-]\d\d:?\d\d)$")


@dataclass(slots=True)
class Row:
    """One record: where it is (``line 4``, or ``$[3]`` in a JSON list) and its cells by (lower-case) column name."""

    place: str
    cells: dict[str, str]


@dataclass(slots=True)
class Table:
    """A file's rows, to be read once (a CSV's are read as they are asked for, so that a file of 300,000 comments
    is never held twice over as cells); ``columns`` gives each name's column number (1-based) in a CSV, empty for
    JSON lines."""

    rows: Iterable[Row] = ()
    columns: dict[str, int] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)  # a column's name as the header writes it

    def where(self, row: Row, name: str) -> str:
        """``"line 4, column 12 (Likes)"``: the place of a cell, for errors and notes."""
        column = self.columns.get(name)
        label = self.labels.get(name, name)
        return f"{row.place}, column {column} ({label})" if column else f"{row.place} ({label})"


def head_names(head: str) -> set[str]:
    """The lower-case column names of a CSV's first line (for sniffing; never raises).

    A UTF-16 file (Excel's "Unicode text") reaches the sniffers as UTF-8 with its byte-order mark replaced and a NUL
    after every ASCII letter: its header is read without them, so that the file is told as its format and then
    refused with the reason (UTF-16, save it as UTF-8) rather than as no page data at all."""
    if head.startswith("\ufffd\ufffd") and "\x00" in head[:200]:
        head = head.lstrip("\ufffd").replace("\x00", "")
    return set(header_of(head))


def read_csv(data: bytes, path: str) -> Table:
    """A CSV file's rows (see the module docstring); a FokusError names the line."""
    text = _text_of(data, path)
    end = text.find("\n")
    records = _records(text, sniff_delimiter(text if end < 0 else text[:end]))
    table = Table()
    for number, name in enumerate(next(records)[1], 1):
        key = name.strip().lstrip("\ufeff").lower()
        if key in table.columns:
            raise FokusError(
                _("the column {column!r} appears more than once in the header").format(column=key), where="line 1"
            )
        table.columns[key] = number
        table.labels[key] = name.strip().lstrip("\ufeff")
    table.names = set(table.columns)
    table.rows = _csv_rows(records, list(table.columns))
    return table


def _csv_rows(records: Iterator[tuple[int, list[str]]], keys: list[str]) -> Iterator[Row]:
    """The records after the header as rows; blank ones left out, a row of another width refused."""
    count = 0
    for start, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(keys) and not (len(cells) > len(keys) and not any(c.strip() for c in cells[len(keys) :])):
            raise FokusError(
                _("{count} fields, but the header has {width}").format(count=len(cells), width=len(keys)),
                where=f"line {start}",
                hint=_("a wrong delimiter or an unclosed quote on this or the line before"),
            )
        count += 1
        if count > limits.MAX_RECORDS:
            limits.check_count(count, limits.MAX_RECORDS, N_("rows"), f"line {start}")
        yield Row(f"line {start}", dict(zip(keys, map(str.strip, cells), strict=False)))


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with the line it starts on; broken quoting is a FokusError naming that line."""
    limits.allow_long_csv_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as err:
        raise FokusError(limits.csv_error_reason(err), where=f"line {start}") from None


def read_json_lines(data: bytes, path: str) -> Table:
    """Newline-delimited JSON objects (a JSON list of objects too), flattened to dotted column names."""
    text = _text_of(data, path)
    table = Table()
    found: list[Row] = []
    stripped = text.lstrip()
    if stripped.startswith("["):
        items = _json(text, 1)
        if not isinstance(items, list):
            raise FokusError(_("expected a list of objects"), where="line 1")
        lines: Iterator[tuple[str, Any]] = ((f"$[{i}]", item) for i, item in enumerate(items))
    else:  # split at line feeds only: a text may hold U+2028, which str.splitlines() would also split at
        lines = ((f"line {n}", _json(line, n)) for n, line in enumerate(text.split("\n"), 1) if line.strip())
    for place, item in lines:
        if not isinstance(item, dict):
            raise FokusError(_("expected an object on each line"), where=place)
        cells: dict[str, str] = {}
        try:
            _flatten(item, "", cells)
        except FokusError as err:
            err.where = f"{place} ({err.where})"
            raise
        table.names.update(cells)
        limits.check_count(len(found) + 1, limits.MAX_RECORDS, N_("rows"), place)
        found.append(Row(place, cells))
    table.rows = found
    return table


def count(table: Table, row: Row, name: str) -> int | None:
    """A cell as a count: None when the column is missing or the cell empty; else a whole number or an error."""
    value = row.cells.get(name, "")
    if not value:
        return None
    if value.isdigit() and value.isascii() and len(value) < 19:  # the common case, below 2**63
        return int(value)
    if len(value) > 30 or not _GROUPED.fullmatch(value):
        raise FokusError(
            _("not a count (a whole number): {value}").format(value=shown_text(value)), where=table.where(row, name)
        )
    number = int(re.sub(r"\D", "", value))
    if number > MAX_INTEGER:
        raise FokusError(
            _("{value} is more than a database can hold").format(value=shown_text(value)),
            where=table.where(row, name),
        )
    return number


def time(table: Table, row: Row, name: str, zone: tzinfo) -> datetime:
    """A cell as an aware UTC datetime (a time without an offset is in ``zone``); a missing one is an error."""
    value = row.cells.get(name, "")
    if not value:
        raise FokusError(_("no date and time"), where=table.where(row, name))
    joined = _OFFSET_AFTER_SPACE.sub(r"\1\2", value) if " +" in value or " -" in value else value
    try:
        return parse_time(joined, zone)
    except FokusError as err:
        raise FokusError(err.reason, where=table.where(row, name), hint=err.hint) from None


def ident(table: Table, row: Row, name: str) -> str:
    """A cell as an id (required, at most what the id columns hold)."""
    value = row.cells.get(name, "")
    if not value:
        raise FokusError(_("no id"), where=table.where(row, name))
    return value if len(value) <= MAX_ID_CHARS else check_length(value, MAX_ID_CHARS, N_("id"), table.where(row, name))


def text(table: Table, row: Row, name: str) -> str:
    """A cell as a post's or comment's text ("" when empty), line breaks as ``\\n``."""
    value = row.cells.get(name, "")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > MAX_TEXT_CHARS:  # NULs and half characters were refused when the file was read
        check_text_length(value, None, table.where(row, name))
    return value


def first_column(table: Table, *names: str) -> str:
    """The first of ``names`` the table has (the last one when it has none: its cells read as empty)."""
    return next((name for name in names if name in table.names), names[-1])


def _text_of(data: bytes, path: str) -> str:
    limits.check_file_size(len(data), path, parsed=True)
    text = decode_text(data, path)
    nul = text.find("\0")
    if nul >= 0:
        raise FokusError(
            _("NUL byte in the text: this is a binary file or a broken export, not CSV"),
            where=f"line {text.count(chr(10), 0, nul) + 1}",
        )
    if not text.strip():
        raise FokusError(_("the file is empty"), where="line 1")
    return text


def _json(line: str, number: int) -> Any:
    if limits.json_too_deep(line.encode("utf-8", "surrogatepass")):
        raise FokusError(
            _("JSON nested deeper than {limit} levels; no export nests like that").format(limit=limits.MAX_JSON_DEPTH),
            where=f"line {number}",
        )
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise FokusError(_("not valid JSON ({reason})").format(reason=err.msg), where=f"line {number}") from None
    except ValueError:  # an integer of thousands of digits
        raise FokusError(_("not valid JSON (a number with thousands of digits)"), where=f"line {number}") from None


def _flatten(obj: dict[Any, Any], prefix: str, cells: dict[str, str]) -> None:
    """Nested objects to dotted names; lists kept as JSON text; null as an empty cell."""
    for key, inner in obj.items():
        name = f"{prefix}{str(key).strip().lower()}"
        if isinstance(inner, dict):
            _flatten(inner, f"{name}.", cells)
        elif inner is None:
            cells[name] = ""
        elif isinstance(inner, bool):
            cells[name] = "true" if inner else "false"
        elif isinstance(inner, str):
            cells[name] = (limits.check_storable(inner, N_("text"), name) or "").strip()
        elif isinstance(inner, int):
            cells[name] = str(inner)
        else:
            cells[name] = json.dumps(inner, ensure_ascii=False)


def same(first: Any, second: Any) -> bool:
    """Whether two records of one kind agree on everything but where they were read."""
    return all(getattr(first, f) == getattr(second, f) for f in first.__slots__ if f != "location")


def keep_once(seen: dict[str, Any], record: Any, notes: Notes) -> bool:
    """Whether ``record`` is new by its ``external_id``; a repeat with the same content is noted and left out, one
    with other content refused naming both places (which of two exports is right is not fokus's guess)."""
    first = seen.get(record.external_id)
    if first is None:
        seen[record.external_id] = record
        return True
    if same(first, record):
        notes.add(_("row seen before in this file (read once)"), record.location)
        return False
    raise FokusError(
        _("id {id} seen before at {first} with other content").format(id=record.external_id, first=first.location),
        where=record.location,
        hint=_("two exports disagree; keep one of them"),
    )
