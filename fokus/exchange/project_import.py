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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fokus.api.cases import CasesReport, import_cases
from fokus.api.codebook import CodebookReport, load_codebook
from fokus.api.codings import CodingsReport, import_codings
from fokus.api.messages import ImportReport, import_messages
from fokus.domain.chunks import chunks
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.exchange.guids import Guids
from fokus.exchange.qdpx_read import (
    EMPTY_SPAN,
    MERGED,
    NO_MESSAGE,
    OTHER_SPACING,
    UNKNOWN_CODE,
    DroppedCoding,
    ExternalFile,
    QdpxProject,
    Source,
)
from fokus.files.cases import AttributeSpec, CaseRow, CaseTable
from fokus.files.codings import CodingRow
from fokus.importers.limits import MAX_ID_CHARS, MAX_INTEGER, MAX_LABEL_CHARS, MAX_NAME_CHARS, check_length
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.model import (
    Attribute,
    AttributeType,
    Case,
    Code,
    Coder,
    CoderKind,
    Coding,
    CodingStatus,
    Memo,
    Message,
    MessageAlias,
    Participant,
    Thread,
    utcnow,
)

if TYPE_CHECKING:
    from fokus.privacy.redact import OffsetMap

TYPES = {
    "text": AttributeType.TEXT,
    "integer": AttributeType.INTEGER,
    "float": AttributeType.FLOAT,
    "boolean": AttributeType.BOOLEAN,
    "date": AttributeType.DATE,
    "datetime": AttributeType.TEXT,
}
UNKNOWN_AUTHOR = "Ukjent forfatter"
_Choice = TypeVar("_Choice", bound=StrEnum)
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


def _fields(description: str | None, kind: str) -> dict[str, str] | None:
    """The key=value lines of a "fokus:<kind>" description, or None when it is not one."""
    if not description or not description.startswith(f"fokus:{kind}"):
        return None
    values = {}
    for line in description.splitlines()[1:]:
        key, _, value = line.partition("=")
        values[key.strip()] = value
    return values


def import_qdpx(session: Session, project: QdpxProject) -> QdpxReport:
    """Add the project's content (see the module docstring); returns what was imported and what was not."""
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

    records, ranges, message_guids, redacted = _messages(project)
    back = _unredact(session, records, redacted, project.path)
    parsed = ParsedSource(project.path, SourceKind.QDPX, project.sha256, records)
    report.messages = import_messages(session, [parsed])
    ids, stored_as = _message_ids(session)
    for guid, ext in message_guids.items():
        guids.remember("message", ids[ext], guid)
    documents = {_thread_id(s): s.name for s in project.sources if ranges[s.guid] == [(0, len(s.text), _thread_id(s))]}
    for source in project.sources:
        thread = _thread_id(source)
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
    by_key = {
        (m, c, coder, s, e): cid
        for cid, m, c, coder, s, e in session.execute(
            select(Coding.id, Message.external_id, Code.path, Coder.name, Coding.start, Coding.end)
            .join(Message, Coding.message_id == Message.id)
            .join(Code, Coding.code_id == Code.id)
            .join(Coder, Coding.coder_id == Coder.id)
        )
    }
    coding_ids: dict[str, int] = {}
    for (selection_guid, coding_guid), key in selection_of.items():
        coding_id = by_key.get(key)
        if coding_id is not None:
            guids.remember("selection", coding_id, selection_guid)
            guids.remember("coding", coding_id, coding_guid)
            coding_ids[selection_guid] = coding_id

    report.cases = _cases(session, project, guids, ids, message_guids)
    report.memos = _memos(session, project, guids, ids, message_guids, coding_ids, code_ids, code_paths)
    guids.save()
    return report


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


class _Fields:
    """The key=value lines of one "fokus:..." description, each read as the column that stores it: a kind fokus
    does not know, a count that is no whole number or is beyond 64 bits, an id longer than its column is refused
    naming the file and the selection, rather than failing in the database (PostgreSQL holds columns to their
    declared length, where SQLite stored anything)."""

    def __init__(self, values: dict[str, str], where: str, display: str) -> None:
        self.values, self.where, self.display = values, where, display

    def _refuse(self, key: str, reason: str) -> FokusError:
        return FokusError(f"{key}={self.values[key][:40]!r}: {reason}", path=self.display, where=self.where)

    def text(self, key: str, limit: int, what: str) -> str | None:
        value = self.values.get(key)
        return check_length(value, limit, what, self.where, self.display) if value else None

    def choice(self, key: str, kind: type[_Choice], default: _Choice) -> _Choice:
        value = self.values.get(key)
        if not value:
            return default
        try:
            return kind(value.strip())
        except ValueError:
            raise self._refuse(key, f"not one of {', '.join(str(c) for c in kind)}") from None

    def whole(self, key: str) -> int | None:
        value = self.values.get(key, "").strip()
        if not value:
            return None
        digits = value.removeprefix("-")
        if not digits.isascii() or not digits.isdigit():
            raise self._refuse(key, "not a whole number")
        if len(digits.lstrip("0")) > len(str(MAX_INTEGER)) or not -MAX_INTEGER - 1 <= int(value) <= MAX_INTEGER:
            raise self._refuse(key, f"larger than a whole number can be ({MAX_INTEGER:,})")
        return int(value)

    def share(self, key: str) -> float | None:
        value = self.values.get(key, "").strip()
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not 0 <= number <= 1:
            raise self._refuse(key, "not a number from 0 to 1")
        return number

    def time(self, key: str) -> datetime | None:
        value = self.values.get(key, "").strip()
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("no time zone")
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self._refuse(key, "not a date and time with its time zone (ISO 8601)") from None


def _thread_id(source: Source) -> str:
    values = _fields(source.description, "thread")
    return values["id"] if values and values.get("id") else f"qdpx:{source.guid}"


def _unredact(session: Session, records: list[MessageRecord], redacted: set[str], display: str) -> dict[str, OffsetMap]:
    """A file from fokus shows some messages with names redacted (``redacted=names``). Where the project has such a
    message already, its stored text stays (a redacted rendering is no edit), and the file's offsets are mapped
    back into it: returns those maps by message id. A message the project holds with other text than the file's
    redaction of it cannot be placed safely and is refused, and so is one of the project's own messages whose id
    the file shows redacted (``redacted:m<N>``), which would come in twice."""
    from fokus.privacy.redact import Redactor, shown_message_ids

    own = shown_message_ids(session, (record.source_id for record in records))
    for record in records:
        if record.source_id in own:
            raise FokusError(
                f"message {record.source_id!r} is this project's own message, with its id redacted in the file",
                path=display,
                where=record.location,
                hint="export it again with --real-names to bring it back into this project",
            )
    if not redacted:
        return {}

    stored = {
        ext: (mid, text)
        for ext, mid, text in session.execute(
            select(Message.external_id, Message.id, Message.text).where(Message.external_id.in_(sorted(redacted)))
        )
    }
    redactor = Redactor(session, enabled=True)
    back: dict[str, OffsetMap] = {}
    for index, record in enumerate(records):
        if record.source_id not in stored:
            continue
        mid, text = stored[record.source_id]
        shown, offsets = redactor.message(mid, text)
        if shown != record.text:
            raise FokusError(
                f"message {record.source_id!r} is redacted in the file, and its redaction differs from the project's"
                " text",
                path=display,
                where=record.location,
                hint="import it into an empty project, or export it again with --real-names",
            )
        records[index] = replace(record, text=text)
        back[record.source_id] = offsets
    return back


def _messages(
    project: QdpxProject,
) -> tuple[list[MessageRecord], dict[str, list[tuple[int, int, str]]], dict[str, str], set[str]]:
    """Message records, each source's (start, end, message id) ranges, the GUID of each message selection, and the
    ids of the messages the file shows redacted."""
    records: list[MessageRecord] = []
    ranges: dict[str, list[tuple[int, int, str]]] = {}
    message_guids: dict[str, str] = {}
    redacted: set[str] = set()
    for source in project.sources:
        thread = check_length(_thread_id(source), MAX_ID_CHARS, "thread id", f"source {source.name}", project.path)
        thread_title = (_fields(source.description, "thread") or {}).get("title") or None
        found: list[tuple[int, int, str]] = []
        for selection in source.selections:
            values = _fields(selection.description, "message")
            if values is None or not values.get("id"):
                continue
            located = f"selection {selection.guid}"
            field = _Fields(values, located, project.path)
            kind = field.choice("kind", MessageKind, MessageKind.POST)
            unplaced = values.get("placement") == "unplaced"  # a DYI comment whose thread was never known
            records.append(
                MessageRecord(
                    source_id=field.text("id", MAX_ID_CHARS, "message id") or "",
                    thread_id=None if unplaced else thread,
                    parent_id=None if unplaced else values.get("parent") or None,
                    group=thread.removeprefix("unplaced:") if unplaced else None,
                    parent_author=values.get("answers") or None,
                    kind=kind,
                    author=field.text("participant", MAX_NAME_CHARS, "participant") or UNKNOWN_AUTHOR,
                    created_at=field.time("created_at") or selection.created or datetime.now(UTC),
                    text=source.text[selection.start : selection.end],
                    location=located,
                    reactions=field.whole("reactions"),
                    url=values.get("url") or None,
                    title=thread_title if kind is MessageKind.POST else None,
                )
            )
            found.append((selection.start, selection.end, values["id"]))
            message_guids[selection.guid] = values["id"]
            if values.get("redacted"):
                redacted.add(values["id"])
        if not found:  # a document from another tool: one message
            records.append(
                MessageRecord(
                    source_id=thread,
                    thread_id=thread,
                    parent_id=None,
                    kind=MessageKind.POST,
                    author=project.users.get(source.creating_user or "", UNKNOWN_AUTHOR),
                    created_at=source.created or datetime.now(UTC),
                    text=source.text,
                    location=f"source {source.name}",
                    title=source.name,
                )
            )
            found.append((0, len(source.text), thread))
            message_guids[source.guid] = thread  # a case's SourceRef names the document: its one message
        ranges[source.guid] = sorted(found)
    return records, ranges, message_guids, redacted


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
    for source in project.sources:
        spans = ranges[source.guid]
        for selection in source.selections:
            if not selection.codings:
                continue
            owner = next((r for r in spans if r[0] <= selection.start < r[1] or r[0] == selection.start), None)
            start, end, message = 0, 0, ""
            if owner is not None:
                start, end = selection.start - owner[0], min(selection.end, owner[1]) - owner[0]
                message = stored_as.get(owner[2], owner[2])
                if selection.end > owner[1]:
                    report.clipped += 1
            if owner is None or not message or end <= start:
                reason = NO_MESSAGE if owner is None else OTHER_SPACING if not message else EMPTY_SPAN
                report.dropped.extend(
                    DroppedCoding(reason, c[0], source.name, code_paths.get(c[1], c[1])) for c in selection.codings
                )
                continue
            shown = (start, end)
            if owner[2] in back:  # offsets into the file's redacted text: back into the stored one
                start, end = back[owner[2]].stored_span(start, end)
            values = _fields(selection.description, "coding") or {}
            field = _Fields(values, f"selection {selection.guid}", project.path)
            status = field.choice("status", CodingStatus, CodingStatus.ACCEPTED)
            origin = field.text("origin", MAX_LABEL_CHARS, "origin") or "human"
            confidence = field.share("confidence")
            for coding_guid, code_guid, user, when in selection.codings:
                path = code_paths.get(code_guid)
                if path is None:
                    report.dropped.append(DroppedCoding(UNKNOWN_CODE, coding_guid, source.name, code_guid))
                    continue
                coder = project.users.get(user or selection.creating_user or "") or IMPORT_CODER
                key = (message, path, coder, start, end)
                own = home.get(coding_guid.lower()) if owner[2] in back else None
                if own is not None and own[:3] == key[:3] and back[owner[2]].span(own[3], own[4]) == shown:
                    key = own  # this project's own coding, shown redacted: the span it has, not the whole name
                if key in first:
                    report.dropped.append(DroppedCoding(MERGED, coding_guid, source.name, path, first[key]))
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
                        f"selection {selection.guid}",
                    )
                )
                keys[(selection.guid, coding_guid)] = key
    return rows, keys


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


def _cases(
    session: Session,
    project: QdpxProject,
    guids: Guids,
    message_ids: dict[str, int],
    message_guids: dict[str, str],
) -> CasesReport | None:
    if not project.cases:
        return None
    attributes = [
        AttributeSpec(name, TYPES.get(kind.lower(), AttributeType.TEXT), position)
        for position, (name, kind) in enumerate(project.variables.values())
    ]
    by_guid = dict(zip(project.variables, attributes, strict=True))
    rows = []
    for case in project.cases:
        values: dict[str, Any] = {}
        for guid, raw in case.values.items():
            spec = by_guid.get(guid)
            if spec is not None:
                values[spec.name] = _typed(raw, spec.type)
        rows.append(CaseRow(case.name, values, 0))
    report = import_cases(session, CaseTable(attributes, rows), project.path)
    attribute_ids = dict(session.execute(select(Attribute.name, Attribute.id)).all())
    for guid, spec in by_guid.items():
        guids.remember("attribute", attribute_ids[spec.name], guid)
    case_ids = {name.casefold(): cid for cid, name in session.execute(select(Case.id, Case.name))}
    author_of = dict(session.execute(select(Message.id, Message.participant_id)).all())
    case_of = dict(session.execute(select(Participant.id, Participant.case_id)).all())
    links: dict[int, int] = {}  # participant -> case, for participants without one
    for case in project.cases:
        case_id = case_ids[" ".join(case.name.split()).casefold()]
        guids.remember("case", case_id, case.guid)
        for ref in case.selections:
            ext = message_guids.get(ref)
            participant = author_of.get(message_ids[ext]) if ext is not None else None
            if participant is not None and case_of.get(participant) is None:
                links.setdefault(participant, case_id)
    for participant, case_id in links.items():
        session.execute(update(Participant).where(Participant.id == participant).values(case_id=case_id))
    return report


def _typed(raw: str, kind: AttributeType) -> Any:
    """A variable's value in its type; None when it is not one (nor one a database holds: a whole number beyond 64
    bits, a float that is not finite, which SQLite would store as NULL and PostgreSQL as NaN)."""
    try:
        if kind is AttributeType.INTEGER:
            number = int(raw) if len(raw) <= 25 else None
            return number if number is not None and -MAX_INTEGER - 1 <= number <= MAX_INTEGER else None
        if kind is AttributeType.FLOAT:
            value = float(raw)
            return value if math.isfinite(value) else None
        if kind is AttributeType.BOOLEAN:
            return raw.strip().lower() in ("true", "1")
        if kind is AttributeType.DATE:
            return date.fromisoformat(raw[:10])
    except ValueError:
        return None
    return raw


def _memos(
    session: Session,
    project: QdpxProject,
    guids: Guids,
    message_ids: dict[str, int],
    message_guids: dict[str, str],
    coding_ids: dict[str, int],
    code_ids: dict[str, int],
    code_paths: dict[str, str],
) -> int:
    targets: dict[str, tuple[str, str]] = {}
    for code_guid, note_guids in project.code_notes.items():
        for note_guid in note_guids:
            targets[note_guid] = ("code", code_guid)
    for source in project.sources:
        for selection in source.selections:
            for note_guid in selection.notes:
                targets[note_guid] = ("selection", selection.guid)
    case_ids = {guid: local for (kind, local), guid in guids.known.items() if kind == "case"}
    coders = dict(session.execute(select(Coder.name, Coder.id)).all())
    count = 0
    for note in project.notes:
        if note.guid in guids.taken:
            continue  # imported (or exported from here) before
        values = _fields(note.description, "memo") or {}
        kind, target = targets.get(note.guid, (values.get("target", "project"), values.get("target_guid", "")))
        memo = Memo(text=note.text, created_at=note.created or utcnow(), updated_at=utcnow())
        if kind in ("selection", "message", "coding"):
            if target in message_guids:
                memo.message_id = message_ids[message_guids[target]]
            elif target in coding_ids:
                memo.coding_id = coding_ids[target]
        elif kind == "code" and target in code_paths:
            memo.code_id = code_ids[code_paths[target]]
        elif kind == "case" and target in case_ids:
            memo.case_id = case_ids[target]
        user = project.users.get(note.creating_user or "")
        memo.coder_id = coders.get(user) if user else None
        session.add(memo)
        session.flush()
        guids.remember("memo", memo.id, note.guid)
        count += 1
    return count
