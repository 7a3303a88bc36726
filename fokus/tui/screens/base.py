"""The screens' common ground: typed access to what the app holds for them (the project, the coder, helpers).

The screens see the app through :class:`Workbench`, a protocol, rather than the app's class: the app imports the
screens to push them, so a screen importing the app would close a circle. ``fokus.tui.app`` checks that the app
satisfies the protocol.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, TypeVar, cast

from sqlalchemy.orm import Session
from textual.screen import Screen

from fokus.store import Project
from fokus.tui.widgets.keybar import KeyBar

T = TypeVar("T")


class Workbench(Protocol):
    """What a screen may use of the app: read in a session, write one step, know who codes."""

    project: Project
    coder_name: str
    coder_id: int
    hypotheses: Path | None
    recent_codes: list[str]

    def reading(self) -> AbstractContextManager[Session]: ...

    def write(self, step: Callable[[Session], T]) -> T | None: ...

    def codable_codes(self) -> list[tuple[str, str]]: ...

    def remember_code(self, code: str) -> None: ...


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
