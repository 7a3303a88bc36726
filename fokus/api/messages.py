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
comments (see ``fokus.api.messages_placement``); ``placement`` says which, and the report counts them.

What an import works with (fingerprints, reports, what the project holds) is in :mod:`fokus.api.messages_state`;
edits are applied in :mod:`fokus.api.messages_edits`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.orm import Session

from fokus.allocation import fewer_collections
from fokus.api.messages_edits import apply_edits
from fokus.api.messages_placement import place_messages
from fokus.api.messages_state import (
    EditOffer,
    ImportBatch,
    ImportReport,
    KnownMessages,
    NewMessage,
    SourceReport,
    fingerprint,
    same_text,
    version_of,
)
from fokus.domain.chunks import chunks
from fokus.domain.participants import CaseRegistry, ParticipantRegistry
from fokus.domain.settings import GROUP_SETTING, get_setting, set_setting
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.formats import id_rank
from fokus.importers.records import MessageRecord, ParsedSource
from fokus.model import Message, MessageAlias, Participant, Source, Thread, table_of
from fokus.store.bulk import insert_rows, insert_values_new_ids

Progress = Callable[[str, int, int], None]
UNPLACED_TITLE = "Kommentarer fra datadonasjoner uten kjent tråd"


def choose_group(session: Session, parsed: Sequence[ParsedSource], group: str | None) -> str | None:
    """The Facebook group whose DYI content belongs to this project.

    A donor's archive holds their posts in every group they are in; importing the others would bring strangers' talk
    into the project. The group is remembered in the project once known.
    """
    stored = get_setting(session, GROUP_SETTING)
    if group:
        if stored and stored != group:
            raise FokusError(
                _("this project holds the group {stored!r}, not {group!r}").format(stored=stored, group=group),
                hint=_("check --group"),
            )
        return group
    if stored:
        return stored
    groups = sorted({m.group for p in parsed for m in p.messages if m.group})
    if len(groups) > 1:
        listed = ", ".join(repr(g) for g in groups[:6]) + (" ..." if len(groups) > 6 else "")
        raise FokusError(
            _("the data donations hold posts from {count} groups: {groups}").format(count=len(groups), groups=listed),
            hint=_("say which one this project studies with --group NAME"),
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
    with fewer_collections():  # (see fokus.allocation)
        return _import_messages(session, parsed, group, progress)


def _import_messages(
    session: Session, parsed: Sequence[ParsedSource], group: str | None, progress: Progress | None
) -> ImportReport:
    report = ImportReport(group=choose_group(session, parsed, group))
    if report.group and any(m.group for p in parsed for m in p.messages):
        set_setting(session, GROUP_SETTING, report.group)
    known = KnownMessages.load(session)
    batch = ImportBatch()
    cases_named: dict[str, str] = {}
    report.sources = [SourceReport(p.path, p.kind.value, len(p.messages), skipped=list(p.skipped)) for p in parsed]
    total = sum(len(p.messages) for p in parsed)
    done = 0
    # Formats whose ids come from the source itself are read first (the registry's id_rank), so merged messages keep
    # those ids.
    order = sorted(range(len(parsed)), key=lambda i: id_rank(parsed[i].kind))
    rows = _source_rows(session, [parsed[i] for i in order], [report.sources[i] for i in order])
    for index in order:
        source, sreport = parsed[index], report.sources[index]
        where = (rows[source.sha256].id, source.path, index)
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
            rows[parsed[index].sha256].messages_added += sreport.added
    batch.items.sort(key=lambda n: (n.record.created_at, n.record.source_id))
    people = _people(session, batch.items, cases_named, report)
    if batch.items:
        place_messages(session, batch, known, people, report)
        _insert(session, batch, report, progress)
    _insert_aliases(session, batch, report)
    apply_edits(session, batch.offers, report)
    return report


def _source_rows(
    session: Session, sources: Sequence[ParsedSource], reports: Sequence[SourceReport]
) -> dict[str, Source]:
    """The row of each file by its sha256: the one already there (the report says when it was imported), else a new
    one. Looked up in one query per thousand files, and the new ones written in one flush, in the order given."""
    wanted = list(dict.fromkeys(source.sha256 for source in sources))
    rows: dict[str, Source] = {}
    for part in chunks(wanted, 1000):
        rows.update((row.sha256, row) for row in session.scalars(select(Source).where(Source.sha256.in_(part))))
    before = set(rows)
    again: list[tuple[SourceReport, Source]] = []  # a file given twice in this import: its first mention made it
    for source, sreport in zip(sources, reports, strict=True):
        row = rows.get(source.sha256)
        if row is None:
            rows[source.sha256] = Source(kind=source.kind.value, path=source.path, sha256=source.sha256)
            session.add(rows[source.sha256])
        elif source.sha256 in before:
            sreport.imported_before = row.imported_at
        else:
            again.append((sreport, row))
    session.flush()
    for sreport, row in again:
        sreport.imported_before = row.imported_at
    return rows


def _sort_in(
    record: MessageRecord,
    fp: str,
    source: tuple[int, str, int],
    known: KnownMessages,
    batch: ImportBatch,
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
        else:  # decided once every record is read (apply_edits); copies of this version merge meanwhile
            batch.offers[stored[0]].append(EditOffer(record, fp, order, sreport))
            known.fingerprints.setdefault(fp, stored[0])
        return
    pending = batch.by_id.get(record.source_id)
    if pending is not None:
        if pending.fingerprint == fp or same_text(record.text, pending.record.text):
            sreport.existing += 1
        else:
            sreport.changed += 1
            if record.text and version_of(record, order) >= version_of(pending.record, pending.order):
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
    batch.add(NewMessage(record, fp, source[0], source[1], order))
    sreport.added += 1


def _people(
    session: Session, items: list[NewMessage], cases_named: dict[str, str], report: ImportReport
) -> ParticipantRegistry:
    """Pseudonymise authors (numbered by when they first spoke) and link them to the cases the exports name.

    ``cases_named`` maps authors to the case their rows name, from every record read, new or already stored: a CSV
    that repeats known messages can still say which municipality their authors speak for. A participant already
    linked to another case keeps it; the report counts the disagreement.
    """
    people = ParticipantRegistry(session)
    cases = CaseRegistry(session)
    by_author: dict[str, int] = {}  # a few hundred authors write 100,000 messages
    for item in items:
        author = item.record.author
        found = by_author.get(author)
        if found is None:
            found = by_author[author] = people.get_or_create(author)
        item.participant_id = found
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


_THREAD_COLUMNS = ("external_id", "title", "created_at", "source_id")
_MESSAGE_COLUMNS = (
    "external_id",
    "thread_id",
    "parent_id",
    "kind",
    "participant_id",
    "created_at",
    "updated_at",
    "text",
    "reactions",
    "url",
    "fingerprint",
    "placement",
    "answers_participant_id",
    "source_id",
)


def _insert(session: Session, batch: ImportBatch, report: ImportReport, progress: Progress | None) -> None:
    """Write threads, then messages level by level so each parent has its id before its answers are written.

    Rows go to the database as tuples through :func:`fokus.store.bulk.insert_values_new_ids`, which hands back the
    new ids in the rows' order (no dict per row, no reading the rows back by their external ids); times are put in
    the database's form as the rows are built, by their column's own conversion, rather than column by column after.
    """
    connection = session.connection()
    thread_table, message_table = table_of(Thread), table_of(Message)
    thread_time, message_time = _time_in_db(connection, thread_table), _time_in_db(connection, message_table)
    threads = dict(session.execute(select(Thread.external_id, Thread.id)).all())
    new_threads: list[str] = []
    thread_rows: list[tuple[Any, ...]] = []
    for item in batch.items:
        key = item.thread
        if not isinstance(key, str) or key in threads:
            continue
        record, unplaced = item.record, item.placement == "unplaced"
        title, source = (UNPLACED_TITLE, None) if unplaced else (record.title, item.source_id)
        thread_rows.append((key, title, thread_time(record.created_at), source))
        new_threads.append(key)
        threads[key] = -1
    if thread_rows:
        ids = insert_values_new_ids(connection, thread_table, _THREAD_COLUMNS, thread_rows, stored=_TIMES)
        threads.update(zip(new_threads, ids, strict=True))
        report.threads_added = len(thread_rows)

    pending = batch.items
    written = 0
    while pending:
        ready = [n for n in pending if not isinstance(n.parent, NewMessage) or n.parent.db_id is not None]
        if not ready:
            first = pending[0]
            raise FokusError(_("messages answer each other in a circle"), path=first.path, where=first.record.location)
        rows = [
            (
                (r := n.record).source_id,
                n.thread if isinstance(n.thread, int) else threads[str(n.thread)],
                n.parent.db_id if isinstance(n.parent, NewMessage) else n.parent,
                r.kind.value,
                n.participant_id,
                message_time(r.created_at),
                None if r.updated_at is None else message_time(r.updated_at),
                r.text,
                r.reactions,
                r.url,
                n.fingerprint,
                n.placement,
                n.answers_participant_id,
                n.source_id,
            )
            for n in ready
        ]
        ids = insert_values_new_ids(connection, message_table, _MESSAGE_COLUMNS, rows, stored=_TIMES)
        for item, new_id in zip(ready, ids, strict=True):
            item.db_id = new_id
        written += len(rows)
        if progress:
            progress("writing", written, len(batch.items))
        pending = [n for n in pending if n.db_id is None]
    report.messages_added = len(batch.items)


_TIMES = ("created_at", "updated_at")  # the columns whose values _insert converts itself


def _time_in_db(connection: Connection, table: Table) -> Callable[[Any], Any]:
    """A time as ``table``'s ``created_at`` column stores it (its type's own bind conversion; the same for
    ``updated_at``), as :mod:`fokus.store.bulk` would convert it."""
    convert = table.c.created_at.type._cached_bind_processor(connection.dialect)
    return convert if convert is not None else _same


def _same(value: Any) -> Any:
    return value


def _insert_aliases(session: Session, batch: ImportBatch, report: ImportReport) -> None:
    rows = []
    for alias, target in batch.aliases:
        message_id = target.db_id if isinstance(target, NewMessage) else target
        if message_id is not None:
            rows.append({"external_id": alias, "message_id": message_id})
    insert_rows(session.connection(), table_of(MessageAlias), rows)
    report.aliases_added = len(rows)
