"""Parse XML that came from somewhere else (a .qdpx or .qdc from another tool, or from anyone) without trusting it.

A REFI-QDA file is untrusted input. The parser is defusedxml's: a DTD, any entity declaration (the billion-laughs
and external-entity attacks) and any external reference are refused before anything is expanded or fetched. Every
problem, whatever the parser says, becomes one :class:`FokusError` naming the file as the user knows it, the line
and column when the parser knows them, and the reason in plain words.

Elements carry the line they start on (:func:`line_of`), so readers can point at the place in the file. Elements
nested deeper than ``MAX_XML_DEPTH`` are refused while parsing, with their line: expat itself does not mind, but
everything that walks the tree afterwards would, and no REFI-QDA file nests like that.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from defusedxml.common import (  # type: ignore[import-untyped]
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser  # type: ignore[import-untyped]

from fokus.errors import FokusError
from fokus.importers import limits

MAX_BYTES = limits.MAX_PARSE_BYTES
ENTITIES = (
    "refused: the XML declares entities (a billion-laughs or external-entity attack, or a file fokus cannot trust)"
)
EXTERNAL = "refused: the XML refers to an external resource (an external-entity attack, or a file fokus cannot trust)"
DTD = "refused: the XML has a DTD (REFI-QDA files have none; fokus does not read DTDs from untrusted files)"
ENCODING = "not UTF-8/UTF-16 text"


class _Located(ET.Element):
    """An element that remembers the line its start tag is on."""

    sourceline: int | None = None


class _Builder(ET.TreeBuilder):
    """A tree builder that refuses elements nested deeper than ``MAX_XML_DEPTH``."""

    def __init__(self, display: str) -> None:
        super().__init__(element_factory=self._element)
        self.display = display
        self.parser: DefusedXMLParser | None = None
        self.depth = 0

    def _element(self, tag: str, attrib: dict[str, str]) -> ET.Element:
        element = _Located(tag, attrib)
        element.sourceline = self.parser.parser.CurrentLineNumber if self.parser is not None else None
        return element

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        if self.depth > limits.MAX_XML_DEPTH:
            raise FokusError(
                f"XML nested deeper than {limits.MAX_XML_DEPTH} elements; no REFI-QDA file nests like that",
                path=self.display,
                where=_current(self.parser) if self.parser is not None else None,
            )
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


def parse_xml(data: bytes, display: str, *, max_bytes: int = MAX_BYTES) -> ET.Element:
    """The root element of ``data``; any problem is a FokusError naming ``display`` ("project.qdpx!project.qde")."""
    if len(data) > max_bytes:
        raise FokusError(
            f"larger than {_size(max_bytes)} ({_size(len(data))}); fokus refuses XML this large",
            path=display,
            hint="a file this size is more likely damaged or hostile than a real project",
        )
    text = _decode(data, display)
    builder = _Builder(display)
    parser = DefusedXMLParser(
        target=builder,
        forbid_dtd=False,  # refused at the end of the DTD instead, so entity declarations inside it are named as such
        forbid_entities=True,
        forbid_external=True,
    )
    parser.parser.EndDoctypeDeclHandler = _refuse_dtd
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except ET.ParseError as exc:
        raise FokusError(f"not well-formed XML: {_expat_reason(exc)}", path=display, where=_where(exc)) from None
    except EntitiesForbidden:
        raise FokusError(ENTITIES, path=display, where=_current(parser)) from None
    except ExternalReferenceForbidden:
        raise FokusError(EXTERNAL, path=display, where=_current(parser)) from None
    except DTDForbidden:
        raise FokusError(DTD, path=display, where=_current(parser)) from None
    except (DefusedXmlException, ValueError, RecursionError, MemoryError) as exc:
        raise FokusError(f"refused: unreadable XML ({type(exc).__name__})", path=display) from None
    if not isinstance(root, ET.Element):
        raise FokusError("not well-formed XML: no root element", path=display)
    return root


def line_of(element: ET.Element) -> int | None:
    """The line the element starts on, for elements from :func:`parse_xml` (None for others)."""
    return getattr(element, "sourceline", None)


def where(element: ET.Element) -> str | None:
    """``"line N"`` for an element from :func:`parse_xml`, for FokusError's ``where``."""
    line = line_of(element)
    return None if line is None else f"line {line}"


def local(tag: str) -> str:
    """The tag without its ``{namespace}``."""
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


def namespace(tag: str) -> str:
    """The tag's namespace ("" for none)."""
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children with this local name, in any namespace (files in the wild mix them)."""
    return (c for c in element if isinstance(c.tag, str) and local(c.tag) == name)


def child(element: ET.Element, name: str) -> ET.Element | None:
    """The first direct child with this local name, or None."""
    return next(children(element, name), None)


def text_of(element: ET.Element, name: str) -> str | None:
    """The text of a child such as ``Description`` (None when it is missing or blank)."""
    found = child(element, name)
    if found is None:
        return None
    text = "".join(found.itertext()).strip()
    return text or None


def _refuse_dtd() -> None:
    raise DTDForbidden(None, None, None)


def _decode(data: bytes, display: str) -> str:
    """Text from UTF-8 (with or without a byte-order mark) or UTF-16; the parser then reads the text, not the bytes,
    so an encoding declaration cannot switch it to another encoding."""
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
            ENCODING, path=display, where=at, hint="REFI-QDA files are UTF-8; save the file as UTF-8 and try again"
        ) from None


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


def _current(parser: DefusedXMLParser) -> str | None:
    expat = getattr(parser, "parser", None)
    line = getattr(expat, "CurrentLineNumber", None)
    column = getattr(expat, "CurrentColumnNumber", None)
    if not line or column is None:
        return None
    return f"line {line}, column {column + 1}"


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"
