"""Every key with what it does, generated from the bindings of the app and the screen below, and how to choose the
language the TUI speaks."""

from __future__ import annotations

import dataclasses

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from fokus.i18n import N_, _
from fokus.tui.widgets.keybar import shown_description


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", N_("Close"), id="help.close")]

    def compose(self) -> ComposeResult:
        yield DataTable(id="help-table", cursor_type="row")
        yield Static(
            _("Norwegian: fokus --lang nb tui, or for every run: fokus config lang nb"),
            id="help-language",
            markup=False,
        )
        yield Footer()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The bindings Textual's footer shows, their descriptions in the chosen language (declared with ``N_()``)."""
        return {key: _translated(active) for key, active in super().active_bindings.items()}

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("Key"), _("What it does"), _("Where"))
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        seen: set[str] = set()
        # the screen's keys first: where it binds a key the app binds too (a in a thread), the screen's meaning holds
        for where, owner in ((_("here"), below), (_("everywhere"), self.app)):
            for binding in _bindings(owner):
                keys = [key.strip() for key in binding.key.split(",")]
                if not binding.description or all(key in seen for key in keys):
                    continue
                seen.update(keys)
                table.add_row(binding.key_display or ", ".join(keys), _(binding.description), where)

    def action_close(self) -> None:
        self.dismiss(None)


def _translated(active: ActiveBinding) -> ActiveBinding:
    binding = active.binding
    group = binding.group
    if group is not None:
        group = dataclasses.replace(group, description=shown_description(group.description))
    shown = dataclasses.replace(binding, description=shown_description(binding.description), group=group)
    return active._replace(binding=shown)


def _bindings(owner: object) -> list[Binding]:
    """The bindings a screen or the app declares, its own class's and fokus's base classes' (Textual merges them so;
    Textual's own, such as copy and its quit, are left to Textual)."""
    found: list[Binding] = []
    for cls in type(owner).__mro__:
        if cls.__module__.startswith("fokus."):
            found += [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found
