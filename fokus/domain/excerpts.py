"""The start of a passage as notifications and panels quote it: one line, cut at a word."""

from __future__ import annotations

EXCERPT = 40  # characters of a passage shown in the codes panel and in notifications


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The start of a passage, on one line, at most ``limit`` characters, cut at a word: "Kjære alle sammen: i dag
    …"."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    room = max(limit - 2, 1)  # for " …"
    cut = flat.rfind(" ", 0, room + 1)
    return flat[: cut if cut > room // 2 else room].rstrip() + " …"
