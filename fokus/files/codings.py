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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from fokus.errors import FokusError
from fokus.files.spreadsheet import CsvWriter, restored_cell
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


@dataclass(frozen=True, slots=True)
class CodingRow:
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
            raise FokusError("NUL byte: not a text file", where=f"line {line}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise FokusError("not UTF-8 text", where=f"line {line}") from exc
        if not text.strip():
            raise FokusError("the file is empty")
        if path.suffix.lower() == ".json" or text.lstrip().startswith("["):
            return _from_json(text)
        return _from_csv(text)
    except FokusError as exc:
        raise exc.located(display) from None


def _from_csv(text: str) -> list[CodingRow]:
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    allow_long_csv_fields()
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise FokusError(
                "missing column " + ", ".join(repr(c) for c in missing),
                where="line 1",
                hint="the header has " + ", ".join(header[:12])[:300],
            )
        rows: list[CodingRow] = []
        line = reader.line_num + 1
        for record in reader:
            if None in record:
                raise FokusError("more cells than the header has", where=f"line {line}")
            check_count(len(rows) + 1, limits.MAX_RECORDS, "codings", f"line {line}")
            rows.append(_row({k: restored_cell(v) for k, v in record.items() if v is not None}, f"line {line}"))
            line = reader.line_num + 1
        return rows
    except csv.Error as exc:
        raise FokusError(f"malformed CSV: {csv_error_reason(exc)}", where=f"line {reader.line_num}") from None


def _from_json(text: str) -> list[CodingRow]:
    if json_too_deep(text.encode("utf-8")):  # before json.loads recurses into it
        raise FokusError(
            f"JSON nested deeper than {MAX_JSON_DEPTH} levels; no codings file nests like that",
            where=place(text, json_depth_position(text)),
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FokusError(f"not valid JSON: {exc.msg}", where=f"line {exc.lineno}") from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise FokusError("not valid JSON: a number with thousands of digits") from None
    if not isinstance(data, list):
        raise FokusError("a codings JSON file is a list of objects")
    check_count(len(data), limits.MAX_RECORDS, "codings", None)
    rows: list[CodingRow] = []
    for index, item in enumerate(data):
        where = f"item {index}"
        if not isinstance(item, dict):
            raise FokusError("each coding must be an object", where=where)
        missing = [c for c in REQUIRED if c not in item]
        if missing:
            raise FokusError("missing " + ", ".join(repr(c) for c in missing), where=where)
        for column in COLUMNS:  # half a character: the rest of fokus could neither store nor print it
            if isinstance(item.get(column), str):
                check_storable(item[column], column, where)
        rows.append(_row({k: "" if v is None else str(v) for k, v in item.items()}, where))
    return rows


def _row(record: Mapping[str, str], where: str) -> CodingRow:
    def cell(name: str) -> str:
        return (record.get(name) or "").strip()

    message_id = check_length(cell("message_id"), MAX_ID_CHARS, "message_id", where)
    code = check_length(cell("code"), MAX_CODE_PATH_CHARS, "code", where)
    if not message_id:
        raise FokusError("empty message_id", where=where)
    if not code:
        raise FokusError("empty code", where=where)
    start = _int(cell("start"), "start", where)
    end = _int(cell("end"), "end", where)
    if (start is None) != (end is None):
        raise FokusError("give both start and end, or neither (the whole message)", where=where)
    status_text = cell("status") or CodingStatus.ACCEPTED.value
    try:
        status = CodingStatus(status_text.lower())
    except ValueError:
        raise FokusError(
            f"unknown status {shown_text(status_text)}", where=where, hint="accepted, suggested or rejected"
        ) from None
    confidence = None
    if cell("confidence"):
        try:
            confidence = float(cell("confidence"))
        except ValueError:
            raise FokusError(f"confidence {shown_text(cell('confidence'))} is not a number", where=where) from None
        if not (math.isfinite(confidence) and 0 <= confidence <= 1):
            raise FokusError(f"confidence {shown_text(cell('confidence'))} is not a number from 0 to 1", where=where)
    created_at = _time(cell("created_at"), where) if cell("created_at") else None
    text = record.get("text")
    return CodingRow(
        message_id=message_id,
        code=code,
        start=start,
        end=end,
        text=text if text else None,
        status=status,
        origin=check_length(cell("origin"), MAX_LABEL_CHARS, "origin", where) or "human",
        confidence=confidence,
        coder=check_length(cell("coder"), MAX_LABEL_CHARS, "coder name", where) or None,
        created_at=created_at,
        where=where,
    )


def _time(value: str, where: str) -> datetime:
    shown = shown_text(value)
    try:
        created_at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FokusError(f"created_at {shown} is not an ISO 8601 time", where=where) from None
    if created_at.tzinfo is None:
        raise FokusError(f"created_at {shown} has no time zone", where=where, hint="add +00:00")
    try:
        utc: datetime | None = created_at.astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise FokusError(f"created_at {shown} is out of range ({RANGE})", where=where)
    return utc


def _int(value: str, name: str, where: str) -> int | None:
    if not value:
        return None
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        raise FokusError(f"{name} {shown_text(value)} is negative", where=where)
    if not (value.isascii() and value.isdigit()):  # int() also takes "1_000", " 7" and other scripts' digits
        raise FokusError(f"{name} {shown_text(value)} is not a whole number", where=where)
    if len(value) > len(str(MAX_TEXT_CHARS)) or int(value) > MAX_TEXT_CHARS:
        raise FokusError(
            f"{name} {shown_text(value)} is beyond the longest message ({MAX_TEXT_CHARS:,} characters)", where=where
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
