"""Importing messages: parsed records in, new threads, messages and participants out, in the caller's transaction.

A message is already in the project when one of its ids is known, or when a message with the same fingerprint (the
same author, second and text) is: that is how a Graph archive, a CSV and several participants' DYI donations of one
conversation merge without duplicates. The first id a message is stored under is its ``external_id``; other ids it
arrives under become aliases, so an answer or a coding that names it by any id finds it. Within one import, formats
with real ids (Graph, CSV) are read before those whose ids fokus derives (DYI, transcripts), so a merged message keeps
the id researchers see in their exports.

A known id whose text has changed is an edit: the newest version becomes the message's text, and its codings are
re-anchored to it (``fokus.api.reanchor``: they follow their text, or are flagged for review; none is dropped). Which
version is newest: each version is as new as its ``updated_at``, else its ``created_at`` (a message never edited was
last written when it was created); the stored text counts as new as the stored ``updated_at``/``created_at``. The
newest version in the import wins, ties going to the source listed later in the import (and, within one file, to
the later record); it replaces the stored text when it is at least as new (the import is taken to be the newer
export when nothing says otherwise). A text that differs only in white space or Unicode normalisation is the same
text, as for fingerprints. Never taken, but counted as changed and kept as stored: a text from a file imported
before (re-running an import must not undo a later edit), an empty text, and a text that cannot hold the message's
codings (see ``reanchor_codings``). An edited message loses its sentences and tag state, so `fokus tag` splits and
tags it again; memos stay. The codings' changes are one batch of ``coding.change`` events by the machine coder
(``ImportReport.batch``), so undo of that batch puts their old offsets back, though not the old text, which is the
export's. The message's fingerprint becomes the new text's: a copy of the old version under an id the project has
never seen (a late DYI donation) is then a new message.

DYI comments do not say which post they answer, only whose. When such a comment is not already known from another
export, it is placed only where that leaves one possible thread, and otherwise goes to one thread of unplaced
comments (see ``_place_by_author``); ``placement`` says which, and the report counts them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from fokus.api.reanchor import ReanchorReport, reanchor_codings
from fokus.domain.chunks import chunks
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import new_batch
from fokus.domain.participants import CaseRegistry, ParticipantRegistry, name_key
from fokus.domain.settings import GROUP_SETTING, get_setting, set_setting
from fokus.errors import FokusError
from fokus.importers.formats import id_rank
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource
from fokus.model import CoderKind, Coding, Message, MessageAlias, Participant, Source, TagState, Thread, Unit, table_of
from fokus.store.bulk import insert_returning_ids, insert_rows

Progress = Callable[[str, int, int], None]
UNPLACED_TITLE = "Kommentarer fra datadonasjoner uten kjent tråd"


def fingerprint(record: MessageRecord) -> str:
    """Who said what, when (to the second): equal across formats for the same message."""
    key = f"{_name_key(record.author)}\x1f{int(record.created_at.timestamp())}\x1f{_plain(record.text)}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def _plain(text: str) -> str:
    """A text as fingerprints compare it: NFC, white space collapsed."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


_name_key = functools.lru_cache(maxsize=65536)(name_key)  # a few hundred authors write 100,000 messages


@dataclass
class SourceReport:
    path: str
    kind: str
    messages: int = 0
    added: int = 0
    existing: int = 0
    changed: int = 0  # records whose text differs from the message's (stored, or read earlier in this import)
    updated: int = 0  # of those, the ones whose text the message now has
    other_groups: int = 0
    skipped: list[str] = field(default_factory=list)
    imported_before: datetime | None = None


@dataclass
class ImportReport:
    sources: list[SourceReport] = field(default_factory=list)
    threads_added: int = 0
    messages_added: int = 0
    participants_added: int = 0
    cases_added: int = 0
    aliases_added: int = 0
    case_conflicts: int = 0
    placed_by_author: int = 0
    unplaced: int = 0
    parent_missing: int = 0
    group: str | None = None
    messages_updated: int = 0  # stored messages whose text an edit replaced
    reanchored: ReanchorReport = field(default_factory=ReanchorReport)  # what that did to their codings
    batch: str | None = None  # the event batch of those coding changes (None when no coding changed)

    @property
    def existing(self) -> int:
        return sum(s.existing for s in self.sources)

    @property
    def changed(self) -> int:
        return sum(s.changed for s in self.sources)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.sources)


@dataclass(eq=False)
class _New:
    """A message to be written.

    ``parent`` is a stored message's id or another new message; ``thread`` is a stored thread's id, or the external
    id of a thread this import creates (a new post's id, or the thread of unplaced comments).
    """

    record: MessageRecord
    fingerprint: str
    source_id: int
    path: str
    order: int = 0  # the source's position in the import, for choosing between versions
    participant_id: int = 0
    thread: int | str | None = None
    parent: _New | int | None = None
    placement: str = "source"
    answers_participant_id: int | None = None
    db_id: int | None = None


Ref = _New | int  # a new message, or the database id of a stored one


@dataclass
class _Known:
    """What the project already holds, indexed for one import."""

    ids: dict[str, tuple[int, str]]  # external id or alias -> (message id, fingerprint)
    fingerprints: dict[str, int]  # fingerprint -> message id
    thread_of: dict[int, int]  # message id -> thread id

    @classmethod
    def load(cls, session: Session) -> _Known:
        ids: dict[str, tuple[int, str]] = {}
        fingerprints: dict[str, int] = {}
        thread_of: dict[int, int] = {}
        # by id: should two messages share a fingerprint (an edit can make one), the later one is found, on every
        # backend (PostgreSQL returns rows in no given order, an edited row often last)
        for ext, mid, fp, tid in session.execute(
            select(Message.external_id, Message.id, Message.fingerprint, Message.thread_id).order_by(Message.id)
        ):
            ids[ext] = (mid, fp)
            fingerprints[fp] = mid
            thread_of[mid] = tid
        by_id = dict(ids.values())
        for alias, mid in session.execute(select(MessageAlias.external_id, MessageAlias.message_id)):
            ids[alias] = (mid, by_id[mid])
        return cls(ids, fingerprints, thread_of)


@dataclass
class _Offer:
    """A record under a stored message's id whose fingerprint differs from the stored one: perhaps an edit."""

    record: MessageRecord
    fingerprint: str
    order: int
    sreport: SourceReport


class _Batch:
    """The new messages of this import, the ids under which each is known, and the edits offered to stored ones."""

    def __init__(self) -> None:
        self.items: list[_New] = []
        self.by_id: dict[str, _New] = {}
        self.by_fp: dict[str, _New] = {}
        self.aliases: list[tuple[str, Ref]] = []
        self.offers: dict[int, list[_Offer]] = defaultdict(list)

    def add(self, item: _New) -> None:
        self.items.append(item)
        self.by_id[item.record.source_id] = item
        self.by_fp[item.fingerprint] = item


def choose_group(session: Session, parsed: Sequence[ParsedSource], group: str | None) -> str | None:
    """The Facebook group whose DYI content belongs to this project.

    A donor's archive holds their posts in every group they are in; importing the others would bring strangers' talk
    into the project. The group is remembered in the project once known.
    """
    stored = get_setting(session, GROUP_SETTING)
    if group:
        if stored and stored != group:
            raise FokusError(f"this project holds the group {stored!r}, not {group!r}", hint="check --group")
        return group
    if stored:
        return stored
    groups = sorted({m.group for p in parsed for m in p.messages if m.group})
    if len(groups) > 1:
        listed = ", ".join(repr(g) for g in groups[:6]) + (" ..." if len(groups) > 6 else "")
        raise FokusError(
            f"the data donations hold posts from {len(groups)} groups: {listed}",
            hint="say which one this project studies with --group NAME",
        )
    return groups[0] if groups else None


def import_messages(
    session: Session,
    parsed: Sequence[ParsedSource],
    *,
    group: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Add what is new in ``parsed`` to the project; returns what was added and what was there already."""
    report = ImportReport(group=choose_group(session, parsed, group))
    if report.group and any(m.group for p in parsed for m in p.messages):
        set_setting(session, GROUP_SETTING, report.group)
    known = _Known.load(session)
    batch = _Batch()
    cases_named: dict[str, str] = {}
    report.sources = [SourceReport(p.path, p.kind.value, len(p.messages), skipped=list(p.skipped)) for p in parsed]
    total = sum(len(p.messages) for p in parsed)
    done = 0
    # Formats whose ids come from the source itself are read first (the registry's id_rank), so merged messages keep
    # those ids.
    order = sorted(range(len(parsed)), key=lambda i: id_rank(parsed[i].kind))
    for index in order:
        source, sreport = parsed[index], report.sources[index]
        source_id = _source_row(session, source, sreport)
        where = (source_id, source.path, index)
        for record in source.messages:
            done += 1
            if progress and done % 5000 == 0:
                progress("reading", done, total)
            if record.group and report.group and record.group != report.group:
                sreport.other_groups += 1
                continue
            if record.case:
                cases_named.setdefault(record.author, record.case)
            _sort_in(record, fingerprint(record), where, known, batch, sreport)
    for index, sreport in enumerate(report.sources):
        if sreport.added:
            source_row = session.scalar(select(Source).where(Source.sha256 == parsed[index].sha256))
            if source_row is not None:
                source_row.messages_added += sreport.added
    batch.items.sort(key=lambda n: (n.record.created_at, n.record.source_id))
    people = _people(session, batch.items, cases_named, report)
    if batch.items:
        _place(session, batch, known, people, report)
        _insert(session, batch, report, progress)
    _insert_aliases(session, batch, report)
    _apply_edits(session, batch.offers, report)
    return report


def _source_row(session: Session, source: ParsedSource, sreport: SourceReport) -> int:
    row = session.scalar(select(Source).where(Source.sha256 == source.sha256))
    if row is None:
        row = Source(kind=source.kind.value, path=source.path, sha256=source.sha256)
        session.add(row)
        session.flush()
    else:
        sreport.imported_before = row.imported_at
    return row.id


def _sort_in(
    record: MessageRecord,
    fp: str,
    source: tuple[int, str, int],
    known: _Known,
    batch: _Batch,
    sreport: SourceReport,
) -> None:
    """Decide whether a record is new, already there (perhaps under another id), or changed.

    ``source`` is the record's source row id, its path, and its position in the import.
    """
    order = source[2]
    stored = known.ids.get(record.source_id)
    if stored is not None:
        if stored[1] == fp:
            sreport.existing += 1
        else:  # decided once every record is read (_apply_edits); copies of this version merge meanwhile
            batch.offers[stored[0]].append(_Offer(record, fp, order, sreport))
            known.fingerprints.setdefault(fp, stored[0])
        return
    pending = batch.by_id.get(record.source_id)
    if pending is not None:
        if pending.fingerprint == fp or _same_text(record.text, pending.record.text):
            sreport.existing += 1
        else:
            sreport.changed += 1
            if record.text and _version(record, order) >= _version(pending.record, pending.order):
                pending.record = dataclasses.replace(
                    pending.record, text=record.text, updated_at=record.updated_at or pending.record.updated_at
                )
                pending.fingerprint, pending.order = fingerprint(pending.record), order
                batch.by_fp[pending.fingerprint] = pending
                sreport.updated += 1
        return
    same_new = batch.by_fp.get(fp)
    if same_new is not None:
        sreport.existing += 1
        batch.by_id[record.source_id] = same_new
        batch.aliases.append((record.source_id, same_new))
        return
    same_stored = known.fingerprints.get(fp)
    if same_stored is not None:
        sreport.existing += 1
        known.ids[record.source_id] = (same_stored, fp)
        batch.aliases.append((record.source_id, same_stored))
        return
    batch.add(_New(record, fp, source[0], source[1], order))
    sreport.added += 1


def _same_text(a: str, b: str) -> bool:
    return a == b or _plain(a) == _plain(b)


def _version(record: MessageRecord, order: int) -> tuple[datetime, int]:
    """How new a version is: when it was last written, then its source's place in the import (see the module)."""
    return (record.updated_at or record.created_at, order)


def _apply_edits(session: Session, offers: dict[int, list[_Offer]], report: ImportReport) -> None:
    """Give edited messages their newest text and re-anchor their codings (see the module docstring)."""
    ids = sorted(offers)
    stored: dict[int, tuple[str, datetime, datetime | None]] = {}
    coded: set[int] = set()
    for chunk in chunks(ids):
        query = select(Message.id, Message.text, Message.created_at, Message.updated_at).where(Message.id.in_(chunk))
        for mid, text, created, updated in session.execute(query):
            stored[mid] = (text, updated or created, updated)
        coded.update(session.scalars(select(Coding.message_id).where(Coding.message_id.in_(chunk)).distinct()))
    winners: dict[int, _Offer] = {}
    for mid, candidates in offers.items():
        text, version, _ = stored[mid]
        eligible = []
        for offer in candidates:
            if _same_text(offer.record.text, text):
                offer.sreport.existing += 1
                continue
            offer.sreport.changed += 1
            if offer.record.text and offer.sreport.imported_before is None:
                eligible.append(offer)
        if eligible:
            best = max(eligible, key=lambda o: _version(o.record, o.order))
            if _version(best.record, best.order)[0] >= version:
                winners[mid] = best
    texts = {mid: (stored[mid][0], offer.record.text) for mid, offer in winners.items() if mid in coded}
    if texts:
        batch = new_batch()
        coder_id = CoderRegistry(session).get_or_create(MACHINE_CODER, CoderKind.MACHINE)
        report.reanchored = reanchor_codings(session, texts, batch=batch, coder_id=coder_id)
        report.batch = batch if report.reanchored.written else None
        for mid in report.reanchored.refused:
            del winners[mid]
    rows = []
    for mid, offer in winners.items():
        offer.sreport.updated += 1
        updated_at = offer.record.updated_at or stored[mid][2]
        rows.append({"id": mid, "text": offer.record.text, "fingerprint": offer.fingerprint, "updated_at": updated_at})
    if rows:
        session.execute(update(Message), rows)
    for chunk in chunks(sorted(winners)):
        session.execute(delete(Unit).where(Unit.message_id.in_(chunk)))
        session.execute(delete(TagState).where(TagState.message_id.in_(chunk)))
    report.messages_updated = len(rows)


def _people(
    session: Session, items: list[_New], cases_named: dict[str, str], report: ImportReport
) -> ParticipantRegistry:
    """Pseudonymise authors (numbered by when they first spoke) and link them to the cases the exports name.

    ``cases_named`` maps authors to the case their rows name, from every record read, new or already stored: a CSV
    that repeats known messages can still say which municipality their authors speak for. A participant already
    linked to another case keeps it; the report counts the disagreement.
    """
    people = ParticipantRegistry(session)
    cases = CaseRegistry(session)
    for item in items:
        item.participant_id = people.get_or_create(item.record.author)
    for author, case_name in cases_named.items():
        pid = people.find(author)
        if pid is None:
            continue
        case_id = cases.get_or_create(case_name)
        current = people.case_of.get(pid)
        if current is None:
            people.case_of[pid] = case_id
            session.execute(update(Participant).where(Participant.id == pid).values(case_id=case_id))
        elif current != case_id:
            report.case_conflicts += 1
    report.participants_added = people.created
    report.cases_added = cases.created
    return people


def _resolve(key: str | None, known: _Known, batch: _Batch) -> Ref | None:
    if key is None:
        return None
    pending = batch.by_id.get(key)
    if pending is not None:
        return pending
    stored = known.ids.get(key)
    return stored[0] if stored else None


def _place(session: Session, batch: _Batch, known: _Known, people: ParticipantRegistry, report: ImportReport) -> None:
    """Decide the thread and parent of each new message."""
    unthreaded: list[_New] = []
    placing: set[int] = set()

    def thread_of(ref: Ref) -> int | str:
        if isinstance(ref, int):
            return known.thread_of[ref]
        if ref.thread is None:
            place(ref)
        if ref.thread is None:  # an unthreaded DYI comment answered by a message that names its thread
            raise FokusError("answers a message whose thread is unknown", path=ref.path, where=ref.record.location)
        return ref.thread

    def place(item: _New) -> None:
        record = item.record
        if item.thread is not None:
            return
        if record.kind is MessageKind.POST:
            item.thread = record.source_id
            return
        if record.thread_id is None:
            return
        if id(item) in placing:
            raise FokusError("messages answer each other in a circle", path=item.path, where=record.location)
        placing.add(id(item))
        post = _resolve(record.thread_id, known, batch)
        if post is None:
            raise FokusError(
                f"answers thread {record.thread_id!r}, which is neither in this import nor in the project",
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
    items: list[_New],
    batch: _Batch,
    known: _Known,
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


def _insert(session: Session, batch: _Batch, report: ImportReport, progress: Progress | None) -> None:
    """Write threads, then messages level by level so each parent has its id before its answers are written."""
    threads = dict(session.execute(select(Thread.external_id, Thread.id)).all())
    thread_rows: list[dict[str, Any]] = []
    for item in batch.items:
        key = item.thread
        if not isinstance(key, str) or key in threads:
            continue
        unplaced = item.placement == "unplaced"
        thread_rows.append(
            {
                "external_id": key,
                "title": UNPLACED_TITLE if unplaced else item.record.title,
                "created_at": item.record.created_at,
                "source_id": None if unplaced else item.source_id,
            }
        )
        threads[key] = -1
    if thread_rows:
        threads.update(insert_returning_ids(session.connection(), table_of(Thread), thread_rows))
        report.threads_added = len(thread_rows)

    def thread_id(item: _New) -> int:
        return item.thread if isinstance(item.thread, int) else threads[str(item.thread)]

    pending = batch.items
    written = 0
    while pending:
        ready = [n for n in pending if not isinstance(n.parent, _New) or n.parent.db_id is not None]
        if not ready:
            first = pending[0]
            raise FokusError("messages answer each other in a circle", path=first.path, where=first.record.location)
        rows: list[dict[str, Any]] = [
            {
                "external_id": n.record.source_id,
                "thread_id": thread_id(n),
                "parent_id": n.parent.db_id if isinstance(n.parent, _New) else n.parent,
                "kind": n.record.kind.value,
                "participant_id": n.participant_id,
                "created_at": n.record.created_at,
                "updated_at": n.record.updated_at,
                "text": n.record.text,
                "reactions": n.record.reactions,
                "url": n.record.url,
                "fingerprint": n.fingerprint,
                "placement": n.placement,
                "answers_participant_id": n.answers_participant_id,
                "source_id": n.source_id,
            }
            for n in ready
        ]
        ids = insert_returning_ids(session.connection(), table_of(Message), rows)
        for item in ready:
            item.db_id = ids[item.record.source_id]
        written += len(rows)
        if progress:
            progress("writing", written, len(batch.items))
        pending = [n for n in pending if n.db_id is None]
    report.messages_added = len(batch.items)


def _insert_aliases(session: Session, batch: _Batch, report: ImportReport) -> None:
    rows = []
    for alias, target in batch.aliases:
        message_id = target.db_id if isinstance(target, _New) else target
        if message_id is not None:
            rows.append({"external_id": alias, "message_id": message_id})
    insert_rows(session.connection(), table_of(MessageAlias), rows)
    report.aliases_added = len(rows)
