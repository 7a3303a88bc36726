"""Id lists cut to what one SQL statement may bind.

A ``WHERE id IN (...)`` binds one parameter per id, and SQLite refuses a statement with more than its limit (999 in
older builds); 900 ids stay under it on every backend and leave room for the statement's other parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

CHUNK = 900


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in order, ``size`` at a time."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
