"""The screens' common ground: typed access to what the app holds for them (the project, the coder, helpers).

The screens see the app through :class:`fokus.tui.workbench.Workbench`, a protocol, rather than the app's class.
"""

from __future__ import annotations

from typing import cast

from textual._styles_cache import StylesCache
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

    def on_unmount(self) -> None:
        release_painted_lines()

    @property
    def fokus(self) -> Workbench:
        return cast(Workbench, self.app)


def release_painted_lines() -> None:
    """Let go of the painted lines of widgets that are gone.

    Textual caches a widget's two background styles with ``functools.lru_cache`` on a method, keyed by the widget's
    line cache itself, so the last 1,024 widgets painted stay alive with every line they painted: some 5,600 objects
    for each thread opened and closed, which each full garbage collection walks (up to 0.4 s into a session, felt as
    a stall when opening a thread). Emptied when a screen closes; the styles of the widgets still shown are made
    again at their next paint (two ``Style`` objects each).
    """
    StylesCache.get_inner_outer.cache_clear()
