"""The append-only log of coding changes: every add, status change and removal, with the state before and after.

Undo, redo and history are read from this log, so it is written in the same transaction as the change itself.
Codes (``{"code": ...}``, fokus.api.codebook_edit) and memos (``{"memo": ...}``, ``memo.add``, ``memo.change``,
``memo.delete``: fokus.api.memos; ``memo.move`` for a memo that leaves a removed coding for its message) are logged in
the same table, with no ``coding_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fokus.model import Event, table_of, utcnow
from fokus.store.bulk import insert_rows

CODING_FIELDS = ("message_id", "code_id", "coder_id", "start", "end", "status", "origin", "confidence", "details")
MEMO_FIELDS = ("id", "text", "coder_id", "message_id", "code_id", "case_id", "coding_id", "created_at", "updated_at")
MEMO_TIMES = ("created_at", "updated_at")


def new_batch() -> str:
    """An id grouping the events of one command or keypress: one undo step."""
    return str(uuid.uuid4())


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values.get(key) for key in CODING_FIELDS}


def coding_snapshot(coding: Any) -> dict[str, Any]:
    """The logged state of a stored coding (an ORM object)."""
    return {key: getattr(coding, key) for key in CODING_FIELDS}


def memo_snapshot(memo: Any) -> dict[str, Any]:
    """The logged state of a stored memo (an ORM object): ``{"memo": {...}}``, times as ISO text (the log is JSON)."""
    values = {key: getattr(memo, key) for key in MEMO_FIELDS}
    for key in MEMO_TIMES:
        values[key] = values[key].isoformat() if values[key] is not None else None
    return {"memo": values}


def memo_values(logged: dict[str, Any]) -> dict[str, Any]:
    """A logged memo's columns, times as datetimes again: what a restored memo is made of."""
    values = dict(logged)
    for key in MEMO_TIMES:
        values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
    return values


def is_memo_event(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    return "memo" in (before or {}) or "memo" in (after or {})


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
