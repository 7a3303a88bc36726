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
        # the screen's keys first: where it binds a key the app binds too (a in a thread), the screen's meaning holds
        for where, owner in (("her", below), ("overalt", self.app)):
            for binding in _bindings(owner):
                keys = [key.strip() for key in binding.key.split(",")]
                if not binding.description or all(key in seen for key in keys):
                    continue
                seen.update(keys)
                table.add_row(binding.key_display or ", ".join(keys), binding.description, where)

    def action_close(self) -> None:
        self.dismiss(None)


def _bindings(owner: object) -> list[Binding]:
    """The bindings a screen or the app declares, its own class's and fokus's base classes' (Textual merges them so;
    Textual's own, such as copy and its quit, are left to Textual)."""
    found: list[Binding] = []
    for cls in type(owner).__mro__:
        if cls.__module__.startswith("fokus."):
            found += [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found
