"""The screens' common ground: typed access to what the app holds for them (the project, the coder, helpers).

The screens see the app through :class:`fokus.tui.workbench.Workbench`, a protocol, rather than the app's class.
"""

from __future__ import annotations

from typing import cast

from textual.screen import Screen

from fokus.tui.widgets.keybar import KeyBar
from fokus.tui.workbench import Workbench


class FokusScreen(Screen[None]):
    """A screen of the app. Its keys show in a :class:`KeyBar`, mounted here, that wraps. Screens compose no
    Textual ``Footer``: it cut keys off at 80 columns, and even hidden it rebuilt a widget per key whenever the
    bindings changed, which was most of the time it took to open a thread."""

    def on_mount(self) -> None:
        if not self.query(KeyBar):  # a screen may compose its own, to be laid out with the rest at once
            self.mount(KeyBar())

    @property
    def fokus(self) -> Workbench:
        return cast(Workbench, self.app)
