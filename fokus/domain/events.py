"""The append-only log of coding changes: every add, status change and removal, with the state before and after.

Undo, redo and history are read from this log, so it is written in the same transaction as the change itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from fokus.model import Event, table_of, utcnow
from fokus.store.bulk import insert_rows

CODING_FIELDS = ("message_id", "code_id", "coder_id", "start", "end", "status", "origin", "confidence", "details")


def new_batch() -> str:
    """An id grouping the events of one command or keypress: one undo step."""
    return str(uuid.uuid4())


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values.get(key) for key in CODING_FIELDS}


def coding_snapshot(coding: Any) -> dict[str, Any]:
    """The logged state of a stored coding (an ORM object)."""
    return {key: getattr(coding, key) for key in CODING_FIELDS}


def log_events(
    session: Session,
    batch: str,
    action: str,
    changes: Iterable[tuple[int | None, dict[str, Any] | None, dict[str, Any] | None]],
    coder_id: int | None = None,
    reverts: str | None = None,
) -> int:
    """Append one event per (coding id, before, after); returns how many were written."""
    now = utcnow()
    rows = [
        {
            "at": now,
            "batch": batch,
            "coder_id": coder_id,
            "action": action,
            "coding_id": coding_id,
            "before": before,
            "after": after,
            "reverts": reverts,
        }
        for coding_id, before, after in changes
    ]
    insert_rows(session.connection(), table_of(Event), rows)
    return len(rows)
