"""Reading a REFI-QDA project (.qdpx) into plain records: no database here, and nothing trusted.

The zip is opened with the same checks as any export (no member outside the archive, no zip bombs, bounded sizes),
the XML is parsed with entities, DTDs and external references refused. Text sources are found wherever real tools
put them: ``internal://`` (the zip's ``sources/`` folder, in any letter case), ``relative://`` (beside the .qdpx),
``absolute://``, a bare file name, or inline ``PlainTextContent``; a byte-order mark at the start is dropped (tools
count positions after it). What fokus does not model (PDF, picture, audio and video sources, sets, graphs, links)
is counted, so the import can say what it left behind.

A file outside the archive is read only when the caller allows it (``allow_external_sources``): a ``.qdpx`` is
someone else's file, and ``absolute:///home/me/.ssh/id_ed25519`` or ``relative://../../../etc/passwd`` would
otherwise put a file of this computer into the project and from there into every export. Without the permission,
an ``absolute://`` path, a bare absolute path, and a ``relative://`` path that leaves the folder of the .qdpx (by
``..`` or by a symbolic link) are refused, naming the first of them; ``relative://`` paths inside that folder are
read as before. What is read from outside the archive is listed with its size, counts against the archive's budget
(``MAX_FILE_BYTES`` in all), and must be a regular file: a pipe or a device (``/dev/zero``) is refused unopened.
A ``richTextPath`` is never opened.

A text source whose plain text is empty, or that has only a ``richTextPath``, is not modelled: NVivo 15 for Mac
exports its .docx sources as the .docx (``richTextPath``) beside an empty .txt. fokus does not read the .docx: its
own reading of a Word file would give other character positions than the tool's, and every coding would land on the
wrong words; such a source is counted with what was not imported, and its codings with the dropped codings.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET
from zipfile import ZipInfo

from fokus.errors import FokusError
from fokus.exchange.qdc import GUID, QdcCodebook, codebook_from_element
from fokus.exchange.xmlsafe import child, children, local, parse_xml, text_of, where
from fokus.importers.archive import SafeZip
from fokus.importers.decoding import decode_text
from fokus.importers.limits import (
    MAX_FILE_BYTES,
    MAX_LABEL_CHARS,
    MAX_NAME_CHARS,
    MAX_PARSE_BYTES,
    check_length,
    check_no_nul,
    human_size,
)
from fokus.importers.times import in_range

NOT_MODELLED = {
    "PDFSource": "PDF sources",
    "PictureSource": "picture sources",
    "AudioSource": "audio sources",
    "VideoSource": "video sources",
    "Set": "sets",
    "Graph": "graphs",
    "Link": "links",
}


@dataclass(frozen=True)
class ExternalFile:
    """A file outside the archive that a source's text was read from, and its size in bytes."""

    path: str
    size: int


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
NO_CODE_REF = "not imported: a Coding without a CodeRef"
NO_PLAIN_TEXT = "not imported: on a text source without plain text"
UNKNOWN_CODE = "not imported: their CodeRef names no code of the file's codebook"
NO_MESSAGE = "not imported: their selection starts outside every message of its source"
EMPTY_SPAN = "not imported: their selection holds no characters"
OTHER_SPACING = "not imported: their source repeats a message but for white space, so their offsets do not fit it"
MERGED = "merged into an earlier coding of the file with the same code, coder and span"
NO_TEXT_SOURCES = "text sources without plain text (NVivo for Mac: a .docx beside an empty .txt)"


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
    external_files: list[ExternalFile] = field(default_factory=list)
    dropped: list[DroppedCoding] = field(default_factory=list)


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


def _when(element: ET.Element, display: str) -> datetime | None:
    """An element's creation time, or None when it has none or it cannot be read (year 1 at +01:00 cannot be put in
    UTC). A time that reads but lies outside what fokus stores (a tool's 9999-12-31 for "no date") is refused, as
    every importer refuses it, rather than silently replaced."""
    value = element.get("creationDateTime")
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    try:
        return in_range(parsed, value)
    except FokusError as error:
        place = ", ".join(p for p in (where(element), f"the {local(element.tag)}'s creationDateTime") if p)
        raise error.located(display, place) from None


def read_qdpx(path: Path, *, allow_external_sources: bool = False) -> QdpxProject:
    """Read and check a .qdpx file; every problem is one FokusError naming the file. Files outside the archive are
    read only with ``allow_external_sources`` (see the module docstring)."""
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
        data = archive.read(qde)
        root = parse_xml(data, f"{display}!{qde.filename}")
        if local(root.tag) != "Project":
            raise FokusError(f"the root element is {local(root.tag)!r}, not a REFI-QDA Project", path=display)
        project = QdpxProject(display, digest.hexdigest(), root.get("name") or path.stem)
        texts = _Texts(archive, members, project, path.parent, allow_external_sources)
        texts.spent = len(data)
        _read(root, project, display, texts)
    return project


class _Texts:
    """Where the texts of sources and notes come from: the archive's members, and files outside it when allowed.
    Both count against one budget of ``MAX_FILE_BYTES``."""

    def __init__(
        self, archive: SafeZip, members: dict[str, ZipInfo], project: QdpxProject, base: Path, external: bool
    ) -> None:
        self.archive, self.members, self.project, self.base, self.external = archive, members, project, base, external
        self.display = project.path
        self.spent = 0

    def read(self, path: str, owner: str) -> str:
        """The text at ``path`` (a ``plainTextPath``) of the source or note called ``owner``."""
        if path.startswith("internal://"):
            return self._member(path.removeprefix("internal://"))
        if path.startswith("relative://"):
            target = self.base / path.removeprefix("relative://")
            if self.external or _inside(target, self.base):
                return self._file(target, path)
        elif not path.startswith("absolute://") and not _absolute(path):
            return self._member(path)  # a bare file name, as some tools write it
        if not self.external:
            raise FokusError(
                f"the text of {owner!r} is a file outside the .qdpx and its folder: {path[:200]!r}; a .qdpx can name"
                " any file on this computer, so fokus reads such files only with --allow-external-sources",
                path=self.display,
            )
        return self._file(Path(path.removeprefix("absolute://")), path)

    def _member(self, name: str) -> str:
        wanted = self.members.get(name.lower()) or self.members.get(f"sources/{name}".lower())
        if wanted is None:
            raise FokusError(f"the source {name!r} is not in the archive", path=self.display)
        data = self.archive.read(wanted)
        self._spend(len(data), f"{self.display}!{wanted.filename}")
        return _decode(data, f"{self.display}!{wanted.filename}")

    def _file(self, target: Path, named: str) -> str:
        """A regular file's text, opened without following it into a pipe or a device: the check is on what was
        opened (non-blocking, so a pipe cannot make it wait), not on the name, which could change meanwhile."""
        shown = str(target)[:200]
        try:
            descriptor = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise FokusError(
                f"the source file {shown!r} named by {named[:200]!r} does not exist", path=self.display
            ) from None
        except OSError as exc:  # a name too long, a file that cannot be read
            raise FokusError(
                f"cannot read the source file {shown!r} ({exc.strerror or exc})", path=self.display
            ) from None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise FokusError(
                    f"the source file {shown!r} is not a regular file (a pipe, a device or a folder?)",
                    path=self.display,
                )
            if info.st_size > MAX_PARSE_BYTES:
                raise FokusError(f"the source file {shown!r} is too large", path=self.display)
            with os.fdopen(os.dup(descriptor), "rb") as file:
                data = file.read(MAX_PARSE_BYTES + 1)  # a file in /proc says 0 bytes, whatever it holds
        except OSError as exc:
            raise FokusError(
                f"cannot read the source file {shown!r} ({exc.strerror or exc})", path=self.display
            ) from None
        finally:
            os.close(descriptor)
        self._spend(len(data), shown)
        self.project.external_files.append(ExternalFile(str(target), len(data)))
        return _decode(data, str(target))

    def _spend(self, size: int, shown: str) -> None:
        self.spent += size
        if self.spent > MAX_FILE_BYTES:
            raise FokusError(
                f"the archive's files and the source files outside it add up to more than {human_size(MAX_FILE_BYTES)}",
                path=shown,
            )


def _inside(target: Path, folder: Path) -> bool:
    """Whether ``target`` lies in ``folder`` once ``..`` and symbolic links are followed."""
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long: not known to be inside
        return False


def _absolute(path: str) -> bool:
    """A bare path that names a file by its place on some computer (``/etc/passwd``, ``C:\\Users\\..``)."""
    return path.startswith(("/", "\\")) or (len(path) > 2 and path[0].isalpha() and path[1] == ":" and path[2] in "/\\")


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


def _read(root: ET.Element, project: QdpxProject, display: str, texts: _Texts) -> None:
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
    seen: dict[str, str] = {}  # GUID -> the name of the source or selection that has it
    for source in children(sources, "TextSource") if sources is not None else ():
        read = _source(source, project, display, texts, seen)
        if read is not None:
            project.sources.append(read)
    notes = child(root, "Notes")
    for note in children(notes, "Note") if notes is not None else ():
        text = text_of(note, "PlainTextContent")
        if text is None and note.get("plainTextPath"):
            text = texts.read(note.get("plainTextPath") or "", note.get("name") or "a note")
        project.notes.append(
            Note(
                _guid(note, display),
                note.get("name") or "",
                text or "",
                text_of(note, "Description"),
                (note.get("creatingUser") or "").lower() or None,
                _when(note, display),
            )
        )
    project.project_notes = [_guid(r, display, "targetGUID") for r in children(root, "NoteRef")]


def _unique(guid: str, what: str, seen: dict[str, str], display: str, element: ET.Element) -> None:
    """Refuse a GUID that names a second source or selection: the import would make the two one."""
    if guid in seen:
        raise FokusError(
            f"{what} has the GUID {guid} of {seen[guid]} (a GUID names one object: the two would become one)",
            path=display,
            where=where(element),
            hint="the file was damaged or edited by hand",
        )
    seen[guid] = what


def _source(
    element: ET.Element, project: QdpxProject, display: str, texts: _Texts, seen: dict[str, str]
) -> Source | None:
    """A text source with its selections; None for one without plain text (counted, its codings dropped)."""
    guid = _guid(element, display)
    name = element.get("name") or guid
    _unique(guid, f"the text source {name[:100]!r}", seen, display, element)
    inline = text_of(element, "PlainTextContent")
    path = element.get("plainTextPath")
    if inline is not None:
        text = inline
    elif path:
        text = texts.read(path, name)
    elif element.get("richTextPath"):
        text = ""  # only a .docx (or .rtf): no plain text, like NVivo for Mac's empty .txt
    else:
        raise FokusError(f"the text source {name!r} has no text and no plainTextPath", path=display)
    text = text.removeprefix("\ufeff")
    source = Source(
        guid,
        name,
        text,
        text_of(element, "Description"),
        (element.get("creatingUser") or "").lower() or None,
        _when(element, display),
    )
    empty = not text.strip()
    for selection in children(element, "PlainTextSelection"):
        found = _selection(selection, source, display, seen, check=not empty)
        if empty:
            project.dropped.extend(DroppedCoding(NO_PLAIN_TEXT, c[0], name, c[1]) for c in found.codings)
        project.dropped.extend(
            DroppedCoding(NO_CODE_REF, _guid(c, display), name, "")
            for c in children(selection, "Coding")
            if child(c, "CodeRef") is None
        )
        if not empty:
            source.selections.append(found)
    if empty:
        project.not_modelled[NO_TEXT_SOURCES] += 1
        return None
    return source


def _selection(selection: ET.Element, source: Source, display: str, seen: dict[str, str], *, check: bool) -> Selection:
    """A selection and its codings, its positions checked against its source's text (when ``check``)."""
    try:
        start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
    except ValueError:
        raise FokusError(f"a selection in {source.name!r} has no valid positions", path=display) from None
    if check and not 0 <= start <= end <= len(source.text):
        raise FokusError(
            f"a selection in {source.name!r} ({start}-{end}) lies outside its text ({len(source.text)} characters)",
            path=display,
        )
    found = Selection(
        _guid(selection, display),
        start,
        end,
        text_of(selection, "Description"),
        (selection.get("creatingUser") or "").lower() or None,
        _when(selection, display),
    )
    _unique(found.guid, f"a selection in {source.name[:100]!r}", seen, display, selection)
    for coding in children(selection, "Coding"):
        ref = child(coding, "CodeRef")
        if ref is not None:
            found.codings.append(
                (
                    _guid(coding, display),
                    _guid(ref, display, "targetGUID"),
                    (coding.get("creatingUser") or "").lower() or None,
                    _when(coding, display),
                )
            )
    found.notes = [_guid(r, display, "targetGUID") for r in children(selection, "NoteRef")]
    return found
