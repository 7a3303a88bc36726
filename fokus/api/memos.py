"""Memos: a researcher's notes on a message, a coding, a code, a case or the project.

Good practice, a coding whose memo holds its summary, is in :mod:`fokus.api.good_practice`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.errors import FokusError
from fokus.model import Case, Code, Memo, utcnow


def add_memo(
    session: Session,
    text: str,
    *,
    coder_id: int | None = None,
    message_id: int | None = None,
    code_id: int | None = None,
    case_id: int | None = None,
    coding_id: int | None = None,
) -> int:
    """Store a memo on one thing (or on the project, with no target); returns its id."""
    if not text.strip():
        raise FokusError("a memo needs some text")
    if sum(x is not None for x in (message_id, code_id, case_id, coding_id)) > 1:
        raise FokusError("a memo is about one thing at a time")
    now = utcnow()
    memo = Memo(
        text=text.strip(),
        coder_id=coder_id,
        message_id=message_id,
        code_id=code_id,
        case_id=case_id,
        coding_id=coding_id,
        created_at=now,
        updated_at=now,
    )
    session.add(memo)
    session.flush()
    return memo.id


def memo_on_code(session: Session, path: str, text: str, *, coder_id: int | None = None) -> int:
    """A memo about a code, named by its path (the codebook screen knows codes by path, not by row id)."""
    code_id = session.scalar(select(Code.id).where(Code.path == path))
    if code_id is None:
        raise FokusError(f"the codebook has no code {path!r}")
    return add_memo(session, text, coder_id=coder_id, code_id=code_id)


def memo_on_case(session: Session, name: str, text: str, *, coder_id: int | None = None) -> int:
    """A memo about a case (a municipality), named as the thread view shows it."""
    case_id = session.scalar(select(Case.id).where(Case.name == name))
    if case_id is None:
        raise FokusError(f"the project has no case {name!r}")
    return add_memo(session, text, coder_id=coder_id, case_id=case_id)
