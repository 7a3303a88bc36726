"""Codings: import with validation against the stored text, export, round trips, conflicts, the event log."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Text, cast, func, inspect, select

from fokus.api.codings import coding_rows, import_codings
from fokus.api.messages import import_messages
from fokus.domain.events import coding_snapshot
from fokus.errors import FokusError
from fokus.files.codings import COLUMNS, read_codings, write_rows
from fokus.model import Coder, Coding, Event, Message
from fokus.store import Project
from fokus.store.bulk import REBUILT_FROM
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


def test_logged_additions_are_the_text_json_dumps_makes_of_each_snapshot(coded: Project, tmp_path: Path) -> None:
    """The import writes its coding.add events from a template: the stored text is what log_events would store."""
    path = write(
        tmp_path,
        "message_id,code,start,end,coder,status,origin,confidence\n"
        "m1,krise/flom,0,21,ingrid,accepted,human,\n"
        "m1,krise/flom,0,21,,suggested,rule:flom-«1»,1\n"
        "m1,dialog,22,51,,suggested,model:tfidf,0.75\n"
        'm2,dialog,0,6,"kåre ""k""",rejected,human,1.0\n',
    )
    with coded.begin() as session:
        report = import_codings(session, read_codings(path), display=str(path))
    with coded.read() as session:
        stored = session.execute(select(Event.coding_id, cast(Event.after, Text)).order_by(Event.id)).all()
        codings = {c.id: coding_snapshot(c) for c in session.scalars(select(Coding))}
    assert [cid for cid, _ in stored] == report.added_ids
    assert [text for _, text in stored] == [json.dumps(codings[cid]) for cid, _ in stored]
    assert [json.loads(text)["confidence"] for _, text in stored] == [None, 1.0, 0.75, 1.0]


def test_csv_cells_are_read_as_a_dict_reader_reads_them(tmp_path: Path) -> None:
    """As csv.DictReader read them before: a row after blank lines is placed at the first of them, a short row's
    missing cells are empty, of two columns of one name the last counts; and a cell fokus guarded against
    spreadsheet formulas comes back as it was."""
    path = write(
        tmp_path,
        "message_id,code,coder,code\nm1,x,ingrid,krise\n\nm2,y,'=magnus,dialog\n",
    )
    rows = read_codings(path)
    assert [(r.message_id, r.code, r.coder, r.where) for r in rows[:2]] == [
        ("m1", "krise", "ingrid", "line 2"),
        ("m2", "dialog", "=magnus", "line 3"),
    ]
    assert len(rows) == 2
    with pytest.raises(FokusError, match="line 3: empty code"):
        read_codings(write(tmp_path, "message_id,code,coder,code\nm1,x,ingrid,krise\n\n\nm1,z,ingrid\n"))


def test_a_repeated_cell_is_checked_where_it_is_wrong(tmp_path: Path) -> None:
    """Cells are remembered once read: a bad value is still refused on every row it appears in, the first named."""
    text = "message_id,code,start,end,status\n" + "m1,krise,0,5,accepted\n" * 3 + "m1,krise,0,5,maybe\n"
    with pytest.raises(FokusError, match="line 5: unknown status 'maybe'"):
        read_codings(write(tmp_path, text))


def test_an_import_is_one_batch_that_reverting_takes_back_whole(coded: Project, tmp_path: Path) -> None:
    """The import's coding.add events are one batch, which undo reverts as one step (`fokus undo` picks a coder's
    own batches; an import's events name no coder, as before)."""
    from fokus.api.coding_actions import _revert
    from fokus.domain.coders import human_coder

    path = write(
        tmp_path,
        "message_id,code,start,end,coder,status,origin\n"
        "m1,krise/flom,0,21,ingrid,accepted,human\n"
        "m1,dialog,22,51,,suggested,rule:dialog-1\n"
        "m2,dialog,,,magnus,rejected,human\n",
    )
    with coded.begin() as session:
        report = import_codings(session, read_codings(path), display=str(path))
    with coded.read() as session:
        (batch,) = session.scalars(select(Event.batch).distinct())
        assert session.scalar(select(func.count()).select_from(Coding)) == 3
    with coded.begin() as session:
        step = _revert(session, batch, "undo", human_coder(session, "ingrid"))
    assert step.changed == report.added == 3
    with coded.read() as session:
        assert session.scalars(select(Coding)).all() == []


def _large_file(tmp_path: Path, last: str = "") -> Path:
    """More codings than REBUILT_FROM (every span of m1 under four codes), so the import sets indexes aside."""
    spans = [(start, end) for start in range(len(TEXT)) for end in range(start + 1, len(TEXT) + 1)]
    codes = ("krise", "krise/flom", "dialog", "gruppe/barn")
    lines = [f"m1,{code},{start},{end},ingrid" for code in codes for start, end in spans]
    assert len(lines) > REBUILT_FROM
    return write(tmp_path, "message_id,code,start,end,coder\n" + "\n".join(lines) + "\n" + last)


def _indexes(project: Project) -> list[tuple[str, tuple[str, ...], bool]]:
    with project.read() as session:
        found = inspect(session.connection())
        return sorted(
            (index["name"] or "", tuple(map(str, index["column_names"])), bool(index["unique"]))
            for table in ("codings", "events")
            for index in found.get_indexes(table)
        )


def test_a_large_import_writes_what_a_small_one_does_and_keeps_the_indexes(coded: Project, tmp_path: Path) -> None:
    """An import larger than the table makes its indexes after the rows (SQLite): ids in the file's order, one
    coding.add event per coding (one batch, the text log_events would store), every index there again after the
    commit and used by lookups."""
    before = _indexes(coded)
    path = _large_file(tmp_path)
    with coded.begin() as session:
        report = import_codings(session, read_codings(path), display=str(path))
    assert _indexes(coded) == before
    with coded.read() as session:
        events = session.execute(select(Event.coding_id, cast(Event.after, Text)).order_by(Event.id)).all()
        stored = {c.id: coding_snapshot(c) for c in session.scalars(select(Coding))}
        batches = session.scalar(select(func.count(Event.batch.distinct())))
        used = session.execute(select(Coding.id).join(Message).where(Message.external_id == "m1", Coding.start == 3))
        found = len(used.all())
    rows = read_codings(path)
    assert report.added == len(stored) == len(events) == len(rows)
    assert [cid for cid, _ in events] == report.added_ids == sorted(report.added_ids)
    assert [text for _, text in events] == [json.dumps(stored[cid]) for cid, _ in events]
    assert [(stored[i]["start"], stored[i]["end"]) for i in report.added_ids[:3]] == [(0, 1), (0, 2), (0, 3)]
    assert (batches, found) == (1, 4 * (len(TEXT) - 3))


def test_a_large_import_with_a_bad_last_row_or_a_dry_run_writes_nothing(coded: Project, tmp_path: Path) -> None:
    before = _indexes(coded)
    path = _large_file(tmp_path, "m1,krise,0,999,ingrid\n")
    with pytest.raises(FokusError, match="outside message 'm1'") as err, coded.begin() as session:
        import_codings(session, read_codings(path), display=str(path))
    assert str(err.value).startswith(f"{path}:line {len(read_codings(_large_file(tmp_path))) + 2}:")
    good = _large_file(tmp_path)
    with coded.begin(dry_run=True) as session:
        assert import_codings(session, read_codings(good), display=str(good)).added > REBUILT_FROM
    with coded.read() as session:
        assert session.scalar(select(func.count()).select_from(Coding)) == 0
        assert session.scalar(select(func.count()).select_from(Event)) == 0
    assert _indexes(coded) == before


def test_the_command_refuses_a_large_file_bad_at_its_last_row_in_one_line(
    coded: Project, db: str, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from fokus.cli import main

    path = _large_file(tmp_path, "m9,krise,0,5,ingrid\n")  # every row good but the last
    lines = len(path.read_text(encoding="utf-8").splitlines())
    before = _indexes(coded)
    result = CliRunner().invoke(main, ["--db", db, "codings", "import", str(path)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"{path}:line {lines}: message 'm9' is not in the project" in result.stderr
    with coded.read() as session:
        assert session.scalar(select(func.count()).select_from(Coding)) == 0
        assert session.scalar(select(func.count()).select_from(Event)) == 0
    assert _indexes(coded) == before


def test_an_import_is_a_step_of_its_coder_that_undo_takes_back(coded: Project, tmp_path: Path) -> None:
    from fokus.api.coding_actions import redo, undo

    path = write(tmp_path, "message_id,code,start,end,text,coder\nm1,krise/flom,0,21,,ingrid\nm2,dialog,,,,ingrid\n")
    with coded.begin() as session:
        import_codings(session, read_codings(path), display=str(path))
    both = write(tmp_path, "message_id,code,start,end,text,coder\nm1,dialog,0,8,,ingrid\nm1,dialog,0,8,,magnus\n")
    with coded.begin() as session:
        import_codings(session, read_codings(both), display=str(both))  # two coders' rows: nobody's step
        ingrid = session.scalar(select(Coder.id).where(Coder.name == "ingrid"))
        assert ingrid is not None
        undone = undo(session, ingrid)
        assert undone is not None
        assert undone.changed == 2
    with coded.read() as session:
        left = sorted((c.start, c.end, c.coder.name) for c in session.scalars(select(Coding)))
    assert left == [(0, 8, "ingrid"), (0, 8, "magnus")]
    with coded.begin() as session:
        assert undo(session, ingrid) is None
        assert redo(session, ingrid) is not None
    with coded.read() as session:
        assert session.scalar(select(func.count()).select_from(Coding)) == 4
