"""Notes on what an importer read but did not import, counted rather than repeated.

A Graph archive may hold thousands of posts without text; the user needs one line saying so and where the first one
is, not thousands of lines. The notes end up in ``ParsedSource.skipped``.
"""

from __future__ import annotations

from fokus.i18n import _
from fokus.i18n.formats import number


class Notes:
    """Collects ``(what, where)`` pairs and renders one line per ``what``."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, str]] = {}
        self._plain: list[str] = []

    def add(self, what: str, where: str) -> None:
        """Count one occurrence of ``what`` (for people: the caller translates it); the first ``where`` is kept as an
        example."""
        count, first = self._seen.get(what, (0, where))
        self._seen[what] = (count + 1, first)

    def line(self, text: str) -> None:
        """Add a note that is already a sentence."""
        self._plain.append(text)

    def render(self) -> list[str]:
        """``"post without text or answers (skipped): 3, first at $.data[4]"``, in order of first occurrence."""
        counted = [
            _("{what}: {count}, first at {first}").format(what=what, count=number(count), first=first)
            if count > 1
            else _("{what}: at {first}").format(what=what, first=first)
            for what, (count, first) in self._seen.items()
        ]
        return self._plain + counted
