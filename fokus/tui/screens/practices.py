"""The good-practice board (``p``): every passage marked as good practice, by municipality and theme."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header

from fokus.api.good_practice import good_practice_board
from fokus.tui.screens.base import FokusScreen


class PracticesScreen(FokusScreen):
    BINDINGS = [Binding("escape", "back", "Tilbake", id="practices.back")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="practices", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Kommune", "Tema", "Oppsummering", "Utdrag")
        with self.fokus.reading() as session:
            board = good_practice_board(session)
        for practice in board:
            table.add_row(
                practice.case or "",
                ", ".join(practice.themes),
                practice.summary[:50],
                practice.passage[:60],
                key=str(practice.coding_id),
            )
        table.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
