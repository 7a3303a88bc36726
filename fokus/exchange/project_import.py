"""Importing a REFI-QDA project into a fokus project, in the caller's transaction.

A project that fokus exported comes back as it was: its threads and messages (from the "fokus:message"
selections), pseudonyms, codes, codings with their coders, status and origin, memos and cases. A project from
another tool becomes one thread per text source, each a single message, with its codings at their offsets, its
users as coders, its notes as memos and its cases and variables as cases and typed attributes. GUIDs are kept, so
exporting again gives the other tool the same objects back. What fokus does not model is reported, not dropped
silently; a selection that runs past the message it starts in is cut at the message's end and counted.

No coding of the file is lost without a word: one whose code is not in the file's codebook, whose selection is
empty or starts outside every message, or which lies on a source without plain text is listed in
``QdpxReport.dropped`` with its reason; so is one that becomes the same coding as an earlier one of the file (the
same code, coder and span: two codings of adjacent names that a redacted export shows as one placeholder). A text
source from another tool that repeats a message (the same author, second and text as another source or a message
of the project) is imported as that message, as fokus does with every export, and listed in ``merged_sources``.

The messages are read in :mod:`fokus.exchange.qdpx_messages`, the "fokus:..." descriptions in
:mod:`fokus.exchange.qdpx_fields`, the cases in :mod:`fokus.exchange.qdpx_cases` and the notes in
:mod:`fokus.exchange.qdpx_memos`; the codings are placed here.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.allocation import fewer_collections
from fokus.api.cases import CasesReport
from fokus.api.codebook import CodebookReport, load_codebook
from fokus.api.codings import CodingsReport, import_codings
from fokus.api.messages import import_messages
from fokus.api.messages_state import ImportReport
from fokus.domain.chunks import chunks
from fokus.domain.coders import CoderRegistry
from fokus.exchange.guids import Guids
from fokus.exchange.qdpx_cases import import_qdpx_cases
from fokus.exchange.qdpx_fields import Fields, fokus_fields, thread_id
from fokus.exchange.qdpx_memos import import_qdpx_memos
from fokus.exchange.qdpx_messages import message_records, unredact
from fokus.exchange.qdpx_read import (
    EMPTY_SPAN,
    MERGED,
    NO_MESSAGE,
    OTHER_SPACING,
    UNKNOWN_CODE,
    DroppedCoding,
    QdpxProject,
)
from fokus.exchange.qdpx_texts import ExternalFile
from fokus.files.codings import CodingRow
from fokus.i18n import N_, _
from fokus.importers.limits import MAX_LABEL_CHARS
from fokus.importers.records import ParsedSource, SourceKind
from fokus.model import Code, Coder, CoderKind, Coding, CodingStatus, Message, MessageAlias, Thread

if TYPE_CHECKING:
    from fokus.privacy.redact import OffsetMap

IMPORT_CODER = "refi-qda"


@dataclass
class QdpxReport:
    codebook: CodebookReport | None = None
    messages: ImportReport | None = None
    codings: CodingsReport | None = None
    cases: CasesReport | None = None
    memos: int = 0
    clipped: int = 0
    not_modelled: dict[str, int] = field(default_factory=dict)
    external_files: list[ExternalFile] = field(default_factory=list)
    dropped: list[DroppedCoding] = field(default_factory=list)  # and merged, by their reason
    merged_sources: list[tuple[str, str]] = field(default_factory=list)  # (source, message id it was imported as)


def import_qdpx(session: Session, project: QdpxProject) -> QdpxReport:
    """Add the project's content (see the module docstring); returns what was imported and what was not."""
    with fewer_collections():  # rows, keys and GUIDs by the hundred thousand, none in a cycle
        return _import(session, project)


def _import(session: Session, project: QdpxProject) -> QdpxReport:
    report = QdpxReport(
        not_modelled=dict(project.not_modelled),
        external_files=list(project.external_files),
    )
    guids = Guids(session)
    code_paths: dict[str, str] = {}
    if project.codebook is not None and project.codebook.spec.codes:
        report.codebook = load_codebook(session, project.codebook.spec, with_rules=False)
        code_paths = {guid: path for path, guid in project.codebook.guids.items()}
    report.dropped = [replace(d, code=code_paths.get(d.code, d.code)) for d in project.dropped]
    code_ids = dict(session.execute(select(Code.path, Code.id)).all())
    for guid, path in code_paths.items():
        guids.remember("code", code_ids[path], guid)

    coders = CoderRegistry(session)
    for guid, name in project.users.items():
        guids.remember("coder", coders.get_or_create(name, CoderKind.HUMAN), guid)

    records, ranges, message_guids, redacted = message_records(project)
    back = unredact(session, records, redacted, project.path)
    report.messages = import_messages(session, [ParsedSource(project.path, SourceKind.QDPX, project.sha256, records)])
    del records  # the messages' texts, stored now: what follows needs the memory more
    ids, stored_as = _message_ids(session)
    for guid, ext in message_guids.items():
        guids.remember("message", ids[ext], guid)
    documents = {thread_id(s): s.name for s in project.sources if ranges[s.guid] == [(0, len(s.text), thread_id(s))]}
    for source in project.sources:
        thread = thread_id(source)
        found = session.scalar(select(Thread.id).where(Thread.external_id == thread))
        if found is not None:
            guids.remember("thread", found, source.guid)
        merged = stored_as.get(thread, thread)
        if thread in documents and merged != thread:
            report.merged_sources.append((source.name, documents.get(merged, merged)))
            if session.get_one(Message, ids[thread]).text != source.text:  # the same but for white space
                stored_as[thread] = ""  # its offsets do not fit that message: its codings cannot be placed

    home = _codings_at_home(session, guids, project) if back else {}
    rows, selection_of = _codings(project, ranges, code_paths, report, back, stored_as, home)
    report.codings = import_codings(session, rows, display=project.path)
    del rows
    stored = _stored_codings(session, list(selection_of.values()), ids, code_ids)
    coding_ids: dict[str, int] = {}
    for (selection_guid, coding_guid), coding_id in zip(selection_of, stored, strict=True):
        if coding_id is not None:
            guids.remember("selection", coding_id, selection_guid)
            guids.remember("coding", coding_id, coding_guid)
            coding_ids[selection_guid] = coding_id

    report.cases = import_qdpx_cases(session, project, guids, ids, message_guids)
    report.memos = import_qdpx_memos(session, project, guids, ids, message_guids, coding_ids, code_ids, code_paths)
    guids.save()
    return report


def _stored_codings(
    session: Session,
    keys: list[tuple[str, str, str, int, int]],
    message_ids: dict[str, int],
    code_ids: dict[str, int],
) -> list[int | None]:
    """The id of the project's coding with each key (message, code, coder, start, end) by name, None where it has
    none: the project's codings of those messages are read by their ids, a few hundred messages at a time."""
    coder_ids = dict(session.execute(select(Coder.name, Coder.id)).all())
    wanted = [
        None if m is None or c is None or coder is None else (m, c, coder, key[3], key[4])
        for key in keys
        for m, c, coder in [(message_ids.get(key[0]), code_ids.get(key[1]), coder_ids.get(key[2]))]
    ]
    found: dict[tuple[int, int, int, int, int], int] = {}
    for chunk in chunks(sorted({ids[0] for ids in wanted if ids is not None})):
        for cid, message, code, coder, start, end in session.execute(
            select(Coding.id, Coding.message_id, Coding.code_id, Coding.coder_id, Coding.start, Coding.end).where(
                Coding.message_id.in_(chunk)
            )
        ):
            found[(message, code, coder, start, end)] = cid
    return [None if ids is None else found.get(ids) for ids in wanted]


def _message_ids(session: Session) -> tuple[dict[str, int], dict[str, str]]:
    """The project's messages by every id they are known under (their own and their aliases), and the id each is
    stored under: a message of the file may have merged into one the project or the file had already."""
    ids: dict[str, int] = dict(session.execute(select(Message.external_id, Message.id)).all())
    stored_as = {ext: ext for ext in ids}
    own = {mid: ext for ext, mid in ids.items()}
    for alias, mid in session.execute(select(MessageAlias.external_id, MessageAlias.message_id)):
        ids.setdefault(alias, mid)
        stored_as.setdefault(alias, own[mid])
    return ids, stored_as


def _codings(
    project: QdpxProject,
    ranges: dict[str, list[tuple[int, int, str]]],
    code_paths: dict[str, str],
    report: QdpxReport,
    back: dict[str, OffsetMap],
    stored_as: dict[str, str],
    home: dict[str, tuple[str, str, str, int, int]],
) -> tuple[list[CodingRow], dict[tuple[str, str], tuple[str, str, str, int, int]]]:
    """The codings of the file as rows for ``import_codings``, and the key of each (by selection and coding GUID);
    what cannot be one, or repeats an earlier one, goes to ``report.dropped``. ``home`` holds this project's own
    codings by GUID (see :func:`_codings_at_home`)."""
    rows: list[CodingRow] = []
    keys: dict[tuple[str, str], tuple[str, str, str, int, int]] = {}
    first: dict[tuple[str, str, str, int, int], str] = {}  # key -> the GUID of the coding that has it
    described: dict[str | None, tuple[CodingStatus, str, float | None]] = {}  # description -> what it says
    for source in project.sources:
        spans = ranges[source.guid]
        owner_of = _Owners(spans)
        for selection in source.selections:
            if not selection.codings:
                continue
            owner = owner_of(selection.start)
            start, end, message = 0, 0, ""
            if owner is not None:
                start, end = selection.start - owner[0], min(selection.end, owner[1]) - owner[0]
                message = stored_as.get(owner[2], owner[2])
                if selection.end > owner[1]:
                    report.clipped += 1
            if owner is None or not message or end <= start:
                reason = _(NO_MESSAGE if owner is None else OTHER_SPACING if not message else EMPTY_SPAN)
                report.dropped.extend(
                    DroppedCoding(reason, c[0], source.name, code_paths.get(c[1], c[1])) for c in selection.codings
                )
                continue
            shown = (start, end)
            if owner[2] in back:  # offsets into the file's redacted text: back into the stored one
                start, end = back[owner[2]].stored_span(start, end)
            said = described.get(selection.description)
            if said is None:
                values = fokus_fields(selection.description, "coding") or {}
                field = Fields(values, f"selection {selection.guid}", project.path)
                status = field.choice("status", CodingStatus, CodingStatus.ACCEPTED)
                origin = field.text("origin", MAX_LABEL_CHARS, N_("origin")) or "human"
                said = described[selection.description] = (status, origin, field.share("confidence"))
            status, origin, confidence = said
            where = f"selection {selection.guid}"
            for coding_guid, code_guid, user, when in selection.codings:
                path = code_paths.get(code_guid)
                if path is None:
                    report.dropped.append(DroppedCoding(_(UNKNOWN_CODE), coding_guid, source.name, code_guid))
                    continue
                coder = project.users.get(user or selection.creating_user or "") or IMPORT_CODER
                key = (message, path, coder, start, end)
                own = home.get(coding_guid.lower()) if owner[2] in back else None
                if own is not None and own[:3] == key[:3] and back[owner[2]].span(own[3], own[4]) == shown:
                    key = own  # this project's own coding, shown redacted: the span it has, not the whole name
                if key in first:
                    report.dropped.append(DroppedCoding(_(MERGED), coding_guid, source.name, path, first[key]))
                    continue
                first[key] = coding_guid
                rows.append(
                    CodingRow(
                        message,
                        path,
                        key[3],
                        key[4],
                        None,
                        status,
                        origin,
                        confidence,
                        coder,
                        when or selection.created,
                        where,
                    )
                )
                keys[(selection.guid, coding_guid)] = key
    return rows, keys


class _Owners:
    """The message a selection starts in, among a source's (start, end, message id) ranges in order: the first that
    holds its start, or starts there. Found by bisection when the ranges do not overlap (a file from fokus, or any
    document of one message); looked for one by one otherwise."""

    def __init__(self, spans: list[tuple[int, int, str]]) -> None:
        self.spans = spans
        self.starts = [span[0] for span in spans]
        self.apart = all(a[1] <= b[0] for a, b in pairwise(spans))

    def __call__(self, start: int) -> tuple[int, int, str] | None:
        spans = self.spans
        if not self.apart:
            return next((r for r in spans if r[0] <= start < r[1] or r[0] == start), None)
        at = bisect_left(self.starts, start)
        if at and start < spans[at - 1][1]:
            return spans[at - 1]  # the one range that holds it, before every range starting there
        return spans[at] if at < len(spans) and spans[at][0] == start else None


def _codings_at_home(session: Session, guids: Guids, project: QdpxProject) -> dict[str, tuple[str, str, str, int, int]]:
    """This project's own codings that the file names by their GUIDs: (message, code, coder, start, end) by GUID.

    A redacted export shows a name as one placeholder, so a coding of part of the name comes back covering all of
    it; one whose stored span is shown as the file's span is the coding the project has, and keeps its span."""
    wanted = {c[0].lower() for source in project.sources for s in source.selections for c in s.codings}
    local = {guid: local_id for (kind, local_id), guid in guids.known.items() if kind == "coding" and guid in wanted}
    found: dict[int, tuple[str, str, str, int, int]] = {}
    ids = sorted(local.values())
    for chunk in chunks(ids):
        for cid, m, c, coder, start, end in session.execute(
            select(Coding.id, Message.external_id, Code.path, Coder.name, Coding.start, Coding.end)
            .join(Message, Coding.message_id == Message.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
            .where(Coding.id.in_(chunk))
        ):
            found[cid] = (m, c, coder, start, end)
    return {guid: found[local_id] for guid, local_id in local.items() if local_id in found}
