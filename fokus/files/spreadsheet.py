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
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with a ``'`` before it when a spreadsheet would read it as a formula."""
    if value is None or isinstance(value, numbers.Number):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return value


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
        self._line = io.StringIO()
        self._writer = csv.writer(self._line, lineterminator="\r\n")
        self._raw = raw

    def writerow(self, values: Iterable[Any]) -> None:
        self._line.seek(0)
        self._line.truncate()
        self._writer.writerow(values if self._raw else [spreadsheet_cell(v) for v in values])
        self._out.write(self._line.getvalue()[:-2] + "\n")
