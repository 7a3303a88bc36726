"""Reading a REFI-QDA project (.qdpx) into plain records: no database here, and nothing trusted.

The zip is opened with the same checks as any export (no member outside the archive, no zip bombs, bounded sizes),
the XML is parsed with entities, DTDs and external references refused. Text sources are found wherever real tools
put them: ``internal://`` (the zip's ``sources/`` folder, in any letter case), ``relative://`` (beside the .qdpx),
``absolute://``, a bare file name, or inline ``PlainTextContent``; a byte-order mark at the start is dropped (tools
count positions after it). What fokus does not model (PDF, picture, audio and video sources, sets, graphs, links)
is counted, so the import can say what it left behind.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

from fokus.errors import FokusError
from fokus.exchange.qdc import GUID, QdcCodebook, codebook_from_element
from fokus.exchange.xmlsafe import child, children, local, parse_xml, text_of, where
from fokus.importers.archive import SafeZip
from fokus.importers.decoding import decode_text
from fokus.importers.limits import MAX_LABEL_CHARS, MAX_NAME_CHARS, MAX_PARSE_BYTES, check_length, check_no_nul

NOT_MODELLED = {
    "PDFSource": "PDF sources",
    "PictureSource": "picture sources",
    "AudioSource": "audio sources",
    "VideoSource": "video sources",
    "Set": "sets",
    "Graph": "graphs",
    "Link": "links",
}


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    description: str | None
    creating_user: str | None
    created: datetime | None
    codings: list[tuple[str, str, str | None, datetime | None]] = field(default_factory=list)  # guid, code, user, when
    notes: list[str] = field(default_factory=list)


@dataclass
class Source:
    guid: str
    name: str
    text: str
    description: str | None
    creating_user: str | None
    created: datetime | None
    selections: list[Selection] = field(default_factory=list)


@dataclass
class Note:
    guid: str
    name: str
    text: str
    description: str | None
    creating_user: str | None
    created: datetime | None


@dataclass
class CaseRecord:
    guid: str
    name: str
    values: dict[str, str]  # variable guid -> value as written
    selections: list[str]


@dataclass
class QdpxProject:
    path: str
    sha256: str
    name: str
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codebook: QdcCodebook | None = None
    code_notes: dict[str, list[str]] = field(default_factory=dict)  # code guid -> note guids
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> (name, typeOfVariable)
    cases: list[CaseRecord] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    not_modelled: Counter[str] = field(default_factory=Counter)
    external_files: list[str] = field(default_factory=list)


def _guid(element: ET.Element, display: str, attribute: str = "guid") -> str:
    """A GUID as the project keeps it (lowercase, without braces); anything else is refused, as in a codebook."""
    value = element.get(attribute)
    if not value:
        raise FokusError(f"a {local(element.tag)} element has no {attribute}", path=display, where=where(element))
    found = GUID.match(value.strip())
    if found is None:
        raise FokusError(
            f"a {local(element.tag)} element has a bad {attribute} {value[:60]!r}",
            path=display,
            where=where(element),
            hint="a GUID is 8-4-4-4-12 hexadecimal digits",
        )
    return found.group(1).lower()


def _name(element: ET.Element, limit: int, what: str, display: str, default: str) -> str:
    """A name the project stores (a user's, a case's, a variable's), within what its column holds."""
    value = element.get("name") or default
    return check_length(value, limit, what, where(element), display)


def _when(value: str | None) -> datetime | None:
    """A creation time, or None when there is none or it cannot be read (year 1 at +01:00 cannot be put in UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def read_qdpx(path: Path) -> QdpxProject:
    """Read and check a .qdpx file; every problem is one FokusError naming the file."""
    display = str(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    with SafeZip(path, display) as archive:
        members = {info.filename.lower(): info for info in archive.members}
        qde = members.get("project.qde") or next((i for k, i in members.items() if k.endswith(".qde")), None)
        if qde is None:
            raise FokusError("holds no project.qde: not a REFI-QDA project", path=display)
        root = parse_xml(archive.read(qde), f"{display}!{qde.filename}")
        if local(root.tag) != "Project":
            raise FokusError(f"the root element is {local(root.tag)!r}, not a REFI-QDA Project", path=display)

        def member_text(name: str) -> str:
            wanted = members.get(name.lower()) or members.get(f"sources/{name}".lower())
            if wanted is None:
                raise FokusError(f"the source {name!r} is not in the archive", path=display)
            return _decode(archive.read(wanted), f"{display}!{wanted.filename}")

        project = QdpxProject(display, digest.hexdigest(), root.get("name") or path.stem)
        _read(root, project, display, member_text, path.parent)
    return project


def _decode(data: bytes, display: str) -> str:
    """A source text: UTF-8 as REFI-QDA prescribes (with or without a byte-order mark), or UTF-16 when a byte-order
    mark says so. Anything else is an error, not a guess: a wrong guess would shift every coding's offsets."""
    if len(data) > MAX_PARSE_BYTES:
        raise FokusError("a source text is too large", path=display)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FokusError(f"damaged UTF-16 text: {exc.reason}", path=display) from None
    else:
        text = decode_text(data, display)
    nul = text.find("\x00")
    if nul >= 0:  # stored, it would keep the project from PostgreSQL, which refuses it
        check_no_nul(text, "the source text", f"line {text.count(chr(10), 0, nul) + 1}", display)
    return text


def _read(root: ET.Element, project: QdpxProject, display: str, member_text: Callable[[str], str], base: Path) -> None:
    for element in root.iter():
        name = local(element.tag)
        if name in NOT_MODELLED:
            project.not_modelled[NOT_MODELLED[name]] += 1
    users = child(root, "Users")
    for user in children(users, "User") if users is not None else ():
        name = _name(user, MAX_NAME_CHARS, "user name", display, user.get("id") or "ukjent")  # a coder; an author
        project.users[_guid(user, display)] = name
    codebook = child(root, "CodeBook")
    if codebook is not None:
        project.codebook = codebook_from_element(codebook, display, name=project.name)
        for code in codebook.iter():
            if local(code.tag) == "Code" and code.get("guid"):
                refs = [_guid(r, display, "targetGUID") for r in children(code, "NoteRef")]
                if refs:
                    project.code_notes[_guid(code, display)] = refs
    variables = child(root, "Variables")
    for variable in children(variables, "Variable") if variables is not None else ():
        project.variables[_guid(variable, display)] = (
            _name(variable, MAX_LABEL_CHARS, "variable name", display, ""),
            variable.get("typeOfVariable", "Text"),
        )
    cases = child(root, "Cases")
    for case in children(cases, "Case") if cases is not None else ():
        values = {}
        for holder in children(case, "VariableValue"):
            ref = child(holder, "VariableRef")
            value = next((e for e in holder if local(e.tag).endswith("Value")), None)
            if ref is not None and value is not None and value.text is not None:
                values[_guid(ref, display, "targetGUID")] = value.text.strip()
        refs = [
            _guid(r, display, "targetGUID") for r in (*children(case, "SelectionRef"), *children(case, "SourceRef"))
        ]
        name = _name(case, MAX_NAME_CHARS, "case name", display, "Case")
        project.cases.append(CaseRecord(_guid(case, display), name, values, refs))
    sources = child(root, "Sources")
    for source in children(sources, "TextSource") if sources is not None else ():
        project.sources.append(_source(source, project, display, member_text, base))
    notes = child(root, "Notes")
    for note in children(notes, "Note") if notes is not None else ():
        text = text_of(note, "PlainTextContent")
        if text is None and note.get("plainTextPath"):
            text = _text(note.get("plainTextPath") or "", project, display, member_text, base)
        project.notes.append(
            Note(
                _guid(note, display),
                note.get("name") or "",
                text or "",
                text_of(note, "Description"),
                (note.get("creatingUser") or "").lower() or None,
                _when(note.get("creationDateTime")),
            )
        )
    project.project_notes = [_guid(r, display, "targetGUID") for r in children(root, "NoteRef")]


def _text(path: str, project: QdpxProject, display: str, member_text: Callable[[str], str], base: Path) -> str:
    if path.startswith("internal://"):
        return member_text(path.removeprefix("internal://"))
    if path.startswith(("relative://", "absolute://")):
        target = (
            base / path.removeprefix("relative://")
            if path.startswith("relative://")
            else Path(path.removeprefix("absolute://"))
        )
        shown = str(target)[:200]
        try:
            if not target.is_file():
                raise FokusError(f"the source file {shown!r} named by {path[:200]!r} does not exist", path=display)
            if target.stat().st_size > MAX_PARSE_BYTES:
                raise FokusError(f"the source file {shown!r} is too large", path=display)
            with target.open("rb") as file:
                data = file.read(MAX_PARSE_BYTES + 1)  # a file in /proc says 0 bytes, whatever it holds
        except OSError as exc:  # a name too long, a file that cannot be read
            raise FokusError(f"cannot read the source file {shown!r} ({exc.strerror or exc})", path=display) from None
        project.external_files.append(str(target))
        return _decode(data, str(target))
    return member_text(path)  # a bare file name, as some tools write it


def _source(
    element: ET.Element, project: QdpxProject, display: str, member_text: Callable[[str], str], base: Path
) -> Source:
    guid = _guid(element, display)
    inline = text_of(element, "PlainTextContent")
    path = element.get("plainTextPath")
    if inline is not None:
        text = inline
    elif path:
        text = _text(path, project, display, member_text, base)
    else:
        raise FokusError(
            f"the text source {element.get('name') or guid!r} has no text and no plainTextPath", path=display
        )
    text = text.removeprefix("\ufeff")
    source = Source(
        guid,
        element.get("name") or guid,
        text,
        text_of(element, "Description"),
        (element.get("creatingUser") or "").lower() or None,
        _when(element.get("creationDateTime")),
    )
    for selection in children(element, "PlainTextSelection"):
        try:
            start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
        except ValueError:
            raise FokusError(f"a selection in {source.name!r} has no valid positions", path=display) from None
        if not 0 <= start <= end <= len(text):
            raise FokusError(
                f"a selection in {source.name!r} ({start}-{end}) lies outside its text ({len(text)} characters)",
                path=display,
            )
        found = Selection(
            _guid(selection, display),
            start,
            end,
            text_of(selection, "Description"),
            (selection.get("creatingUser") or "").lower() or None,
            _when(selection.get("creationDateTime")),
        )
        for coding in children(selection, "Coding"):
            ref = child(coding, "CodeRef")
            if ref is None:
                continue
            found.codings.append(
                (
                    _guid(coding, display),
                    _guid(ref, display, "targetGUID"),
                    (coding.get("creatingUser") or "").lower() or None,
                    _when(coding.get("creationDateTime")),
                )
            )
        found.notes = [_guid(r, display, "targetGUID") for r in children(selection, "NoteRef")]
        source.selections.append(found)
    return source
