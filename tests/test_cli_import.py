"""`fokus import` end to end: formats detected, merged without duplicates, bad input refused in one line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from fokus.store import open_project
from fokus.store.engine import database_url, make_engine
from tests.test_cli import fokus
from tests.test_import_messages import holdings

GRAPH = {
    "data": [
        {
            "id": "1_10",
            "message": "Hvordan svarer dere i helgene?",
            "created_time": "2013-03-01T09:00:00+0000",
            "from": {"id": "7", "name": "Kari Holmen"},
            "comments": {
                "data": [
                    {
                        "id": "10_1",
                        "message": "Vi svarar måndag.",
                        "created_time": "2013-03-01T10:00:00+0000",
                        "from": {"id": "8", "name": "Ragnhild Vik"},
                    }
                ]
            },
        }
    ],
    "paging": {"cursors": {"before": "a", "after": "b"}},
}
CSV = (
    "id,thread_id,parent_id,author,created_time,text,case\n"
    "1_10,,,Kari Holmen,2013-03-01T10:00:00+01:00,Hvordan svarer dere i helgene?,Bodø\n"
    "c2,1_10,1_10,Geir Mathisen,2013-03-02 12:00,Vi svarer på kvelden også.,Drammen\n"
)


def content(db: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, sorted: what a project holds, read the same way on SQLite and PostgreSQL (a SQLite
    file's bytes change with WAL even when nothing was written)."""
    engine = make_engine(database_url(db))
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            return {t.name: sorted(map(tuple, conn.execute(select(t))), key=repr) for t in tables.sorted_tables}
    finally:
        engine.dispose()


@pytest.fixture
def project(db: str, codebook_file: Path) -> str:
    fokus("--db", db, "init", "--codebook", str(codebook_file))
    return db


def test_formats_are_detected_and_merged(project: str, tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(GRAPH), encoding="utf-8")
    table = tmp_path / "rest.csv"
    table.write_text(CSV, encoding="utf-8-sig")
    out = fokus("--db", project, "import", str(feed), str(table))
    assert f"{feed} (graph-json): 2 messages, 2 added, 0 already there" in out
    assert f"{table} (csv): 2 messages, 1 added, 1 already there" in out
    assert "Added 3 messages in 1 new threads, 3 new participants, 2 new cases" in out
    again = fokus("--db", project, "import", str(tmp_path))
    assert "Added 0 messages" in again
    assert "[file imported before]" in again
    status = json.loads(fokus("--db", project, "status", "--json"))
    assert (status["messages"], status["threads"], status["participants"]) == (3, 1, 3)
    exported = fokus("--db", project, "export", "messages", "--format", "json")
    rows = json.loads(exported)
    assert [r["participant"] for r in rows] == ["Deltaker 01", "Deltaker 02", "Deltaker 03"]
    assert "Holmen" not in exported


def test_dry_run_reports_and_writes_nothing(project: str, tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(GRAPH), encoding="utf-8")
    before = content(project)
    out = fokus("--db", project, "import", "--dry-run", str(feed))
    assert "2 added" in out
    assert "Dry run: nothing was written." in out
    assert content(project) == before


def test_csv_with_a_mapping(project: str, tmp_path: Path) -> None:
    table = tmp_path / "eget.csv"
    table.write_text("nr;navn;tid;melding\n1;Kari Holmen;01.03.2013 10:00;Hei alle\n", encoding="utf-8")
    out = fokus("--db", project, "import", str(table), "--map", "id=nr", "--map", "author=navn",
                "--map", "created_time=tid", "--map", "text=melding")  # fmt: skip
    assert "1 added" in out
    [row] = json.loads(fokus("--db", project, "export", "messages", "--format", "json"))
    assert row["created_at"] == "2013-03-01T10:00:00+01:00"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BAD = [
    ("truncated.json", b'{"data": [{"id": "1_1", "message": "Hei', "truncated"),
    ("words.json", b"this is not json", "not valid JSON"),
    ("binary.json", bytes(range(256)) * 4, ""),
    ("empty.json", b"", "empty"),
    ("shape.json", b'{"foo": 1}', "wrong shape"),
    ("missing.csv", b"id,author,text\n1,Kari,Hei\n", "created_time"),
    ("nul.csv", b"id,author,created_time,text\n1,Kari,2013-03-01 10:00,He\x00i\n", "NUL"),
    ("date.csv", b"id,author,created_time,text\n1,Kari,31.02.2013 10:00,Hei\n", "line 2"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "deep"),
    ("nothing.zip", _zip({"README.txt": b"Dette er ikke en eksport."}), "no export"),
    ("broken.zip", b"PK\x03\x04" + b"\x00" * 200, "zip"),
]


@pytest.mark.parametrize(("name", "data", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_nonzero_and_writes_nothing(
    project: str, tmp_path: Path, name: str, data: bytes, words: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GRAPH), encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(data)
    before = content(project)
    err = fokus("--db", project, "import", str(good), str(bad), ok=False)
    assert err.startswith(f"fokus: error: {bad}"), err
    assert err.count("\n") == 1, err
    assert words.lower() in err.lower(), err
    assert "Traceback" not in err
    assert content(project) == before


TRANSCRIPT = Path(__file__).parent / "importers" / "data" / "transcript.txt"


def _donated(timestamp: int, title: str, text: str) -> dict[str, object]:
    comment = {"timestamp": timestamp, "comment": text, "author": "Ragnhild Vik", "group": "Kommunene i sosiale medier"}
    return {"timestamp": timestamp, "title": title, "data": [{"comment": comment}]}


DONATION = {
    "group_comments_v2": [
        _donated(1362135600, "Ragnhild Vik commented on Kari Holmen's post.", "Vi svarar måndag."),
        _donated(1362222000, "Ragnhild Vik commented on Hilde Moen's post.", "Snapchat er lurt."),  # her one post
    ]
}


@pytest.mark.postgresql
def test_the_same_files_make_the_same_project_on_both_backends(tmp_path: Path, pg_db: str, codebook_file: Path) -> None:
    (tmp_path / "feed.json").write_text(json.dumps(GRAPH), encoding="utf-8")
    (tmp_path / "rest.csv").write_text(CSV, encoding="utf-8-sig")
    (tmp_path / "your_comments_in_groups.json").write_text(json.dumps(DONATION), encoding="utf-8")
    (tmp_path / "tråd.txt").write_bytes(TRANSCRIPT.read_bytes())
    files = [str(tmp_path / name) for name in ("feed.json", "rest.csv", "your_comments_in_groups.json", "tråd.txt")]
    seen = []
    for db in (str(tmp_path / "p.db"), pg_db):
        fokus("--db", db, "init", "--codebook", str(codebook_file))
        said = [fokus("--db", db, "import", *files[:2]), fokus("--db", db, "import", *files)]
        said.append(fokus("--db", db, "export", "messages"))
        status = json.loads(fokus("--db", db, "status", "--json"))  # its placement counts come in either order
        project = open_project(db)
        seen.append((said, status, holdings(project)))
        project.close()
    sqlite, postgresql = seen
    assert postgresql[2] == sqlite[2]
    assert postgresql[:2] == sqlite[:2]
    status = sqlite[1]
    assert (status["messages"], status["threads"], status["sources"]) == (12, 4, 4)
    assert status["placement"] == {"source": 10, "by-author": 1, "unplaced": 1}
