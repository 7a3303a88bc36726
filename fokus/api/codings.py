"""Codings from files and scripts, and codings as rows for export.

Importing never overwrites: a coding that exists with another status, origin or confidence is reported as a
conflict and left as it is, unless the caller asks to replace (and then the old state is in the event log, so the
replacement can be undone). Spans are validated against the stored text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.orm import Session

from fokus.allocation import fewer_collections
from fokus.domain.chunks import chunks
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import log_events, new_batch, snapshot
from fokus.domain.local_time import iso_local
from fokus.domain.origins import MODEL_PREFIX, RULE_PREFIX
from fokus.domain.passages import coded_passages
from fokus.errors import FokusError
from fokus.files.codings import CodingRow
from fokus.i18n import _
from fokus.model import (
    Case,
    Code,
    Coder,
    CoderKind,
    Coding,
    CodingStatus,
    Event,
    Message,
    Participant,
    Thread,
    table_of,
    utcnow,
)
from fokus.store.bulk import indexes_made_after, insert_values, insert_values_new_ids, stored_form


@dataclass
class CodingsReport:
    added: int = 0
    unchanged: int = 0
    conflicts: int = 0
    replaced: int = 0
    duplicates_in_file: int = 0
    coders_added: list[str] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)


def import_codings(
    session: Session,
    rows: Sequence[CodingRow],
    *,
    display: str,
    coder: str | None = None,
    replace: bool = False,
) -> CodingsReport:
    """Add codings from ``rows``; ``coder`` is used where a row names none.

    The import is one step of ``coder`` (or of the one coder all the rows name), whose `fokus undo` takes it back;
    rows of several coders and no ``coder``: a step of nobody's, as before."""
    with fewer_collections():  # a million codings make millions of small objects, none in a cycle
        report = CodingsReport()
        planned = _planned(session, rows, display, coder, report)
        existing = _existing(session, sorted({key[0] for key in planned}))
        named = {key[2] for key in planned}
        if coder is not None:
            step_coder = session.scalar(select(Coder.id).where(Coder.name == coder))
        else:
            step_coder = named.pop() if len(named) == 1 else None
        _write(session, planned, existing, replace, report, step_coder)
        return report


Key = tuple[int, int, int, int, int]
"""A coding's identity: message, code, coder, start, end (ids and offsets)."""


def _planned(
    session: Session, rows: Sequence[CodingRow], display: str, coder: str | None, report: CodingsReport
) -> dict[Key, CodingRow]:
    """Each row checked against the project (its message, code, span and coder) and keyed by the coding it makes;
    a row repeating an earlier one is counted and dropped."""
    from fokus.privacy import shown_message_ids

    wanted = {r.message_id for r in rows}
    messages = _messages(session, wanted)
    messages.update(shown_message_ids(session, wanted - messages.keys()))  # from a redacted export
    codes = {path: (cid, codable) for path, cid, codable in session.execute(select(Code.path, Code.id, Code.codable))}
    coders = CoderRegistry(session)
    coder_of: dict[tuple[str | None, str], int] = {}  # (the row's coder, its origin): the coder's id

    planned: dict[Key, CodingRow] = {}
    for row in rows:  # unpacked: a million rows, eight fields each
        ext, path, start, end, passage, _status, origin, _confidence, named, _created, where = row
        found = messages.get(ext)
        if found is None:
            raise FokusError(_("message {id!r} is not in the project").format(id=ext), path=display, where=where)
        code = codes.get(path)
        if code is None:
            raise FokusError(
                _("code {code!r} is not in the codebook").format(code=path),
                path=display,
                where=where,
                hint=_("see `fokus codebook show`"),
            )
        code_id, codable = code
        if not codable:
            raise FokusError(
                _("code {code!r} is not codable (it only groups others)").format(code=path), path=display, where=where
            )
        message_id, text = found
        if start is None or end is None:
            start, end = 0, len(text)
        if not 0 <= start < end <= len(text):
            raise FokusError(
                _("span {start}:{end} is outside message {id!r} ({length} characters)").format(
                    start=start, end=end, id=ext, length=len(text)
                ),
                path=display,
                where=where,
            )
        if (
            passage is not None
            and passage != text[start:end]
            and passage != _redacted(session, message_id, text, start, end)
        ):
            raise FokusError(
                _("the text of span {start}:{end} in message {id!r} differs from the file's text").format(
                    start=start, end=end, id=ext
                ),
                path=display,
                where=where,
                hint=_("the file was made against other text"),
            )
        coder_id = coder_of.get((named, origin))
        if coder_id is None:
            machine = origin.startswith((RULE_PREFIX, MODEL_PREFIX))
            coder_name = named or coder or (MACHINE_CODER if machine else None)
            if coder_name is None:
                raise FokusError(
                    _("no coder: the row names none"), path=display, where=where, hint=_("add --coder NAME")
                )
            kind = CoderKind.MACHINE if machine and not named else CoderKind.HUMAN
            coder_id = coder_of[(named, origin)] = coders.get_or_create(coder_name, kind)
        key = (message_id, code_id, coder_id, start, end)
        if key in planned:
            report.duplicates_in_file += 1
            continue
        planned[key] = row
    report.coders_added = coders.created
    return planned


def _messages(session: Session, wanted: set[str]) -> dict[str, tuple[int, str]]:
    """The id and stored text of each message of these external ids that the project holds: read whole when they
    are most of its messages (a statement per 900 ids costs more to build than the rows it reads)."""
    columns = (Message.external_id, Message.id, Message.text)
    if len(wanted) * 2 >= (session.scalar(select(func.count()).select_from(Message)) or 0):
        return {ext: (mid, text) for ext, mid, text in session.execute(select(*columns)) if ext in wanted}
    messages: dict[str, tuple[int, str]] = {}
    for chunk in chunks(sorted(wanted)):
        for ext, mid, text in session.execute(select(*columns).where(Message.external_id.in_(chunk))):
            messages[ext] = (mid, text)
    return messages


_STATE = ("id", "message_id", "code_id", "coder_id", "start", "end", "status", "origin", "confidence")
"""What an import compares of a stored coding (beside its id): its key, then status, origin and confidence."""


def _existing(session: Session, message_ids: Sequence[int]) -> dict[Key, Row[Any]]:
    """The stored codings of these messages by key, as rows of ``_STATE`` (no ORM objects: a re-import reads a
    million)."""
    existing: dict[Key, Row[Any]] = {}
    columns = [getattr(Coding, name) for name in _STATE]
    for ids in chunks(message_ids):
        for stored in session.execute(select(*columns).where(Coding.message_id.in_(ids))):
            existing[stored[1:6]] = stored
    return existing


_COLUMNS = ("message_id", "code_id", "coder_id", "start", "end", "status", "origin", "confidence")
"""A coding's logged values (``fokus.domain.events.CODING_FIELDS`` but ``details``, which an import leaves empty)."""
_STORED = ("created_at", "updated_at", "details")
"""The columns whose values :func:`_write` gives as the database stores them (the details: None)."""


def _write(
    session: Session,
    planned: dict[Key, CodingRow],
    existing: dict[Key, Row[Any]],
    replace: bool,
    report: CodingsReport,
    step_coder: int | None = None,
) -> None:
    """Insert the new codings and log them (one batch: one undo step); count the others, and replace those that
    differ if asked."""
    batch = new_batch()
    now = utcnow()
    connection = session.connection()
    codings, events = table_of(Coding), table_of(Event)
    stored_time = stored_form(connection, codings, "created_at")  # as the database stores it, once for ``now``
    stored_now = stored_time(now)
    inserts: list[tuple[Any, ...]] = []
    replacements: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    for key, row in planned.items():
        current = existing.get(key)
        status, origin, confidence = row.status._value_, row.origin, row.confidence  # _value_: no enum property
        if current is None:
            created = stored_now if row.created_at is None else stored_time(row.created_at)
            inserts.append((*key, status, origin, confidence, created, created, None))
            continue
        if (current.status, current.origin, current.confidence) == (status, origin, confidence):
            report.unchanged += 1
        elif replace:
            before = snapshot(dict(zip(_COLUMNS, current[1:], strict=True)))
            stored = session.get_one(Coding, current.id)
            stored.status, stored.origin, stored.confidence = status, origin, confidence
            stored.updated_at = now
            after = snapshot(dict(zip(_COLUMNS, (*key, status, origin, confidence), strict=True)))
            replacements.append((current.id, before, after))
            report.replaced += 1
        else:
            report.conflicts += 1
    columns = (*_COLUMNS, *_STORED)
    with indexes_made_after(connection, codings, len(inserts)):
        report.added_ids = insert_values_new_ids(connection, codings, columns, inserts, stored=_STORED)
    report.added = len(inserts)
    with indexes_made_after(connection, events, len(inserts)):
        _log_added(connection, batch, report.added_ids, inserts, step_coder)
    if replacements:
        session.flush()
        log_events(session, batch, "coding.change", replacements, step_coder)


def _log_added(
    connection: Connection, batch: str, ids: Sequence[int], inserts: Sequence[tuple[Any, ...]], coder: int | None
) -> None:
    """One ``coding.add`` event per new coding, as ``log_events`` writes it (``after`` the coding's
    :func:`~fokus.domain.events.snapshot`), its JSON made from a template: ``json.dumps`` of a million dicts is the
    slowest part of a large import. The text is ``json.dumps``'s own (tests/test_codings.py compares them)."""
    events = table_of(Event)
    at = stored_form(connection, events, "at")(utcnow())
    insert_values(connection, events, _EVENT_COLUMNS, _added(at, batch, ids, inserts, coder), stored=_EVENT_COLUMNS)


def _added(
    at: Any, batch: str, ids: Sequence[int], inserts: Sequence[tuple[Any, ...]], coder: int | None
) -> Iterator[tuple[Any, ...]]:
    ends: dict[tuple[Any, ...], str] = {}  # the JSON of status, origin and confidence, of which there are few
    for cid, values in zip(ids, inserts, strict=True):
        status, origin, confidence = values[5:8]
        key = (status, origin, type(confidence), confidence)  # by type too: 1 and 1.0 are equal but differ in JSON
        end = ends.get(key)
        if end is None:
            end = ends[key] = _ADDED_END % (json.dumps(status), json.dumps(origin), json.dumps(confidence))
        yield (at, batch, coder, "coding.add", cid, None, _ADDED_START % values[:5] + end, None)


_EVENT_COLUMNS = ("at", "batch", "coder_id", "action", "coding_id", "before", "after", "reverts")
_ADDED_START = '{"message_id": %d, "code_id": %d, "coder_id": %d, "start": %d, "end": %d, '
_ADDED_END = '"status": %s, "origin": %s, "confidence": %s, "details": null}'


def code_by_hand(
    session: Session, message: str, code: str, span: tuple[int, int] | None, coder: str, *, display: str
) -> CodingsReport:
    """One accepted coding by a researcher (a whole message when ``span`` is None), checked like a file's row: a
    script that codes one passage at a time gets the same validation and the same conflict report as an import."""
    start, end = span if span is not None else (None, None)
    row = CodingRow(message, code, start, end, None, CodingStatus.ACCEPTED, "human", None, coder, None, "--span")
    return import_codings(session, [row], display=display)


def _redacted(session: Session, message_id: int, text: str, start: int, end: int) -> str:
    """The span as a redacted export shows it (fokus.privacy): such a file's text is the project's, names hidden."""
    from fokus.privacy.redact import Redactor

    redactor = session.info.get("fokus.redactor")  # one per transaction: finding names is not free
    if redactor is None:
        redactor = session.info["fokus.redactor"] = Redactor(session, enabled=True)
    return str(redactor.excerpt(message_id, text, start, end))


def coding_rows(
    session: Session, statuses: Sequence[str] = (), *, real_names: bool = False
) -> Iterator[dict[str, Any]]:
    """Every coding as one tidy row (the columns of fokus.files.codings.COLUMNS), streamed.

    ``text`` is the passage as exports show it, participants' names replaced (fokus.privacy) unless the project
    turned redaction off (ids that may name someone too: ``redacted:m<N>``, which an import takes back); ``start``
    and ``end`` stay offsets into the stored text, where an import looks them up.
    ``real_names`` leaves the names in and adds each participant's ``real_name``: only when the user asks.
    """
    from fokus.privacy import export_redactor, identity_names

    redactor = export_redactor(session, real_names=real_names)
    redactor.prepare()
    names = identity_names(session) if real_names else {}
    length = Coding.end - Coding.start
    query = coded_passages(
        Message.id,
        Participant.id,
        Thread.id,
        Message.external_id,
        Thread.external_id,
        Case.name,
        Participant.pseudonym,
        Code.path,
        Coding.start,
        Coding.end,
        func.substr(Message.text, Coding.start + 1, length),
        Coding.status,
        Coding.origin,
        Coding.confidence,
        Coder.name,
        Coding.created_at,
    ).order_by(Thread.created_at, Message.created_at, Message.id, Coding.start, Coding.end, Coding.code_id, Coding.id)
    if statuses:
        query = query.where(Coding.status.in_(list(statuses)))
    for row in session.execute(query.execution_options(yield_per=5000)):
        mid, pid, tid, message, thread, case, participant, code, start, end, text, *rest = row
        status, origin, conf, coder, created = rest
        values = {
            "message_id": redactor.message_id(mid, message),
            "thread_id": redactor.thread_id(tid, thread),
            "case": case,
            "participant": participant,
            "code": code,
            "start": start,
            "end": end,
            "text": redactor.excerpt_of(mid, start, end, text),
            "status": status,
            "origin": origin,
            "confidence": conf,
            "coder": coder,
            "created_at": iso_local(created),
        }
        if real_names:
            values["real_name"] = names.get(pid)
        yield values


def status_counts(session: Session) -> dict[str, int]:
    counts = {s.value: 0 for s in CodingStatus}
    for status, count in session.execute(select(Coding.status, func.count()).group_by(Coding.status)):
        counts[status] = count
    return counts
