"""Good practice: a passage marked as worth sharing, with a short summary, and the board that lists them.

Good practice is a coding with the codebook's good-practice code (``god-praksis`` by default) and a memo on that
coding holding the summary, so it counts in every analysis like any coding and can be undone like one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.api.coding_actions import StepReport, add_coding
from fokus.api.memos import add_memo
from fokus.domain.codes import GOOD_PRACTICE
from fokus.domain.collation import norwegian
from fokus.domain.passages import coded_passages
from fokus.errors import FokusError
from fokus.model import Case, Code, Coding, Memo, Message, Participant


def mark_good_practice(
    session: Session, message_id: int, start: int, end: int, summary: str, coder_id: int, *, code: str = GOOD_PRACTICE
) -> StepReport:
    """Code a passage as good practice and keep the researcher's summary with it."""
    if session.scalar(select(Code.id).where(Code.path == code)) is None:
        raise FokusError(f"the codebook has no {code!r} code to mark good practice with")
    step = add_coding(session, message_id, code, start, end, coder_id)
    assert step.coding_id is not None
    add_memo(session, summary, coder_id=coder_id, coding_id=step.coding_id)
    return step


@dataclass(frozen=True)
class Practice:
    coding_id: int
    summary: str
    passage: str
    case: str | None
    participant: str
    themes: tuple[str, ...]
    created_at: datetime


def good_practice_board(session: Session, *, code: str = GOOD_PRACTICE) -> list[Practice]:
    """Every passage marked as good practice, with its summary, municipality and the themes coded on it."""
    rows = session.execute(
        coded_passages(Coding, Message.text, Participant.pseudonym, Case.name)
        .where(Code.path == code, Coding.status == "accepted")
        .order_by(Coding.id)
    ).all()
    rows = sorted(rows, key=lambda row: norwegian(row[3]))  # by municipality, as a Norwegian reads (stable: by id)
    board = []
    for coding, text, pseudonym, case in rows:
        summary = session.scalar(select(Memo.text).where(Memo.coding_id == coding.id).order_by(Memo.id)) or ""
        themes = session.scalars(
            select(Code.path)
            .join(Coding, Coding.code_id == Code.id)
            .where(
                Coding.message_id == coding.message_id,
                Coding.status == "accepted",
                Coding.start < coding.end,
                Coding.end > coding.start,
                Code.path != code,
            )
            .distinct()
        ).all()
        board.append(
            Practice(
                coding.id,
                summary,
                text[coding.start : coding.end],
                case,
                pseudonym,
                tuple(sorted({t.split("/")[0] for t in themes})),
                coding.created_at,
            )
        )
    return board
