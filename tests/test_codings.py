"""Codings: import with validation against the stored text, export, round trips, conflicts, the event log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from fokus.api.codings import coding_rows, import_codings
from fokus.api.messages import import_messages
from fokus.errors import FokusError
from fokus.files.codings import COLUMNS, read_codings, write_rows
from fokus.model import Coder, Coding, Event
from fokus.store import Project
from tests.conftest import at, parsed, record

TEXT = "Vi hadde flom i mars. Facebook var viktigste kanal."


@pytest.fixture
def coded(project: Project) -> Project:
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("m1", "Kari Holmen", TEXT, when=at(1), case="Bodø"),
                    record("m2", "Geir Mathisen", "Enig 👍", when=at(1, 11), thread="m1", parent="m1"),
                )
            ],
        )
    return project


def write(tmp_path: Path, text: str, name: str = "codings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_validates_spans_and_logs_events(coded: Project, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "message_id,code,start,end,text,coder\n"
        "m1,krise/flom,0,21,Vi hadde flom i mars.,ingrid\n"
        "m1,krise/flom,0,21,Vi hadde flom i mars.,magnus\n"
        "m2,dialog,,,,ingrid\n",
    )
    with coded.begin() as session:
        report = import_codings(session, read_codings(path), display=str(path))
    assert (report.added, report.coders_added) == (3, ["ingrid", "magnus"])
    with coded.read() as session:
        rows = list(coding_rows(session))
        events = session.scalars(select(Event)).all()
        kinds = set(session.scalars(select(Coder.kind)))
    assert [(r["message_id"], r["code"], r["start"], r["end"], r["text"], r["coder"]) for r in rows] == [
        ("m1", "krise/flom", 0, 21, "Vi hadde flom i mars.", "ingrid"),
        ("m1", "krise/flom", 0, 21, "Vi hadde flom i mars.", "magnus"),
        ("m2", "dialog", 0, 6, "Enig 👍", "ingrid"),
    ]
    assert rows[0]["case"] == "Bodø"
    assert rows[0]["participant"] == "Deltaker 01"
    assert rows[0]["status"] == "accepted"
    assert rows[0]["origin"] == "human"
    assert kinds == {"human"}
    assert len(events) == 3
    assert {e.action for e in events} == {"coding.add"}
    assert len({e.batch for e in events}) == 1
    assert events[0].after is not None
    assert events[0].after["start"] == 0


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("m9,krise,,,,ingrid", "message 'm9' is not in the project"),
        ("m1,vaer,,,,ingrid", "code 'vaer' is not in the codebook"),
        ("m1,gruppe,,,,ingrid", "not codable"),
        ("m1,krise,0,999,,ingrid", "outside message 'm1'"),
        ("m1,krise,5,5,,ingrid", "outside message 'm1'"),
        ("m1,krise,0,5,Feil tekst,ingrid", "differs from the file's text"),
        ("m1,krise,,,,", "no coder"),
    ],
)
def test_bad_rows_fail_with_their_line_and_write_nothing(coded: Project, tmp_path: Path, row: str, words: str) -> None:
    path = write(tmp_path, f"message_id,code,start,end,text,coder\nm1,krise,,,,ingrid\n{row}\n")
    with pytest.raises(FokusError, match=words) as err, coded.begin() as session:
        import_codings(session, read_codings(path), display=str(path))
    assert str(err.value).startswith(f"{path}:line 3:")
    with coded.read() as session:
        assert session.scalars(select(Coding)).all() == []
        assert session.scalars(select(Event)).all() == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("code,start\nkrise,1\n", "missing column 'message_id'"),
        ("message_id,code,start\nm1,krise,3\n", "give both start and end"),
        ("message_id,code,start,end\nm1,krise,a,b\n", "not a whole number"),
        ("message_id,code,status\nm1,krise,maybe\n", "unknown status 'maybe'"),
        ("message_id,code,created_at\nm1,krise,2013-06-01 10:00\n", "has no time zone"),
        ("message_id,code\nm1,krise,extra\n", "more cells than the header"),
        ('[{"code": "krise"}]', "item 0: missing 'message_id'"),
        ("[1, 2", "not valid JSON"),
        ("", "empty"),
    ],
)
def test_bad_codings_files(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(FokusError, match=words):
        read_codings(write(tmp_path, text, "c.json" if text.startswith("[") else "c.csv"))


def test_export_then_import_into_a_fresh_project_round_trips(coded: Project, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "message_id,code,start,end,coder,status,origin,confidence,created_at\n"
        "m1,krise/flom,0,21,ingrid,accepted,human,,2013-06-03T09:12:00+00:00\n"
        "m1,dialog,22,51,,suggested,rule:dialog-1,0.75,2013-06-04T10:00:00+02:00\n",
    )
    with coded.begin() as session:
        import_codings(session, read_codings(path), display=str(path))
    for fmt in ("csv", "json"):
        out = io.StringIO()
        with coded.read() as session:
            write_rows(coding_rows(session), COLUMNS, fmt, out)
        exported = write(tmp_path, out.getvalue(), f"export.{fmt}")
        with coded.begin() as session:
            report = import_codings(session, read_codings(exported), display=str(exported))
        assert (report.added, report.unchanged, report.conflicts) == (0, 2, 0)
        rows = read_codings(exported)
        assert rows[1].created_at is not None
        assert rows[1].created_at.isoformat() == "2013-06-04T08:00:00+00:00"
        assert rows[1].confidence == 0.75
        assert rows[1].coder == "fokus"


def test_conflicts_are_left_alone_unless_replaced(coded: Project, tmp_path: Path) -> None:
    first = write(tmp_path, "message_id,code,coder,status\nm1,krise,ingrid,accepted\n")
    second = write(tmp_path, "message_id,code,coder,status\nm1,krise,ingrid,rejected\n", "2.csv")
    with coded.begin() as session:
        import_codings(session, read_codings(first), display="1")
    with coded.begin() as session:
        report = import_codings(session, read_codings(second), display="2")
    assert (report.added, report.conflicts) == (0, 1)
    with coded.read() as session:
        assert session.scalar(select(Coding.status)) == "accepted"
    with coded.begin() as session:
        report = import_codings(session, read_codings(second), display="2", replace=True)
    assert report.replaced == 1
    with coded.read() as session:
        assert session.scalar(select(Coding.status)) == "rejected"
        change = session.scalars(select(Event).where(Event.action == "coding.change")).one()
    assert change.before is not None
    assert change.after is not None
    assert (change.before["status"], change.after["status"]) == ("accepted", "rejected")
