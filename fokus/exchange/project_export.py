"""Exporting a project as REFI-QDA (.qdpx): for NVivo, ATLAS.ti, MAXQDA, QualCoder and qc.

Each thread becomes a text source (the conversation rendered as one document, see ``render``), stored as
``sources/<guid>.txt`` in the zip. Codes keep their hierarchy, descriptions (with the inclusion and exclusion notes
and examples) and colours; coders become users; every coding becomes a ``PlainTextSelection`` with one ``Coding``
by its coder; memos become notes, referenced from what they are about where the schema allows it; cases and their
typed attributes become ``Cases`` and ``Variables``, each case pointing at the passages its participants wrote.

fokus's own structure travels in the ``Description`` elements other tools show but do not need ("fokus:message",
"fokus:coding", "fokus:thread" lines), so a project exported by fokus and imported again loses nothing. Real names
never leave: authors appear by pseudonym, and names people wrote in messages, titles and memos are redacted
(fokus.privacy) unless the project turned that off or the caller asks for real names; each coding's selection is
moved with the redaction's offset map, so it points at the same words in the exported source. A redacted message
says so in its description ("redacted=names"); ids that may name someone are shown as ``redacted:m<N>`` and links
are left out, as in every export. Suggestions are left out unless asked for. GUIDs are stored, so the
same object has the same GUID in every export.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from fokus import __version__
from fokus.allocation import fewer_collections
from fokus.api.cases import case_value
from fokus.api.codebook import codebook_rows
from fokus.domain.collation import norwegian
from fokus.domain.passages import spoken_messages
from fokus.exchange.codes import code_description
from fokus.exchange.guids import Guids
from fokus.exchange.render import RenderedMessage, render_thread
from fokus.files.output import open_binary
from fokus.model import (
    Attribute,
    AttributeType,
    Case,
    CaseValue,
    Code,
    Coder,
    Coding,
    Memo,
    Message,
    Participant,
    Thread,
)
from fokus.privacy import OffsetMap, export_redactor

NS = "urn:QDA-XML:project:1.0"
VARIABLE_TYPES = {
    AttributeType.TEXT: ("Text", "TextValue"),
    AttributeType.INTEGER: ("Integer", "IntegerValue"),
    AttributeType.FLOAT: ("Float", "FloatValue"),
    AttributeType.BOOLEAN: ("Boolean", "BooleanValue"),
    AttributeType.DATE: ("Date", "DateValue"),
}


@dataclass
class ExportReport:
    sources: int = 0
    codings: int = 0
    codes: int = 0
    memos: int = 0
    cases: int = 0
    left_out_suggestions: int = 0


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: ET.Element, tag: str, /, **attributes: str | None) -> ET.Element:
    return ET.SubElement(parent, _q(tag), {k: v for k, v in attributes.items() if v is not None})


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lines(kind: str, values: dict[str, Any]) -> str:
    """The machine-readable description fokus reads back: a first line naming the kind, then key=value lines."""
    body = "".join(f"\n{key}={value}" for key, value in values.items() if value is not None and value != "")
    return f"fokus:{kind}{body}"


def export_qdpx(
    session: Session, out: Path, *, include_suggestions: bool = False, name: str = "fokus", real_names: bool = False
) -> ExportReport:
    """Write the project to ``out`` (atomically: a failed export leaves no file); ``real_names`` leaves the names
    people wrote in the texts (only when the user asks)."""
    with fewer_collections():  # an element for each selection, coding and reference: hundreds of thousands
        return _export(session, out, include_suggestions=include_suggestions, name=name, real_names=real_names)


def _export(session: Session, out: Path, *, include_suggestions: bool, name: str, real_names: bool) -> ExportReport:
    report = ExportReport()
    redactor = export_redactor(session, real_names=real_names)
    redactor.prepare()
    guids = Guids(session)
    root = ET.Element(
        _q("Project"),
        {"name": name, "origin": f"fokus {__version__}", "creationDateTime": _time(datetime.now(UTC))},
    )
    statuses = ("accepted", "suggested") if include_suggestions else ("accepted",)

    coders = {coder.id: coder for coder in session.scalars(select(Coder).order_by(Coder.id))}
    users = _sub(root, "Users")
    for coder in coders.values():
        _sub(users, "User", guid=guids.get("coder", coder.id), name=coder.name)
    root.set("creatingUserGUID", guids.get("coder", min(coders)) if coders else guids.get("project", 0))

    memos = list(session.scalars(select(Memo).order_by(Memo.id)))
    memo_refs: dict[tuple[str, int], list[str]] = defaultdict(list)
    for memo in memos:
        target = (
            ("message", memo.message_id)
            if memo.message_id
            else ("coding", memo.coding_id)
            if memo.coding_id
            else ("code", memo.code_id)
            if memo.code_id
            else ("case", memo.case_id)
            if memo.case_id
            else ("project", 0)
        )
        memo_refs[(target[0], target[1] or 0)].append(guids.get("memo", memo.id))

    code_ids = dict(session.execute(select(Code.path, Code.id)).all())
    codebook = _sub(root, "CodeBook")
    codes_element = _sub(codebook, "Codes")
    elements: dict[str, ET.Element] = {}
    # parents before their children (a code moved under a newer one comes earlier in codebook order); the sort is
    # stable, so siblings keep their codebook order
    for row in sorted(codebook_rows(session), key=lambda row: row["id"].count("/")):
        parent = elements[row["parent"]] if row["parent"] else codes_element
        code_id = code_ids[row["id"]]
        element = _sub(
            parent,
            "Code",
            guid=guids.get("code", code_id),
            name=row["name"],
            isCodable="true" if row["codable"] else "false",
            color=row["color"],
        )
        description = code_description(row)
        if description:
            _sub(element, "Description").text = description
        for note_guid in memo_refs.get(("code", code_id), []):
            _sub(element, "NoteRef", targetGUID=note_guid)
        elements[row["id"]] = element
        report.codes += 1

    attributes = list(session.scalars(select(Attribute).order_by(Attribute.position, Attribute.id)))
    variables = _sub(root, "Variables")
    for attribute in attributes:
        kind, _ = VARIABLE_TYPES[AttributeType(attribute.type)]
        _sub(variables, "Variable", guid=guids.get("attribute", attribute.id), name=attribute.name, typeOfVariable=kind)

    # messages by thread, with what the rendering and the case links need
    answered = aliased(Participant)
    rows = session.execute(
        spoken_messages(Message, Participant.pseudonym, Participant.case_id, Case.name, Thread, answered.pseudonym)
        .outerjoin(answered, Message.answers_participant_id == answered.id)
        .order_by(Thread.created_at, Thread.id, Message.created_at, Message.id)
    ).all()
    by_thread: dict[int, list[Any]] = defaultdict(list)
    threads: dict[int, Thread] = {}
    for message, pseudonym, case_id, case_name, thread, answers in rows:
        by_thread[thread.id].append((message, pseudonym, case_id, case_name, answers))
        threads[thread.id] = thread
    codings_by_message: dict[int, list[Coding]] = defaultdict(list)
    for coding in session.scalars(select(Coding).where(Coding.status.in_(statuses)).order_by(Coding.id)):
        codings_by_message[coding.message_id].append(coding)
    if not include_suggestions:
        suggested = select(func.count()).select_from(Coding).where(Coding.status == "suggested")
        report.left_out_suggestions = session.scalar(suggested) or 0
    external = {message.id: message.external_id for message, *_ in rows}
    paths = {cid: path for path, cid in code_ids.items()}

    cases_element = _sub(root, "Cases")  # the schema puts Cases before Sources; they are filled below
    sources = _sub(root, "Sources")
    texts: dict[str, str] = {}
    case_selections: dict[int, list[str]] = defaultdict(list)
    for thread_id, items in by_thread.items():
        thread = threads[thread_id]
        first = items[0][0]
        shown = {m.id: redactor.message(m.id, m.text) for m, *_ in items}
        thread_title = redactor.free(thread.title)
        shown_thread = redactor.thread_id(thread_id, thread.external_id)
        title = thread_title or " ".join(shown[first.id][0].split()[:12]) or shown_thread
        rendered = [
            RenderedMessage(m.id, m.parent_id, m.created_at, pseudonym, case_name, shown[m.id][0])
            for m, pseudonym, _, case_name, _ in items
        ]
        text, offsets = render_thread(title, rendered)
        guid = guids.get("thread", thread_id)
        texts[guid] = text
        source = _sub(
            sources,
            "TextSource",
            guid=guid,
            name=title[:100],
            plainTextPath=f"internal://{guid}.txt",
            creationDateTime=_time(thread.created_at),
        )
        _sub(source, "Description").text = _lines("thread", {"id": shown_thread, "title": thread_title})
        for message, pseudonym, case_id, _, answers in items:
            start, end = offsets[message.id]
            selection_guid = guids.get("message", message.id)
            selection = _sub(
                source,
                "PlainTextSelection",
                guid=selection_guid,
                name=f"{pseudonym} {message.created_at.astimezone(UTC):%Y-%m-%d %H:%M}",
                startPosition=str(start),
                endPosition=str(end),
                creationDateTime=_time(message.created_at),
            )
            _sub(selection, "Description").text = _lines(
                "message",
                {
                    "id": redactor.message_id(message.id, message.external_id),
                    "parent": redactor.message_id(message.parent_id, external[message.parent_id])
                    if message.parent_id in external
                    else None,
                    "kind": message.kind,
                    "participant": pseudonym,
                    "created_at": message.created_at.astimezone(UTC).isoformat(),
                    "reactions": message.reactions,
                    "url": redactor.url(message.url),
                    "placement": message.placement,
                    "answers": answers,
                    "redacted": "names" if shown[message.id][0] != message.text else None,
                },
            )
            for note_guid in memo_refs.get(("message", message.id), []):
                _sub(selection, "NoteRef", targetGUID=note_guid)
            if case_id is not None:
                case_selections[case_id].append(selection_guid)
            for coding in codings_by_message.get(message.id, []):
                _coding(source, coding, start, shown[message.id][1], guids, paths, memo_refs)
                report.codings += 1
        report.sources += 1

    values: dict[int, list[CaseValue]] = defaultdict(list)
    for value in session.scalars(select(CaseValue)):
        values[value.case_id].append(value)
    by_attribute = {a.id: a for a in attributes}
    for case in sorted(session.scalars(select(Case)), key=lambda c: norwegian(c.name)):
        element = _sub(cases_element, "Case", guid=guids.get("case", case.id), name=case.name)
        for value in sorted(values.get(case.id, []), key=lambda v: by_attribute[v.attribute_id].position):
            attribute = by_attribute[value.attribute_id]
            _, tag = VARIABLE_TYPES[AttributeType(attribute.type)]
            raw = case_value(value, attribute)
            if raw is None:
                continue
            holder = _sub(element, "VariableValue")
            _sub(holder, "VariableRef", targetGUID=guids.get("attribute", attribute.id))
            _sub(holder, tag).text = _value_text(raw)
        for selection_guid in case_selections.get(case.id, []):
            _sub(element, "SelectionRef", targetGUID=selection_guid)
        report.cases += 1

    notes = _sub(root, "Notes")
    targets = {guid: target for target, found in memo_refs.items() for guid in found}
    for memo in memos:
        guid = guids.get("memo", memo.id)
        kind, local = targets[guid]
        target_guid = None if kind == "project" else guids.get(kind if kind != "coding" else "selection", local)
        memo_text = redactor.free(memo.text) or ""
        note = _sub(
            notes,
            "Note",
            guid=guid,
            name=" ".join(memo_text.split()[:8])[:80] or "Memo",
            creatingUser=guids.get("coder", memo.coder_id) if memo.coder_id else None,
            creationDateTime=_time(memo.created_at),
        )
        _sub(note, "Description").text = _lines("memo", {"target": kind, "target_guid": target_guid})
        _sub(note, "PlainTextContent").text = memo_text
        report.memos += 1
    for note_guid in memo_refs.get(("project", 0), []):
        _sub(root, "NoteRef", targetGUID=note_guid)

    for empty in (users, codebook, variables, sources, cases_element, notes):
        if len(empty) == 0:
            root.remove(empty)
    ET.register_namespace("", NS)
    ET.indent(root, space=" ")
    _write_zip(out, root, texts)
    guids.save()
    return report


def _coding(
    source: ET.Element,
    coding: Coding,
    offset: int,
    offsets: OffsetMap,
    guids: Guids,
    paths: dict[int, str],
    memo_refs: dict[tuple[str, int], list[str]],
) -> None:
    coder_guid = guids.get("coder", coding.coder_id)
    selection = _sub(
        source,
        "PlainTextSelection",
        guid=guids.get("selection", coding.id),
        name=paths[coding.code_id],
        startPosition=str(offset + offsets.start(coding.start)),
        endPosition=str(offset + offsets.end(coding.end)),
        creatingUser=coder_guid,
        creationDateTime=_time(coding.created_at),
    )
    _sub(selection, "Description").text = _lines(
        "coding", {"status": coding.status, "origin": coding.origin, "confidence": coding.confidence}
    )
    element = _sub(
        selection,
        "Coding",
        guid=guids.get("coding", coding.id),
        creatingUser=coder_guid,
        creationDateTime=_time(coding.created_at),
    )
    _sub(element, "CodeRef", targetGUID=guids.get("code", coding.code_id))
    for note_guid in memo_refs.get(("coding", coding.id), []):
        _sub(selection, "NoteRef", targetGUID=note_guid)


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_zip(out: Path, root: ET.Element, texts: dict[str, str]) -> None:
    """Write ``out`` whole or not at all, a device or a pipe straight into (fokus.files.output); missing folders
    are made. The XML is encoded and compressed as it is serialised, not held whole first."""
    with open_binary(out) as stream, zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("project.qde", "w") as member:
            member.write(b"<?xml version='1.0' encoding='utf-8'?>\n")
            writer = _Utf8(member)
            ET.ElementTree(root).write(writer, encoding="unicode")
            writer.flush()
        for guid, text in texts.items():
            archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))


class _Utf8:
    """A text stream onto a binary one, encoding as ElementTree's own UTF-8 writer does (a lone surrogate becomes a
    character reference), a few thousand of its small pieces at a time rather than each on its own."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.pieces: list[str] = []

    def write(self, text: str) -> None:
        self.pieces.append(text)
        if len(self.pieces) >= 4096:
            self.flush()

    def flush(self) -> None:
        self.stream.write("".join(self.pieces).encode("utf-8", "xmlcharrefreplace"))
        self.pieces.clear()
