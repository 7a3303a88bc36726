"""The passages behind a figure: the coded passages an analysis row counts (as `fokus passages` lists them), or the
quotes a report gives itself; ``enter`` opens the thread at a passage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from fokus.analysis.frame import Scope
from fokus.domain.passages import Passage
from fokus.tui.screens.base import FokusScreen


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


class PassagesScreen(FokusScreen):
    """The coded passages behind one figure; ``enter`` opens the thread at the passage.

    Give a code, a scope and the figure's coordinates (as `fokus passages` takes them), or the quotes themselves.
    """

    BINDINGS = [
        Binding("escape", "back", "Tilbake", id="passages.back"),
        Binding("enter", "open", "Åpne tråden", id="passages.open"),
    ]

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

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="passages-about", classes="analysis-about")
        yield DataTable(id="passages-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

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
        self.query_one(Static).update(about)
        table = self.query_one(DataTable)
        table.add_columns("Dato", "Kommune", "Deltaker", "Kode", "Koder", "Utdrag")
        for index, quote in enumerate(self.found):
            text = " ".join(quote.text.split())
            table.add_row(
                quote.when, quote.case or "", quote.participant, quote.code, quote.coder, text[:90], key=str(index)
            )
        table.focus()

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
