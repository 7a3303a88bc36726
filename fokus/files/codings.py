"""Codings as files: the tidy CSV/JSON that `fokus codings export` writes and `fokus codings import` reads.

One row per coding. Export writes every column; import needs only ``message_id`` and ``code``: ``start``/``end``
default to the whole message, ``status`` to accepted, ``origin`` to human; ``thread_id``, ``case`` and
``participant`` are for the reader and ignored on import; ``text``, when present, must equal the span in the project,
which catches a file made against other text.

Values are checked as far as the file alone allows: ``start`` and ``end`` are whole numbers (ASCII digits) of at most
``MAX_TEXT_CHARS``, ``confidence`` a number from 0 to 1, ``created_at`` an ISO 8601 time with an offset, from 1970
through 2099 (:mod:`fokus.importers.times`); ids, codes, coders and origins fit their database columns; no value holds
half a character (a lone surrogate escape in JSON); a file holds at most ``MAX_RECORDS`` rows (see
:mod:`fokus.importers.limits`).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from fokus.errors import FokusError
from fokus.files.spreadsheet import CsvWriter, restored_cell
from fokus.i18n import _
from fokus.importers import limits
from fokus.importers.decoding import place
from fokus.importers.limits import (
    MAX_CODE_PATH_CHARS,
    MAX_ID_CHARS,
    MAX_JSON_DEPTH,
    MAX_LABEL_CHARS,
    MAX_TEXT_CHARS,
    allow_long_csv_fields,
    check_count,
    check_length,
    check_storable,
    csv_error_reason,
    json_depth_position,
    json_too_deep,
    shown_text,
)
from fokus.importers.times import EARLIEST, LATEST, RANGE
from fokus.model import CodingStatus

COLUMNS = (
    "message_id",
    "thread_id",
    "case",
    "participant",
    "code",
    "start",
    "end",
    "text",
    "status",
    "origin",
    "confidence",
    "coder",
    "created_at",
)
REQUIRED = ("message_id", "code")


class CodingRow(NamedTuple):
    """One coding as a file gives it (a named tuple: a million of them are made in a few hundred milliseconds, a
    frozen dataclass sets each field through ``object.__setattr__``)."""

    message_id: str
    code: str
    start: int | None
    end: int | None
    text: str | None
    status: CodingStatus
    origin: str
    confidence: float | None
    coder: str | None
    created_at: datetime | None
    where: str


def read_codings(path: Path) -> list[CodingRow]:
    """Read a codings file (CSV, or JSON when it ends in .json or starts with '[')."""
    display = str(path)
    raw = limits.read_limited(path, limits.MAX_PARSE_BYTES, "split the file")
    try:
        if b"\x00" in raw:
            line = raw[: raw.index(b"\x00")].count(b"\n") + 1
            raise FokusError(_("NUL byte: not a text file"), where=f"line {line}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise FokusError(_("not UTF-8 text"), where=f"line {line}") from exc
        if not text.strip():
            raise FokusError(_("the file is empty"))
        if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
            return _from_json(text)
        return _from_csv(text)
    except FokusError as exc:
        raise exc.located(display) from None


def _from_csv(text: str) -> list[CodingRow]:
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    allow_long_csv_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise FokusError(
                _("missing column {columns}").format(columns=", ".join(repr(c) for c in missing)),
                where="line 1",
                hint=_("the header has {columns}").format(columns=", ".join(header[:12])[:300]),
            )
        # Where each column's cell is: the last of equal names, as csv.DictReader (which this reads like) takes it.
        position = {name: index for index, name in enumerate(header)}
        width = len(header)
        columns = [position.get(name, width) for name in _READ]  # width: not in the file, so never a cell
        take = itemgetter(*columns)
        read = _RowReader(restore=True)
        rows: list[CodingRow] = []
        line = reader.line_num + 1
        for cells in reader:
            if not cells:  # a blank line (DictReader skips it, the next row keeps this line's number)
                continue
            if len(cells) > width:
                raise FokusError(_("more cells than the header has"), where=f"line {line}")
            if len(rows) >= limits.MAX_RECORDS:
                check_count(len(rows) + 1, limits.MAX_RECORDS, "codings", f"line {line}")
            if len(cells) == width:
                cells.append("")  # the cell of the columns the file does not have: empty, as a short row's
                rows.append(read(take(cells), f"line {line}"))
            else:
                rows.append(read([cells[i] if i < len(cells) else None for i in columns], f"line {line}"))
            line = reader.line_num + 1
        return rows
    except csv.Error as exc:
        raise FokusError(
            _("malformed CSV: {exc}").format(exc=csv_error_reason(exc)), where=f"line {reader.line_num}"
        ) from None


def _from_json(text: str) -> list[CodingRow]:
    if json_too_deep(text.encode("utf-8")):  # before json.loads recurses into it
        raise FokusError(
            _("JSON nested deeper than {max_json_depth} levels; no codings file nests like that").format(
                max_json_depth=MAX_JSON_DEPTH
            ),
            where=place(text, json_depth_position(text)),
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FokusError(_("not valid JSON: {msg}").format(msg=exc.msg), where=f"line {exc.lineno}") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise FokusError(_("not valid JSON: a number with thousands of digits")) from None
    if not isinstance(data, list):
        raise FokusError(_("a codings JSON file is a list of objects"))
    check_count(len(data), limits.MAX_RECORDS, "codings", None)
    read = _RowReader(restore=False)
    rows: list[CodingRow] = []
    for index, item in enumerate(data):
        where = f"item {index}"
        if not isinstance(item, dict):
            raise FokusError(_("each coding must be an object"), where=where)
        missing = [c for c in REQUIRED if c not in item]
        if missing:
            raise FokusError("missing " + ", ".join(repr(c) for c in missing), where=where)
        for column in COLUMNS:  # half a character: the rest of fokus could neither store nor print it
            if isinstance(item.get(column), str):
                check_storable(item[column], column, where)
        record = {k: "" if v is None else str(v) for k, v in item.items()}
        rows.append(read([record.get(name) for name in _READ], where))
    return rows


_READ = ("message_id", "code", "start", "end", "status", "confidence", "created_at", "origin", "coder", "text")
"""The columns an import reads, in the order :class:`_RowReader` takes their cells."""
_REMEMBERED = 250_000


class _RowReader:
    """Makes a :class:`CodingRow` of each row's cells (those of ``_READ``, None where there is none), remembering what
    each distinct cell gave: a file of a million codings names the same messages, codes, coders and offsets again and
    again, and every check of a cell depends on that cell alone. ``restore``: CSV cells, from which the ``'`` fokus
    puts before a spreadsheet formula is taken off (:func:`restored_cell`). Problems are found in the order the
    columns are listed in ``_READ`` (the empty message_id and code after both lengths), and reported with the row's
    place.
    """

    def __init__(self, *, restore: bool) -> None:
        self._restore = restore
        self._seen: list[dict[str | None, Any]] = [{} for _column in _CONVERT]

    def _value(self, column: int, raw: str | None, where: str) -> Any:
        value = (restored_cell(raw) if self._restore and raw else raw or "").strip()
        converted = _CONVERT[column](value, where)
        if len(self._seen[column]) < _REMEMBERED:  # distinct times could be as many as the rows
            self._seen[column][raw] = converted
        return converted

    def __call__(self, cells: Sequence[str | None], where: str) -> CodingRow:
        r_id, r_code, r_start, r_end, r_status, r_conf, r_time, r_origin, r_coder, text = cells
        m_id, m_code, m_start, m_end, m_status, m_conf, m_time, m_origin, m_coder = self._seen
        value = self._value
        message_id = m_id[r_id] if r_id in m_id else value(0, r_id, where)
        code = m_code[r_code] if r_code in m_code else value(1, r_code, where)
        if not message_id:
            raise FokusError(_("empty message_id"), where=where)
        if not code:
            raise FokusError(_("empty code"), where=where)
        start = m_start[r_start] if r_start in m_start else value(2, r_start, where)
        end = m_end[r_end] if r_end in m_end else value(3, r_end, where)
        if (start is None) != (end is None):
            raise FokusError(_("give both start and end, or neither (the whole message)"), where=where)
        status = m_status[r_status] if r_status in m_status else value(4, r_status, where)
        confidence = m_conf[r_conf] if r_conf in m_conf else value(5, r_conf, where)
        created_at = m_time[r_time] if r_time in m_time else value(6, r_time, where)
        origin = m_origin[r_origin] if r_origin in m_origin else value(7, r_origin, where)
        coder = m_coder[r_coder] if r_coder in m_coder else value(8, r_coder, where)
        if text and self._restore:
            text = restored_cell(text)
        return CodingRow(
            message_id, code, start, end, text or None, status, origin, confidence, coder, created_at, where
        )


def _status(value: str, where: str) -> CodingStatus:
    status_text = value or CodingStatus.ACCEPTED.value
    try:
        return CodingStatus(status_text.lower())
    except ValueError:
        raise FokusError(
            _("unknown status {status_text}").format(status_text=shown_text(status_text)),
            where=where,
            hint=_("accepted, suggested or rejected"),
        ) from None


def _confidence(value: str, where: str) -> float | None:
    if not value:
        return None
    try:
        confidence = float(value)
    except ValueError:
        raise FokusError(_("confidence {value} is not a number").format(value=shown_text(value)), where=where) from None
    if not (math.isfinite(confidence) and 0 <= confidence <= 1):
        raise FokusError(
            _("confidence {value} is not a number from 0 to 1").format(value=shown_text(value)), where=where
        )
    return confidence


_CONVERT: tuple[Callable[[str, str], Any], ...] = (
    lambda value, where: check_length(value, MAX_ID_CHARS, "message_id", where),
    lambda value, where: check_length(value, MAX_CODE_PATH_CHARS, "code", where),
    lambda value, where: _int(value, "start", where),
    lambda value, where: _int(value, "end", where),
    _status,
    _confidence,
    lambda value, where: _time(value, where) if value else None,
    lambda value, where: check_length(value, MAX_LABEL_CHARS, "origin", where) or "human",
    lambda value, where: check_length(value, MAX_LABEL_CHARS, "coder name", where) or None,
)


def _time(value: str, where: str) -> datetime:
    shown = shown_text(value)
    try:
        created_at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FokusError(_("created_at {shown} is not an ISO 8601 time").format(shown=shown), where=where) from None
    if created_at.tzinfo is None:
        raise FokusError(
            _("created_at {shown} has no time zone").format(shown=shown), where=where, hint=_("add +00:00")
        )
    try:
        utc: datetime | None = created_at.astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise FokusError(
            _("created_at {shown} is out of range ({range})").format(shown=shown, range=_(RANGE)), where=where
        )
    return utc


def _int(value: str, name: str, where: str) -> int | None:
    if not value:
        return None
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        raise FokusError(_("{name} {value} is negative").format(name=name, value=shown_text(value)), where=where)
    if not (value.isascii() and value.isdigit()):  # int() also takes "1_000", " 7" and other scripts' digits
        raise FokusError(
            _("{name} {value} is not a whole number").format(name=name, value=shown_text(value)), where=where
        )
    if len(value) > len(str(MAX_TEXT_CHARS)) or int(value) > MAX_TEXT_CHARS:
        raise FokusError(
            _("{name} {value} is beyond the longest message ({max_text_chars:,} characters)").format(
                name=name, value=shown_text(value), max_text_chars=MAX_TEXT_CHARS
            ),
            where=where,
        )
    return int(value)


def write_rows(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], fmt: str, out: TextIO, *, raw_csv: bool = False
) -> int:
    """Write rows as CSV (tidy, UTF-8) or a JSON list; returns how many were written.

    CSV cells that a spreadsheet would run as formulas get a leading ' unless ``raw_csv``
    (:mod:`fokus.files.spreadsheet`)."""
    count = 0
    if fmt == "json":
        out.write("[")
        for row in rows:
            out.write(",\n  " if count else "\n  ")
            out.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    writer = CsvWriter(out, raw=raw_csv)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
        count += 1
    return count


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
