"""The screens' common ground: typed access to the app (its project, coder and helpers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from fokus.tui.app import FokusApp


class FokusScreen(Screen[None]):
    @property
    def fokus(self) -> FokusApp:
        from fokus.tui.app import FokusApp

        return cast(FokusApp, self.app)
