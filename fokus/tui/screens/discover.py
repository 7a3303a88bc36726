"""Emergent themes (``d``): the candidate themes of what no accepted code covers, as `fokus discover` lists them.

The topic model runs in a worker, so the screen never blocks. ``enter`` shows a candidate's quotes (and a quote
opens its thread); ``n`` makes the candidate a new code, with its quotes as suggestions for the review queue.
The machine only suggests: every suggestion waits for a researcher's decision.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.learn.discovery_report import Candidate, DiscoveryReport
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.base import FokusScreen
from fokus.tui.widgets.columns import Column, fitted
from fokus.tui.widgets.header import Header

SEARCHING = N_("Looking for themes …")


def code_id_of(word: str) -> str:
    """A lemma as a code id: lowercase a-z, digits, '-' and '_' (æ, ø, å spelt out, other accents dropped)."""
    spelt = word.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", spelt).encode("ascii", "ignore").decode()
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in plain).strip("-_")
    return cleaned or "tema"


class NewCodeScreen(ModalScreen[tuple[str, str] | None]):
    """Asks for the new code's path and name; an empty field takes the suggestion shown. Returns None on escape."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="newcode.cancel")]
    DEFAULT_CSS = """
    NewCodeScreen { align: center middle; }
    NewCodeScreen > Vertical { width: 72; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, title: str, path: str, name: str) -> None:
        super().__init__()
        self.title_text = title
        self.suggested = (path, name)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{self.title_text}[/b]")
            yield Label(_("[dim]Empty field: the suggestion in it. Enter goes on, esc cancels.[/]"))
            yield Label(_("Code id (under another code: parent/id)"))
            yield Input(placeholder=self.suggested[0], id="newcode-path")
            yield Label(_("Name"))
            yield Input(placeholder=self.suggested[1], id="newcode-name")

    def on_mount(self) -> None:
        self.query_one("#newcode-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "newcode-path":
            self.query_one("#newcode-name", Input).focus()
            return
        path = self.query_one("#newcode-path", Input).value.strip() or self.suggested[0]
        name = self.query_one("#newcode-name", Input).value.strip() or self.suggested[1]
        self.dismiss((path, name))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CandidateTable(DataTable[str | Text]):
    """The candidates: ``enter`` lists a candidate's quotes, and the key bar says so."""

    BINDINGS = [Binding("enter", "select_cursor", N_("Quotes"), id="discover.open")]


class DiscoverScreen(FokusScreen):
    """One row per candidate theme: its title, words, municipalities and sentences."""

    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="discover.back"),
        Binding("enter", "quotes", N_("Quotes"), id="discover.quotes"),
        Binding("n", "adopt", N_("New code"), id="discover.adopt"),
        Binding("f", "refresh", N_("Find again"), id="discover.refresh"),
    ]

    def __init__(self, *, k: int | None = None) -> None:
        super().__init__()
        self.k = k
        self.report: DiscoveryReport | None = None
        self.adopted: dict[int, str] = {}  # candidate number -> the code made from it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_(SEARCHING), id="discover-about", classes="analysis-about")
        yield CandidateTable(id="discover-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.compute(self.k)

    @work(thread=True, exclusive=True, exit_on_error=False, group="discover")
    def compute(self, k: int | None) -> None:
        """Fit the topic model in its own read session and hand the report to the screen."""
        from fokus.learn.discover import discover

        try:
            with self.fokus.project.read() as session:
                report = discover(session, k=k)
        except FokusError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        self.app.call_from_thread(self.show, report)

    def show_error(self, text: str) -> None:
        self.report = None
        self.query_one("#discover-about", Static).update(f"[red]{text}[/]")
        self.query_one(DataTable).clear(columns=True)

    @staticmethod
    def layout_columns(width: int) -> tuple[Column, ...]:
        """(heading, width) of each column at ``width``: the candidate's words take what is left, so that the
        counts and the code made from it stay on screen at 80 columns. The headings are message ids (the columns'
        keys), translated where the table shows them."""
        wide = width >= 120
        shown = [(N_("No."), 3), (N_("Theme"), 28 if wide else 20)]
        shown += [(N_("Municipalities") if wide else N_("Mun."), 8 if wide else 4)]
        shown += [(N_("Sentences") if wide else N_("Sent"), 9 if wide else 4), (N_("Code"), 16 if wide else 10)]
        shown = [(heading, max(size, cell_len(_(heading)))) for heading, size in shown]  # a longer heading: wider
        return fitted(shown, N_("Words"), 2, width, 12, spare=2)

    def on_resize(self, event: events.Resize) -> None:
        if self.report is not None:
            self.show(self.report)

    def show(self, report: DiscoveryReport) -> None:
        self.report = report
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for heading, size in self.layout_columns(self.size.width):
            table.add_column(_(heading), width=size, key=heading)
        for c in report.candidates:
            table.add_row(
                str(c.number),
                c.title,
                ", ".join(c.lemmas[:8]),
                Text(str(len(c.cases)), justify="right"),
                Text(str(c.sentences), justify="right"),
                self.adopted.get(c.number, ""),
                key=str(c.number),
            )
        if report.candidates:
            table.move_cursor(row=min(max(row, 0), len(report.candidates) - 1))
        if report.k_source == "asked":
            found = ngettext(
                "{count} candidate from {sentences} sentences no accepted code covers (k = {k}, chosen).",
                "{count} candidates from {sentences} sentences no accepted code covers (k = {k}, chosen).",
                len(report.candidates),
            )
        else:
            found = ngettext(
                "{count} candidate from {sentences} sentences no accepted code covers (k = {k}, by the rule √(n/5)).",
                "{count} candidates from {sentences} sentences no accepted code covers (k = {k}, by the rule √(n/5)).",
                len(report.candidates),
            )
        found = found.format(count=len(report.candidates), sentences=report.fitted, k=report.k)
        self.query_one("#discover-about", Static).update(
            f"{found} "
            + _("The machine suggests, the researchers decide.")
            + "  "
            + _("[dim]enter: quotes · n: new code · f: find again[/]")
        )

    @property
    def current(self) -> Candidate | None:
        if self.report is None or not self.report.candidates:
            return None
        row = self.query_one(DataTable).cursor_row
        return self.report.candidates[row] if 0 <= row < len(self.report.candidates) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_quotes()

    def action_quotes(self) -> None:
        from fokus.tui.screens.passages import PassagesScreen, Quote

        candidate = self.current
        if candidate is None:
            return
        quotes = [Quote.of(q) for q in candidate.quotes]
        title = _("Candidate {number}: {title}").format(number=candidate.number, title=candidate.title)
        self.app.push_screen(PassagesScreen(quotes=(title, quotes)))

    def action_adopt(self) -> None:
        from fokus.learn.adopt import adopt

        candidate = self.current
        if candidate is None:
            return
        app = self.fokus
        suggested = (code_id_of(candidate.lemmas[0]), candidate.lemmas[0].capitalize())

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            path, name = answer
            made = app.write(lambda session: adopt(session, candidate, path=path, name=name))
            if made is None:
                return
            self.adopted[candidate.number] = made.code
            table = self.query_one(DataTable)
            table.update_cell(str(candidate.number), table.ordered_columns[-1].key, made.code)
            self.notify(
                ngettext(
                    "New code {code}: {count} suggestion to review (v)",
                    "New code {code}: {count} suggestions to review (v)",
                    made.suggested,
                ).format(code=made.code, count=made.suggested)
            )
            self.post_message(CodingsChanged())

        self.app.push_screen(
            NewCodeScreen(
                _("New code from candidate {number}: {title}").format(number=candidate.number, title=candidate.title),
                *suggested,
            ),
            chosen,
        )

    def action_refresh(self) -> None:
        self.query_one("#discover-about", Static).update(_(SEARCHING))
        self.compute(self.k)

    def action_back(self) -> None:
        self.app.pop_screen()
