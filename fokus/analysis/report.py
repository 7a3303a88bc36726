"""What every analysis returns, so the CLI, the TUI and a script can show it in any of the formats.

An analysis result offers tidy ``rows`` (one observation per row, for the terminal table and CSV), a JSON value
(``as_json``), and Markdown that reads well on its own (``markdown``). The CLI picks one by ``--format``; the TUI
shows the rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TextIO

from fokus.files.spreadsheet import CsvWriter

FORMATS = ("table", "csv", "json", "md")


class Report(Protocol):
    title: str

    def columns(self) -> list[str]: ...

    def rows(self) -> list[dict[str, Any]]: ...

    def as_json(self) -> Any: ...

    def markdown(self) -> str: ...


def cell(value: Any) -> str:
    """A value as text for tables: numbers rounded for reading, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:.3g}" if abs(value) < 0.001 and value != 0 else f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A GitHub-flavoured Markdown table; pipes in cells are escaped."""

    def escape(text: str) -> str:
        return " ".join(text.replace("|", "\\|").split())

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(escape(cell(row.get(c))) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


QUOTE_MARKS = re.compile(r"(?:[ ]{0,3}>[ ]?)*")  # a blockquote's leading >s: the report's own, kept
BRACKETS = re.compile(r"(\\*)([\[\]])")
SCHEMES = re.compile(r"\b(javascript|vbscript|data):", re.IGNORECASE)


def safe_markdown(document: str) -> str:
    """A Markdown report with nothing in it that a viewer would run or follow.

    Reports quote other people's words (messages, names, titles), and a Markdown viewer renders HTML and links: so
    ``&``, ``<`` and ``>`` become entities (no tag, no autolink; a blockquote's leading ``>`` stays), ``[`` and ``]``
    are escaped (no link, image or link definition), and a ``javascript:``, ``vbscript:`` or ``data:`` scheme loses
    its colon to an escape. Every one of them still reads the same once rendered. fokus's own text uses none of
    these as Markdown, so the whole document is treated alike.
    """
    lines = []
    for line in document.split("\n"):
        marks = QUOTE_MARKS.match(line)
        start = marks.end() if marks else 0
        text = line[start:].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = BRACKETS.sub(lambda m: m[1] * 2 + "\\" + m[2], text)
        lines.append(line[:start] + SCHEMES.sub(lambda m: m[1] + "\\:", text))
    return "\n".join(lines)


def write_report(report: Report, fmt: str, out: TextIO, *, raw_csv: bool = False) -> None:
    """CSV, JSON or Markdown (the terminal table is drawn by the CLI with rich).

    CSV cells that a spreadsheet would run as formulas get a leading ' unless ``raw_csv``
    (:mod:`fokus.files.spreadsheet`); Markdown is made safe to view (:func:`safe_markdown`).
    """
    if fmt == "json":
        json.dump(report.as_json(), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "md":
        out.write(safe_markdown(report.markdown().rstrip()) + "\n")
    elif fmt == "csv":
        tidy = getattr(report, "tidy", None)  # a wide table (a matrix) is tidy in CSV: one observation per row
        rows = tidy() if tidy else report.rows()
        columns = list(rows[0]) if tidy and rows else report.columns()
        writer = CsvWriter(out, raw=raw_csv)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    else:
        raise ValueError(f"format {fmt!r} is drawn by the caller")
