"""The messages of a REFI-QDA project as message records: the "fokus:message" selections of a file fokus exported,
or one message per text source from another tool; and a redacted file's messages mapped back onto the project's
own text. Used by :mod:`fokus.exchange.project_import`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.errors import FokusError
from fokus.exchange.qdpx_fields import Fields, fokus_fields, thread_id
from fokus.exchange.qdpx_read import QdpxProject
from fokus.i18n import N_, _
from fokus.importers.limits import MAX_ID_CHARS, MAX_NAME_CHARS, check_length
from fokus.importers.records import MessageKind, MessageRecord
from fokus.model import Message

if TYPE_CHECKING:
    from fokus.privacy.redact import OffsetMap

UNKNOWN_AUTHOR = "Ukjent forfatter"


def unredact(session: Session, records: list[MessageRecord], redacted: set[str], display: str) -> dict[str, OffsetMap]:
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
                _("message {id!r} is this project's own message, with its id redacted in the file").format(
                    id=record.source_id
                ),
                path=display,
                where=record.location,
                hint=_("export it again with --real-names to bring it back into this project"),
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
                _("message {id!r} is redacted in the file, and its redaction differs from the project's text").format(
                    id=record.source_id
                ),
                path=display,
                where=record.location,
                hint=_("import it into an empty project, or export it again with --real-names"),
            )
        records[index] = replace(record, text=text)
        back[record.source_id] = offsets
    return back


def message_records(
    project: QdpxProject,
) -> tuple[list[MessageRecord], dict[str, list[tuple[int, int, str]]], dict[str, str], set[str]]:
    """Message records, each source's (start, end, message id) ranges, the GUID of each message selection, and the
    ids of the messages the file shows redacted."""
    records: list[MessageRecord] = []
    ranges: dict[str, list[tuple[int, int, str]]] = {}
    message_guids: dict[str, str] = {}
    redacted: set[str] = set()
    for source in project.sources:
        thread = check_length(thread_id(source), MAX_ID_CHARS, N_("thread id"), f"source {source.name}", project.path)
        thread_title = (fokus_fields(source.description, "thread") or {}).get("title") or None
        found: list[tuple[int, int, str]] = []
        for selection in source.selections:
            values = fokus_fields(selection.description, "message")
            if values is None or not values.get("id"):
                continue
            located = f"selection {selection.guid}"
            field = Fields(values, located, project.path)
            kind = field.choice("kind", MessageKind, MessageKind.POST)
            unplaced = values.get("placement") == "unplaced"  # a DYI comment whose thread was never known
            records.append(
                MessageRecord(
                    source_id=field.text("id", MAX_ID_CHARS, N_("message id")) or "",
                    thread_id=None if unplaced else thread,
                    parent_id=None if unplaced else values.get("parent") or None,
                    group=thread.removeprefix("unplaced:") if unplaced else None,
                    parent_author=values.get("answers") or None,
                    kind=kind,
                    author=field.text("participant", MAX_NAME_CHARS, N_("participant")) or UNKNOWN_AUTHOR,
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
