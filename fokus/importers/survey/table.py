"""A survey export's bytes to its header and rows, and which tool wrote it.

What the parsers rely on (the tools' own help pages were not found in the public references at hand; this is what
exports researchers receive look like, and what ``../shared/FORMATS.md`` says of them):

- Nettskjema (UiO): CSV (UTF-8, comma or semicolon) with one header row holding either the items' texts or their
  ids, depending on the export option; meta columns start with ``$`` (``$submission_id``, ``$created``,
  ``$answer_time_ms``) or are named in Norwegian (``Innsendings-ID``, ``Innsendt``); answers are labels or numbers.
- Questback and SurveyXact: CSV, often written by Excel in Norway (``;``, Windows-1252); a respondent id column
  (``RespondentID``, ``respondent``, ``Respondent-ID``), labels or codes as values.
- SurveyMonkey: CSV with two header rows: the question in row 1 (blank over the further columns of the same
  question) and in row 2 ``Response``, ``Open-Ended Response`` or the answer option (one column per option of a
  multiple choice, holding the option's text when chosen); meta columns ``Respondent ID``, ``Collector ID``,
  ``Start Date``, ``End Date``, ``IP Address``, ``Email Address``, ``First Name``, ``Last Name``, ``Custom Data 1``.

XLSX is not read: openpyxl is not a dependency of fokus; save the sheet as CSV UTF-8. The text is UTF-8 (a byte-order
mark is dropped), as everywhere in fokus; a Windows-1252 file is read only when the user says so (``encoding``),
never guessed (:mod:`fokus.importers.decoding`). The delimiter is the one the header line holds most of.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers import limits
from fokus.importers.csvfile import sniff_delimiter
from fokus.importers.decoding import decode_text
from fokus.importers.limits import allow_long_csv_fields, check_count, check_file_size, csv_error_reason

ENCODINGS = ("utf-8", "cp1252")
_SECOND_ROW = {"response", "open-ended response", "other (please specify)"}


class Tool(StrEnum):
    """The survey tools whose exports fokus reads (the values are the names ``--tool`` takes)."""

    NETTSKJEMA = "nettskjema"
    QUESTBACK = "questback"
    SURVEYMONKEY = "surveymonkey"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its question (SurveyMonkey's row 1, carried over blanks) and its row-2 label ("" elsewhere)."""

    index: int
    question: str
    option: str


@dataclass(slots=True)
class RawTable:
    tool: Tool
    columns: list[Column]
    rows: list[tuple[int, list[str]]]  # (line where the row starts, stripped cells)


def decode(data: bytes, path: str, encoding: str) -> str:
    """The file's text: UTF-8 unless the user names Windows-1252 (what Excel in Norway writes for Questback)."""
    check_file_size(len(data), path, parsed=True)
    if data.startswith(b"PK\x03\x04"):
        raise FokusError(
            _("an Excel workbook or another zip file, not CSV"),
            path=path,
            where="byte 0",
            hint=_("save the sheet as CSV UTF-8 and import that"),
        )
    if encoding == "utf-8":
        try:
            return decode_text(data, path)
        except FokusError as err:
            if err.hint and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                err.hint = _("save it as CSV UTF-8, or give --encoding cp1252 if Excel saved it as Windows-1252")
            raise
    if encoding not in ENCODINGS:
        raise FokusError(_("unknown encoding {name!r}").format(name=encoding), hint=", ".join(ENCODINGS))
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise FokusError(
            _("not {encoding} text (byte 0x{byte})").format(
                encoding=encoding, byte=data[err.start : err.start + 1].hex()
            ),
            path=path,
            where=f"line {line}",
        ) from None


def read_table(text: str, tool: str = "auto") -> RawTable:
    """The header and rows of the text; ``tool`` is ``auto`` or a :class:`Tool` value."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise FokusError(_("empty file: no header line"), where="line 1")
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise FokusError(_("NUL byte: this is not a text CSV file"), where=f"line {line}")
    end = text.find("\n")
    allow_long_csv_fields()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text if end < 0 else text[:end]))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [cell.strip() for cell in next(reader)]
        check_count(len(header), limits.MAX_ATTRIBUTES, N_("columns"), "line 1")
        start = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((start, [cell.strip() for cell in row]))
                check_count(len(rows), limits.MAX_CASES, N_("rows"), f"line {start}")
            start = reader.line_num + 1
    except csv.Error as err:
        raise FokusError(csv_error_reason(err), where=f"line {reader.line_num}") from None
    chosen = _tool(header, rows) if tool == "auto" else Tool(tool)
    second: list[str] = []
    if chosen is Tool.SURVEYMONKEY:
        if not rows:
            raise FokusError(_("a SurveyMonkey export has two header rows; this file has one"), where="line 2")
        second = rows.pop(0)[1]
    for line, row in rows:
        if len(row) > len(header) and not any(row[len(header) :]):
            del row[len(header) :]
        if len(row) != len(header):
            raise FokusError(
                _("{count} fields, but the header has {width}").format(count=len(row), width=len(header)),
                where=f"line {line}",
                hint=_("a wrong delimiter or an unclosed quote on this or the line before"),
            )
    columns: list[Column] = []
    question = ""
    for index, cell in enumerate(header):
        question = cell or (question if chosen is Tool.SURVEYMONKEY else "")
        option = second[index].strip() if index < len(second) else ""
        if not question:
            raise FokusError(_("column {number} has no name").format(number=index + 1), where="line 1")
        columns.append(Column(index, question, option))
    return RawTable(chosen, columns, rows)


def _tool(header: list[str], rows: list[tuple[int, list[str]]]) -> Tool:
    names = {h.casefold() for h in header}
    if rows and any(cell.casefold() in _SECOND_ROW for cell in rows[0][1]) and "respondent id" in names:
        return Tool.SURVEYMONKEY
    if any(n.startswith("$") for n in names) or names & {"innsendings-id", "submission id", "submission_id"}:
        return Tool.NETTSKJEMA
    if names & {"respondentid", "respondent id", "respondent-id", "respondent", "respondent_id"}:
        return Tool.QUESTBACK
    return Tool.NETTSKJEMA
