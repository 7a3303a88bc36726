"""REFI-QDA codebooks: reading files from other tools, and a write/read round trip."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from fokus.errors import FokusError
from fokus.exchange.qdc import parse_qdc, read_qdc, slug, write_qdc

# The REFI-QDA project schema (MIT licence); there is no codebook schema beside it.
SCHEMAS = [Path(__file__).with_name("Project-mrt2019.xsd"), Path("/work/shared/refi-qda/Project-mrt2019.xsd")]

# As ATLAS.ti writes them: upper-case GUIDs, and a code without a colour.
ATLAS_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti 23">
  <Codes>
    <Code guid="6C1B3B0E-2F7A-4E55-9C1D-0A1B2C3D4E5F" name="Krise og beredskap" isCodable="false" color="#d62728">
      <Description>Alt om kriser.
Også øvelser.</Description>
      <NoteRef targetGUID="11111111-2222-3333-4444-555555555555"/>
      <Code guid="{7D2C4C1F-3A8B-4F66-8D2E-1B2C3D4E5F60}" name="Flom" isCodable="true" color="#1F77B4"/>
      <Code guid="8E3D5D20-4B9C-4077-9E3F-2C3D4E5F6071" name="Flom" isCodable="1"/>
    </Code>
    <Code guid="9F4E6E31-5CAD-4188-AF40-3D4E5F607182" name="Ønsker å delta" isCodable="true" color="#abc">
      <Description>   </Description>
    </Code>
    <Code guid="a05f7f42-6dbe-4299-b051-4e5f60718293" name="  Tillit   til kommunen " isCodable="true"/>
  </Codes>
  <Sets>
    <Set guid="b1608053-7ecf-43aa-8162-5f6071829304" name="Tema"/>
  </Sets>
</CodeBook>
"""


def write(tmp_path: Path, text: str, name: str = "koder.qdc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(FokusError) as info:
        read_qdc(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_reads_a_codebook_from_another_tool(tmp_path: Path) -> None:
    book = read_qdc(write(tmp_path, ATLAS_QDC))
    spec = book.spec
    assert spec.name == "koder"
    codes = spec.by_path()
    assert [c.path for c in spec.codes] == [
        "krise-og-beredskap",
        "krise-og-beredskap/flom",
        "krise-og-beredskap/flom-2",
        "onsker-a-delta",
        "tillit-til-kommunen",
    ]
    krise = codes["krise-og-beredskap"]
    assert krise.name == "Krise og beredskap"
    assert krise.parent is None
    assert krise.codable is False
    assert krise.color == "#D62728"
    assert krise.description == "Alt om kriser.\nOgså øvelser."
    assert (krise.include, krise.exclude, krise.examples, krise.rules) == (None, None, (), None)
    assert krise.line == 4
    flom2 = codes["krise-og-beredskap/flom-2"]
    assert (flom2.name, flom2.parent, flom2.codable, flom2.color) == ("Flom", "krise-og-beredskap", True, None)
    onsker = codes["onsker-a-delta"]
    assert (onsker.name, onsker.color, onsker.description) == ("Ønsker å delta", "#AABBCC", None)
    assert codes["tillit-til-kommunen"].name == "Tillit til kommunen"
    assert [c.position for c in spec.codes] == sorted(c.position for c in spec.codes)
    assert book.guids == {
        "krise-og-beredskap": "6c1b3b0e-2f7a-4e55-9c1d-0a1b2c3d4e5f",
        "krise-og-beredskap/flom": "7d2c4c1f-3a8b-4f66-8d2e-1b2c3d4e5f60",
        "krise-og-beredskap/flom-2": "8e3d5d20-4b9c-4077-9e3f-2c3d4e5f6071",
        "onsker-a-delta": "9f4e6e31-5cad-4188-af40-3d4e5f607182",
        "tillit-til-kommunen": "a05f7f42-6dbe-4299-b051-4e5f60718293",
    }
    assert any("1 set" in note for note in book.skipped)
    assert any("1 note reference" in note for note in book.skipped)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Krise og beredskap", "krise-og-beredskap"),
        ("Ønsker å delta", "onsker-a-delta"),
        ("Blåbær/Æble", "blabaer-aeble"),
        ("Café  Noël!!", "cafe-noel"),
        ("  --Q3: tillit_til kommunen--  ", "q3-tillit-til-kommunen"),
        ("???", "kode"),
        ("", "kode"),
        ("x" * 100, "x" * 60),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_sibling_ids_stay_unique_even_against_a_literal_suffix(tmp_path: Path) -> None:
    codes = "".join(
        f'<Code guid="{uuid.uuid4()}" name="{name}" isCodable="true"/>' for name in ("Tillit", "Tillit 2", "Tillit")
    )
    text = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'
    book = read_qdc(write(tmp_path, text))
    assert [c.path for c in book.spec.codes] == ["tillit", "tillit-2", "tillit-3"]


@pytest.mark.parametrize("root", ['CodeBook xmlns="urn:QDA-XML:project:1.0"', "CodeBook"])
def test_project_namespace_or_none_is_accepted(tmp_path: Path, root: str) -> None:
    guid = str(uuid.uuid4())
    text = f'<{root}><Codes><Code guid="{guid}" name="Flom" isCodable="true"/></Codes></CodeBook>'
    book = read_qdc(write(tmp_path, text))
    assert [c.name for c in book.spec.codes] == ["Flom"]
    assert book.guids == {"flom": guid}


def test_a_project_is_not_a_codebook(tmp_path: Path) -> None:
    message = refusal(write(tmp_path, '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'))
    assert "not a REFI-QDA codebook" in message
    assert "import the .qdpx" in message


@pytest.mark.parametrize(
    "text",
    ['<CodeBook xmlns="urn:example:other"><Codes/></CodeBook>', "<html><body/></html>"],
)
def test_other_roots_are_refused(tmp_path: Path, text: str) -> None:
    assert "not a REFI-QDA codebook" in refusal(write(tmp_path, text))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('<Code name="Flom" isCodable="true"/>', "code 'Flom' has no guid"),
        ('<Code guid="not-a-guid" name="Flom" isCodable="true"/>', "bad guid 'not-a-guid'"),
        (f'<Code guid="{uuid.uuid4()}" isCodable="true"/>', "a code has no name"),
        (f'<Code guid="{uuid.uuid4()}" name="Flom" isCodable="kanskje"/>', "isCodable of code 'Flom' is 'kanskje'"),
    ],
)
def test_bad_codes_are_errors_with_a_line(tmp_path: Path, code: str, expected: str) -> None:
    text = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n{code}\n</Codes></CodeBook>'
    message = refusal(write(tmp_path, text))
    assert expected in message
    assert ":line 3:" in message


def test_the_same_guid_twice_is_an_error(tmp_path: Path) -> None:
    guid = uuid.uuid4()
    codes = (
        f'<Code guid="{guid}" name="A" isCodable="true"/><Code guid="{str(guid).upper()}" name="B" isCodable="true"/>'
    )
    message = refusal(write(tmp_path, f"<CodeBook><Codes>{codes}</Codes></CodeBook>"))
    assert f"two codes have the GUID {guid}" in message


def test_an_empty_codebook_is_an_error(tmp_path: Path) -> None:
    assert "has no codes" in refusal(write(tmp_path, '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>'))


def test_nesting_deeper_than_fokus_allows_is_an_error(tmp_path: Path) -> None:
    depth = 40
    opening = "".join(f'<Code guid="{uuid.uuid4()}" name="k{i}" isCodable="true">' for i in range(depth))
    text = f"<CodeBook><Codes>{opening}{'</Code>' * depth}</Codes></CodeBook>"
    assert "nest deeper than" in refusal(write(tmp_path, text))


def test_a_missing_file_is_a_fokus_error(tmp_path: Path) -> None:
    assert "cannot read the codebook" in refusal(tmp_path / "finnes-ikke.qdc")


def test_hostile_xml_in_a_qdc_is_refused(tmp_path: Path) -> None:
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<CodeBook><Codes><Code guid="6c1b3b0e-2f7a-4e55-9c1d-0a1b2c3d4e5f" name="&x;" isCodable="true"/>'
        "</Codes></CodeBook>"
    )
    assert "refused: the XML declares entities" in refusal(write(tmp_path, text))
    laughs = '<!DOCTYPE CodeBook [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><CodeBook name="&b;"/>'
    assert "refused: the XML declares entities" in refusal(write(tmp_path, laughs))


ROWS: list[dict[str, Any]] = [
    {
        "id": "krise",
        "name": "Krise og beredskap",
        "parent": None,
        "description": "Kriser, beredskap og varsling.",
        "include": "Kokevarsel, flom, ras.",
        "exclude": "Vanlig drift (kode: drift).",
        "examples": ["Vi la ut kokevarsel på Facebook.", "Flomvarsel for Gudbrandsdalen"],
        "color": "#d62728",
        "codable": False,
        "codings": 3,
    },
    {
        "id": "krise/flom",
        "name": "Flom",
        "parent": "krise",
        "description": None,
        "include": None,
        "exclude": None,
        "examples": [],
        "color": None,
        "codable": True,
        "codings": 0,
    },
    {
        "id": "krise/flom/ras",
        "name": "Ras & <skred>",
        "parent": "krise/flom",
        "description": "Jord- og snøskred.",
        "include": None,
        "exclude": None,
        "examples": [],
        "color": "#2CA02C",
        "codable": True,
        "codings": 0,
    },
    {
        "id": "onsker-a-delta",
        "name": "Ønsker å delta",
        "parent": None,
        "description": "",
        "include": "",
        "exclude": None,
        "examples": [],
        "color": "#1F77B4",
        "codable": True,
        "codings": 1,
    },
]
GUIDS = {row["id"]: str(uuid.uuid5(uuid.NAMESPACE_URL, row["id"])).upper() for row in ROWS}


def test_write_then_read_keeps_the_tree_and_the_guids(tmp_path: Path) -> None:
    out = tmp_path / "eksport.qdc"
    write_qdc(ROWS, out, guid_of=GUIDS.__getitem__)
    data = out.read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<CodeBook")
    assert b'\n  <Codes>\n    <Code guid="' in data  # pretty-printed
    assert b"<Sets" not in data
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind

    book = read_qdc(out)
    # fokus writes each code's id into its description, so the ids come back as they were
    codes = book.spec.codes
    assert [c.path for c in codes] == [r["id"] for r in ROWS]
    assert len(codes) == len(ROWS)
    back = {row["id"]: code for row, code in zip(ROWS, codes, strict=True)}
    assert [(c.name, c.color, c.codable) for c in codes] == [
        (r["name"], r["color"].upper() if r["color"] else None, r["codable"]) for r in ROWS
    ]
    assert [back[r["parent"]].path if r["parent"] else None for r in ROWS] == [c.parent for c in codes]
    krise = back["krise"]
    assert (krise.description, krise.include, krise.exclude) == (
        "Kriser, beredskap og varsling.",
        "Kokevarsel, flom, ras.",
        "Vanlig drift (kode: drift).",
    )
    assert krise.examples == ("Vi la ut kokevarsel på Facebook.", "Flomvarsel for Gudbrandsdalen")
    assert back["krise/flom"].description is None
    assert back["krise/flom/ras"].description == "Jord- og snøskred."
    assert back["onsker-a-delta"].description is None
    assert {row_id: book.guids[code.path] for row_id, code in back.items()} == {k: v.lower() for k, v in GUIDS.items()}

    # And what another tool reads it as: the same again, once more round.
    again = tmp_path / "igjen.qdc"
    write_qdc(
        [
            {
                "id": c.path,
                "name": c.name,
                "parent": c.parent,
                "description": c.description,
                "include": c.include,
                "exclude": c.exclude,
                "examples": list(c.examples),
                "color": c.color,
                "codable": c.codable,
            }
            for c in codes
        ],
        again,
        guid_of=book.guids.__getitem__,
    )
    assert again.read_bytes() == data


def test_written_codebook_is_valid_refi_qda(tmp_path: Path) -> None:
    """Checked as the CodeBook inside a minimal Project, against the project schema."""
    schema = next((path for path in SCHEMAS if path.exists()), None)
    if schema is None:
        pytest.skip("the REFI-QDA schema Project-mrt2019.xsd is not here")
    stream = io.BytesIO()
    write_qdc(ROWS, stream, guid_of=GUIDS.__getitem__)
    text = stream.getvalue().decode()
    codebook = text.split("?>", 1)[1].replace("urn:QDA-XML:codebook:1.0", "urn:QDA-XML:project:1.0")
    codebook = codebook.replace('xmlns="urn:QDA-XML:project:1.0" ', "").replace(' origin="fokus"', "")
    project = f'<Project xmlns="urn:QDA-XML:project:1.0" name="test">{codebook}</Project>'
    xmlschema.XMLSchema(schema).validate(project)


def test_writing_needs_parents_first() -> None:
    with pytest.raises(ValueError, match="before its parent"):
        write_qdc(ROWS[1:], io.BytesIO(), guid_of=GUIDS.__getitem__)


def test_parse_qdc_names_the_member() -> None:
    with pytest.raises(FokusError, match=r"^prosjekt\.qdpx!koder\.qdc:line 1: not UTF-8/UTF-16 text"):
        parse_qdc("<CodeBook>blåbær</CodeBook>".encode("latin-1"), "prosjekt.qdpx!koder.qdc", name="koder")
