"""A report as an analysis tab's table shows it at one width: columns fitted to their cells, text clipped to terminal
cells, columns that give way when the terminal is narrow, and columns kept in view when the table scrolls sideways."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len, set_cell_size
from textual.widgets import DataTable
from textual.widgets.data_table import CursorType

from fokus.analysis.report import cell, heading
from fokus.analysis.units import UNIT_NAMES
from fokus.i18n import N_, _

#: Column headings the TUI words its own way (its people read "municipality" where a report says "case"); every
#: other column is headed as the CLI heads it (fokus.analysis.report.heading), or by its key.
LABELS = {
    "case": N_("municipality"),
    "cases": N_("municipalities"),
    "share_of_messages": N_("share of messages"),
}
MIN_TEXT = 30  # the narrowest a column of text (an excerpt, a statement) gets before other columns give way


# How a tab shows its report: the columns, the cells, what ``enter`` on each row gets and the pane under the table.
@dataclass(frozen=True)
class Column:
    label: str
    width: int  # terminal cells, without the padding either side


@dataclass
class Shown:
    """A report as a tab's table shows it at one width."""

    columns: list[Column]
    cells: list[list[str]]
    rows: list[dict[str, Any]]  # what the opener gets for each table row
    details: list[str] = field(default_factory=list)  # the pane under the table, per row (markup); none: no pane
    fixed: int = 0  # columns kept in view when the table scrolls sideways
    cursor: CursorType = "row"
    start_column: int = 0  # where the cell cursor starts


def column_label(column: str) -> str:
    """A report column's heading in the reader's language, as the TUI's tables show it."""
    return _(LABELS[column]) if column in LABELS else heading(column)


def unit_word(unit: str) -> str:
    """A unit of analysis as the TUI words it (a case is a municipality, as in its columns); the report's unit word
    otherwise (fokus.analysis.units), or the key for a unit fokus has no word for."""
    if unit in LABELS:
        return _(LABELS[unit])
    return _(UNIT_NAMES[unit]) if unit in UNIT_NAMES else unit


def fit(label: str, cells: list[list[str]], index: int) -> Column:
    return Column(label, max([cell_len(label), *(cell_len(row[index]) for row in cells)]))


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` terminal cells (an emoji takes two) with an ellipsis."""
    flat = " ".join(text.split())
    return flat if cell_len(flat) <= width else set_cell_size(flat, max(width - 1, 0)).rstrip() + "…"


def room(width: int, columns: list[Column]) -> int:
    """What is left of ``width`` for one more column beside ``columns`` (each cell is padded by one either side;
    the table's scroll bar and margins take four)."""
    return width - 4 - sum(c.width + 2 for c in columns) - 2


def give_way(width: int, columns: list[Column], cells: list[list[str]], labels: tuple[str, ...]) -> None:
    """Drop the columns named in ``labels``, in that order, until a column of text has room beside the rest."""
    for label in labels:
        if room(width, columns) >= MIN_TEXT:
            return
        index = [c.label for c in columns].index(label)
        columns.pop(index)
        for row in cells:
            row.pop(index)


def plain(report: Any, settings: Any, width: int) -> Shown:
    """The report's own columns (the terminal's choice, if it has one), one row per report row."""
    names = list(getattr(report, "terminal_columns", report.columns)())
    rows = report.rows()
    cells = [[cell(row.get(c), c)[:80] for c in names] for row in rows]
    columns = [fit(column_label(c), cells, i) for i, c in enumerate(names)]
    return Shown(columns, cells, rows, fixed=1)  # the first column names the row: kept when the table scrolls


def align_columns(table: DataTable[Any]) -> None:
    """Scroll a table with fixed columns so that no column shows cut beside them: the first column in view
    begins at its edge (the one in focus, if it lies left of that)."""
    if not table.fixed_columns:
        return
    widths = [column.get_render_width(table) for column in table.ordered_columns]
    starts = [sum(widths[:i]) for i in range(len(widths))]
    fixed = starts[table.fixed_columns] if table.fixed_columns < len(starts) else 0
    edge = int(table.scroll_x) + fixed
    later = [x for x in starts[table.fixed_columns :] if x >= edge]
    first = min([*later[:1], starts[table.cursor_column]]) if table.cursor_column >= table.fixed_columns else edge
    if first != edge:
        table.scroll_to(x=first - fixed, animate=False, force=True)
