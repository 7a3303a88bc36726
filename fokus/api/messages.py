"""Importing messages: parsed records in, new threads, messages and participants out, in the caller's transaction.

A message is already in the project when its source id is known, or when a message with the same fingerprint (the
same author, second and text) is: that is how a Graph archive, a CSV and several participants' DYI donations of one
conversation merge without duplicates. A known id whose text has changed is reported and left alone; re-anchoring
codings to edited text is a separate, careful step.

DYI comments do not say which post they answer. When the comment is not already known from another export, it is
placed under the latest post (or comment, for a reply) by the person its title names, made before it; failing that
it goes to one thread of unplaced comments. Either way ``placement`` says so, and the report counts them.
"""

from __future__ import annotations

import bisect
import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fokus.api.participants import CaseRegistry, ParticipantRegistry, name_key
from fokus.api.settings import get_setting, set_setting
from fokus.errors import FokusError
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource
from fokus.model import Message, Participant, Source, Thread, table_of

Progress = Callable[[str, int, int], None]
GROUP_SETTING = "facebook_group"
UNTHREADED_TITLE = "Kommentarer fra datadonasjoner uten kjent tråd"


def fingerprint(record: MessageRecord) -> str:
    """Who said what, when (to the second): equal across formats for the same message."""
    text = " ".join(unicodedata.normalize("NFC", record.text).split())
    key = f"{name_key(record.author)}\x1f{int(record.created_at.timestamp())}\x1f{text}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass
class SourceReport:
    path: str
    kind: str
    messages: int = 0
    added: int = 0
    existing: int = 0
    changed: int = 0
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
    placed_by_author: int = 0
    unplaced: int = 0
    parent_missing: int = 0
    group: str | None = None

    @property
    def existing(self) -> int:
        return sum(s.existing for s in self.sources)

    @property
    def changed(self) -> int:
        return sum(s.changed for s in self.sources)


@dataclass
class _New:
    record: MessageRecord
    fingerprint: str
    source_id: int
    participant_id: int = 0
    thread_key: str | None = None  # external id of the thread
    parent_key: str | None = None  # external id of the parent, new or stored
    placement: str = "source"


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
    known_ids: dict[str, tuple[int, str]] = {
        ext: (mid, fp) for ext, mid, fp in session.execute(select(Message.external_id, Message.id, Message.fingerprint))
    }
    known_fps: dict[str, str] = {fp: ext for ext, (_, fp) in known_ids.items()}
    threads: dict[str, int] = dict(session.execute(select(Thread.external_id, Thread.id)).all())
    total = sum(len(p.messages) for p in parsed)
    done = 0

    new: list[_New] = []
    batch: dict[str, _New] = {}
    batch_fps: set[str] = set()
    for source in parsed:
        source_row = session.scalar(select(Source).where(Source.sha256 == source.sha256))
        sreport = SourceReport(source.path, source.kind.value, len(source.messages), skipped=list(source.skipped))
        if source_row is None:
            source_row = Source(kind=source.kind.value, path=source.path, sha256=source.sha256)
            session.add(source_row)
            session.flush()
        else:
            sreport.imported_before = source_row.imported_at
        for record in source.messages:
            done += 1
            if progress and done % 5000 == 0:
                progress("reading", done, total)
            if record.group and report.group and record.group != report.group:
                sreport.other_groups += 1
                continue
            fp = fingerprint(record)
            stored = known_ids.get(record.source_id)
            if stored is not None or record.source_id in batch:
                same = stored[1] == fp if stored else batch[record.source_id].fingerprint == fp
                if same:
                    sreport.existing += 1
                else:
                    sreport.changed += 1
                continue
            if fp in known_fps or fp in batch_fps:
                sreport.existing += 1
                continue
            item = _New(record, fp, source_row.id)
            new.append(item)
            batch[record.source_id] = item
            batch_fps.add(fp)
            sreport.added += 1
        source_row.messages_added += sreport.added
        report.sources.append(sreport)
    if not new:
        return report

    new.sort(key=lambda n: (n.record.created_at, n.record.source_id))
    people = ParticipantRegistry(session)
    cases = CaseRegistry(session)
    for item in new:
        item.participant_id = people.get_or_create(item.record.author)
        if item.record.case and people.case_of.get(item.participant_id) is None:
            case_id = cases.get_or_create(item.record.case)
            people.case_of[item.participant_id] = case_id
            session.execute(update(Participant).where(Participant.id == item.participant_id).values(case_id=case_id))
    report.participants_added = people.created
    report.cases_added = cases.created

    _place(session, new, batch, known_ids, threads, people, report)
    _insert(session, new, known_ids, threads, report, progress)
    return report


def _place(
    session: Session,
    new: list[_New],
    batch: dict[str, _New],
    known_ids: dict[str, tuple[int, str]],
    threads: dict[str, int],
    people: ParticipantRegistry,
    report: ImportReport,
) -> None:
    """Decide the thread and parent of each new message."""
    unthreaded: list[_New] = []
    for item in new:
        record = item.record
        if record.kind is MessageKind.POST:
            item.thread_key = record.source_id
            continue
        if record.thread_id is None:
            unthreaded.append(item)
            continue
        if record.thread_id not in threads and not (
            record.thread_id in batch and batch[record.thread_id].record.kind is MessageKind.POST
        ):
            raise FokusError(
                f"answers thread {record.thread_id!r}, which is neither in this import nor in the project",
                where=record.location,
            )
        item.thread_key = record.thread_id
        parent = record.parent_id or record.thread_id
        if parent in batch or parent in known_ids:
            item.parent_key = parent
        else:
            item.parent_key = record.thread_id
            item.placement = "parent-missing"
            report.parent_missing += 1
    if unthreaded:
        _place_by_author(session, unthreaded, new, people, report)


def _place_by_author(
    session: Session,
    items: list[_New],
    new: list[_New],
    people: ParticipantRegistry,
    report: ImportReport,
) -> None:
    """Place DYI comments under the latest earlier post (or comment) by the person their title names."""
    found = (people.find(i.record.parent_author) for i in items if i.record.parent_author)
    wanted = {pid for pid in found if pid is not None}
    # candidates[(participant, is_post)] = sorted [(time, external id, thread external id)]
    candidates: dict[tuple[int, bool], list[tuple[datetime, str, str]]] = defaultdict(list)
    if wanted:
        rows = session.execute(
            select(Message.participant_id, Message.kind, Message.created_at, Message.external_id, Thread.external_id)
            .join(Thread, Message.thread_id == Thread.id)
            .where(Message.participant_id.in_(wanted))
        )
        for pid, kind, at, ext, thread_ext in rows:
            candidates[(pid, kind == MessageKind.POST.value)].append((at, ext, thread_ext))
    for other in new:
        if other.participant_id in wanted and other.thread_key is not None:
            is_post = other.record.kind is MessageKind.POST
            candidates[(other.participant_id, is_post)].append(
                (other.record.created_at, other.record.source_id, other.thread_key)
            )
    for values in candidates.values():
        values.sort()
    for item in sorted(items, key=lambda i: i.record.created_at):
        record = item.record
        named = people.find(record.parent_author) if record.parent_author else None
        choices = candidates.get((named, record.kind is not MessageKind.REPLY), []) if named is not None else []
        index = bisect.bisect_left(choices, (record.created_at,)) - 1
        if index >= 0:
            _, parent_ext, thread_ext = choices[index]
            item.thread_key, item.parent_key, item.placement = thread_ext, parent_ext, "by-author"
            report.placed_by_author += 1
        else:
            key = f"unplaced:{record.group or 'dyi'}"
            item.thread_key, item.parent_key, item.placement = key, None, "unplaced"
            report.unplaced += 1
        if record.kind is not MessageKind.REPLY and named is not None:
            # a placed comment can itself be answered by a later reply in this batch
            candidates[(item.participant_id, False)].append((record.created_at, record.source_id, item.thread_key))
            candidates[(item.participant_id, False)].sort()


def _insert(
    session: Session,
    new: list[_New],
    known_ids: dict[str, tuple[int, str]],
    threads: dict[str, int],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Write threads, then messages level by level so each parent has its id before its answers are written."""
    thread_rows: list[dict[str, Any]] = []
    for item in new:
        key = item.thread_key
        assert key is not None
        if key in threads:
            continue
        if item.record.kind is MessageKind.POST:
            thread_rows.append(
                {
                    "external_id": key,
                    "title": item.record.title,
                    "created_at": item.record.created_at,
                    "source_id": item.source_id,
                }
            )
            threads[key] = -1
        elif item.placement == "unplaced":
            thread_rows.append(
                {"external_id": key, "title": UNTHREADED_TITLE, "created_at": item.record.created_at, "source_id": None}
            )
            threads[key] = -1
    if thread_rows:
        table = table_of(Thread)
        result = session.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), thread_rows)
        for row, (tid,) in zip(thread_rows, result, strict=True):
            threads[row["external_id"]] = tid
        report.threads_added = len(thread_rows)

    ids: dict[str, int] = {ext: mid for ext, (mid, _) in known_ids.items()}
    pending = new
    table = table_of(Message)
    written = 0
    while pending:
        ready = [n for n in pending if n.parent_key is None or n.parent_key in ids]
        if not ready:
            first = pending[0].record
            raise FokusError("messages answer each other in a circle", where=first.location)
        rows: list[dict[str, Any]] = [
            {
                "external_id": n.record.source_id,
                "thread_id": threads[n.thread_key or ""],
                "parent_id": ids[n.parent_key] if n.parent_key else None,
                "kind": n.record.kind.value,
                "participant_id": n.participant_id,
                "created_at": n.record.created_at,
                "updated_at": n.record.updated_at,
                "text": n.record.text,
                "reactions": n.record.reactions,
                "url": n.record.url,
                "fingerprint": n.fingerprint,
                "placement": n.placement,
                "source_id": n.source_id,
            }
            for n in ready
        ]
        for start in range(0, len(rows), 10_000):
            chunk = rows[start : start + 10_000]
            result = session.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), chunk)
            for row, (mid,) in zip(chunk, result, strict=True):
                ids[str(row["external_id"])] = mid
            written += len(chunk)
            if progress:
                progress("writing", written, len(new))
        ready_ids = {id(n) for n in ready}
        pending = [n for n in pending if id(n) not in ready_ids]
    report.messages_added = len(new)
