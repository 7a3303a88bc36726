"""Table columns fitted to the terminal: fixed columns as they are, one flexible column takes the width left."""

from __future__ import annotations

from collections.abc import Sequence

Column = tuple[str, int]


def fitted(
    fixed: Sequence[Column], flexible: str, at: int, width: int, least: int, *, spare: int = 0
) -> tuple[Column, ...]:
    """``fixed`` with the ``flexible`` column put at position ``at``, as wide as ``width`` leaves after the fixed
    columns, two cells of padding around each column, the scrollbar and ``spare`` (never under ``least``)."""
    room = width - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 2 - spare
    return (*fixed[:at], (flexible, max(room, least)), *fixed[at:])
