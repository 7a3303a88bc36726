"""Memos: a researcher's notes on a message, a coding, a code, a case or the project; listed, searched, read, edited
and deleted.

Writing, editing and deleting a memo are steps in the event log (``memo.add``, ``memo.change``, ``memo.delete``,
with the memo as it was before and after), so undo and redo (:func:`fokus.api.coding_actions.undo`) take them back
and forth like codings, restoring the exact text, target and times. A memo on a coding that is removed moves to the
coding's message (logged too, so undoing the removal puts it back on the coding).

Good practice, a coding whose memo holds its summary, is in :mod:`fokus.api.good_practice`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fokus.domain.chunks import chunks
from fokus.domain.events import log_events, memo_snapshot, memo_values, new_batch
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.model import Case, Code, Coder, Coding, Memo, Message, Participant, table_of, utcnow

#: What a memo can be about, in the order listings group them.
ABOUT = ("message", "coding", "code", "case", "project")


@dataclass(frozen=True)
class MemoItem:
    """A memo with what it is about: the message's participant, case and text, the coding's code and span, the
    code's path or the case's name."""

    id: int
    about: str  # one of ABOUT
    text: str
    coder: str | None
    created_at: datetime
    updated_at: datetime
    message_id: int | None = None  # the message it is about (a coding's message too): the project's own id
    message: str | None = None  # that message's id in its source
    participant: str | None = None  # the message's author, by pseudonym
    case: str | None = None  # the case it is about, or the message's author's
    excerpt: str | None = None  # the message's text, or the coded span of it (as stored)
    coding_id: int | None = None
    code: str | None = None  # the coding's code, or the code it is about (a path)
    start: int | None = None  # the coding's span
    end: int | None = None


@dataclass
class MemoStep:
    """What writing, editing or deleting a memo did: one undo step (``batch``), unless nothing changed."""

    batch: str
    memo_id: int
    changed: bool = True


def _log(session: Session, batch: str, action: str, before: Memo | None, after: Memo | None, coder: int | None) -> None:
    log_events(
        session,
        batch,
        action,
        [(None, memo_snapshot(before) if before else None, memo_snapshot(after) if after else None)],
        coder,
    )


def add_memo(
    session: Session,
    text: str,
    *,
    coder_id: int | None = None,
    message_id: int | None = None,
    code_id: int | None = None,
    case_id: int | None = None,
    coding_id: int | None = None,
    batch: str | None = None,
) -> int:
    """Store a memo on one thing (or on the project, with no target); returns its id.

    A coder's memo is a step in the event log, so undo removes it: a step of its own, or part of the step
    ``batch`` names (a good-practice mark and its summary). A memo without a coder (from a file) is not logged.
    """
    if not text.strip():
        raise FokusError(_("a memo needs some text"))
    if sum(x is not None for x in (message_id, code_id, case_id, coding_id)) > 1:
        raise FokusError(_("a memo is about one thing at a time"))
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
    if coder_id is not None:
        _log(session, batch or new_batch(), "memo.add", None, memo, coder_id)
    return memo.id


def _code_id(session: Session, path: str) -> int:
    code_id = session.scalar(select(Code.id).where(Code.path == path))
    if code_id is None:
        raise FokusError(_("the codebook has no code {code!r}").format(code=path))
    return code_id


def _case_id(session: Session, name: str) -> int:
    case_id = session.scalar(select(Case.id).where(Case.name == name))
    if case_id is None:
        raise FokusError(_("the project has no case {case!r}").format(case=name))
    return case_id


def memo_on_code(session: Session, path: str, text: str, *, coder_id: int | None = None) -> int:
    """A memo about a code, named by its path (the codebook screen knows codes by path, not by row id)."""
    return add_memo(session, text, coder_id=coder_id, code_id=_code_id(session, path))


def memo_on_case(session: Session, name: str, text: str, *, coder_id: int | None = None) -> int:
    """A memo about a case (a municipality), named as the thread view shows it."""
    return add_memo(session, text, coder_id=coder_id, case_id=_case_id(session, name))


def _memo(session: Session, memo_id: int) -> Memo:
    memo = session.get(Memo, memo_id, with_for_update=True, populate_existing=True)
    if memo is None:
        raise FokusError(_("memo {id} does not exist (any more)").format(id=memo_id), hint=_("see `fokus memos list`"))
    return memo


def edit_memo(session: Session, memo_id: int, text: str, coder_id: int) -> MemoStep:
    """Give a memo a new text (one undo step); the same text again changes nothing and logs nothing."""
    if not text.strip():
        raise FokusError(_("memo {id} needs some text").format(id=memo_id), hint=_("to remove it, delete it"))
    memo = _memo(session, memo_id)
    step = MemoStep(new_batch(), memo_id)
    if memo.text == text.strip():
        step.changed = False
        return step
    before = memo_snapshot(memo)
    memo.text, memo.updated_at = text.strip(), utcnow()
    session.flush()
    log_events(session, step.batch, "memo.change", [(None, before, memo_snapshot(memo))], coder_id)
    return step


def delete_memo(session: Session, memo_id: int, coder_id: int) -> MemoStep:
    """Delete a memo (one undo step: undo brings it back, with its id, text, target and times)."""
    memo = _memo(session, memo_id)
    step = MemoStep(new_batch(), memo_id)
    before = memo_snapshot(memo)
    session.delete(memo)
    session.flush()
    log_events(session, step.batch, "memo.delete", [(None, before, None)], coder_id)
    return step


def coder_memo(
    session: Session,
    coder_id: int,
    *,
    message_id: int | None = None,
    coding_id: int | None = None,
    case: str | None = None,
    code: str | None = None,
) -> tuple[int, str] | None:
    """(id, text) of the coder's own memo on one thing (the latest, if several), or None: what `m` opens to edit."""
    query = select(Memo.id, Memo.text).where(Memo.coder_id == coder_id)
    if message_id is not None:
        query = query.where(Memo.message_id == message_id)
    elif coding_id is not None:
        query = query.where(Memo.coding_id == coding_id)
    elif case is not None:
        query = query.join(Case, Case.id == Memo.case_id).where(Case.name == case)
    elif code is not None:
        query = query.join(Code, Code.id == Memo.code_id).where(Code.path == code)
    else:
        raise FokusError(_("say which message, coding, case or code the memo is about"))
    found = session.execute(query.order_by(Memo.id.desc()).limit(1)).first()
    return None if found is None else (found[0], found[1])


# --- reading ----------------------------------------------------------------------------------------------------


def _query() -> Any:
    message = func.coalesce(Memo.message_id, Coding.message_id)
    return (
        select(
            Memo,
            Coder.name,
            Coding.start,
            Coding.end,
            Code.path,
            Message.id,
            Message.external_id,
            Message.text,
            Participant.pseudonym,
            Case.name,
        )
        .outerjoin(Coder, Coder.id == Memo.coder_id)
        .outerjoin(Coding, Coding.id == Memo.coding_id)
        .outerjoin(Code, Code.id == func.coalesce(Memo.code_id, Coding.code_id))
        .outerjoin(Message, Message.id == message)
        .outerjoin(Participant, Participant.id == Message.participant_id)
        .outerjoin(Case, Case.id == func.coalesce(Memo.case_id, Participant.case_id))
    )


def _item(row: Any) -> MemoItem:
    memo, coder, start, end, code, message_id, external_id, text, participant, case = row
    if memo.coding_id is not None:
        about = "coding"
    elif memo.message_id is not None:
        about = "message"
    elif memo.code_id is not None:
        about = "code"
    elif memo.case_id is not None:
        about = "case"
    else:
        about = "project"
    excerpt = text[start:end] if text is not None and start is not None else text
    return MemoItem(
        memo.id,
        about,
        memo.text,
        coder,
        memo.created_at,
        memo.updated_at,
        message_id,
        external_id,
        participant,
        case,
        excerpt,
        memo.coding_id,
        code,
        start,
        end,
    )


def memo_matches(item: MemoItem, words: str) -> bool:
    """Whether every word of a search is in the memo's text or in what it is about (code, case, participant)."""
    haystack = " ".join(x for x in (item.text, item.code, item.case, item.participant) if x).casefold()
    return all(word in haystack for word in words.casefold().split())


def list_memos(session: Session, *, about: str | None = None, search: str | None = None) -> list[MemoItem]:
    """Every memo, newest change first; ``about`` keeps one kind (of :data:`ABOUT`), ``search`` those with every
    word of it in their text or in what they are about (the code, the case, the participant), in any case."""
    if about is not None and about not in ABOUT:
        raise FokusError(_("memos are about {kinds}, not {about!r}").format(kinds=", ".join(ABOUT), about=about))
    rows = session.execute(_query().order_by(Memo.updated_at.desc(), Memo.id.desc()))
    items = [_item(row) for row in rows]
    return [
        item
        for item in items
        if (about is None or item.about == about) and (not search or not search.strip() or memo_matches(item, search))
    ]


def get_memo(session: Session, memo_id: int) -> MemoItem:
    row = session.execute(_query().where(Memo.id == memo_id)).first()
    if row is None:
        raise FokusError(_("memo {id} does not exist (any more)").format(id=memo_id), hint=_("see `fokus memos list`"))
    return _item(row)


MEMO_COLUMNS = (
    "memo_id",
    "about",
    "message_id",
    "participant",
    "case",
    "code",
    "start",
    "end",
    "excerpt",
    "coder",
    "created_at",
    "updated_at",
    "text",
)


def memo_rows(
    session: Session, items: list[MemoItem] | None = None, *, real_names: bool = False
) -> Iterator[dict[str, Any]]:
    """Memos as export rows (:data:`MEMO_COLUMNS`), as every export shows texts: participants' names replaced in the
    excerpt and in the memo's text, and message ids that may name someone shown as ``redacted:m<N>`` (fokus.privacy),
    unless ``real_names``. ``items``: these memos (a listing's), else all."""
    from fokus.domain.local_time import iso_local
    from fokus.privacy import export_redactor

    redactor = export_redactor(session, real_names=real_names)
    items = list_memos(session) if items is None else items
    redactor.prepare(sorted({item.message_id for item in items if item.message_id is not None}))
    for item in items:
        excerpt = item.excerpt
        message = item.message
        if item.message_id is not None and excerpt is not None and message is not None:
            start = item.start if item.start is not None else 0  # a memo on a message: its whole text
            end = item.end if item.end is not None else len(excerpt)
            excerpt = redactor.excerpt_of(item.message_id, start, end, excerpt)
            message = redactor.message_id(item.message_id, message)
        yield {
            "memo_id": item.id,
            "about": item.about,
            "message_id": message,
            "participant": item.participant,
            "case": item.case,
            "code": item.code,
            "start": item.start,
            "end": item.end,
            "excerpt": excerpt,
            "coder": item.coder,
            "created_at": iso_local(item.created_at),
            "updated_at": iso_local(item.updated_at),
            "text": redactor.free(item.text),
        }


# --- undo -------------------------------------------------------------------------------------------------------


def _target_there(session: Session, values: dict[str, Any]) -> bool:
    for key, model in (("message_id", Message), ("coding_id", Coding), ("code_id", Code), ("case_id", Case)):
        if values.get(key) is not None and session.get(model, values[key]) is None:
            return False
    return values.get("coder_id") is None or session.get(Coder, values["coder_id"]) is not None


def _same(memo: Memo | None, logged: dict[str, Any] | None) -> bool:
    """Whether a memo is as a step left it (its text, target and author; None: it is not there)."""
    if memo is None or logged is None:
        return memo is None and logged is None
    now = memo_snapshot(memo)["memo"]
    keys = ("text", "coder_id", "message_id", "code_id", "case_id", "coding_id")
    return all(now[key] == logged.get(key) for key in keys)


def revert_memo_event(session: Session, before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    """Undo one logged memo change: the memo is put back as it was before (text, target and times), made again
    with its id if the change deleted it, or removed if the change made it. False on a conflict, when the memo is
    not as the change left it (changed since) or what it was about is gone: it is then left alone."""
    old, new = (before or {}).get("memo"), (after or {}).get("memo")
    state = old or new
    if state is None:
        return False
    memo = session.get(Memo, state["id"], with_for_update=True, populate_existing=True)
    if not _same(memo, new):
        return False
    if old is None:
        assert memo is not None
        session.delete(memo)
    elif not _target_there(session, old):
        return False
    elif memo is None:
        session.add(Memo(**memo_values(old)))
    else:
        for key, value in memo_values(old).items():
            setattr(memo, key, value)
    session.flush()
    return True


def move_to_message(session: Session, coding: Coding) -> list[tuple[None, dict[str, Any], dict[str, Any]]]:
    """Move the memos on a coding about to be removed to its message (so a removal never loses one); returns the
    changes for the event log, to be logged before the coding's removal so that undo puts them back after it."""
    session.flush()
    return moved_to_messages(session, [coding.id]).get(coding.id, [])


def moved_to_messages(
    session: Session, coding_ids: Sequence[int]
) -> dict[int, list[tuple[None, dict[str, Any], dict[str, Any]]]]:
    """:func:`move_to_message` of many codings at once, by coding id (each coding's memos in the order of their
    ids): one read and one ``UPDATE`` per chunk of codings, not a round trip per memo. The memos the session
    holds are expired, so they are read again."""
    memos, codings = table_of(Memo), table_of(Coding)
    moved: dict[int, list[tuple[None, dict[str, Any], dict[str, Any]]]] = {}
    for chunk in chunks(coding_ids):
        query = (
            select(memos, codings.c.message_id.label("target"))
            .join(codings, codings.c.id == memos.c.coding_id)
            .where(memos.c.coding_id.in_(chunk))
            .order_by(memos.c.id)
        )
        rows = session.execute(query).all()
        if not rows:
            continue
        for row in rows:
            before = memo_snapshot(row)
            after = {"memo": {**before["memo"], "coding_id": None, "message_id": row.target}}
            moved.setdefault(row.coding_id, []).append((None, before, after))
        target = select(codings.c.message_id).where(codings.c.id == memos.c.coding_id).scalar_subquery()
        session.execute(update(memos).where(memos.c.coding_id.in_(chunk)).values(message_id=target, coding_id=None))
    for held in list(session.identity_map.values()) if moved else ():
        if isinstance(held, Memo):
            session.expire(held)
    return moved
