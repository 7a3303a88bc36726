"""Good practice: a passage marked as worth sharing, with each researcher's short summary, and the board that lists
the passages.

Good practice is a coding with the codebook's good-practice code (``god-praksis`` by default) and a memo on that
coding holding the summary, so it counts in every analysis like any coding and can be undone like one.

A passage is what the researchers marked in one message: good-practice codings of a message that overlap (two
coders' identical spans, or one coder's sentence inside another's paragraph) are one passage, listed once on the
board with each researcher's summary. A researcher who marks a passage someone else has marked gets a coding of
their own, of the passage's span, with their summary on it (not a memo on the other's coding): each researcher's
judgement stays theirs, their undo removes only their own mark, and if the other researcher removes theirs the
passage and this summary stay on the board.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.api.coding_actions import StepReport, add_coding
from fokus.api.memos import add_memo, edit_memo
from fokus.domain.codes import GOOD_PRACTICE
from fokus.domain.collation import norwegian
from fokus.domain.events import new_batch
from fokus.domain.passages import Passage, spoken_messages
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.model import Case, Code, Coder, Coding, CodingStatus, Memo, Message, Participant

ACCEPTED = CodingStatus.ACCEPTED.value


@dataclass(frozen=True)
class _Mark:
    """One good-practice coding, as the board groups them."""

    coding_id: int
    message_id: int
    start: int
    end: int
    coder: str
    created_at: datetime


def _passages(marks: list[_Mark]) -> list[list[_Mark]]:
    """Marks grouped into passages: those of one message whose spans overlap, directly or through another mark."""
    groups: list[list[_Mark]] = []
    reach = (-1, -1)  # (message, furthest end) of the current group
    for mark in sorted(marks, key=lambda m: (m.message_id, m.start, m.end, m.coding_id)):
        if groups and mark.message_id == reach[0] and mark.start < reach[1]:
            groups[-1].append(mark)
            reach = (mark.message_id, max(reach[1], mark.end))
        else:
            groups.append([mark])
            reach = (mark.message_id, mark.end)
    return groups


def _marks(session: Session, code: str, *, message_id: int | None = None) -> list[_Mark]:
    query = (
        select(Coding.id, Coding.message_id, Coding.start, Coding.end, Coder.name, Coding.created_at)
        .join(Code, Coding.code_id == Code.id)
        .join(Coder, Coding.coder_id == Coder.id)
        .where(Code.path == code, Coding.status == ACCEPTED)
    )
    if message_id is not None:
        query = query.where(Coding.message_id == message_id)
    return [_Mark(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class MarksAt:
    """What is marked where a researcher is about to mark a span: the passage the mark would make (the span joined
    with every passage it overlaps), the other researchers who marked it, and the researcher's own coding of it and
    summary (memo id, text), if any."""

    start: int
    end: int
    others: tuple[str, ...]
    own_coding: int | None
    own_summary: tuple[int, str] | None


def marks_at(
    session: Session, message_id: int, start: int, end: int, coder_id: int, *, code: str = GOOD_PRACTICE
) -> MarksAt:
    """The good-practice marks a span of a message meets (see :class:`MarksAt`): what ``g`` shows before one writes."""
    me = session.scalar(select(Coder.name).where(Coder.id == coder_id))
    marks = [
        mark
        for group in _passages(_marks(session, code, message_id=message_id))
        if min(m.start for m in group) < end and start < max(m.end for m in group)
        for mark in group
    ]
    own = sorted((m for m in marks if m.coder == me), key=lambda m: (m.start - m.end, m.coding_id))  # widest first
    summary = None
    if own:
        found = session.execute(
            select(Memo.id, Memo.text)
            .where(Memo.coding_id.in_([m.coding_id for m in own]), Memo.coder_id == coder_id)
            .order_by(Memo.id.desc())
            .limit(1)
        ).first()
        summary = None if found is None else (found[0], found[1])
    return MarksAt(
        min([start, *(m.start for m in marks)]),
        max([end, *(m.end for m in marks)]),
        tuple(sorted({m.coder for m in marks if m.coder != me})),
        own[0].coding_id if own else None,
        summary,
    )


@dataclass
class GoodPracticeStep(StepReport):
    """What marking a passage did (one undo step): the span marked (the whole passage when the mark joined one), the
    other researchers who had marked it, whether the researcher had marked it already (then only their summary is
    written) and whether that replaced the summary they had written."""

    start: int = 0
    end: int = 0
    others: tuple[str, ...] = ()
    already_marked: bool = False
    replaced: bool = False


def mark_good_practice(
    session: Session, message_id: int, start: int, end: int, summary: str, coder_id: int, *, code: str = GOOD_PRACTICE
) -> GoodPracticeStep:
    """Mark a passage as good practice and keep the researcher's summary with it, in one undo step.

    The span joins the passages it overlaps, so the board keeps one row per passage. A researcher who has marked the
    passage already writes their summary on that coding (a new memo, or a new text for the one they wrote).
    """
    if session.scalar(select(Code.id).where(Code.path == code)) is None:
        raise FokusError(_("the codebook has no {code!r} code to mark good practice with").format(code=code))
    if not summary.strip():
        raise FokusError(_("a memo needs some text"))
    at = marks_at(session, message_id, start, end, coder_id, code=code)
    if at.own_coding is None:
        added = add_coding(session, message_id, code, at.start, at.end, coder_id)
        step = GoodPracticeStep(added.batch, added.changed, added.conflicts, added.coding_id)
    else:
        step = GoodPracticeStep(new_batch(), coding_id=at.own_coding, already_marked=True)
    assert step.coding_id is not None
    if at.own_summary is not None:
        edited = edit_memo(session, at.own_summary[0], summary, coder_id)
        step.batch, step.replaced = edited.batch, edited.changed
    else:
        add_memo(session, summary, coder_id=coder_id, coding_id=step.coding_id, batch=step.batch)
    step.start, step.end, step.others = at.start, at.end, at.others
    return step


@dataclass(frozen=True)
class CoderSummary:
    """A researcher's summary of a passage: the memos on their good-practice coding, or None if they wrote none."""

    coder: str
    text: str | None


#: The memos on good-practice codings: coding id -> (memo id, text, its writer's name).
_Memos = dict[int | None, list[tuple[int, str, str | None]]]


@dataclass(frozen=True)
class BoardPassage(Passage):
    """One row of the board: a passage (``text`` the stored words, whole), who marked it and what they wrote, the
    themes (top-level codes) and codes coded on it, and where to open it (``message_id``, ``start``)."""

    message_id: int
    coders: tuple[str, ...]
    summaries: tuple[CoderSummary, ...]
    themes: tuple[str, ...]
    codes: tuple[str, ...]
    marked_at: datetime


def good_practice_board(session: Session, *, code: str = GOOD_PRACTICE) -> list[BoardPassage]:
    """Every passage marked as good practice, once, by municipality: the whole quote, every researcher's summary,
    the municipality, the participant and the themes coded on it."""
    groups = _passages(_marks(session, code))
    if not groups:
        return []
    marked = select(Coding.message_id).join(Code, Coding.code_id == Code.id)
    marked = marked.where(Code.path == code, Coding.status == ACCEPTED)
    messages = {
        row[0]: row[1:]
        for row in session.execute(
            spoken_messages(
                Message.id, Message.external_id, Message.text, Message.created_at, Participant.pseudonym, Case.name
            ).where(Message.id.in_(marked.scalar_subquery()))
        )
    }
    memos: _Memos = defaultdict(list)
    for coding_id, memo_id, text, coder in session.execute(
        select(Memo.coding_id, Memo.id, Memo.text, Coder.name)
        .join(Coding, Memo.coding_id == Coding.id)
        .join(Code, Coding.code_id == Code.id)
        .outerjoin(Coder, Memo.coder_id == Coder.id)
        .where(Code.path == code, Coding.status == ACCEPTED)
    ):
        memos[coding_id].append((memo_id, text, coder))
    coded: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for message_id, start, end, path in session.execute(
        select(Coding.message_id, Coding.start, Coding.end, Code.path)
        .join(Code, Coding.code_id == Code.id)
        .where(Coding.status == ACCEPTED, Code.path != code, Coding.message_id.in_(marked.scalar_subquery()))
    ):
        coded[message_id].append((start, end, path))
    board = []
    for group in groups:
        message_id = group[0].message_id
        external, text, _, participant, case = messages[message_id]
        start, end = min(m.start for m in group), max(m.end for m in group)
        codes = sorted({path for s, e, path in coded[message_id] if s < end and start < e})
        board.append(
            BoardPassage(
                message=external,
                start=start,
                end=end,
                text=text[start:end],
                participant=participant,
                case=case,
                message_id=message_id,
                coders=tuple(sorted({m.coder for m in group})),
                summaries=_summaries(group, memos),
                themes=tuple(sorted({path.split("/")[0] for path in codes})),
                codes=tuple(codes),
                marked_at=min(m.created_at for m in group),
            )
        )
    when = {message_id: row[2] for message_id, row in messages.items()}
    board.sort(key=lambda p: (p.case is None, norwegian(p.case), when[p.message_id], p.message_id, p.start))
    return board


def _summaries(group: list[_Mark], memos: _Memos) -> tuple[CoderSummary, ...]:
    """Each researcher's summaries of a passage, in the order they marked it; one empty summary for a researcher who
    marked it without writing one."""
    written: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for mark in group:
        for memo_id, text, author in memos.get(mark.coding_id, ()):
            written[author or mark.coder].append((memo_id, text))
    order = [m.coder for m in sorted(group, key=lambda m: m.coding_id)]
    order += sorted(set(written) - set(order))
    shown: list[CoderSummary] = []
    for coder in dict.fromkeys(order):
        texts: list[str | None] = [text for _, text in sorted(written.get(coder, []))]
        shown.extend(CoderSummary(coder, text) for text in texts or [None])
    return tuple(shown)
