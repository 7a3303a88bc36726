"""A thread as one text document, for tools that know documents, not conversations.

The post comes first, then each comment followed by its replies, in time order. Every message gets a header line
(its time in Norwegian local time, the participant's pseudonym and case, indented by its depth) and then its text
exactly as stored, so a coding's span in the document is the message's offset plus the coding's own offsets.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from fokus.domain.local_time import local_time


@dataclass(frozen=True)
class RenderedMessage:
    message_id: int
    parent_id: int | None
    created_at: datetime
    participant: str
    case: str | None
    text: str


def render_thread(title: str, messages: list[RenderedMessage]) -> tuple[str, dict[int, tuple[int, int]]]:
    """The document text and, per message id, the (start, end) of its text in it."""
    children: dict[int | None, list[RenderedMessage]] = defaultdict(list)
    ids = {m.message_id for m in messages}
    for message in messages:
        parent = message.parent_id if message.parent_id in ids else None
        children[parent].append(message)
    for group in children.values():
        group.sort(key=lambda m: (m.created_at, m.message_id))
    parts = [title, "\n\n"]
    length = len(title) + 2
    offsets: dict[int, tuple[int, int]] = {}

    def walk(parent: int | None, depth: int) -> None:
        nonlocal length
        for message in children.get(parent, []):
            who = message.participant + (f" ({message.case})" if message.case else "")
            header = f"{'    ' * depth}[{local_time(message.created_at):%Y-%m-%d %H:%M}] {who}:\n"
            parts.append(header)
            length += len(header)
            offsets[message.message_id] = (length, length + len(message.text))
            parts.append(message.text)
            parts.append("\n\n")
            length += len(message.text) + 2
            walk(message.message_id, depth + 1)

    walk(None, 0)
    return "".join(parts), offsets
