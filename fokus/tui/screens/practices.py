"""The good-practice board (``p``): every passage marked as good practice, once, by municipality.

A table of the passages (municipality, themes, the first summary on a wide terminal, and the quote over the rest of
the line), and under it the passage in focus in full: its words wrapped to the width, who said them, and every
researcher's summary ("(no summary)" for a researcher who marked it without writing one). ``k`` and ``t``
narrow the board to a municipality and to a theme; ``enter`` opens the thread at the passage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from fokus.api.good_practice import BoardPassage, good_practice_board
from fokus.domain.collation import norwegian
from fokus.i18n import N_, _, ngettext, pgettext
from fokus.i18n.formats import listing, number
from fokus.tui.messages import CodingsChanged
from fokus.tui.screens.base import FokusScreen
from fokus.tui.screens.passages import open_thread_at
from fokus.tui.widgets.code_picker import fuzzy
from fokus.tui.widgets.header import Header

NO_SUMMARY = N_("(no summary)")  # translated where shown
WIDE = 120  # from this width the table also shows the first summary


class Choice(ModalScreen[str | None]):
    """Pick one value (a municipality, a theme) or every one: returns the value, "" for every one, None when
    dismissed. Typing narrows the list."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="choice.cancel")]
    DEFAULT_CSS = """
    Choice { align: center middle; }
    Choice > Vertical { width: 60; max-width: 100%; height: 22; max-height: 100%; border: round $accent;
                        background: $surface; padding: 0 1; }
    Choice OptionList { height: 1fr; }
    """

    def __init__(self, title: str, every: str, values: list[tuple[str, str]]) -> None:
        """``values``: (value, label); ``every``: the label of the first choice, no filter."""
        super().__init__()
        self.title_text, self.every, self.values = title, every, values
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text)
            yield Input(placeholder=_("type to search"), id="choice-query")
            yield OptionList(id="choice-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        matches = [(value, label) for value, label in self.values if fuzzy(query, label)]
        self.shown = ([""] if not query else []) + [value for value, _label in matches]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(([Option(self.every)] if not query else []) + [Option(label) for _value, label in matches])
        if self.shown:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and self.shown:
            self.dismiss(self.shown[highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def key_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


def describe(passage: BoardPassage) -> Text:
    """The passage in full, as the pane under the table shows it."""
    text = Text()
    where = " · ".join(x for x in (passage.case or _("no municipality"), passage.participant) if x)
    text.append(
        _("{where} · marked by {coders}").format(where=where, coders=listing(passage.coders)) + "\n", style="bold"
    )
    text.append(_("“{quote}”").format(quote=" ".join(passage.text.split())) + "\n")
    for summary in passage.summaries:
        text.append(f"{summary.coder}: ", style="bold")
        text.append(summary.text or _(NO_SUMMARY), style="" if summary.text else "dim italic")
        text.append("\n")
    codes = ", ".join(passage.codes) or _("no other codes")
    text.append(_("Coded: {codes}").format(codes=codes), style="dim")
    return text


def _cut(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` terminal cells with an ellipsis (an emoji takes two cells)."""
    text = " ".join(text.split())
    return text if cell_len(text) <= width else set_cell_size(text, max(width - 1, 0)).rstrip() + "…"


class BoardTable(DataTable[str | Text]):
    """The board's table: ``enter`` opens the thread at the passage, and the key bar says so."""

    BINDINGS = [Binding("enter", "select_cursor", N_("Open the thread"), id="practices.open")]


class PracticesScreen(FokusScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back"), id="practices.back"),
        Binding("k", "municipality", N_("Pick municipality"), id="practices.municipality"),
        Binding("t", "theme", N_("Pick theme"), id="practices.theme"),
    ]
    DEFAULT_CSS = """
    PracticesScreen #practices { height: 1fr; min-height: 5; }
    PracticesScreen #practices-about { height: 1; padding: 0 1; color: $text-muted; }
    PracticesScreen #practice-pane { height: auto; max-height: 50%; border-top: solid $accent; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.board: list[BoardPassage] = []
        self.rows: list[BoardPassage] = []  # as shown: filtered
        self.municipality: str | None = None
        self.theme: str | None = None
        self.layout_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="practices-about")
        yield BoardTable(id="practices", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="practice-pane"):
            yield Static(id="practice-detail")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load()  # on opening, and back from a thread where a passage may have been marked or a mark undone

    def on_codings_changed(self, _event: CodingsChanged) -> None:
        self.load()

    def on_resize(self) -> None:
        if self.size.width != self.layout_width:
            self.show()

    def load(self) -> None:
        with self.fokus.reading() as session:
            self.board = good_practice_board(session)
        self.show()

    def show(self) -> None:
        """Fill the table with the passages the filters let through, keeping the cursor on its passage."""
        table = self.query_one(DataTable)
        current = self.focused_passage()
        self.rows = [
            p
            for p in self.board
            if (self.municipality is None or p.case == self.municipality)
            and (self.theme is None or self.theme in p.themes)
        ]
        self.layout_width = width = self.size.width
        wide = width >= WIDE
        # a column is at least as wide as its heading, in the language shown
        case_width = min(max([len(_("Municipality")), *(len(p.case or "") for p in self.board)]), 14)
        theme_width = min(max([len(_("Theme")), *(len(", ".join(p.themes)) for p in self.board)]), 24 if wide else 16)
        summary_width = min(max((width - case_width - theme_width - 10) // 3, 30), 60) if wide else 0
        columns = 4 if wide else 3
        # the quote takes the rest: each column has a space either side, and the scrollbar two columns
        quote_width = max(width - case_width - theme_width - summary_width - 2 * columns - 2, 20)
        table.clear(columns=True)
        table.add_column(_("Municipality"), width=case_width)
        table.add_column(_("Theme"), width=theme_width)
        if wide:
            table.add_column(_("Summary"), width=summary_width)
        table.add_column(_("Passage"), width=quote_width)
        for index, passage in enumerate(self.rows):
            cells: list[str | Text] = [
                _cut(passage.case or "", case_width),
                _cut(", ".join(passage.themes), theme_width),
            ]
            if wide:
                written = [s.text for s in passage.summaries if s.text]
                more = f" (+{len(written) - 1})" if len(written) > 1 else ""
                first = _cut(written[0], summary_width - len(more)) + more if written else _(NO_SUMMARY)
                cells.append(Text(first, style="" if written else "dim italic"))
            cells.append(_cut(passage.text, quote_width))
            table.add_row(*cells, key=str(index))
        if current is not None:
            for index, passage in enumerate(self.rows):
                if (passage.message_id, passage.start) == (current.message_id, current.start):
                    table.move_cursor(row=index, animate=False)
                    break
        self._about()
        self._detail()

    def _about(self) -> None:
        total = len(self.board)
        every = pgettext("filter", "all")
        filters = {"municipality": self.municipality or every, "theme": self.theme or every}
        if not self.board:
            about = _("No passages marked as good practice yet: g in a thread marks the sentence.")
        elif len(self.rows) != total:
            about = ngettext(
                "Good practice: {shown} of {count} passage · municipality: {municipality} · theme: {theme}",
                "Good practice: {shown} of {count} passages · municipality: {municipality} · theme: {theme}",
                total,
            ).format(shown=number(len(self.rows)), count=number(total), **filters)
        else:
            about = ngettext(
                "Good practice: {count} passage · municipality: {municipality} · theme: {theme}",
                "Good practice: {count} passages · municipality: {municipality} · theme: {theme}",
                total,
            ).format(count=number(total), **filters)
        self.query_one("#practices-about", Static).update(about)

    def focused_passage(self) -> BoardPassage | None:
        table = self.query_one(DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _detail(self) -> None:
        passage = self.focused_passage()
        pane = self.query_one("#practice-detail", Static)
        if passage is None:
            pane.update(_("No passages with these filters: k and t pick “all”.") if self.board else "")
        else:
            pane.update(describe(passage))

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        passage = self.focused_passage()
        if passage is not None:
            open_thread_at(self, passage.message, passage.start)

    def _choose(self, title: str, every: str, values: list[tuple[str, str]], chosen: Callable[[str], None]) -> None:
        def picked(value: str | None) -> None:
            if value is not None:
                chosen(value)
                self.show()

        self.app.push_screen(Choice(title, every, values), picked)

    def action_municipality(self) -> None:
        counts = Counter(p.case for p in self.board if p.case and (self.theme is None or self.theme in p.themes))
        values = [(case, f"{case} ({counts[case]})") for case in sorted(counts, key=norwegian)]

        def chosen(value: str) -> None:
            self.municipality = value or None

        self._choose(_("Municipality"), _("All municipalities"), values, chosen)

    def action_theme(self) -> None:
        counts = Counter(
            theme for p in self.board if self.municipality is None or p.case == self.municipality for theme in p.themes
        )
        values = [(theme, f"{theme} ({counts[theme]})") for theme in sorted(counts)]

        def chosen(value: str) -> None:
            self.theme = value or None

        self._choose(_("Theme"), _("All themes"), values, chosen)

    def action_back(self) -> None:
        self.app.pop_screen()
