"""The passages behind a figure: the coded passages an analysis row counts (as `fokus passages` lists them), or the
quotes a report gives itself; ``enter`` opens the thread at a passage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.markup import escape
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from fokus.analysis.frame import Scope
from fokus.domain.passages import Passage
from fokus.i18n import N_, _, ngettext
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.codes_panel import quoted
from fokus.tui.widgets.columns import Column, fitted
from fokus.tui.widgets.header import Header

#: The columns' headings: the English is also the column's key; shown translated.
DATE, CASE, PARTICIPANT, CODE, CODER, PASSAGE = (
    N_("Date"),
    N_("Municipality"),
    N_("Participant"),
    N_("Code"),
    N_("Coder"),
    N_("Passage"),
)


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

    BINDINGS = [Binding("enter", "select_cursor", N_("Open the thread"), id="passages.open")]


class PassagesScreen(FokusScreen):
    """The coded passages behind one figure; ``enter`` opens the thread at the passage, and the passage in focus is
    shown whole under the table.

    Give a code, a scope and the figure's coordinates (as `fokus passages` takes them), or the quotes themselves.
    """

    BINDINGS = [Binding("escape", "back", N_("Back"), id="passages.back")]
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
            count = len(self.found)
            about = ngettext("{title}: {count} passage.", "{title}: {count} passages.", count).format(
                title=title, count=count
            )
        else:
            from fokus.analysis.passages import passages

            with self.fokus.reading() as session:
                report = passages(session, self.code, scope=self.scope, limit=500, **self.where)
            self.found = [Quote.from_row(r, code=r["code"], coder=r["coder"]) for r in report.rows()]
            if len(self.found) < report.total:
                about = ngettext(
                    "{title}: {total} passage, the first {count}.",
                    "{title}: {total} passages, the first {count}.",
                    report.total,
                ).format(title=report.title, total=report.total, count=len(self.found))
            else:
                about = ngettext("{title}: {count} passage.", "{title}: {count} passages.", report.total).format(
                    title=report.title, count=report.total
                )
        self.query_one("#passages-about", Static).update(about)
        self.fill(self.size.width)
        self.query_one(DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        if self.layout_columns(event.size.width) != self.columns:
            self.fill(event.size.width)

    @staticmethod
    def layout_columns(width: int) -> tuple[Column, ...]:
        """(heading, width) of each column at ``width``: the passage takes what is left; the participant and the
        coder show only where there is room (the pane under the table names them). The heading is the English (the
        column's key; shown translated), and a column is at least as wide as its heading in the language shown."""
        shown: list[Column] = [(DATE, 10), (CASE, 12)]
        if width >= 120:
            shown += [(PARTICIPANT, 12)]
        shown += [(CODE, 22)]
        if width >= 120:
            shown += [(CODER, 14)]
        fixed = [(heading, max(size, cell_len(_(heading)))) for heading, size in shown]
        return fitted(fixed, PASSAGE, len(fixed), width, 20)

    def fill(self, width: int) -> None:
        self.columns = self.layout_columns(width)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for heading, size in self.columns:
            table.add_column(_(heading), width=size, key=heading)
        for index, quote in enumerate(self.found):
            cells = {
                DATE: quote.when,
                CASE: quote.case or "",
                PARTICIPANT: quote.participant,
                CODE: quote.code,
                CODER: quote.coder,
                PASSAGE: " ".join(quote.text.split()),
            }
            table.add_row(*(cells[heading] for heading, _size in self.columns), key=str(index))
        if self.found:
            table.move_cursor(row=min(row, len(self.found) - 1))
        self.show_detail()

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        pane = self.query_one("#passages-detail", Static)
        if not self.found:
            none = _("No passages.")
            pane.update(f"[dim]{escape(none)}[/]")
            return
        quote = self.found[max(self.query_one(DataTable).cursor_row, 0)]
        who = " · ".join(part for part in (quote.case, quote.participant, quote.when) if part)
        codes = " · ".join(part for part in (quote.code, quote.coder) if part)
        pane.update(f"[b]{escape(who)}[/b]  [dim]{escape(codes)}[/dim]\n{escape(quoted(quote.text.strip()))}")

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
        screen.notify(_("Cannot find message {message}").format(message=message), severity="error")
        return
    screen.app.push_screen(ThreadScreen(found[1], start_at=(found[0], offset)))
