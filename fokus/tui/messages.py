"""Messages shared across the TUI's screens."""

from __future__ import annotations

from textual.message import Message


class CodingsChanged(Message):
    """Codings were added, changed or removed (by a step, an undo or a redo): views showing them refresh."""
