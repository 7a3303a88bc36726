"""Case tables: one row per municipality, one column per attribute, typed.

The first column (or a column named kommune, case, name or navn) names the case. Each other column is an attribute
whose type is inferred from its values: integer, float (a decimal comma is accepted), boolean (ja/nei, true/false,
yes/no), date (YYYY-MM-DD or DD.MM.YYYY) or text. A value with a leading zero ("0219", a kommunenummer) keeps the
column text, since it is an identifier, not a number; so does a whole number too large for a database integer (an
account number), which as a float would lose its last digits. A header may force a type: ``innbyggertall:integer``.

Case names are compared as the project compares them: ignoring case and runs of spaces, so "Bodø  kommune" and
"bodø kommune" in one table are the same case twice. Names, attribute names, the number of rows and of columns and
the file's size have limits (:mod:`fokus.importers.limits`).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers import limits
from fokus.importers.limits import (
    MAX_INTEGER,
    MAX_LABEL_CHARS,
    MAX_NAME_CHARS,
    allow_long_csv_fields,
    check_count,
    check_length,
    csv_error_reason,
    shown_text,
)
from fokus.model import AttributeType

NAME_COLUMNS = ("kommune", "case", "name", "navn", "case_name")
TRUE = {"ja", "j", "true", "yes", "y", "sann"}
FALSE = {"nei", "n", "false", "no", "usann"}
# ASCII digits only (\d also takes other scripts' digits), and \Z, not $ (which matches before a final newline).
INTEGER = re.compile(r"^[+-]?(0|[1-9][0-9]*)\Z")
FLOAT = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?\Z")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
NO_DATE = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}\Z")
_INTEGER_DIGITS = len(str(MAX_INTEGER))

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
    raw = limits.read_limited(path, limits.MAX_CASE_TABLE_BYTES, "a case table has a row per case")
    try:
        return _parse(raw)
    except FokusError as exc:
        raise exc.located(display) from None


def _parse(raw: bytes) -> CaseTable:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise FokusError(_("NUL byte: this is not a text CSV file"), where=f"line {line}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FokusError(_("not UTF-8 text"), where=f"line {line}", hint=_("save the file as UTF-8")) from exc
    if not text.strip():
        raise FokusError(_("the file is empty"))
    first = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    allow_long_csv_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    body: list[tuple[int, list[str]]] = []
    try:
        header = [h.strip() for h in next(reader, [])]
        check_count(len(header) - 1, limits.MAX_ATTRIBUTES, "attribute columns", "line 1")
        for row in reader:
            body.append((reader.line_num, row))
            check_count(len(body), limits.MAX_CASES, "rows", f"line {reader.line_num}")
    except csv.Error as exc:
        raise FokusError(
            _("malformed CSV: {exc}").format(exc=csv_error_reason(exc)), where=f"line {reader.line_num}"
        ) from None
    if len(header) < 1 or not header[0]:
        raise FokusError(_("the header row is empty"), where="line 1")
    names, forced = _header(header)
    name_index = next((i for i, n in enumerate(names) if n.casefold() in NAME_COLUMNS), 0)
    raw_rows: list[tuple[int, list[str]]] = []
    for line, row in body:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise FokusError(
                _("{n_row} cells, but the header has {n_header}").format(n_row=len(row), n_header=len(header)),
                where=f"line {line}",
            )
        raw_rows.append((line, [cell.strip() for cell in row]))
    attributes: list[AttributeSpec] = []
    converters = {}
    for index, name in enumerate(names):
        if index == name_index:
            continue
        column = [(line, row[index]) for line, row in raw_rows]
        kind = forced.get(index) or infer_type([value for _line, value in column])
        attributes.append(AttributeSpec(name, kind, len(attributes)))
        converters[index] = kind
    rows: list[CaseRow] = []
    seen: dict[str, int] = {}
    for line, row in raw_rows:
        case_name = check_length(row[name_index], MAX_NAME_CHARS, "case name", f"line {line}")
        if not case_name:
            raise FokusError(_("no case name in column {name!r}").format(name=names[name_index]), where=f"line {line}")
        key = " ".join(case_name.split()).casefold()  # as fokus.domain.participants.CaseRegistry finds a case
        if key in seen:
            raise FokusError(
                _("case {case_name!r} appears twice (first on line {seen})").format(
                    case_name=case_name, seen=seen[key]
                ),
                where=f"line {line}",
            )
        seen[key] = line
        values: dict[str, Value | None] = {}
        for index, kind in converters.items():
            try:
                values[names[index]] = convert(row[index], kind)
            except ValueError as exc:
                raise FokusError(
                    _("column {name!r}: {exc}").format(name=names[index], exc=exc), where=f"line {line}"
                ) from None
        rows.append(CaseRow(case_name, values, line))
    return CaseTable(attributes, rows)


def _header(header: list[str]) -> tuple[list[str], dict[int, AttributeType]]:
    names: list[str] = []
    known: set[str] = set()
    forced: dict[int, AttributeType] = {}
    for index, cell in enumerate(header):
        name, _colon, kind = cell.partition(":")
        name = check_length(name.strip(), MAX_LABEL_CHARS, "column name", "line 1")
        if not name:
            raise FokusError(_("column {value} has no name").format(value=index + 1), where="line 1")
        if name in known:
            raise FokusError(_("column {name!r} appears twice").format(name=name), where="line 1")
        if kind.strip():
            try:
                forced[index] = AttributeType(kind.strip().lower())
            except ValueError:
                allowed = ", ".join(t.value for t in AttributeType)
                raise FokusError(
                    _("unknown type {value!r} for {name!r}").format(value=kind.strip(), name=name),
                    where="line 1",
                    hint=allowed,
                ) from None
        names.append(name)
        known.add(name)
    return names, forced


def infer_type(values: list[str]) -> AttributeType:
    """The narrowest type that every non-empty value fits."""
    present = [v for v in values if v]
    if not present:
        return AttributeType.TEXT
    if all(INTEGER.match(v) for v in present):
        if any(len(v.lstrip("+-")) > 1 and v.lstrip("+-").startswith("0") for v in present) or not all(
            _fits(v) for v in present
        ):
            return AttributeType.TEXT  # identifiers: a leading zero, or more digits than any count has
        return AttributeType.INTEGER
    if all(FLOAT.match(v) and not re.match(r"^[+-]?0[0-9]", v) and _finite(v) for v in present):
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
            raise ValueError(_("{value} is not a whole number").format(value=shown_text(value)))
        if not _fits(value):
            raise ValueError(
                _("{value} is larger than a whole number can be ({max_integer:,})").format(
                    value=shown_text(value), max_integer=MAX_INTEGER
                )
            )
        return int(value)
    if kind is AttributeType.FLOAT:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            raise ValueError(_("{value} is not a number").format(value=shown_text(value))) from None
        if "_" in value or not math.isfinite(number):  # float() also takes "1_000", "nan", "inf" and "1e999"
            raise ValueError(_("{value} is not a finite number").format(value=shown_text(value)))
        return number
    if kind is AttributeType.BOOLEAN:
        folded = value.casefold()
        if folded in TRUE:
            return True
        if folded in FALSE:
            return False
        raise ValueError(_("{value} is not ja/nei or true/false").format(value=shown_text(value)))
    return _date(value)


def _fits(value: str) -> bool:
    """Whether a whole number's text is within a database integer (checked on its length first: int() of thousands
    of digits is refused by Python itself)."""
    digits = value.lstrip("+-").lstrip("0")
    return len(digits) <= _INTEGER_DIGITS and -MAX_INTEGER - 1 <= int(value) <= MAX_INTEGER


def _finite(value: str) -> bool:
    return math.isfinite(float(value.replace(",", ".")))


def _date(value: str) -> date:
    try:
        if NO_DATE.match(value):
            day, month, year = (int(p) for p in value.split("."))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            _("{value} is not a date (YYYY-MM-DD or DD.MM.YYYY)").format(value=shown_text(value))
        ) from None
