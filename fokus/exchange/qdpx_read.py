"""Reading a REFI-QDA project (.qdpx) into plain records: no database here, and nothing trusted.

The zip is opened with the same checks as any export (no member outside the archive, no zip bombs, bounded sizes),
the XML is parsed with entities, DTDs and external references refused. Text sources are found wherever real tools
put them: ``internal://`` (the zip's ``sources/`` folder, in any letter case), ``relative://`` (beside the .qdpx),
``absolute://``, a bare file name, or inline ``PlainTextContent``; a byte-order mark at the start is dropped (tools
count positions after it). What fokus does not model (PDF, picture, audio and video sources, sets, graphs, links)
is counted, so the import can say what it left behind.

A file outside the archive is read only when the caller allows it (``allow_external_sources``), as
:mod:`fokus.exchange.qdpx_texts` explains. The project's XML is read as it is parsed, one text source at a time
(:func:`fokus.exchange.xmlsafe.iterparse_xml`): memory holds the records, not the file's whole tree.

A text source whose plain text is empty, or that has only a ``richTextPath``, is not modelled: NVivo 15 for Mac
exports its .docx sources as the .docx (``richTextPath``) beside an empty .txt. fokus does not read the .docx: its
own reading of a Word file would give other character positions than the tool's, and every coding would land on the
wrong words; such a source is counted with what was not imported, and its codings with the dropped codings.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from sys import intern
from xml.etree import ElementTree as ET

from fokus.allocation import fewer_collections
from fokus.errors import FokusError
from fokus.exchange.qdc import GUID, QdcCodebook, codebook_from_element
from fokus.exchange.qdpx_texts import ExternalFile, SourceTexts
from fokus.exchange.xmlsafe import by_name, child, children, iterparse_xml, local, text_in, text_of, where
from fokus.i18n import N_, _
from fokus.importers.archive import SafeZip
from fokus.importers.limits import (
    MAX_LABEL_CHARS,
    MAX_NAME_CHARS,
    check_length,
)
from fokus.importers.times import in_range

#: What fokus does not model, by element, for the import's report (translated as it is counted).
NOT_MODELLED = {
    "PDFSource": N_("PDF sources"),
    "PictureSource": N_("picture sources"),
    "AudioSource": N_("audio sources"),
    "VideoSource": N_("video sources"),
    "Set": N_("sets"),
    "Graph": N_("graphs"),
    "Link": N_("links"),
}

#: The elements read one at a time as the file is parsed (each taken from the tree once read), and their sections.
ITEMS = {"TextSource": "Sources", "Case": "Cases", "Note": "Notes"}


@dataclass(frozen=True)
class DroppedCoding:
    """A coding of the file that the project does not get as a coding of its own, and why: for the import's report,
    so that none is lost without a word."""

    reason: str
    coding: str  # its GUID
    source: str  # the name of its text source
    code: str  # the code's path, or the GUID its CodeRef names
    into: str | None = None  # for a merged one: the GUID of the coding it became


#: Why codings are dropped or merged (the reasons of ``DroppedCoding``): each follows "<n> codings" in the report.
#: Marked here and translated as a ``DroppedCoding`` is made, so the report speaks the reader's language.
NO_CODE_REF = N_("not imported: a Coding without a CodeRef")
NO_PLAIN_TEXT = N_("not imported: on a text source without plain text")
UNKNOWN_CODE = N_("not imported: their CodeRef names no code of the file's codebook")
NO_MESSAGE = N_("not imported: their selection starts outside every message of its source")
EMPTY_SPAN = N_("not imported: their selection holds no characters")
OTHER_SPACING = N_("not imported: their source repeats a message but for white space, so their offsets do not fit it")
MERGED = N_("merged into an earlier coding of the file with the same code, coder and span")
NO_TEXT_SOURCES = N_("text sources without plain text (NVivo for Mac: a .docx beside an empty .txt)")


@dataclass(slots=True)
class Selection:
    guid: str
    start: int
    end: int
    description: str | None
    creating_user: str | None
    created: datetime | None
    codings: list[tuple[str, str, str | None, datetime | None]] = field(default_factory=list)  # guid, code, user, when
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
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
    external_files: list[ExternalFile] = field(default_factory=list)
    dropped: list[DroppedCoding] = field(default_factory=list)


def _guid(element: ET.Element, display: str, attribute: str = "guid") -> str:
    """A GUID as the project keeps it (lowercase, without braces); anything else is refused, as in a codebook."""
    value = element.get(attribute)
    if not value:
        raise FokusError(
            _("a {element} element has no {attribute}").format(element=local(element.tag), attribute=attribute),
            path=display,
            where=where(element),
        )
    found = GUID.match(value.strip())
    if found is None:
        raise FokusError(
            _("a {element} element has a bad {attribute} {value!r}").format(
                element=local(element.tag), attribute=attribute, value=value[:60]
            ),
            path=display,
            where=where(element),
            hint=_("a GUID is 8-4-4-4-12 hexadecimal digits"),
        )
    return found.group(1).lower()


def _user(element: ET.Element) -> str | None:
    """The GUID of the user who made the element (lowercase), or None; one string for each user's many elements."""
    value = element.get("creatingUser")
    return intern(value.lower()) if value else None


def _shared(text: str | None) -> str | None:
    """A description, one string for the many alike (every coding of one status, origin and confidence)."""
    return intern(text) if text is not None and len(text) < 200 else text


def _name(element: ET.Element, limit: int, what: str, display: str, default: str) -> str:
    """A name the project stores (a user's, a case's, a variable's), within what its column holds."""
    value = element.get("name") or default
    return check_length(value, limit, what, where(element), display)


def _when(element: ET.Element, display: str) -> datetime | None:
    """An element's creation time, or None when it has none or it cannot be read (year 1 at +01:00 cannot be put in
    UTC). A time that reads but lies outside what fokus stores (a tool's 9999-12-31 for "no date") is refused, as
    every importer refuses it, rather than silently replaced."""
    value = element.get("creationDateTime")
    if not value:
        return None
    try:
        return _utc(value)
    except FokusError as error:
        place = ", ".join(p for p in (where(element), f"the {local(element.tag)}'s creationDateTime") if p)
        raise error.located(display, place) from None


@lru_cache(maxsize=4096)  # a tool writes the same time on many codings made at once
def _utc(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return in_range(parsed, value)


def read_qdpx(path: Path, *, allow_external_sources: bool = False) -> QdpxProject:
    """Read and check a .qdpx file; every problem is one FokusError naming the file. Files outside the archive are
    read only with ``allow_external_sources`` (see the module docstring)."""
    display = str(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    with SafeZip(path, display) as archive, fewer_collections():  # hundreds of thousands of records, no cycles
        members = {info.filename.lower(): info for info in archive.members}
        qde = members.get("project.qde") or next((i for k, i in members.items() if k.endswith(".qde")), None)
        if qde is None:
            raise FokusError(_("holds no project.qde: not a REFI-QDA project"), path=display)
        data = archive.read(qde)
        tags: Counter[str] = Counter()
        stream = iterparse_xml(data, f"{display}!{qde.filename}", items=ITEMS, tags=tags)
        _parent, root = next(stream)
        if local(root.tag) != "Project":
            raise FokusError(
                _("the root element is {tag!r}, not a REFI-QDA Project").format(tag=local(root.tag)), path=display
            )
        project = QdpxProject(display, digest.hexdigest(), root.get("name") or path.stem)
        texts = SourceTexts(archive, members, display, path.parent, allow_external_sources)
        texts.spent = len(data)
        project.external_files = texts.external_files
        _read(root, stream, project, display, texts)
        for tag, count in tags.items():
            if local(tag) in NOT_MODELLED:
                project.not_modelled[_(NOT_MODELLED[local(tag)])] += count
    return project


def _read(
    root: ET.Element,
    stream: Iterator[tuple[ET.Element | None, ET.Element]],
    project: QdpxProject,
    display: str,
    texts: SourceTexts,
) -> None:
    """The project's cases, sources and notes as the parser hands them out (each taken from the tree once read), then
    its users, codebook and variables from what is left of the tree."""
    sections: dict[str, ET.Element | None] = {}  # the first Cases, Sources and Notes of the project
    seen: dict[str, str] = {}  # GUID -> the name of the source or selection that has it
    for parent, element in stream:
        name = local(element.tag)
        section = ITEMS[name]
        if sections.get(section) is None:
            sections[section] = child(root, section)
        if parent is not sections[section]:
            continue  # not where the schema puts it: not read, as before
        if name == "Case":
            project.cases.append(_case(element, display))
        elif name == "TextSource":
            read = _source(element, project, display, texts, seen)
            if read is not None:
                project.sources.append(read)
        else:
            project.notes.append(_note(element, display, texts))
    users = child(root, "Users")
    for user in children(users, "User") if users is not None else ():
        name = _name(user, MAX_NAME_CHARS, N_("user name"), display, user.get("id") or "ukjent")  # a coder; an author
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
            _name(variable, MAX_LABEL_CHARS, N_("variable name"), display, ""),
            variable.get("typeOfVariable", "Text"),
        )
    project.project_notes = [_guid(r, display, "targetGUID") for r in children(root, "NoteRef")]


def _case(case: ET.Element, display: str) -> CaseRecord:
    values = {}
    for holder in children(case, "VariableValue"):
        ref = child(holder, "VariableRef")
        value = next((e for e in holder if local(e.tag).endswith("Value")), None)
        if ref is not None and value is not None and value.text is not None:
            values[_guid(ref, display, "targetGUID")] = value.text.strip()
    refs = [_guid(r, display, "targetGUID") for r in (*children(case, "SelectionRef"), *children(case, "SourceRef"))]
    name = _name(case, MAX_NAME_CHARS, N_("case name"), display, "Case")
    return CaseRecord(_guid(case, display), name, values, refs)


def _note(note: ET.Element, display: str, texts: SourceTexts) -> Note:
    text = text_of(note, "PlainTextContent")
    if text is None and note.get("plainTextPath"):
        text = texts.read(note.get("plainTextPath") or "", note.get("name") or _("a note"))
    return Note(
        _guid(note, display),
        note.get("name") or "",
        text or "",
        text_of(note, "Description"),
        _user(note),
        _when(note, display),
    )


def _unique(guid: str, what: str, seen: dict[str, str], display: str, element: ET.Element) -> None:
    """Refuse a GUID that names a second source or selection: the import would make the two one."""
    if guid in seen:
        raise FokusError(
            _("{what} has the GUID {guid} of {other} (a GUID names one object: the two would become one)").format(
                what=what, guid=guid, other=seen[guid]
            ),
            path=display,
            where=where(element),
            hint=_("the file was damaged or edited by hand"),
        )
    seen[guid] = what


def _source(
    element: ET.Element, project: QdpxProject, display: str, texts: SourceTexts, seen: dict[str, str]
) -> Source | None:
    """A text source with its selections; None for one without plain text (counted, its codings dropped)."""
    guid = _guid(element, display)
    name = element.get("name") or guid
    _unique(guid, _("the text source {name!r}").format(name=name[:100]), seen, display, element)
    parts = by_name(element, ("PlainTextContent", "Description", "PlainTextSelection"))
    inline = text_in(parts["PlainTextContent"])
    path = element.get("plainTextPath")
    if inline is not None:
        text = inline
    elif path:
        text = texts.read(path, name)
    elif element.get("richTextPath"):
        text = ""  # only a .docx (or .rtf): no plain text, like NVivo for Mac's empty .txt
    else:
        raise FokusError(_("the text source {name!r} has no text and no plainTextPath").format(name=name), path=display)
    text = text.removeprefix("\ufeff")
    source = Source(
        guid,
        name,
        text,
        text_in(parts["Description"]),
        _user(element),
        _when(element, display),
    )
    empty = not text.strip()
    what = _("a selection in {name!r}").format(name=name[:100])  # for _unique, made once
    for selection in parts["PlainTextSelection"]:
        found, unreferenced = _selection(selection, source, what, display, seen, check=not empty)
        if empty:
            project.dropped.extend(DroppedCoding(_(NO_PLAIN_TEXT), c[0], name, c[1]) for c in found.codings)
        project.dropped.extend(DroppedCoding(_(NO_CODE_REF), coding, name, "") for coding in unreferenced)
        if not empty:
            source.selections.append(found)
    if empty:
        project.not_modelled[_(NO_TEXT_SOURCES)] += 1
        return None
    return source


def _selection(
    selection: ET.Element, source: Source, what: str, display: str, seen: dict[str, str], *, check: bool
) -> tuple[Selection, list[str]]:
    """A selection and its codings, its positions checked against its source's text (when ``check``), and the GUIDs
    of its codings without a CodeRef."""
    try:
        start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
    except ValueError:
        raise FokusError(
            _("a selection in {name!r} has no valid positions").format(name=source.name), path=display
        ) from None
    if check and not 0 <= start <= end <= len(source.text):
        raise FokusError(
            _("a selection in {name!r} ({start}-{end}) lies outside its text ({count} characters)").format(
                name=source.name, start=start, end=end, count=len(source.text)
            ),
            path=display,
        )
    parts = by_name(selection, ("Description", "Coding", "NoteRef"))
    found = Selection(
        _guid(selection, display),
        start,
        end,
        _shared(text_in(parts["Description"])),
        _user(selection),
        _when(selection, display),
    )
    _unique(found.guid, what, seen, display, selection)
    unreferenced = []
    for coding in parts["Coding"]:
        ref = child(coding, "CodeRef")
        if ref is None:
            unreferenced.append(coding)
            continue
        found.codings.append(
            (
                _guid(coding, display),
                intern(_guid(ref, display, "targetGUID")),
                _user(coding),
                _when(coding, display),
            )
        )
    found.notes = [_guid(r, display, "targetGUID") for r in parts["NoteRef"]]
    return found, [_guid(coding, display) for coding in unreferenced]
