"""The thread and parent of each new message, and where DYI comments that name no post go (placed only where
their title leaves one possible thread); see :mod:`fokus.api.messages`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.api.messages_state import ImportBatch, ImportReport, KnownMessages, NewMessage, Ref
from fokus.domain.participants import ParticipantRegistry
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.records import MessageKind
from fokus.model import Message


def _resolve(key: str | None, known: KnownMessages, batch: ImportBatch) -> Ref | None:
    if key is None:
        return None
    pending = batch.by_id.get(key)
    if pending is not None:
        return pending
    stored = known.ids.get(key)
    return stored[0] if stored else None


def place_messages(
    session: Session, batch: ImportBatch, known: KnownMessages, people: ParticipantRegistry, report: ImportReport
) -> None:
    """Decide the thread and parent of each new message."""
    unthreaded: list[NewMessage] = []
    placing: set[int] = set()

    def thread_of(ref: Ref) -> int | str:
        if isinstance(ref, int):
            return known.thread_of[ref]
        if ref.thread is None:
            place(ref)
        if ref.thread is None:  # an unthreaded DYI comment answered by a message that names its thread
            raise FokusError(_("answers a message whose thread is unknown"), path=ref.path, where=ref.record.location)
        return ref.thread

    def place(item: NewMessage) -> None:
        record = item.record
        if item.thread is not None:
            return
        if record.kind is MessageKind.POST:
            item.thread = record.source_id
            return
        if record.thread_id is None:
            return
        if id(item) in placing:
            raise FokusError(_("messages answer each other in a circle"), path=item.path, where=record.location)
        placing.add(id(item))
        post = _resolve(record.thread_id, known, batch)
        if post is None:
            raise FokusError(
                _("answers thread {thread!r}, which is neither in this import nor in the project").format(
                    thread=record.thread_id
                ),
                path=item.path,
                where=record.location,
            )
        parent = _resolve(record.parent_id, known, batch) if record.parent_id else post
        if parent is None:
            parent, item.placement = post, "parent-missing"
            report.parent_missing += 1
        item.parent = parent
        item.thread = thread_of(post)

    for item in batch.items:
        if item.record.thread_id is None and item.record.kind is not MessageKind.POST:
            unthreaded.append(item)
        else:
            place(item)
    if unthreaded:
        _place_by_author(session, unthreaded, batch, known, people, report)


def _place_by_author(
    session: Session,
    items: list[NewMessage],
    batch: ImportBatch,
    known: KnownMessages,
    people: ParticipantRegistry,
    report: ImportReport,
) -> None:
    """Place DYI comments that no other export placed, only where their title leaves one possible thread.

    "Kari commented on Geir's post" fits any post Geir wrote before it. Guessing among several (the latest, the most
    similar words) was right about half the time on the demo's late comments, and a wrong thread misleads a
    researcher more than an honest "unplaced", so a comment is placed only when Geir had written exactly one post
    before it (for a reply: comments in exactly one thread); otherwise it goes to the thread of unplaced comments.
    Either way the message remembers whom it answered (``answers_participant_id``).
    """
    found = (people.find(i.record.parent_author) for i in items if i.record.parent_author)
    wanted = {pid for pid in found if pid is not None}
    # candidates[(participant, is_post)] = [(time, tie-break, message, thread)]
    candidates: dict[tuple[int, bool], list[tuple[datetime, str, Ref, int | str]]] = defaultdict(list)
    if wanted:
        query = select(
            Message.participant_id, Message.kind, Message.created_at, Message.external_id, Message.id, Message.thread_id
        ).where(Message.participant_id.in_(wanted))
        for pid, kind, at, ext, mid, tid in session.execute(query):
            candidates[(pid, kind == MessageKind.POST.value)].append((at, ext, mid, tid))
    for other in batch.items:
        if other.participant_id in wanted and other.thread is not None:
            is_post = other.record.kind is MessageKind.POST
            entry = (other.record.created_at, other.record.source_id, other, other.thread)
            candidates[(other.participant_id, is_post)].append(entry)
    for item in items:
        record = item.record
        named = people.find(record.parent_author) if record.parent_author else None
        item.answers_participant_id = named
        group = candidates.get((named, record.kind is not MessageKind.REPLY), []) if named is not None else []
        earlier = sorted((c for c in group if c[0] < record.created_at), key=lambda c: (c[0], c[1]))
        if earlier and len({c[3] for c in earlier}) == 1:
            _, _, parent, thread = earlier[-1]
            item.parent, item.thread, item.placement = parent, thread, "by-author"
            report.placed_by_author += 1
            if record.kind is not MessageKind.REPLY and item.participant_id in wanted:
                # a comment placed now can be the one a later reply in this batch answers
                entry = (record.created_at, record.source_id, item, thread)
                candidates[(item.participant_id, False)].append(entry)
        else:
            item.placement, item.thread = "unplaced", f"unplaced:{record.group or 'dyi'}"
            report.unplaced += 1
