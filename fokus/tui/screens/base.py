"""The screens' common ground: typed access to what the app holds for them (the project, the coder, helpers).

The screens see the app through :class:`fokus.tui.workbench.Workbench`, a protocol, rather than the app's class.
"""

from __future__ import annotations

from typing import cast

from textual.screen import Screen

from fokus.tui.widgets.keybar import KeyBar
from fokus.tui.workbench import Workbench


class FokusScreen(Screen[None]):
    """A screen of the app. Its keys show in a :class:`KeyBar` that wraps (Textual's one-line footer, which the
    screens compose, is hidden: it cut keys off at 80 columns)."""

    DEFAULT_CSS = """
    FokusScreen > Footer {
        display: none;
    }
    """

    def on_mount(self) -> None:
        self.mount(KeyBar())

    @property
    def fokus(self) -> Workbench:
        return cast(Workbench, self.app)
