"""What every analysis returns, so the CLI, the TUI and a script can show it in any of the formats.

An analysis result offers tidy ``rows`` (one observation per row, for the terminal table and CSV), a JSON value
(``as_json``), and Markdown that reads well on its own (``markdown``). The CLI picks one by ``--format``; the TUI
shows the rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TextIO

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


def write_report(report: Report, fmt: str, out: TextIO) -> None:
    """CSV, JSON or Markdown (the terminal table is drawn by the CLI with rich)."""
    if fmt == "json":
        json.dump(report.as_json(), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "md":
        out.write(report.markdown().rstrip() + "\n")
    elif fmt == "csv":
        tidy = getattr(report, "tidy", None)  # a wide table (a matrix) is tidy in CSV: one observation per row
        rows = tidy() if tidy else report.rows()
        columns = list(rows[0]) if tidy and rows else report.columns()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    else:
        raise ValueError(f"format {fmt!r} is drawn by the caller")
