"""What the screens and widgets may use of the app: the project, the coder, reading and writing.

A protocol rather than the app's class: the app imports the screens to push them, so a screen or widget importing
the app would close a circle. ``fokus.tui.app`` checks that the app satisfies it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from fokus.store import Project

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
