"""`fokus import` end to end: formats detected, merged without duplicates, bad input refused in one line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.test_cli import digest, fokus

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


@pytest.fixture
def project(tmp_path: Path, codebook_file: Path) -> Path:
    fokus("init", "--codebook", str(codebook_file))
    return tmp_path / "fokus.db"


def test_formats_are_detected_and_merged(project: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(GRAPH), encoding="utf-8")
    table = tmp_path / "rest.csv"
    table.write_text(CSV, encoding="utf-8-sig")
    out = fokus("import", str(feed), str(table))
    assert f"{feed} (graph-json): 2 messages, 2 added, 0 already there" in out
    assert f"{table} (csv): 2 messages, 1 added, 1 already there" in out
    assert "Added 3 messages in 1 new threads, 3 new participants, 2 new cases" in out
    again = fokus("import", str(tmp_path))
    assert "Added 0 messages" in again
    assert "[file imported before]" in again
    status = json.loads(fokus("status", "--json"))
    assert (status["messages"], status["threads"], status["participants"]) == (3, 1, 3)
    exported = fokus("export", "messages", "--format", "json")
    rows = json.loads(exported)
    assert [r["participant"] for r in rows] == ["Deltaker 01", "Deltaker 02", "Deltaker 03"]
    assert "Holmen" not in exported


def test_dry_run_reports_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(GRAPH), encoding="utf-8")
    before = digest(project)
    out = fokus("import", "--dry-run", str(feed))
    assert "2 added" in out
    assert "Dry run: nothing was written." in out
    assert digest(project) == before


def test_csv_with_a_mapping(project: Path, tmp_path: Path) -> None:
    table = tmp_path / "eget.csv"
    table.write_text("nr;navn;tid;melding\n1;Kari Holmen;01.03.2013 10:00;Hei alle\n", encoding="utf-8")
    out = fokus("import", str(table), "--map", "id=nr", "--map", "author=navn", "--map", "created_time=tid",
                "--map", "text=melding")  # fmt: skip
    assert "1 added" in out
    assert json.loads(fokus("export", "messages", "--format", "json"))[0]["created_at"] == "2013-03-01T10:00:00+01:00"


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
    project: Path, tmp_path: Path, name: str, data: bytes, words: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GRAPH), encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(data)
    before = digest(project)
    err = fokus("import", str(good), str(bad), ok=False)
    assert err.startswith(f"fokus: error: {bad}"), err
    assert err.count("\n") == 1, err
    assert words.lower() in err.lower(), err
    assert "Traceback" not in err
    assert digest(project) == before
