"""CSV that a spreadsheet opens safely: a cell that would start a formula gets a leading ``'``.

Excel, LibreOffice Calc and Google Sheets take a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a
carriage return) for a formula, and a formula can fetch web addresses or start programs (CSV injection). The texts
fokus exports are other people's words, so every CSV it writes puts a ``'`` before such a cell, as OWASP recommends;
a spreadsheet shows the text as text. Numbers (an int, a float such as -0.3) are written as they are, and so is a
text that is nothing but a number ("-2", "+47"), which no spreadsheet reads as a formula.

``raw=True`` (the CLI's ``--raw-csv``) writes every cell as it is, for programs rather than spreadsheets. fokus
takes the ``'`` off again where it reads its own CSV back (``fokus codings import``).
"""

from __future__ import annotations

import csv
import io
import numbers
import re
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STARTS = frozenset(FORMULA_STARTS)
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with a ``'`` before it when a spreadsheet would read it as a formula."""
    if type(value) is str:
        return _safe(value)
    if value is None or isinstance(value, numbers.Number):
        return value
    text = str(value)
    safe = _safe(text)
    return value if safe is text else safe


def _safe(text: str) -> str:
    """:func:`spreadsheet_cell` of a text, without looking at its type (for the many cells of a large export)."""
    return "'" + text if text[:1] in STARTS and not NUMBER.fullmatch(text) else text


def restored_cell(text: str) -> str:
    """A cell as it was before :func:`spreadsheet_cell`, so that fokus reads back the CSV it wrote."""
    if text.startswith("'") and spreadsheet_cell(text[1:]) == text:
        return text[1:]
    return text


class CsvWriter:
    """``csv.writer`` with the lines fokus writes (``\\n``) and formulas neutralised unless ``raw``.

    A cell with a carriage return in it is quoted too (``csv`` quotes only the characters of its line ending), so
    that every reader finds the same cells.
    """

    def __init__(self, out: TextIO, *, raw: bool = False) -> None:
        self._out = out
        self._writer = csv.writer(out, lineterminator="\n")
        self._line = io.StringIO()
        self._quoting_cr = csv.writer(self._line, lineterminator="\r\n")  # quotes a cell with \r in it
        self._raw = raw

    def writerow(self, values: Iterable[Any]) -> None:
        cells = list(values) if self._raw else [_safe(v) if type(v) is str else spreadsheet_cell(v) for v in values]
        if not any(type(cell) is str and "\r" in cell for cell in cells):
            self._writer.writerow(cells)
            return
        self._line.seek(0)
        self._line.truncate()
        self._quoting_cr.writerow(cells)
        self._out.write(self._line.getvalue()[:-2] + "\n")
