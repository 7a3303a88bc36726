"""What a researcher does to codings, one step at a time: code a span, remove or recode a coding, accept or reject
a suggestion, and undo or redo any of it.

Every step is one batch in the event log (``fokus.domain.events``), written in the same transaction as the change, so a
killed terminal loses nothing and undo works across restarts. Undo takes the researcher's latest step that has not
been undone and applies its inverse; redo reverts the latest undo, as long as the researcher has done nothing new
since. A step whose codings someone else has changed in the meantime is not forced back: those codings are left as
they are and counted as conflicts. The same undo and redo take back memos written, edited or deleted
(:mod:`fokus.api.memos`) and codebook changes (:mod:`fokus.api.codebook_edit`), which are logged in the same way.

Accepting a suggestion makes it the researcher's coding (its origin still says which rule or model proposed it);
rejecting keeps it the machine's, marked rejected, so the same rule never proposes it again.

Several coders at once (a team on PostgreSQL, where coders' steps run side by side; see
fokus.store.engine.lock_project): every step locks the codings it changes (``SELECT ... FOR UPDATE``) before it
looks at them, so of two coders deciding the same suggestion one goes first and the other sees the decision, and
a decision is only taken on a coding that is still a suggestion: the second coder gets :class:`Conflict`, never a
silent overwrite of the first one's decision. Undo compares each coding with what the step left (under the same
lock) and leaves codings someone else has changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from fokus.api.codebook_edit import is_code_event, revert_code_event
from fokus.api.memos import move_to_message, moved_to_messages, revert_memo_event
from fokus.domain.chunks import chunks
from fokus.domain.events import CODING_FIELDS, coding_snapshot, is_memo_event, log_events, new_batch
from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.model import Code, Coder, Coding, CodingStatus, Event, Message, table_of, utcnow
from fokus.store.bulk import insert_values

Change = tuple[int | None, dict[str, Any] | None, dict[str, Any] | None]


@dataclass
class StepReport:
    """What one step (or its undo or redo) did."""

    batch: str
    changed: int = 0
    conflicts: int = 0
    coding_id: int | None = None


def _code_id(session: Session, path: str) -> int:
    found = session.scalar(select(Code.id).where(Code.path == path))
    if found is None:
        raise FokusError(_("code {code!r} is not in the codebook").format(code=path))
    return found


class Conflict(FokusError):
    """Someone else changed the coding since the researcher saw it; nothing was changed."""


def _locked(session: Session, coding_id: int) -> Coding | None:
    """The coding, locked for this transaction and read fresh (a no-op lock on SQLite, which has the whole file)."""
    return session.get(Coding, coding_id, with_for_update=True, populate_existing=True)


def _coding(session: Session, coding_id: int) -> Coding:
    coding = _locked(session, coding_id)
    if coding is None:
        raise Conflict(
            _("coding {id} does not exist (any more): removed, perhaps by someone else").format(id=coding_id)
        )
    return coding


#: A coding's status as a person reads it (the status itself is a key stored in the database).
_STATUS = {
    CodingStatus.ACCEPTED.value: N_("accepted"),
    CodingStatus.SUGGESTED.value: N_("suggested"),
    CodingStatus.REJECTED.value: N_("rejected"),
}


def _decided_by(session: Session, coding: Coding) -> str:
    """ "rejected by magnus": who changed it last, from the event log (a rejected suggestion stays the machine's)."""
    name = session.scalar(
        select(Coder.name)
        .join(Event, Event.coder_id == Coder.id)
        .where(Event.coding_id == coding.id)
        .order_by(Event.id.desc())
        .limit(1)
    )
    status = _(_STATUS.get(coding.status, coding.status))
    return _("{status} by {coder}").format(status=status, coder=name) if name else status


def add_coding(
    session: Session,
    message_id: int,
    code: str,
    start: int,
    end: int,
    coder_id: int,
    *,
    origin: str = "human",
    batch: str | None = None,
) -> StepReport:
    """Code a span of a message (code-point offsets) for a researcher; ``batch`` joins a step already begun."""
    message = session.get(Message, message_id)
    if message is None:
        raise FokusError(_("message {id} does not exist").format(id=message_id))
    if not 0 <= start < end <= len(message.text):
        raise FokusError(
            _("span {start}:{end} is outside the message ({count} characters)").format(
                start=start, end=end, count=len(message.text)
            )
        )
    code_id = _code_id(session, code)
    existing = session.scalar(
        select(Coding).where(
            Coding.message_id == message_id,
            Coding.code_id == code_id,
            Coding.coder_id == coder_id,
            Coding.start == start,
            Coding.end == end,
        )
    )
    report = StepReport(batch or new_batch())
    if existing is not None:
        if existing.status == CodingStatus.ACCEPTED.value:
            report.coding_id = existing.id
            return report  # already coded so: nothing to do, nothing to undo
        before = coding_snapshot(existing)
        existing.status, existing.updated_at = CodingStatus.ACCEPTED.value, utcnow()
        _log(session, report, "coding.change", [(existing.id, before, coding_snapshot(existing))], coder_id)
        report.coding_id = existing.id
        return report
    now = utcnow()
    coding = Coding(
        message_id=message_id,
        code_id=code_id,
        coder_id=coder_id,
        start=start,
        end=end,
        status=CodingStatus.ACCEPTED.value,
        origin=origin,
        created_at=now,
        updated_at=now,
    )
    session.add(coding)
    session.flush()
    _log(session, report, "coding.add", [(coding.id, None, coding_snapshot(coding))], coder_id)
    report.coding_id = coding.id
    return report


def remove_coding(session: Session, coding_id: int, coder_id: int) -> StepReport:
    coding = _coding(session, coding_id)
    report = StepReport(new_batch(), coding_id=coding_id)
    before = coding_snapshot(coding)
    _log(session, report, "memo.move", _delete(session, coding), coder_id)
    _log(session, report, "coding.delete", [(coding_id, before, None)], coder_id)
    return report


def recode(session: Session, coding_id: int, code: str, coder_id: int) -> StepReport:
    """Give a coding another code (same span, same coder)."""
    coding = _coding(session, coding_id)
    report = StepReport(new_batch(), coding_id=coding_id)
    before = coding_snapshot(coding)
    coding.code_id, coding.updated_at = _code_id(session, code), utcnow()
    session.flush()
    _log(session, report, "coding.change", [(coding_id, before, coding_snapshot(coding))], coder_id)
    return report


def extend_coding(session: Session, coding_id: int, start: int, end: int, coder_id: int) -> StepReport:
    """Stretch a coding to cover ``start``:``end`` as well (the union of the two spans; same code, same coder), as
    one step: what coding the same code over an overlapping span usually means."""
    coding = _coding(session, coding_id)
    start, end = min(start, coding.start), max(end, coding.end)
    length = len(session.get_one(Message, coding.message_id).text)
    if not 0 <= start < end <= length:
        raise FokusError(
            _("span {start}:{end} is outside the message ({count} characters)").format(
                start=start, end=end, count=length
            )
        )
    taken = session.scalar(
        select(Coding.id).where(
            Coding.message_id == coding.message_id,
            Coding.code_id == coding.code_id,
            Coding.coder_id == coding.coder_id,
            Coding.start == start,
            Coding.end == end,
            Coding.id != coding_id,
        )
    )
    if taken is not None:
        raise FokusError(
            _("coding {id} already has the span {start}:{end} with this code").format(id=taken, start=start, end=end)
        )
    report = StepReport(new_batch(), coding_id=coding_id)
    before = coding_snapshot(coding)
    coding.start, coding.end, coding.updated_at = start, end, utcnow()
    session.flush()
    _log(session, report, "coding.change", [(coding_id, before, coding_snapshot(coding))], coder_id)
    return report


def decide(session: Session, coding_id: int, accept: bool, coder_id: int, *, batch: str | None = None) -> StepReport:
    """Accept or reject a suggestion (see the module docstring); ``batch`` joins a step already begun.

    Raises :class:`Conflict` when the coding is no longer a suggestion (another coder decided it meanwhile).
    """
    coding = _coding(session, coding_id)
    if coding.status != CodingStatus.SUGGESTED.value:
        raise Conflict(
            _("suggestion {id} has been {decided} meanwhile; left as it is").format(
                id=coding_id, decided=_decided_by(session, coding)
            )
        )
    report = StepReport(batch or new_batch(), coding_id=coding_id)
    before = coding_snapshot(coding)
    if accept:
        duplicate = session.scalar(
            select(Coding.id).where(
                Coding.message_id == coding.message_id,
                Coding.code_id == coding.code_id,
                Coding.coder_id == coder_id,
                Coding.start == coding.start,
                Coding.end == coding.end,
                Coding.id != coding.id,
            )
        )
        if duplicate is not None:  # the researcher had already coded it: the suggestion is simply done
            _log(session, report, "memo.move", _delete(session, coding), coder_id)
            _log(session, report, "coding.delete", [(coding_id, before, None)], coder_id)
            report.coding_id = duplicate
            return report
        coding.coder_id = coder_id
    coding.status = CodingStatus.ACCEPTED.value if accept else CodingStatus.REJECTED.value
    coding.updated_at = utcnow()
    session.flush()
    _log(session, report, "coding.change", [(coding_id, before, coding_snapshot(coding))], coder_id)
    return report


def accept_as(session: Session, coding_id: int, code: str, coder_id: int) -> StepReport:
    """Reject a suggestion's code and code its span with another one instead, as one step."""
    suggestion = _coding(session, coding_id)
    report = decide(session, coding_id, False, coder_id)
    added = add_coding(
        session, suggestion.message_id, code, suggestion.start, suggestion.end, coder_id, batch=report.batch
    )
    report.changed += added.changed
    report.coding_id = added.coding_id
    return report


def _delete(session: Session, coding: Coding) -> list[Change]:
    """Remove a coding; memos written about it move to its message, so a removal or an undo never loses one.
    Returns the memos' moves, for the log: logged before the removal, so that reverting the step (newest event
    first) brings the coding back before the memos go back onto it."""
    moved: list[Change] = list(move_to_message(session, coding))
    session.delete(coding)
    session.flush()
    return moved


def _log(session: Session, report: StepReport, action: str, changes: list[Change], coder_id: int) -> None:
    if changes:
        report.changed += log_events(session, report.batch, action, changes, coder_id)


# --- undo and redo ----------------------------------------------------------------------------------------------


def _batches(session: Session, coder_id: int) -> list[tuple[str, int, str, str | None]]:
    """The coder's batches, newest first: (batch, last event id, first action, what it reverts)."""
    rows = session.execute(
        select(Event.batch, func.max(Event.id), func.min(Event.action), func.max(Event.reverts))
        .where(Event.coder_id == coder_id)
        .group_by(Event.batch)
        .order_by(func.max(Event.id).desc())
    ).all()
    return [(batch, last, action, reverts) for batch, last, action, reverts in rows]


def undo(session: Session, coder_id: int) -> StepReport | None:
    """Revert the coder's latest step that is not undone yet; None when there is nothing to undo."""
    batches = _batches(session, coder_id)
    reverted = {reverts for _, _, _, reverts in batches if reverts}
    for batch, _last, action, _reverts in batches:
        if action != "undo" and batch not in reverted:
            return _revert(session, batch, "undo", coder_id)
    return None


def redo(session: Session, coder_id: int) -> StepReport | None:
    """Revert the coder's latest undo not yet redone, unless they have done something new since; None when there is
    none. Redo after redo goes on back through the undos (``u u ctrl+r ctrl+r`` is where one started)."""
    batches = _batches(session, coder_id)
    reverted = {reverts for _, _, _, reverts in batches if reverts}
    for batch, _last, action, _reverts in batches:
        if action == "undo":
            if batch in reverted:
                continue  # redone already: the one before it is next
            return _revert(session, batch, "redo", coder_id)
        if action != "redo":
            return None  # a new step since the last undo: nothing to redo
    return None


def _revert(session: Session, batch: str, action: str, coder_id: int) -> StepReport:
    """Revert ``batch``'s events, newest first: a run of coding events (each coding once) in bulk, set-based
    (:func:`_revert_codings`), the memo and codebook events between them one at a time, in the order they come."""
    report = StepReport(new_batch())
    session.flush()
    query = select(Event.coding_id, Event.before, Event.after).where(Event.batch == batch).order_by(Event.id.desc())
    changes: list[Change] = []
    run: dict[int, tuple[Any, Any]] = {}  # coding id: (before, after), in the events' order
    for coding_id, before, after in session.execute(query):
        if coding_id is not None and coding_id not in run:
            run[coding_id] = (before, after)
            continue
        _revert_codings(session, run, changes, report)
        run = {}
        if coding_id is not None:
            run[coding_id] = (before, after)
            continue
        # a memo written, edited, deleted or moved (fokus.api.memos), or a codebook change
        # (fokus.api.codebook_edit, logged after its codings: its code comes back first): put back as it was
        if is_memo_event(before, after):
            reverted = revert_memo_event(session, before, after)
        elif is_code_event(before, after):
            reverted = revert_code_event(session, before, after)
        else:
            continue
        if reverted:
            changes.append((None, after, before))
        else:
            report.conflicts += 1
    _revert_codings(session, run, changes, report)
    report.changed = log_events(session, report.batch, action, changes, coder_id, reverts=batch)
    if not changes:
        # nothing could be reverted: still mark the step as handled, so undo moves on to the one before
        log_events(session, report.batch, action, [(None, None, None)], coder_id, reverts=batch)
    return report


#: The columns a revert sets back (``details`` is the coding's own).
_REVERTED = ("message_id", "code_id", "coder_id", "start", "end", "status", "origin", "confidence")


def _revert_codings(
    session: Session, run: dict[int, tuple[Any, Any]], changes: list[Change], report: StepReport
) -> None:
    """Revert coding events (``run``: each coding's before and after, newest first): the codings read and locked a
    chunk at a time, those nobody has changed since put back with one statement per chunk (deleted, inserted again
    with their ids, or updated), the memos on deleted codings moved to their messages first. Appends the changes,
    as one coding at a time would have logged them (its memos' moves first)."""
    if not run:
        return
    session.flush()
    codings = table_of(Coding)
    current: dict[int, dict[str, Any]] = {}
    for chunk in chunks(list(run)):
        query = select(codings.c.id, *(codings.c[key] for key in CODING_FIELDS)).where(codings.c.id.in_(chunk))
        for row in session.execute(query.with_for_update()):
            current[row.id] = {key: row._mapping[key] for key in CODING_FIELDS}
    done: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    deleted, inserted, updated = [], [], []
    now = utcnow()
    for coding_id, (before, after) in run.items():
        now_there = current.get(coding_id)
        if not _same(now_there, after):
            report.conflicts += 1  # changed by someone else since: left as it is
            continue
        if before is None and now_there is not None:
            deleted.append(coding_id)
            done.append((coding_id, now_there, None))
        elif before is not None and now_there is None:
            restored = {key: before[key] for key in CODING_FIELDS[:6]}
            restored |= {"origin": before.get("origin") or "human", "confidence": before.get("confidence")}
            restored["details"] = before.get("details")
            inserted.append((coding_id, *restored.values(), now, now))
            done.append((coding_id, None, restored))
        elif before is not None and now_there is not None:
            back = {key: before[key] for key in _REVERTED if key in before}
            updated.append({"_id": coding_id, **{key: back.get(key, now_there[key]) for key in _REVERTED}})
            done.append((coding_id, now_there, {**now_there, **back}))
        else:
            done.append((coding_id, None, None))
    moved = moved_to_messages(session, deleted)
    connection = session.connection()
    for chunk in chunks(deleted):
        session.execute(delete(codings).where(codings.c.id.in_(chunk)))
    # ``details`` as the ORM stores it, None too (JSON ``null``, as a coding put back one at a time had it)
    details = codings.c.details.type._cached_bind_processor(connection.dialect)
    inserted = [(*row[:9], details(row[9]) if details else row[9], *row[10:]) for row in inserted]
    columns = ["id", *CODING_FIELDS, "created_at", "updated_at"]
    insert_values(connection, codings, columns, inserted, stored=("details",))
    if updated:
        values: dict[str, Any] = {key: bindparam(key) for key in _REVERTED} | {"updated_at": now}
        session.execute(update(codings).where(codings.c.id == bindparam("_id")).values(values), updated)
    for coding_id, now_there, after in done:
        changes.extend(moved.get(coding_id, ()))
        changes.append((coding_id, now_there, after))
        report.coding_id = coding_id
    session.expire_all()


def _same(current: dict[str, Any] | None, logged: dict[str, Any] | None) -> bool:
    if current is None or logged is None:
        return current is logged
    keys = ("message_id", "code_id", "coder_id", "start", "end", "status")
    return all(current.get(k) == logged.get(k) for k in keys)
