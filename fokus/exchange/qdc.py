"""REFI-QDA codebooks (``.qdc``): read one from NVivo, ATLAS.ti, MAXQDA or QualCoder, or write fokus's codebook as one.

```xml
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="fokus">
  <Codes>
    <Code guid="..." name="Krise og beredskap" isCodable="true" color="#D62728">
      <Description>The definition.</Description>
      <Code guid="..." name="Flom" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>
```

A REFI-QDA code has a GUID and a name, but no id; fokus makes each code's id from its name (``slug``), unique among
its siblings, and returns the GUIDs by code path so that an export back to the other tool keeps them. Files in the
wild are accepted as they are: upper-case or braced GUIDs, no colour, three-digit colours, the project namespace or
none. The codebook's sets and notes have no place in fokus; they are counted in ``skipped``.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from fokus.errors import FokusError
from fokus.exchange.codes import code_description, code_notes
from fokus.exchange.xmlsafe import children, line_of, local, namespace, parse_xml, text_of, where
from fokus.files.codebook import MAX_DEPTH, CodebookSpec, CodeSpec
from fokus.files.output import open_binary
from fokus.i18n import N_, _, ngettext
from fokus.importers import limits
from fokus.importers.limits import MAX_CODE_PATH_CHARS, MAX_LABEL_CHARS, check_count, check_length

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ACCEPTED_NS = (CODEBOOK_NS, PROJECT_NS, "")
GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
COLOR6 = re.compile(r"^#[0-9A-Fa-f]{6}$")
COLOR3 = re.compile(r"^#[0-9A-Fa-f]{3}$")
TRUE = {"true", "1"}
FALSE = {"false", "0"}
SLUG_MAX = 60
NORWEGIAN = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


@dataclass(slots=True)
class QdcCodebook:
    """A codebook read from REFI-QDA XML: the codes as fokus knows them, their GUIDs by code path (lowercase), and
    notes on what was in the file but not kept (e.g. "2 sets")."""

    spec: CodebookSpec
    guids: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def read_qdc(path: Path) -> QdcCodebook:
    """Read a ``.qdc`` file; the codebook is named after the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FokusError(
            _("cannot read the codebook: {reason}").format(reason=exc.strerror or exc), path=str(path)
        ) from None
    return parse_qdc(data, str(path), name=path.stem)


def parse_qdc(data: bytes, display: str, *, name: str) -> QdcCodebook:
    """A ``.qdc`` from its bytes; ``display`` is the file as the user knows it, for messages."""
    root = parse_xml(data, display)
    tag = local(root.tag)
    if tag != "CodeBook" or namespace(root.tag) not in ACCEPTED_NS:
        hint = _("a REFI-QDA codebook has the root element CodeBook")
        if tag == "Project":
            hint = _("this is a REFI-QDA project (project.qde); import the .qdpx it came in instead")
        raise FokusError(
            _("not a REFI-QDA codebook: the root element is {tag}").format(tag=root.tag),
            path=display,
            where=where(root),
            hint=hint,
        )
    book = codebook_from_element(root, display, name=name)
    if not book.spec.codes:
        raise FokusError(_("the codebook has no codes"), path=display, where=where(root))
    return book


def codebook_from_element(codebook: ET.Element, display: str, *, name: str) -> QdcCodebook:
    """The codes under a ``CodeBook`` element, from a ``.qdc`` or from a project's ``project.qde``."""
    book = QdcCodebook(spec=CodebookSpec(name=name, version=None, language=None, description=None))
    codes = list(children(codebook, "Codes"))
    notes = _Notes()
    counter = iter(range(1_000_000_000))
    # the top-level codes of every <Codes> element are siblings: one call, so that equal names get distinct paths
    top = [code for codes_element in codes for code in children(codes_element, "Code")]
    _read_codes(top, None, 1, book, counter, display, notes)
    sets = sum(1 for sets_element in children(codebook, "Sets") for _ in children(sets_element, "Set"))
    if sets:
        book.skipped.append(
            ngettext(
                "{count} set of codes (sets are not imported)", "{count} sets of codes (sets are not imported)", sets
            ).format(count=sets)
        )
    if notes.note_refs:
        book.skipped.append(
            ngettext("{count} note reference on codes", "{count} note references on codes", notes.note_refs).format(
                count=notes.note_refs
            )
        )
    book.skipped.extend(notes.colors)
    return book


def slug(name: str) -> str:
    """A code id from a name: "Ønsker å delta" -> "onsker-a-delta"."""
    text = unicodedata.normalize("NFC", name).lower().translate(NORWEGIAN)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:SLUG_MAX].rstrip("-") or "kode"


def write_qdc(codes: Sequence[dict[str, Any]], out: Path | BinaryIO, *, guid_of: Callable[[str], str]) -> None:
    """Write codebook rows (as ``fokus.api.codebook.codebook_rows`` gives them, parents first) as a ``.qdc``.

    A file is written whole or not at all. The include and exclude notes and the examples have no place of their own
    in REFI-QDA; they go into the Description after the definition, as "Inkluder: ...", "Ekskluder: ..." and
    "Eksempler: ..." lines. Names and notes are the codebook's own (its language's), never the reader's: a code has
    one name in REFI-QDA, and the file must not change with who exports it (the rows' ``translations`` are left out).
    """
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": "fokus"})
    top = ET.SubElement(root, "Codes")
    elements: dict[str, ET.Element] = {}
    for row in codes:
        path = str(row["id"])
        parent = row.get("parent")
        holder = top if parent is None else elements.get(str(parent))
        if holder is None:
            raise ValueError(f"code {path!r} comes before its parent {parent!r}")
        attrib = {
            "guid": guid_of(path).lower(),
            "name": str(row["name"]),
            "isCodable": "true" if row.get("codable", True) else "false",
        }
        color = row.get("color")
        if color and COLOR6.match(str(color)):
            attrib["color"] = str(color).upper()
        element = ET.SubElement(holder, "Code", attrib)
        description = code_description(row)
        if description:
            ET.SubElement(element, "Description").text = description
        elements[path] = element
    tree = ET.ElementTree(root)
    ET.indent(tree, space="  ")
    if isinstance(out, Path):
        _write_whole(tree, out)
    else:
        tree.write(out, encoding="utf-8", xml_declaration=True)


class _Notes:
    def __init__(self) -> None:
        self.note_refs = 0
        self.colors: list[str] = []
        self.guids: set[str] = set()


def _read_codes(
    elements: list[ET.Element],
    parent: str | None,
    depth: int,
    book: QdcCodebook,
    counter: Iterator[int],
    display: str,
    notes: _Notes,
) -> None:
    if elements and depth > MAX_DEPTH:
        raise FokusError(
            _("codes nest deeper than {limit} levels").format(limit=MAX_DEPTH), path=display, where=where(elements[0])
        )
    used: dict[str, int] = {}
    for element in elements:
        name = " ".join((element.get("name") or "").split())
        if not name:
            raise FokusError(_("a code has no name"), path=display, where=where(element))
        check_length(name, MAX_LABEL_CHARS, N_("code name"), where(element), display)
        check_count(len(book.spec.codes) + 1, limits.MAX_CODES, N_("codes"), where(element), display)
        notes_of = code_notes(text_of(element, "Description"))
        code_id = _unique(notes_of.fokus_id.rsplit("/", 1)[-1] if notes_of.fokus_id else slug(name), used)
        path = check_length(
            f"{parent}/{code_id}" if parent else code_id, MAX_CODE_PATH_CHARS, N_("code path"), where(element), display
        )
        guid = _guid(element, name, display)
        if guid in notes.guids:
            raise FokusError(
                _("two codes have the GUID {guid} (the second is {name!r})").format(guid=guid, name=name),
                path=display,
                where=where(element),
            )
        book.guids[path] = guid
        notes.guids.add(guid)
        notes.note_refs += sum(1 for _ in children(element, "NoteRef"))
        book.spec.codes.append(
            CodeSpec(
                path=path,
                name=name,
                parent=parent,
                description=notes_of.description,
                include=notes_of.include,
                exclude=notes_of.exclude,
                examples=notes_of.examples,
                color=_color(element, name, notes),
                codable=_codable(element, name, display),
                rules=None,
                position=next(counter),
                line=line_of(element) or 0,
            )
        )
        _read_codes(list(children(element, "Code")), path, depth + 1, book, counter, display, notes)


def _unique(base: str, used: dict[str, int]) -> str:
    """``base``, or ``base-2``, ``base-3``... for siblings of the same name; ``used`` maps each id taken to the last
    number tried from it, so that a thousand siblings of one name cost a thousand steps, not half a million."""
    candidate, n = base, used.get(base, 1)
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used[base] = n
    used[candidate] = used.get(candidate, 1)
    return candidate


def _guid(element: ET.Element, name: str, display: str) -> str:
    raw = (element.get("guid") or "").strip()
    found = GUID.match(raw)
    if not found:
        reason = (
            _("code {name!r} has no guid").format(name=name)
            if not raw
            else _("code {name!r} has a bad guid {guid!r}").format(name=name, guid=raw)
        )
        raise FokusError(reason, path=display, where=where(element), hint=_("a GUID is 8-4-4-4-12 hexadecimal digits"))
    return found.group(1).lower()


def _codable(element: ET.Element, name: str, display: str) -> bool:
    raw = element.get("isCodable")
    if raw is None:
        return True  # required by the schema, but missing in some files; a code is codable unless it says otherwise
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise FokusError(
        _("isCodable of code {name!r} is {value!r}").format(name=name, value=raw),
        path=display,
        where=where(element),
        hint=_("true or false"),
    )


def _color(element: ET.Element, name: str, notes: _Notes) -> str | None:
    raw = (element.get("color") or "").strip()
    if not raw:
        return None
    if COLOR6.match(raw):
        return raw.upper()
    if COLOR3.match(raw):
        return "#" + "".join(c * 2 for c in raw[1:]).upper()
    notes.colors.append(_("the colour {color!r} of code {name!r} (not #RRGGBB)").format(color=raw, name=name))
    return None


def _write_whole(tree: ET.ElementTree, out: Path) -> None:
    """Write ``out`` whole or not at all, a device or a pipe straight into (fokus.files.output)."""
    with open_binary(out) as stream:
        tree.write(stream, encoding="utf-8", xml_declaration=True)
