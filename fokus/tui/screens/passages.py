"""The passages behind a figure: the coded passages an analysis row counts (as `fokus passages` lists them), or the
quotes a report gives itself; ``enter`` opens the thread at a passage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.markup import escape
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from fokus.analysis.frame import Scope
from fokus.domain.passages import Passage
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.columns import Column, fitted
from fokus.tui.widgets.header import Header


@dataclass(frozen=True)
class Quote(Passage):
    """A passage as the passages screen lists it: the coded passage, with its date, code(s) and coder(s) as shown."""

    when: str = ""
    code: str = ""
    coder: str = ""

    @classmethod
    def of(cls, passage: Passage, *, when: str = "", code: str = "", coder: str = "") -> Quote:
        """The quote of a passage an analysis found (a practice's, a candidate theme's)."""
        return cls(
            passage.message,
            passage.start,
            passage.end,
            passage.text,
            passage.participant,
            passage.case,
            when,
            code,
            coder,
        )

    @classmethod
    def from_row(cls, row: dict[str, Any], *, code: str, coder: str = "") -> Quote:
        """The quote of a report's row (`fokus passages`, a hypothesis's evidence), dates shown as the day."""
        return cls(
            row["message_id"],
            row["start"],
            row["end"],
            row["text"],
            row["participant"],
            row["case"],
            (row["created_at"] or "")[:10],
            code,
            coder,
        )


class PassageTable(DataTable[str]):
    """The passages: ``enter`` opens the thread at the passage, and the key bar says so."""

    BINDINGS = [Binding("enter", "select_cursor", "Åpne tråden", id="passages.open")]


class PassagesScreen(FokusScreen):
    """The coded passages behind one figure; ``enter`` opens the thread at the passage, and the passage in focus is
    shown whole under the table.

    Give a code, a scope and the figure's coordinates (as `fokus passages` takes them), or the quotes themselves.
    """

    BINDINGS = [Binding("escape", "back", "Tilbake", id="passages.back")]
    DEFAULT_CSS = """
    PassagesScreen #passages-table { height: 1fr; }
    PassagesScreen #passages-detail {
        height: auto; max-height: 8; padding: 0 1; border-top: solid $primary;
    }
    """

    def __init__(
        self,
        code: str = "",
        scope: Scope | None = None,
        where: dict[str, Any] | None = None,
        *,
        quotes: tuple[str, list[Quote]] | None = None,
    ) -> None:
        super().__init__()
        self.code, self.scope, self.where = code, scope or Scope(), where or {}
        self.given = quotes
        self.found: list[Quote] = []
        self.columns: tuple[Column, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="passages-about", classes="analysis-about")
        yield PassageTable(id="passages-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="passages-detail")

    def on_mount(self) -> None:
        if self.given is not None:
            title, self.found = self.given
            about = f"{title}: {len(self.found)} utdrag."
        else:
            from fokus.analysis.passages import passages

            with self.fokus.reading() as session:
                report = passages(session, self.code, scope=self.scope, limit=500, **self.where)
            self.found = [Quote.from_row(r, code=r["code"], coder=r["coder"]) for r in report.rows()]
            shown = f", de første {len(self.found)}" if len(self.found) < report.total else ""
            about = f"{report.title}: {report.total} utdrag{shown}."
        self.query_one("#passages-about", Static).update(about)
        self.fill(self.size.width)
        self.query_one(DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        if self.layout_columns(event.size.width) != self.columns:
            self.fill(event.size.width)

    @staticmethod
    def layout_columns(width: int) -> tuple[Column, ...]:
        """(heading, width) of each column at ``width``: the passage takes what is left; the participant and the
        coder show only where there is room (the pane under the table names them)."""
        shown: list[Column] = [("Dato", 10), ("Kommune", 12)]
        if width >= 120:
            shown += [("Deltaker", 12)]
        shown += [("Kode", 22)]
        if width >= 120:
            shown += [("Koder", 14)]
        return fitted(shown, "Utdrag", len(shown), width, 20)

    def fill(self, width: int) -> None:
        self.columns = self.layout_columns(width)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for heading, size in self.columns:
            table.add_column(heading, width=size, key=heading)
        for index, quote in enumerate(self.found):
            cells = {
                "Dato": quote.when,
                "Kommune": quote.case or "",
                "Deltaker": quote.participant,
                "Kode": quote.code,
                "Koder": quote.coder,
                "Utdrag": " ".join(quote.text.split()),
            }
            table.add_row(*(cells[heading] for heading, _ in self.columns), key=str(index))
        if self.found:
            table.move_cursor(row=min(row, len(self.found) - 1))
        self.show_detail()

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        pane = self.query_one("#passages-detail", Static)
        if not self.found:
            pane.update("[dim]Ingen utdrag.[/]")
            return
        quote = self.found[max(self.query_one(DataTable).cursor_row, 0)]
        who = " · ".join(part for part in (quote.case, quote.participant, quote.when) if part)
        codes = " · ".join(part for part in (quote.code, quote.coder) if part)
        pane.update(f"[b]{escape(who)}[/b]  [dim]{escape(codes)}[/dim]\n«{escape(quote.text.strip())}»")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        if not self.found:
            return
        quote = self.found[self.query_one(DataTable).cursor_row]
        open_thread_at(self, quote.message, quote.start)

    def action_back(self) -> None:
        self.app.pop_screen()


def open_thread_at(screen: FokusScreen, message: str, offset: int) -> None:
    """Open the thread of a message (by its external id) with the cursor on the sentence at ``offset``."""
    from fokus.privacy import find_message
    from fokus.tui.screens.thread import ThreadScreen

    with screen.fokus.reading() as session:
        found = find_message(session, message)
    if found is None:
        screen.notify(f"Finner ikke melding {message}", severity="error")
        return
    screen.app.push_screen(ThreadScreen(found[1], start_at=(found[0], offset)))
