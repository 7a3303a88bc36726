"""Every key with what it does, generated from the bindings of the app and the screen below."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Lukk", id="help.close")]

    def compose(self) -> ComposeResult:
        yield DataTable(id="help-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Tast", "Hva den gjør", "Hvor")
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        seen: set[str] = set()
        for where, owner in (("overalt", self.app), ("her", below)):
            for binding in getattr(owner, "BINDINGS", []):
                if isinstance(binding, Binding) and binding.description and binding.key not in seen:
                    seen.add(binding.key)
                    table.add_row(binding.key_display or binding.key, binding.description, where)

    def action_close(self) -> None:
        self.dismiss(None)
