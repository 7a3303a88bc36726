"""Extreme values from files: times far in the future or the past, half characters (lone surrogates), numbers of
thousands of digits, and zips that list more entries than fokus reads. Each is refused at import with a one-line
error naming the file, the record and the field; and a project that already holds such a time (from an older
fokus, or written with SQL) still shows, exports and counts it.
"""

from __future__ import annotations

import json
import re
import struct
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from fokus.cli import main
from fokus.errors import FokusError
from fokus.files.codings import read_codings
from fokus.importers import read_paths
from fokus.importers.times import EARLIEST, LATEST, from_unix, parse_time, zone_named
from fokus.model import Coding, Message, Thread
from fokus.store import open_project

from .builders import many_empty_members
from .test_hostile import NULS, dyi_comment, graph_post, refused, write

OSLO = zone_named("Europe/Oslo")
RANGE = "fokus reads times from 1970 through 2099"


def graph(**fields: Any) -> bytes:
    return json.dumps([graph_post(**fields)]).encode()


def dyi_with(stamp: int) -> bytes:
    entry = dyi_comment()
    entry["data"][0]["comment"]["timestamp"] = stamp
    return json.dumps({"group_comments_v2": [entry]}).encode()


# --- times ------------------------------------------------------------------------------------------------------------


def test_the_range_of_times() -> None:
    assert datetime(1970, 1, 1, tzinfo=UTC) == EARLIEST
    assert datetime(2100, 1, 1, tzinfo=UTC) == LATEST
    assert parse_time("1970-01-01T00:00:00Z", OSLO) == EARLIEST
    assert parse_time("2099-12-31 23:59", UTC) == datetime(2099, 12, 31, 23, 59, tzinfo=UTC)
    assert from_unix(0) == EARLIEST
    assert from_unix(4_102_444_799) == datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)
    for value in ("1969-12-31T23:59:59Z", "1970-01-01 00:59", "2100-01-01T00:00:00Z", "9999-12-31T23:59:59+0000"):
        with pytest.raises(FokusError, match=re.escape(f"out of range: '{value}' ({RANGE})")):
            parse_time(value, OSLO)  # 1970-01-01 00:59 in Oslo is 1969 in UTC
    with pytest.raises(FokusError, match=re.escape(f"unix time out of range: 4102444800 ({RANGE})")):
        from_unix(4_102_444_800)


NINES = "9999-12-31T23:59:59+0000"
#: name -> (file name, bytes, where, what the message says)
FAR_TIMES: dict[str, tuple[str, bytes, str, str]] = {
    "graph created_time": ("feed.json", graph(created_time=NINES), "$[0].created_time", f"'{NINES}'"),
    "graph updated_time": ("feed.json", graph(updated_time=NINES), "$[0].updated_time", f"'{NINES}'"),
    "graph unix time": ("feed.json", graph(created_time=253_402_300_799), "$[0].created_time", "253402300799"),
    "graph comment": (
        "feed.json",
        graph(comments={"data": [{"id": "c1", "created_time": "1969-07-20T20:17:40+0000", "message": "Hei"}]}),
        "$[0].comments.data[0].created_time",
        "'1969-07-20T20:17:40+0000'",
    ),
    "csv": (
        "a.csv",
        b"id,author,created_time,text\np1,Kari,9999-12-31 23:59,Hei\n",
        "line 2",
        "created_time: date and time out of range: '9999-12-31 23:59'",
    ),
    "csv unix time": ("a.csv", b"id,author,created_time,text\np1,Kari,253402300799,Hei\n", "line 2", "253402300799"),
    "dyi": ("kommentarer.json", dyi_with(253_402_300_799), "$.group_comments_v2[0].data[0].comment.timestamp", ""),
    "transcript": (
        "tråd.txt",
        "=== Tråd: A\n[9999-12-31 23:59] Kari: Hei\n".encode(),
        "line 2",
        "'9999-12-31 23:59'",
    ),
}


@pytest.mark.parametrize("name", sorted(FAR_TIMES))
def test_a_time_out_of_range_is_refused_at_import(tmp_path: Path, name: str) -> None:
    file_name, data, where, words = FAR_TIMES[name]
    path = write(tmp_path, file_name, data)
    error = refused(lambda: read_paths([path]), path, "out of range", RANGE, words)
    assert error.where == where


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("k.csv", "message_id,code,created_at\np1,krise,9999-12-31T23:59:59+00:00\n", "line 2"),
        ("k.csv", "message_id,code,created_at\np1,krise,1969-12-31T23:59:59Z\n", "line 2"),
        ("k.json", '[{"message_id": "p1", "code": "krise", "created_at": "9999-12-31T23:59:59+00:00"}]', "item 0"),
    ],
    ids=["csv-9999", "csv-1969", "json-9999"],
)
def test_a_coding_time_out_of_range_is_refused(tmp_path: Path, name: str, text: str, where: str) -> None:
    path = write(tmp_path, name, text)
    error = refused(lambda: read_codings(path), path, "created_at", "is out of range", RANGE)
    assert error.where == where


def fokus(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output + result.stderr
    return result.output


FAR = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
DISPLAYED = "9999-12-31T23:59:59+00:00"  # in Oslo it would be year 10000: shown in UTC


def test_a_project_holding_a_time_out_of_range_still_works(db: str, tmp_path: Path) -> None:
    """An older fokus let such times in; SQL can write them. status, exports, freq --by month and qdpx export show
    them in UTC (where Norwegian time does not exist) instead of failing with an OverflowError."""
    write(tmp_path, "a.csv", "id,author,created_time,text\np1,Kari,2013-02-19 10:15,Flommen kom i natt.\n")
    write(tmp_path, "k.csv", "message_id,code\np1,krise\n")
    write(tmp_path, "bok.yaml", "codes:\n  - {id: krise, name: Krise}\n")
    fokus("--db", db, "init", "--codebook", "bok.yaml")
    fokus("--db", db, "import", "a.csv")
    fokus("--db", db, "codings", "import", "k.csv", "--coder", "ingrid")
    project = open_project(db)
    try:
        with project.begin() as session:
            for table in (Message, Thread, Coding):
                session.execute(update(table).values(created_at=FAR))
    finally:
        project.close()
    assert f'"last_message": "{DISPLAYED}"' in fokus("--db", db, "status", "--json")
    fokus("--db", db, "export", "messages", "-o", "m.csv")
    assert DISPLAYED in (tmp_path / "m.csv").read_text(encoding="utf-8")
    fokus("--db", db, "codings", "export", "-o", "c.csv")
    assert DISPLAYED in (tmp_path / "c.csv").read_text(encoding="utf-8")
    assert "9999-12" in fokus("--db", db, "freq", "--by", "month")
    fokus("--db", db, "qdpx", "export", "p.qdpx")
    assert (tmp_path / "p.qdpx").stat().st_size > 0


# --- half characters (lone surrogates) --------------------------------------------------------------------------------

HALF = "\ud800"
SURROGATE_WORDS = ("half a character (a lone surrogate \\ud800)", "the file is damaged")


def _graph_nested(make: Callable[[str], dict[str, Any]]) -> Callable[[str], bytes]:
    return lambda v: json.dumps([graph_post(**make(v))]).encode()


#: The JSON fields of NULS (test_hostile), and more: every string field a JSON reader keeps.
SURROGATES: dict[str, tuple[str, Callable[[str], bytes], str, str]] = {
    name: spec for name, spec in NULS.items() if spec[0].endswith(".json")
} | {
    "graph author id": (
        "feed.json",
        _graph_nested(lambda v: {"from": {"id": f"1{v}", "name": "Kari"}}),
        "$[0].from.id",
        "author id",
    ),
    "graph attachment url": (
        "feed.json",
        _graph_nested(lambda v: {"attachments": {"data": [{"url": f"https://ks.no/{v}"}]}}),
        "$[0].attachments.data[0].url",
        "attachment",
    ),
    "graph attachment image": (
        "feed.json",
        _graph_nested(lambda v: {"attachment": {"media": {"image": {"src": f"https://ks.no/{v}.jpg"}}}}),
        "$[0].attachment.media.image.src",
        "attachment",
    ),
    "graph subattachment": (
        "feed.json",
        _graph_nested(lambda v: {"attachments": {"data": [{"subattachments": {"data": [{"url": f"x{v}"}]}}]}}),
        "$[0].attachments.data[0].subattachments.data[0].url",
        "attachment",
    ),
    "graph comment id": (
        "feed.json",
        _graph_nested(lambda v: {"comments": {"data": [{"id": f"c{v}", "created_time": 1361265300, "message": "A"}]}}),
        "$[0].comments.data[0].id",
        "id",
    ),
}


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_half_a_character_is_refused_naming_the_file_and_the_field(tmp_path: Path, name: str) -> None:
    """JSON can escape half a character ("\\ud800"), which no file or database can hold: it was an internal error
    (UnicodeEncodeError) when stored, or silently turned into U+FFFD."""
    file_name, make, where, what = SURROGATES[name]
    path = write(tmp_path, file_name, make(HALF))
    error = refused(lambda: read_paths([path]), path, what)
    assert error.where == where
    assert all(word in str(error) for word in SURROGATE_WORDS), str(error)
    path.write_bytes(make("x"))
    assert read_paths([path])[0].messages


CODING_FIELDS = ("message_id", "code", "text", "status", "origin", "coder", "created_at", "confidence", "start")


@pytest.mark.parametrize("field", CODING_FIELDS)
def test_half_a_character_in_a_codings_file_is_refused(tmp_path: Path, field: str) -> None:
    item = {"message_id": "p1", "code": "krise", field: f"a{HALF}b"}
    path = write(tmp_path, "k.json", json.dumps([{"message_id": "p1", "code": "krise"}, item]))
    error = refused(lambda: read_codings(path), path, f"{field} holds", *SURROGATE_WORDS)
    assert error.where == "item 1"


# --- numbers of thousands of digits -----------------------------------------------------------------------------------

HUGE = int("9" * 4000)  # Python reads up to 4,300 digits; SQLite and PostgreSQL store 19
HUGE_COUNTS: dict[str, tuple[dict[str, Any], str]] = {
    "like_count": ({"like_count": HUGE}, "$[0].like_count"),
    "reactions": ({"reactions": {"summary": {"total_count": HUGE}}}, "$[0].reactions.summary.total_count"),
    "likes": ({"likes": {"summary": {"total_count": HUGE}}}, "$[0].likes.summary.total_count"),
}


@pytest.mark.parametrize("name", sorted(HUGE_COUNTS))
def test_a_count_of_thousands_of_digits_is_refused(tmp_path: Path, name: str) -> None:
    fields, where = HUGE_COUNTS[name]
    path = write(tmp_path, "feed.json", graph(**fields))
    error = refused(lambda: read_paths([path]), path, "a number of 4,000 digits is more than a database can hold")
    assert error.where == where
    assert len(str(error)) < 300


@pytest.mark.parametrize(
    ("file_name", "data", "words"),
    [
        ("feed.json", graph(created_time=HUGE), "unix time out of range: a number of 4,000 digits"),
        ("kommentarer.json", dyi_with(HUGE), "unix time out of range: a number of 4,000 digits"),
        ("a.csv", f"id,author,created_time,text,reactions\np1,Kari,2013-02-19 10:15,Hei,{HUGE}\n".encode(), "'999"),
        (
            "a.csv",
            f"id,author,created_time,text\np1,Kari,{HUGE},Hei\n".encode(),
            "unix time out of range: a number of 4,000 digits",
        ),
        ("t.txt", f"=== A\n[{HUGE}] Kari: Hei\n".encode(), "not a date and time: '999"),
    ],
    ids=["graph-time", "dyi-time", "csv-reactions", "csv-time", "transcript-time"],
)
def test_a_number_of_thousands_of_digits_is_refused_in_one_short_line(
    tmp_path: Path, file_name: str, data: bytes, words: str
) -> None:
    path = write(tmp_path, file_name, data)
    error = refused(lambda: read_paths([path]), path, words)
    assert len(str(error)) < 300, str(error)


@pytest.mark.parametrize("field", ["confidence", "start", "created_at", "status"])
def test_a_number_of_thousands_of_digits_in_a_codings_file(tmp_path: Path, field: str) -> None:
    path = write(tmp_path, "k.json", f'[{{"message_id": "p1", "code": "krise", "{field}": {HUGE}}}]')
    error = refused(lambda: read_codings(path), path, field)
    assert len(str(error)) < 300, str(error)


# --- zips that list too many entries ----------------------------------------------------------------------------------

END = struct.Struct("<4s4H2IH")  # the end of central directory record
ZIP64_END = struct.Struct("<4sQ2H2I4Q")
ZIP64_LOCATOR = struct.Struct("<4sIQI")


def test_a_zip_is_counted_before_zipfile_reads_its_directory(tmp_path: Path) -> None:
    """The count is taken from the directory's entry signatures (the end record's own count stops at 65,535 and may
    lie), before zipfile builds an object for every entry: 700,000 entries cost 5 s and 450 MB that way. A directory
    of nothing but signatures is not even a readable zip, and it is refused for its count, so zipfile never saw it."""
    directory = b"PK\x01\x02" * 250_000
    path = tmp_path / "mange.zip"
    path.write_bytes(directory + END.pack(b"PK\x05\x06", 0, 0, 1, 1, len(directory), 0, 0))
    refused(lambda: read_paths([path]), path, "the zip lists 250,000 files (at most 200,000)")


def test_a_zip64_count_is_read(tmp_path: Path) -> None:
    """A Zip64 end record announces 700,000 entries: refused on the count, without reading any entry."""
    zip64 = ZIP64_END.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, 700_000, 700_000, 0, 0)
    locator = ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, 0, 1)
    path = tmp_path / "mange.zip"
    path.write_bytes(zip64 + locator + END.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    refused(lambda: read_paths([path]), path, "the zip lists 700,000 files (at most 200,000)")


def test_fokus_import_counts_a_zip_before_zipfile_reads_its_directory(tmp_path: Path) -> None:
    """`fokus import x.zip` looked for a project.qde (a renamed .qdpx) with zipfile first, which built an object for
    each of 700,000 entries (5 s, 450 MB) before the reader refused the zip for their number."""
    path = many_empty_members(tmp_path / "mange.zip", 200_001)
    fokus("--db", "p.db", "init")
    args = ["--db", "p.db", "import", str(path)]
    CliRunner().invoke(main, args)  # the modules the command imports are imported here, not counted below
    tracemalloc.start()
    try:
        result = CliRunner().invoke(main, args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code == 1
    assert f"fokus: error: {path}: the zip lists 200,001 files (at most 200,000)" in result.stderr
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MiB"  # zipfile's list of the entries takes over 100
