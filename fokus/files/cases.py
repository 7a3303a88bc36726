"""Case tables: one row per municipality, one column per attribute, typed.

The first column (or a column named kommune, case, name or navn) names the case. Each other column is an attribute
whose type is inferred from its values: integer, float (a decimal comma is accepted), boolean (ja/nei, true/false,
yes/no), date (YYYY-MM-DD or DD.MM.YYYY) or text. A value with a leading zero ("0219", a kommunenummer) keeps the
column text, since it is an identifier, not a number. A header may force a type: ``innbyggertall:integer``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fokus.errors import FokusError
from fokus.model import AttributeType

NAME_COLUMNS = ("kommune", "case", "name", "navn", "case_name")
TRUE = {"ja", "j", "true", "yes", "y", "sann"}
FALSE = {"nei", "n", "false", "no", "usann"}
INTEGER = re.compile(r"^[+-]?(0|[1-9][0-9]*)$")
FLOAT = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NO_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
MAX_BYTES = 50 * 1024 * 1024

Value = str | int | float | bool | date


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    name: str
    type: AttributeType
    position: int


@dataclass(frozen=True, slots=True)
class CaseRow:
    name: str
    values: dict[str, Value | None]
    line: int


@dataclass(slots=True)
class CaseTable:
    attributes: list[AttributeSpec]
    rows: list[CaseRow]


def read_case_table(path: Path) -> CaseTable:
    """Read a case table; errors name the file, line and column."""
    display = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise FokusError(f"larger than {MAX_BYTES} bytes: not a case table", path=display)
        raw = path.read_bytes()
    except OSError as exc:
        raise FokusError(f"cannot read: {exc.strerror or exc}", path=display) from exc
    try:
        return _parse(raw)
    except FokusError as exc:
        raise exc.located(display) from None


def _parse(raw: bytes) -> CaseTable:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise FokusError("NUL byte: this is not a text CSV file", where=f"line {line}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FokusError("not UTF-8 text", where=f"line {line}", hint="save the file as UTF-8") from exc
    if not text.strip():
        raise FokusError("the file is empty")
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        body = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise FokusError(f"malformed CSV: {exc}", where=f"line {reader.line_num}") from exc
    if len(header) < 1 or not header[0]:
        raise FokusError("the header row is empty", where="line 1")
    names, forced = _header(header)
    name_index = next((i for i, n in enumerate(names) if n.casefold() in NAME_COLUMNS), 0)
    raw_rows: list[tuple[int, list[str]]] = []
    for line, row in body:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise FokusError(f"{len(row)} cells, but the header has {len(header)}", where=f"line {line}")
        raw_rows.append((line, [cell.strip() for cell in row]))
    attributes: list[AttributeSpec] = []
    converters = {}
    for index, name in enumerate(names):
        if index == name_index:
            continue
        column = [(line, row[index]) for line, row in raw_rows]
        kind = forced.get(index) or infer_type([value for _, value in column])
        attributes.append(AttributeSpec(name, kind, len(attributes)))
        converters[index] = kind
    rows: list[CaseRow] = []
    seen: dict[str, int] = {}
    for line, row in raw_rows:
        case_name = row[name_index]
        if not case_name:
            raise FokusError(f"no case name in column {names[name_index]!r}", where=f"line {line}")
        key = case_name.casefold()
        if key in seen:
            raise FokusError(f"case {case_name!r} appears twice (first on line {seen[key]})", where=f"line {line}")
        seen[key] = line
        values: dict[str, Value | None] = {}
        for index, kind in converters.items():
            try:
                values[names[index]] = convert(row[index], kind)
            except ValueError as exc:
                raise FokusError(f"column {names[index]!r}: {exc}", where=f"line {line}") from None
        rows.append(CaseRow(case_name, values, line))
    return CaseTable(attributes, rows)


def _header(header: list[str]) -> tuple[list[str], dict[int, AttributeType]]:
    names: list[str] = []
    forced: dict[int, AttributeType] = {}
    for index, cell in enumerate(header):
        name, _, kind = cell.partition(":")
        name = name.strip()
        if not name:
            raise FokusError(f"column {index + 1} has no name", where="line 1")
        if name in names:
            raise FokusError(f"column {name!r} appears twice", where="line 1")
        if kind.strip():
            try:
                forced[index] = AttributeType(kind.strip().lower())
            except ValueError:
                allowed = ", ".join(t.value for t in AttributeType)
                raise FokusError(f"unknown type {kind.strip()!r} for {name!r}", where="line 1", hint=allowed) from None
        names.append(name)
    return names, forced


def infer_type(values: list[str]) -> AttributeType:
    """The narrowest type that every non-empty value fits."""
    present = [v for v in values if v]
    if not present:
        return AttributeType.TEXT
    if all(INTEGER.match(v) and not (len(v.lstrip("+-")) > 1 and v.lstrip("+-").startswith("0")) for v in present):
        return AttributeType.INTEGER
    if all(FLOAT.match(v) and not re.match(r"^[+-]?0[0-9]", v) for v in present):
        return AttributeType.FLOAT
    if all(v.casefold() in TRUE | FALSE for v in present):
        return AttributeType.BOOLEAN
    if all(ISO_DATE.match(v) or NO_DATE.match(v) for v in present):
        try:
            for v in present:
                _date(v)
        except ValueError:
            return AttributeType.TEXT
        return AttributeType.DATE
    return AttributeType.TEXT


def convert(value: str, kind: AttributeType) -> Value | None:
    """Convert one cell; empty is no value. Raises ValueError saying what was expected."""
    if value == "":
        return None
    if kind is AttributeType.TEXT:
        return value
    if kind is AttributeType.INTEGER:
        if not INTEGER.match(value.lstrip("0") or "0"):
            raise ValueError(f"{value!r} is not a whole number")
        return int(value)
    if kind is AttributeType.FLOAT:
        try:
            return float(value.replace(",", "."))
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if kind is AttributeType.BOOLEAN:
        folded = value.casefold()
        if folded in TRUE:
            return True
        if folded in FALSE:
            return False
        raise ValueError(f"{value!r} is not ja/nei or true/false")
    return _date(value)


def _date(value: str) -> date:
    try:
        if NO_DATE.match(value):
            day, month, year = (int(p) for p in value.split("."))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)") from None
