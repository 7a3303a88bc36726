"""Parse XML that came from somewhere else (a .qdpx or .qdc from another tool, or from anyone) without trusting it.

A REFI-QDA file is untrusted input. The parser is defusedxml's: a DTD, any entity declaration (the billion-laughs
and external-entity attacks) and any external reference are refused before anything is expanded or fetched. Every
problem, whatever the parser says, becomes one :class:`FokusError` naming the file as the user knows it, the line
and column when the parser knows them, and the reason in plain words.

Elements carry the line they start on (:func:`line_of`), so readers can point at the place in the file. Elements
nested deeper than ``MAX_XML_DEPTH`` are refused while parsing, with their line: expat itself does not mind, but
everything that walks the tree afterwards would, and no REFI-QDA file nests like that.

A large project is read as it is parsed (:func:`iterparse_xml`): the elements a reader names (a text source with its
hundreds of codings) are handed out one at a time as their end tag is read and then taken out of the tree, so that
memory holds one of them, not the whole file's tree. The parser is the same defusedxml one with the same refusals;
only the building of elements is fokus's own (expat's callbacks straight into elements, without the layers of the
pure-Python parser that defusedxml requires), and the text is decoded and fed a megabyte at a time. :func:`parse_xml`
is the same parser keeping the whole tree.
"""

from __future__ import annotations

import codecs
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from defusedxml.common import (  # type: ignore[import-untyped]
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number
from fokus.importers import limits

MAX_BYTES = limits.MAX_PARSE_BYTES
CHUNK = 1 << 20  # bytes decoded and fed to the parser at a time
# Marked here, translated where they are raised (the language is chosen after this module is imported).
ENTITIES = N_(
    "refused: the XML declares entities (a billion-laughs or external-entity attack, or a file fokus cannot trust)"
)
EXTERNAL = N_(
    "refused: the XML refers to an external resource (an external-entity attack, or a file fokus cannot trust)"
)
DTD = N_("refused: the XML has a DTD (REFI-QDA files have none; fokus does not read DTDs from untrusted files)")
ENCODING = N_("not UTF-8/UTF-16 text")


class _Located(ET.Element):
    """An element that remembers the line its start tag is on."""

    __slots__ = ("sourceline",)
    sourceline: int | None


class _Tree:
    """Builds the elements from expat's callbacks as ``ET.TreeBuilder`` does (text, tails), each with its line, and
    refuses elements nested deeper than ``MAX_XML_DEPTH``. An element whose local name is in ``items`` is taken out
    of its parent once its end tag is read and put in ``ready`` with that parent (one inside another stays in it);
    ``tags`` counts every element by its tag."""

    def __init__(self, display: str, items: Collection[str]) -> None:
        self.display = display
        self.items = frozenset(items)
        self.expat: Any = None
        self.root: _Located | None = None
        self.ready: list[tuple[ET.Element, ET.Element]] = []
        self.tags: Counter[str] = Counter()
        self._stack: list[_Located] = []
        self._data: list[str] = []
        self._last: _Located | None = None
        self._tail = False
        self._open = 0  # items open around the current element
        self._names: dict[str, tuple[str, bool]] = {}  # expat's name -> (tag, whether it names an item)

    def _name(self, raw: str) -> tuple[str, bool]:
        found = self._names.get(raw)
        if found is None:
            tag = "{" + raw if "}" in raw else raw
            found = (tag, local(tag) in self.items)
            if len(self._names) < 10_000:  # a hostile file may use a million names
                self._names[raw] = found
        return found

    def start(self, raw: str, attrib: dict[str, str]) -> None:
        data = self._data
        if data:
            self._flush(data)
        stack = self._stack
        if len(stack) >= limits.MAX_XML_DEPTH:
            raise FokusError(
                _("XML nested deeper than {limit} elements; no REFI-QDA file nests like that").format(
                    limit=limits.MAX_XML_DEPTH
                ),
                path=self.display,
                where=_current(self.expat),
            )
        tag, item = self._names.get(raw) or self._name(raw)
        for key in attrib:
            if "}" in key:  # a namespaced attribute: "{uri}name", as ElementTree has it
                attrib = {("{" + k if "}" in k else k): v for k, v in attrib.items()}
                break
        element = _Located(tag, attrib)
        element.sourceline = self.expat.CurrentLineNumber
        if stack:
            stack[-1].append(element)
        else:
            self.root = element
        stack.append(element)
        self._last = element
        self._tail = False
        self.tags[tag] += 1
        if item:
            self._open += 1

    def end(self, raw: str) -> None:
        data = self._data
        if data:
            self._flush(data)
        stack = self._stack
        self._last = element = stack.pop()
        self._tail = True
        if (self._names.get(raw) or self._name(raw))[1]:
            self._open -= 1
            if not self._open and stack:
                parent = stack[-1]
                del parent[-1]  # the element just ended is its parent's last child
                self.ready.append((parent, element))

    def _flush(self, data: list[str]) -> None:
        text = "".join(data)
        data.clear()
        if self._last is not None:
            if self._tail:
                self._last.tail = text
            else:
                self._last.text = text

    def data(self, text: str) -> None:
        self._data.append(text)

    def close(self) -> _Located | None:
        return self.root


def parse_xml(data: bytes, display: str, *, max_bytes: int = MAX_BYTES) -> ET.Element:
    """The root element of ``data``; any problem is a FokusError naming ``display`` ("project.qdpx!project.qde")."""
    stream = iterparse_xml(data, display, max_bytes=max_bytes)
    _parent, root = next(stream)
    for _item in stream:
        pass
    return root


def iterparse_xml(
    data: bytes,
    display: str,
    *,
    items: Collection[str] = (),
    tags: Counter[str] | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[tuple[ET.Element | None, ET.Element]]:
    """``data`` parsed as it is read, with the checks and errors of :func:`parse_xml`: first ``(None, root)`` (as
    soon as the root's start tag is read), then each element whose local name is in ``items`` with its parent, as
    ``(parent, element)``, once its end tag is read, taken out of the tree (so that memory holds one at a time, not
    the whole file). When the generator is done, the root holds everything else; ``tags`` (when given) counts every
    element of the file by its tag. An error found while parsing is reported as parsing the whole file first would
    report it (text that is not UTF-8 or UTF-16 comes first)."""
    if len(data) > max_bytes:
        raise FokusError(
            _("larger than {limit} ({size}); fokus refuses XML this large").format(
                limit=_size(max_bytes), size=_size(len(data))
            ),
            path=display,
            hint=_("a file this size is more likely damaged or hostile than a real project"),
        )
    encoding = _encoding(data)
    if encoding == "utf-32":
        _decode(data, display)  # refused
    tree = _Tree(display, items)
    parser = DefusedXMLParser(
        target=tree,
        forbid_dtd=False,  # refused at the end of the DTD instead, so entity declarations inside it are named as such
        forbid_entities=True,
        forbid_external=True,
    )
    expat = tree.expat = parser.parser
    expat.EndDoctypeDeclHandler = _refuse_dtd
    expat.StartElementHandler = tree.start
    expat.EndElementHandler = tree.end
    expat.CharacterDataHandler = tree._data.append
    expat.ordered_attributes = False
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    given = False
    try:
        for start in range(0, len(data), CHUNK):
            parser.feed(decoder.decode(view[start : start + CHUNK], final=start + CHUNK >= len(data)))
            if not given and tree.root is not None:
                given = True
                yield None, tree.root
            while tree.ready:
                ready, tree.ready = tree.ready, []
                yield from ready
        root = parser.close()
    except UnicodeError:
        _decode(data, display)  # the error as decoding the whole text reports it
        raise
    except FokusError:
        _decode(data, display)
        raise
    except ET.ParseError as exc:
        _decode(data, display)
        raise FokusError(
            _("not well-formed XML: {reason}").format(reason=_expat_reason(exc)), path=display, where=_where(exc)
        ) from None
    except EntitiesForbidden:
        raise FokusError(_(ENTITIES), path=display, where=_current(expat)) from None
    except ExternalReferenceForbidden:
        raise FokusError(_(EXTERNAL), path=display, where=_current(expat)) from None
    except DTDForbidden:
        raise FokusError(_(DTD), path=display, where=_current(expat)) from None
    except (DefusedXmlException, ValueError, RecursionError, MemoryError) as exc:
        raise FokusError(
            _("refused: unreadable XML ({error})").format(error=type(exc).__name__), path=display
        ) from None
    if not isinstance(root, ET.Element):
        raise FokusError(_("not well-formed XML: no root element"), path=display)
    if tags is not None:
        tags.update(tree.tags)
    if not given:
        yield None, root
    yield from tree.ready


def line_of(element: ET.Element) -> int | None:
    """The line the element starts on, for elements from :func:`parse_xml` (None for others)."""
    return getattr(element, "sourceline", None)


def where(element: ET.Element) -> str | None:
    """``"line N"`` for an element from :func:`parse_xml`, for FokusError's ``where``."""
    line = line_of(element)
    return None if line is None else f"line {line}"


def local(tag: str) -> str:
    """The tag without its ``{namespace}``."""
    found = _LOCAL.get(tag)
    if found is None:
        found = tag.rpartition("}")[2] if tag.startswith("{") else tag
        if len(_LOCAL) < 10_000:  # a hostile file may use a million names
            _LOCAL[tag] = found
    return found


_LOCAL: dict[str, str] = {}


def namespace(tag: str) -> str:
    """The tag's namespace ("" for none)."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children with this local name, in any namespace (files in the wild mix them)."""
    return (c for c in element if isinstance(c.tag, str) and local(c.tag) == name)


def child(element: ET.Element, name: str) -> ET.Element | None:
    """The first direct child with this local name, or None."""
    return next(children(element, name), None)


def by_name(element: ET.Element, names: Collection[str]) -> dict[str, list[ET.Element]]:
    """The direct children with these local names, by name and in order: in one pass what ``children`` finds in
    several."""
    found: dict[str, list[ET.Element]] = {name: [] for name in names}
    for item in element:
        if isinstance(item.tag, str):
            bucket = found.get(local(item.tag))
            if bucket is not None:
                bucket.append(item)
    return found


def text_of(element: ET.Element, name: str) -> str | None:
    """The text of a child such as ``Description`` (None when it is missing or blank)."""
    return text_in(children(element, name))


def text_in(elements: Iterable[ET.Element]) -> str | None:
    """The text of the first of ``elements`` (None when there is none or it is blank)."""
    found = next(iter(elements), None)
    if found is None:
        return None
    text = "".join(found.itertext()).strip()
    return text or None


def _refuse_dtd() -> None:
    raise DTDForbidden(None, None, None)


def _decode(data: bytes, display: str) -> str:
    """Text from UTF-8 (with or without a byte-order mark) or UTF-16; the parser then reads the text, not the bytes,
    so an encoding declaration cannot switch it to another encoding."""
    encoding = _encoding(data)
    try:
        if encoding == "utf-32":
            raise UnicodeError("UTF-32")
        return data.decode(encoding)
    except UnicodeError as exc:
        at = None
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1 if encoding == "utf-8-sig" else None
            at = f"line {line}" if line else f"byte {exc.start}"
        raise FokusError(
            _(ENCODING),
            path=display,
            where=at,
            hint=_("REFI-QDA files are UTF-8; save the file as UTF-8 and try again"),
        ) from None


def _encoding(data: bytes) -> str:
    """The encoding :func:`_decode` reads ``data`` in, from its first bytes."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"  # refused below: not in REFI-QDA, and a UTF-16 BOM is a prefix of the UTF-32 LE one
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(b"<\x00"):
        encoding = "utf-16-le"
    elif data.startswith(b"\x00<"):
        encoding = "utf-16-be"
    else:
        encoding = "utf-8-sig"
    return encoding


def _expat_reason(exc: ET.ParseError) -> str:
    """The parser's message without the ``: line N, column M`` it appends (that goes in ``where``)."""
    message = str(exc)
    head, sep, tail = message.rpartition(": line ")
    return head if sep and tail[:1].isdigit() else message


def _where(exc: ET.ParseError) -> str | None:
    position = getattr(exc, "position", None)
    if not position:
        return None
    line, column = position
    return f"line {line}, column {column + 1}"


def _current(expat: Any) -> str | None:
    """Where expat is now, as "line N, column M"."""
    line = getattr(expat, "CurrentLineNumber", None)
    column = getattr(expat, "CurrentColumnNumber", None)
    if not line or column is None:
        return None
    return f"line {line}, column {column + 1}"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return _("{size} MB").format(size=number(n / (1024 * 1024), 0))
    return ngettext("{count} byte", "{count} bytes", n).format(count=n)  # every digit: the exact size refused
