"""Case tables: typed attributes inferred or forced, errors with lines, updates without surprises."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from fokus.api.cases import case_rows, import_cases, link_participants
from fokus.api.messages import import_messages
from fokus.errors import FokusError
from fokus.files.cases import read_case_table
from fokus.model import AttributeType, Participant
from fokus.store import Project
from tests.conftest import at, parsed, record


def write(tmp_path: Path, text: str, name: str = "cases.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def test_types_are_inferred(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kommune;kommunenummer;innbyggertall;score;topp10;siden;fylke\n"
        "Bodø;1804;48200;91,5;ja;2009-11-02;Nordland\n"
        "Bærum;0219;114500;87.4;nei;08.06.2009;Akershus\n",
        bom=True,
    )
    table = read_case_table(path)
    types = {a.name: a.type for a in table.attributes}
    assert types == {
        "kommunenummer": AttributeType.TEXT,
        "innbyggertall": AttributeType.INTEGER,
        "score": AttributeType.FLOAT,
        "topp10": AttributeType.BOOLEAN,
        "siden": AttributeType.DATE,
        "fylke": AttributeType.TEXT,
    }
    barum = table.rows[1].values
    assert barum == {
        "kommunenummer": "0219",
        "innbyggertall": 114500,
        "score": 87.4,
        "topp10": False,
        "siden": date(2009, 6, 8),
        "fylke": "Akershus",
    }


def test_forced_types_and_their_errors(tmp_path: Path) -> None:
    table = read_case_table(write(tmp_path, "kommune,rank:float\nBodø,1\n"))
    assert table.attributes[0].type is AttributeType.FLOAT
    assert table.rows[0].values["rank"] == 1.0
    with pytest.raises(FokusError, match=r"line 3: column 'rank': 'x' is not a whole number"):
        read_case_table(write(tmp_path, "kommune,rank:integer\nBodø,1\nVoss,x\n", "b.csv"))
    with pytest.raises(FokusError, match="unknown type 'tall'"):
        read_case_table(write(tmp_path, "kommune,rank:tall\nBodø,1\n", "c.csv"))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("kommune,a\nBodø,1\nBodø,2\n", "line 3: case 'Bodø' appears twice"),
        ("kommune,a\nBodø,1,2\n", "line 2: 3 cells, but the header has 2"),
        ("kommune,a\n,1\n", "line 2: no case name"),
        ("kommune,a\nBo\x00dø,1\n", "line 2: NUL byte"),
        ("kommune,kommune\nBodø,1\n", "appears twice"),
    ],
)
def test_bad_tables(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FokusError, match=words) as err:
        read_case_table(path)
    assert str(err.value).startswith(str(path))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("kommune\nBodø\n".encode("latin-1"))
    with pytest.raises(FokusError, match="line 2: not UTF-8"):
        read_case_table(path)


def test_import_updates_and_refuses_a_type_change(project: Project, tmp_path: Path) -> None:
    first = write(tmp_path, "kommune,innbyggertall,topp10\nBodø,48200,ja\nVoss,14100,nei\n")
    with project.begin() as session:
        report = import_cases(session, read_case_table(first), str(first))
    assert (report.added, report.attributes_added) == (2, ["innbyggertall", "topp10"])
    second = write(tmp_path, "kommune,innbyggertall,topp10\nBodø,48300,ja\nVOSS,14100,nei\n", "2.csv")
    with project.begin() as session:
        report = import_cases(session, read_case_table(second), str(second))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    with project.read() as session:
        _, rows = case_rows(session)
    assert rows[0] == {"case": "Bodø", "innbyggertall": 48300, "topp10": True, "participants": 0, "messages": 0}
    clash = write(tmp_path, "kommune,innbyggertall\nBodø,mange\n", "3.csv")
    with pytest.raises(FokusError, match="reads as text, but the project has it as integer"), project.begin() as s:
        import_cases(s, read_case_table(clash), str(clash))


def test_every_type_comes_back_as_it_went_in_up_to_the_largest_whole_numbers(project: Project, tmp_path: Path) -> None:
    """The integer column holds 64 bits on every backend (PostgreSQL's INTEGER would hold 32), floats keep their
    digits, and dates, booleans and texts with Norwegian letters come back unchanged."""
    path = write(
        tmp_path,
        "kommune,konto:integer,score,topp10,siden,fylke\n"
        f"Bodø,{2**63 - 1},91.123456789012,ja,2009-11-02,Nordland\n"
        f"Voss,{-(2**63)},-0.25,nei,08.06.2009,Vestland – Hordaland\n"
        f"Ørsta,{2**31},0,nei,,\n",
    )
    with project.begin() as session:
        report = import_cases(session, read_case_table(path), str(path))
    assert report.added == 3
    with project.read() as session:
        _, rows = case_rows(session)
    assert {row["case"]: row for row in rows} == {
        "Bodø": {"case": "Bodø", "konto": 2**63 - 1, "score": 91.123456789012, "topp10": True, "siden": "2009-11-02",
                 "fylke": "Nordland", "participants": 0, "messages": 0},
        "Voss": {"case": "Voss", "konto": -(2**63), "score": -0.25, "topp10": False, "siden": "2009-06-08",
                 "fylke": "Vestland – Hordaland", "participants": 0, "messages": 0},
        "Ørsta": {"case": "Ørsta", "konto": 2**31, "score": 0.0, "topp10": False, "siden": None, "fylke": None,
                  "participants": 0, "messages": 0},
    }  # fmt: skip
    with project.begin() as session:  # the same table again: nothing reads as changed
        again = import_cases(session, read_case_table(path), str(path))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (f"Kari Holmen,{'K' * 101},ordfører", "line 3: case name too long: 101 characters (at most 100)"),
        (f"Kari Holmen,Bodø,{'r' * 201}", "line 3: role too long: 201 characters (at most 200)"),
        ("Kari Holmen,Bo\x00dø,ordfører", "line 3: NUL byte"),
    ],
    ids=["case", "role", "nul"],
)
def test_a_participant_file_the_project_cannot_hold_is_refused(
    project: Project, tmp_path: Path, row: str, words: str
) -> None:
    """PostgreSQL holds names and roles to their columns and refuses NUL (SQLite took them): refused, naming the
    file and the line, and nothing is linked."""
    with project.begin() as session:
        import_messages(session, [parsed(record("p1", "Kari Holmen", "Hei", when=at(1)))])
    path = write(tmp_path, f"navn,kommune,rolle\nUkjent,Voss,\n{row}\n", "deltakere.csv")
    with pytest.raises(FokusError) as err, project.begin() as session:
        link_participants(session, path)
    assert str(err.value).startswith(f"{path}:{words}")
    with project.read() as session:
        assert session.execute(select(Participant.case_id, Participant.role)).all() == [(None, None)]
        assert case_rows(session)[1] == []
