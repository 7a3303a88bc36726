"""Codings from files and scripts, and codings as rows for export.

Importing never overwrites: a coding that exists with another status, origin or confidence is reported as a
conflict and left as it is, unless the caller asks to replace (and then the old state is in the event log, so the
replacement can be undone). Spans are validated against the stored text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.domain.chunks import chunks
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import log_events, new_batch, snapshot
from fokus.domain.local_time import iso_local
from fokus.domain.origins import MODEL_PREFIX, RULE_PREFIX
from fokus.domain.passages import coded_passages
from fokus.errors import FokusError
from fokus.files.codings import CodingRow
from fokus.model import (
    Case,
    Code,
    Coder,
    CoderKind,
    Coding,
    CodingStatus,
    Message,
    Participant,
    Thread,
    table_of,
    utcnow,
)
from fokus.store.bulk import insert_new_ids


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
    """Add codings from ``rows``; ``coder`` is used where a row names none."""
    from fokus.privacy import shown_message_ids

    report = CodingsReport()
    wanted = sorted({r.message_id for r in rows})
    messages: dict[str, tuple[int, str]] = {}
    for chunk in chunks(wanted):
        for ext, mid, text in session.execute(
            select(Message.external_id, Message.id, Message.text).where(Message.external_id.in_(chunk))
        ):
            messages[ext] = (mid, text)
    messages.update(shown_message_ids(session, set(wanted) - messages.keys()))  # from a redacted export
    codes = {path: (cid, codable) for path, cid, codable in session.execute(select(Code.path, Code.id, Code.codable))}
    coders = CoderRegistry(session)

    planned: dict[tuple[int, int, int, int, int], tuple[CodingRow, dict[str, Any]]] = {}
    for row in rows:
        where = row.where
        if row.message_id not in messages:
            raise FokusError(f"message {row.message_id!r} is not in the project", path=display, where=where)
        if row.code not in codes:
            raise FokusError(
                f"code {row.code!r} is not in the codebook", path=display, where=where, hint="see `fokus codebook show`"
            )
        code_id, codable = codes[row.code]
        if not codable:
            raise FokusError(f"code {row.code!r} is not codable (it only groups others)", path=display, where=where)
        message_id, text = messages[row.message_id]
        start, end = (0, len(text)) if row.start is None or row.end is None else (row.start, row.end)
        if not 0 <= start < end <= len(text):
            raise FokusError(
                f"span {start}:{end} is outside message {row.message_id!r} ({len(text)} characters)",
                path=display,
                where=where,
            )
        if (
            row.text is not None
            and row.text != text[start:end]
            and row.text != _redacted(session, message_id, text, start, end)
        ):
            raise FokusError(
                f"the text of span {start}:{end} in message {row.message_id!r} differs from the file's text",
                path=display,
                where=where,
                hint="the file was made against other text",
            )
        machine = row.origin.startswith((RULE_PREFIX, MODEL_PREFIX))
        coder_name = row.coder or coder or (MACHINE_CODER if machine else None)
        if coder_name is None:
            raise FokusError("no coder: the row names none", path=display, where=where, hint="add --coder NAME")
        coder_id = coders.get_or_create(coder_name, CoderKind.MACHINE if machine and not row.coder else CoderKind.HUMAN)
        key = (message_id, code_id, coder_id, start, end)
        if key in planned:
            report.duplicates_in_file += 1
            continue
        values = {
            "message_id": message_id,
            "code_id": code_id,
            "coder_id": coder_id,
            "start": start,
            "end": end,
            "status": row.status.value,
            "origin": row.origin,
            "confidence": row.confidence,
        }
        planned[key] = (row, values)
    report.coders_added = coders.created

    existing: dict[tuple[int, int, int, int, int], Coding] = {}
    message_ids = sorted({key[0] for key in planned})
    for ids in chunks(message_ids):
        for coding in session.scalars(select(Coding).where(Coding.message_id.in_(ids))):
            existing[(coding.message_id, coding.code_id, coding.coder_id, coding.start, coding.end)] = coding

    batch = new_batch()
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    replacements: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    for key, (row, values) in planned.items():
        current = existing.get(key)
        if current is None:
            created = row.created_at or now
            inserts.append({**values, "created_at": created, "updated_at": created, "details": None})
            continue
        same = (current.status, current.origin, current.confidence) == (row.status.value, row.origin, row.confidence)
        if same:
            report.unchanged += 1
        elif replace:
            before = snapshot({k: getattr(current, k) for k in values})
            current.status, current.origin, current.confidence = row.status.value, row.origin, row.confidence
            current.updated_at = now
            replacements.append((current.id, before, snapshot(values)))
            report.replaced += 1
        else:
            report.conflicts += 1
    if inserts:
        report.added_ids = insert_new_ids(session.connection(), table_of(Coding), inserts)
    report.added = len(inserts)
    log_events(
        session,
        batch,
        "coding.add",
        ((cid, None, snapshot(values)) for cid, values in zip(report.added_ids, inserts, strict=True)),
    )
    if replacements:
        session.flush()
        log_events(session, batch, "coding.change", replacements)
    return report


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
