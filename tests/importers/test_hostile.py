"""Hostile input: every limit reads a file just under it and refuses one just over it with a one-line message naming
the file and the place; the inputs the property tests broke the readers with stay fixed; and an import that fails
leaves the project exactly as it was.

Limits are lowered with monkeypatch where the real one would take a big file (sizes, counts); lengths are tested at
their real values, which are small.
"""

from __future__ import annotations

import json
import math
import os
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from fokus.api.cases import import_cases
from fokus.api.codebook import load_codebook as apply_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.errors import FokusError
from fokus.exchange.qdc import parse_qdc
from fokus.exchange.qdpx_read import read_qdpx
from fokus.exchange.xmlsafe import parse_xml
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook
from fokus.files.codings import read_codings
from fokus.files.hypotheses import load_hypotheses
from fokus.importers import archive as archive_module
from fokus.importers import limits, parse_csv, parse_dyi, parse_graph, parse_mapping, parse_transcript, read_paths
from fokus.importers.located_yaml import load_located_yaml
from fokus.importers.records import ParsedSource
from fokus.model import Base, Message
from fokus.store import Project, open_project
from tests import pgserver
from tests.conftest import BACKENDS, SMALL_CODEBOOK, at, parsed, record
from tests.files.strategies import CODEBOOK_DOCUMENTS, yaml_bytes

from .builders import write_zip
from .strategies import (
    DONATION_BYTES,
    GRAPH_DOCUMENTS,
    TRANSCRIPT_BYTES,
    WRITES,
    no_hang,
    records_or_error,
    thread_csv_bytes,
    without_missing,
)

HEADER = "id,thread_id,parent_id,author,created_time,text,case\n"
WHEN = "2013-02-19 10:15"


def refused(call: Callable[[], object], path: str | Path, *words: str) -> FokusError:
    """The FokusError ``call`` raises: one line, naming ``path`` and holding ``words``."""
    with pytest.raises(FokusError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    for word in words:
        assert word in message
    return caught.value


def csv_text(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode("utf-8")


def graph_post(i: int = 1, **fields: Any) -> dict[str, Any]:
    return {"id": f"p{i}", "created_time": "2013-02-19T09:15:00+0000", "message": "Hei", **fields}


def dyi_comment(author: str = "Kari Holmen", text: str = "Hei") -> dict[str, Any]:
    comment = {"timestamp": 1361265300, "comment": text, "author": author}
    return {"timestamp": 1361265300, "title": "Kari commented on Ola's post.", "data": [{"comment": comment}]}


def _dyi_in_group(group: str) -> bytes:
    """A comment in ``group``: the thread of comments no export placed is named by it."""
    entry = dyi_comment()
    entry["data"][0]["comment"]["group"] = group
    return json.dumps({"group_comments_v2": [entry]}).encode()


def transcript(author: str = "Kari Holmen", case: str = "Bodø", text: str = "Hei", replies: int = 0) -> bytes:
    lines = ["=== Tråd: A", f"[{WHEN}] {author} ({case}): {text}"]
    lines += [f"  [{WHEN}] Ola: svar {i}" for i in range(replies)]
    return "\n".join(lines).encode("utf-8")


def yaml_codebook(*codes: str) -> str:
    return "codes:\n" + "".join(f"  - {{id: {code}, name: {code}}}\n" for code in codes)


def qdc(*names: str) -> bytes:
    codes = "".join(f'<Code guid="a1b2c3d4-0000-4000-8000-{i:012d}" name="{name}"/>' for i, name in enumerate(names))
    return f"<CodeBook><Codes>{codes}</Codes></CodeBook>".encode()


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- sizes ------------------------------------------------------------------------------------------------------------


def _size_cases(tmp_path: Path) -> dict[str, tuple[Path, Callable[[Path], object], str, int]]:
    """name -> (file, read, limit to lower, the size the limit applies to)."""
    export = write(tmp_path, "a.csv", csv_text("p1,,,Kari,2013-02-19 10:15,Hei,"))
    archive = write_zip(tmp_path / "a.zip", {"a.csv": export.read_bytes()})
    codebook = write(tmp_path, "kodebok.yaml", yaml_codebook("krise"))
    codings = write(tmp_path, "kodinger.csv", "message_id,code\np1,krise\n")
    cases = write(tmp_path, "kommuner.csv", "kommune,topp10\nBodø,ja\n")
    return {
        "export": (export, lambda p: read_paths([p]), "MAX_PARSE_BYTES", export.stat().st_size),
        "archive": (archive, lambda p: read_paths([p]), "MAX_FILE_BYTES", archive.stat().st_size),
        "codebook": (codebook, load_codebook, "MAX_YAML_BYTES", codebook.stat().st_size),
        "hypotheses": (codebook, load_hypotheses, "MAX_YAML_BYTES", codebook.stat().st_size),
        "codings": (codings, read_codings, "MAX_PARSE_BYTES", codings.stat().st_size),
        "cases": (cases, read_case_table, "MAX_CASE_TABLE_BYTES", cases.stat().st_size),
    }


@pytest.mark.parametrize("name", ["export", "archive", "codebook", "hypotheses", "codings", "cases"])
def test_file_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path, read, limit, size = _size_cases(tmp_path)[name]
    monkeypatch.setattr(limits, limit, size)
    if name == "hypotheses":  # read in full, then found to be a codebook, not a hypothesis file
        refused(lambda: read(path), path, "unknown key 'codes'")
    else:
        read(path)
    monkeypatch.setattr(limits, limit, size - 1)
    refused(lambda: read(path), path, f"file too large: {size} bytes (fokus reads at most {size - 1} bytes)")


def test_xml_size() -> None:
    data = b'<CodeBook><Codes><Code guid="a1b2c3d4-0000-4000-8000-000000000000" name="K"/></Codes></CodeBook>'
    assert parse_xml(data, "k.qdc", max_bytes=len(data)).tag == "CodeBook"
    refused(lambda: parse_xml(data, "k.qdc", max_bytes=len(data) - 1), "k.qdc", "larger than")


def test_zip_member_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    member = csv_text("p1,,,Kari,2013-02-19 10:15,Hei,")
    archive = write_zip(tmp_path / "a.zip", {"a.csv": member, "b.csv": member})
    monkeypatch.setattr(archive_module, "MAX_PARSE_BYTES", len(member))
    assert len(read_paths([archive])) == 2
    monkeypatch.setattr(archive_module, "MAX_PARSE_BYTES", len(member) - 1)
    refused(lambda: read_paths([archive]), f"{archive}!a.csv", "file too large")


def test_zip_member_count_and_total_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    member = csv_text("p1,,,Kari,2013-02-19 10:15,Hei,")
    archive = write_zip(tmp_path / "a.zip", {f"{i}.csv": member for i in range(3)})
    monkeypatch.setattr(archive_module, "MAX_ZIP_MEMBERS", 3)
    assert len(read_paths([archive])) == 3
    monkeypatch.setattr(archive_module, "MAX_ZIP_MEMBERS", 2)
    refused(lambda: read_paths([archive]), archive, "the zip lists 3 files (at most 2)")
    monkeypatch.undo()
    monkeypatch.setattr(archive_module, "MAX_ZIP_TOTAL_BYTES", 3 * len(member))
    assert len(read_paths([archive])) == 3
    monkeypatch.setattr(archive_module, "MAX_ZIP_TOTAL_BYTES", 3 * len(member) - 1)
    refused(lambda: read_paths([archive]), archive, f"the zip unpacks to {3 * len(member)} bytes")


def test_zip_directory_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = write_zip(tmp_path / "a.zip", {f"{i}.csv": csv_text("p1,,,Kari,2013-02-19 10:15,Hei,") for i in range(3)})
    data = archive.read_bytes()
    (directory,) = struct.unpack_from("<I", data, data.rindex(b"PK\x05\x06") + 12)
    monkeypatch.setattr(archive_module, "MAX_ZIP_DIRECTORY_BYTES", directory)
    assert len(read_paths([archive])) == 3
    monkeypatch.setattr(archive_module, "MAX_ZIP_DIRECTORY_BYTES", directory - 1)
    refused(lambda: read_paths([archive]), archive, f"list of files takes {directory} bytes")


def test_compression_ratio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    member = csv_text("p1,,,Kari,2013-02-19 10:15," + "ha" * 5000 + ",")
    archive = write_zip(tmp_path / "a.zip", {"a.csv": member})
    with zipfile.ZipFile(archive) as opened:
        info = opened.getinfo("a.csv")
    ratio = math.ceil(info.file_size / info.compress_size)
    monkeypatch.setattr(archive_module, "RATIO_FLOOR_BYTES", 1000)
    monkeypatch.setattr(archive_module, "MAX_COMPRESSION_RATIO", ratio)
    assert read_paths([archive])[0].messages[0].text == "ha" * 5000
    monkeypatch.setattr(archive_module, "MAX_COMPRESSION_RATIO", ratio - 1)
    refused(lambda: read_paths([archive]), f"{archive}!a.csv", f"more than {ratio - 1} to 1: a zip bomb?")


# --- nesting ----------------------------------------------------------------------------------------------------------


def _yaml(depth: int) -> bytes:
    return ("x: " + "[" * (depth - 1) + "]" * (depth - 1)).encode()  # the mapping is a level too


def _xml(depth: int) -> bytes:
    return b"<CodeBook>" + b"<a>" * (depth - 1) + b"</a>" * (depth - 1) + b"</CodeBook>"


def _codings_json(depth: int) -> bytes:
    inner = "[" * (depth - 2) + "]" * (depth - 2)  # inside the list and the object
    return f'[{{"message_id": "p1", "code": "krise", "note": {inner}}}]'.encode()


NESTING: dict[str, tuple[Callable[[int], bytes], Callable[[Path], object], str]] = {
    "yaml": (_yaml, load_located_yaml, "YAML nested deeper than 64 levels"),
    "xml": (_xml, lambda p: parse_xml(p.read_bytes(), str(p)), "XML nested deeper than 64 elements"),
    "codings-json": (_codings_json, read_codings, "JSON nested deeper than 64 levels"),
    "dyi-json": (
        lambda n: ('{"group_posts_v2": [], "x": ' + "[" * (n - 1) + "]" * (n - 1) + "}").encode(),
        lambda p: parse_dyi(p.read_bytes(), str(p)),
        "JSON nested deeper than 64 levels",
    ),
}


@pytest.mark.parametrize("name", sorted(NESTING))
def test_nesting_depth(tmp_path: Path, name: str) -> None:
    make, read, words = NESTING[name]
    path = write(tmp_path, f"fil.{name.split('-')[-1]}", make(64))
    with no_hang():
        read(path)
    path.write_bytes(make(65))
    refused(lambda: read(path), path, words, "line 1")
    path.write_bytes(make(100_000))  # far beyond: refused the same way, without a RecursionError
    refused(lambda: read(path), path, words)


def test_yaml_aliases_are_counted_where_they_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "a.yaml", "a: &x [1, 2]\nb: [*x, *x]\n")
    values = 1 + (1 + 3) + (1 + 1 + 3 + 3)  # the mapping; a and its list; b, its list and the list twice more
    monkeypatch.setattr(limits, "MAX_YAML_VALUES", values)
    assert load_located_yaml(path) == {"a": [1, 2], "b": [[1, 2], [1, 2]]}
    monkeypatch.setattr(limits, "MAX_YAML_VALUES", values - 1)
    refused(lambda: load_located_yaml(path), path, "more than 12 values, counting each use of an alias", "line 1")


def billion_laughs(levels: int = 9) -> str:
    """A codebook whose rule pattern holds ``levels`` lists of nine aliases of the list before: 2 * 9**9 values."""
    lines = [
        "codes:",
        "  - id: krise",
        "    name: Krise",
        "    rules:",
        "      - pattern:",
        "          - - l0: &l0 [a, a]",
    ]
    lines += [f"              l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_codebook_is_refused(tmp_path: Path) -> None:
    """The pattern is walked to be stored as JSON: that never finished."""
    path = write(tmp_path, "latter.yaml", billion_laughs())
    with no_hang(5):
        refused(lambda: load_codebook(path), path, "counting each use of an alias", "line 12")  # at l6
    path.write_text(billion_laughs(levels=2), encoding="utf-8")  # 2 * 81 values: a pattern like any other
    assert load_codebook(path).codes[0].rules is not None


# --- lengths ----------------------------------------------------------------------------------------------------------


def _lengths() -> dict[str, tuple[int, str, Callable[[Path, str], object]]]:
    """name -> (limit, what the message calls it, read(tmp folder, value))."""
    row = "p1,,,Kari,2013-02-19 10:15,Hei,"

    def csv_with(value: str, column: int) -> Callable[[Path, str], object]:
        def read(folder: Path, value: str) -> object:
            cells = row.split(",")
            cells[column] = value
            if column == 1:  # a thread_id needs a post of that id to be a comment of
                cells[0] = "c1"
            return parse_csv(csv_text(",".join(cells)), str(folder / "a.csv"))

        return read

    return {
        "csv id": (200, "id", csv_with("", 0)),
        "csv thread_id": (200, "thread_id", csv_with("", 1)),
        "csv author": (100, "author name", csv_with("", 3)),
        "csv case": (100, "case name", csv_with("", 6)),
        "graph id": (200, "id", lambda f, v: parse_graph(json.dumps([graph_post(id=v)]).encode(), str(f / "a.json"))),
        "graph numeric id": (
            200,
            "id",
            lambda f, v: parse_graph(json.dumps([graph_post(id=int("9" * len(v)))]).encode(), str(f / "a.json")),
        ),
        "graph author": (
            100,
            "author name",
            lambda f, v: parse_graph(json.dumps([graph_post(**{"from": {"name": v}})]).encode(), str(f / "a.json")),
        ),
        "dyi author": (
            100,
            "author name",
            lambda f, v: parse_dyi(json.dumps({"group_comments_v2": [dyi_comment(v)]}).encode(), str(f / "a.json")),
        ),
        "dyi group": (100, "group name", lambda f, v: parse_dyi(_dyi_in_group(v), str(f / "a.json"))),
        "dyi post group": (
            100,
            "group name",
            lambda f, v: parse_dyi(
                json.dumps({"group_posts_v2": [{"timestamp": 1, "title": f"Kari posted in {v}."}]}).encode(),
                str(f / "a.json"),
            ),
        ),
        "transcript author": (100, "author name", lambda f, v: parse_transcript(transcript(v), str(f / "a.txt"))),
        "transcript case": (100, "case name", lambda f, v: parse_transcript(transcript(case=v), str(f / "a.txt"))),
        "code name": (
            200,
            "code name",
            lambda f, v: load_codebook(write(f, "k.yaml", f"codes:\n  - id: krise\n    name: {v}\n")),
        ),
        "code path": (
            300,
            "code path",
            lambda f, v: load_codebook(
                write(
                    f, "k.yaml", f"codes:\n  - id: {v[:150]}\n    name: K\n    children: [{{id: {v[151:]}, name: F}}]\n"
                )
            ),
        ),
        "qdc code name": (
            200,
            "code name",
            lambda f, v: parse_qdc(qdc(v), str(f / "k.qdc"), name="k"),
        ),
        "coder": (
            200,
            "coder name",
            lambda f, v: read_codings(write(f, "c.csv", f"message_id,code,coder\np1,krise,{v}\n")),
        ),
        "origin": (
            200,
            "origin",
            lambda f, v: read_codings(write(f, "c.csv", f"message_id,code,origin\np1,krise,{v}\n")),
        ),
        "coded message": (
            200,
            "message_id",
            lambda f, v: read_codings(write(f, "c.csv", f"message_id,code\n{v},krise\n")),
        ),
        "coded code": (300, "code", lambda f, v: read_codings(write(f, "c.csv", f"message_id,code\np1,{v}\n"))),
        "case table name": (100, "case name", lambda f, v: read_case_table(write(f, "k.csv", f"kommune,a\n{v},1\n"))),
        "case table column": (
            200,
            "column name",
            lambda f, v: read_case_table(write(f, "k.csv", f"kommune,{v}\nBodø,1\n")),
        ),
    }


@pytest.mark.parametrize("name", sorted(_lengths()))
def test_field_length(tmp_path: Path, name: str) -> None:
    limit, what, read = _lengths()[name]
    read(tmp_path, "k" * limit)
    error = refused(lambda: read(tmp_path, "k" * (limit + 1)), tmp_path, f"{what} too long: {limit + 1} characters")
    assert f"(at most {limit})" in error.reason
    assert error.where  # the line or the JSON path


def test_a_csv_cell_length(tmp_path: Path) -> None:
    """Any cell, read or not (the csv module's own limit, raised to ``MAX_CSV_FIELD_CHARS`` for every reader)."""
    path = str(tmp_path / "a.csv")
    header = "id,author,created_time,text,notat\n"
    cell = "x" * limits.MAX_CSV_FIELD_CHARS
    assert parse_csv(f"{header}p1,Kari,{WHEN},Hei,{cell}\n".encode(), path).messages[0].text == "Hei"
    error = refused(lambda: parse_csv(f"{header}p1,Kari,{WHEN},Hei,{cell}x\n".encode(), path), path, "a field longer")
    assert error.where == "line 2"
    codings = write(tmp_path, "c.csv", f"message_id,code,notat\np1,krise,{cell}\n")
    assert read_codings(codings)[0].message_id == "p1"
    codings.write_text(f"message_id,code,notat\np1,krise,{cell}x\n", encoding="utf-8")
    refused(lambda: read_codings(codings), codings, "a field longer")


@pytest.mark.parametrize("fmt", ["csv", "graph", "dyi", "transcript"])
def test_message_text_length(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    read: Callable[[str], ParsedSource] = {
        "csv": lambda t: parse_csv(csv_text(f"p1,,,Kari,{WHEN},{t},"), str(tmp_path / "a.csv")),
        "graph": lambda t: parse_graph(json.dumps([graph_post(message=t)]).encode(), str(tmp_path / "a.json")),
        "dyi": lambda t: parse_dyi(json.dumps({"group_comments_v2": [dyi_comment(text=t)]}).encode(), str(tmp_path)),
        "transcript": lambda t: parse_transcript(transcript(text=t), str(tmp_path / "a.txt")),
    }[fmt]
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 10)
    assert read("x" * 10).messages[0].text == "x" * 10
    refused(lambda: read("x" * 11), tmp_path, "message text too long: 11 characters (at most 10)")


# --- counts -----------------------------------------------------------------------------------------------------------

COUNTS: dict[str, tuple[str, str, Callable[[Path, int], object]]] = {
    "csv rows": (
        "MAX_RECORDS",
        "rows",
        lambda f, n: parse_csv(csv_text(*(f"p{i},,,Kari,{WHEN},Hei," for i in range(n))), str(f / "a.csv")),
    ),
    "graph messages": (
        "MAX_RECORDS",
        "messages",
        lambda f, n: parse_graph(json.dumps([graph_post(i) for i in range(n)]).encode(), str(f / "a.json")),
    ),
    "dyi entries": (
        "MAX_RECORDS",
        "posts and comments",
        lambda f, n: parse_dyi(
            json.dumps({"group_comments_v2": [dyi_comment(text=f"{i}") for i in range(n)]}).encode(), str(f / "a.json")
        ),
    ),
    "transcript messages": (
        "MAX_RECORDS",
        "messages",
        lambda f, n: parse_transcript(transcript(replies=n - 1), str(f / "a.txt")),
    ),
    "codings csv": (
        "MAX_RECORDS",
        "codings",
        lambda f, n: read_codings(write(f, "c.csv", "message_id,code\n" + "p1,krise\n" * n)),
    ),
    "codings json": (
        "MAX_RECORDS",
        "codings",
        lambda f, n: read_codings(write(f, "c.json", json.dumps([{"message_id": "p1", "code": "krise"}] * n))),
    ),
    "yaml codes": (
        "MAX_CODES",
        "codes",
        lambda f, n: load_codebook(write(f, "k.yaml", yaml_codebook(*(f"k{i}" for i in range(n))))),
    ),
    "qdc codes": (
        "MAX_CODES",
        "codes",
        lambda f, n: parse_qdc(qdc(*["K"] * n), str(f / "k.qdc"), name="k"),
    ),
    "cases": (
        "MAX_CASES",
        "rows",
        lambda f, n: read_case_table(write(f, "k.csv", "kommune\n" + "".join(f"K{i}\n" for i in range(n)))),
    ),
    "attributes": (
        "MAX_ATTRIBUTES",
        "attribute columns",
        lambda f, n: read_case_table(
            write(f, "k.csv", "kommune," + ",".join(f"a{i}" for i in range(n)) + "\nBodø" + ",1" * n)
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    limit, what, read = COUNTS[name]
    monkeypatch.setattr(limits, limit, 3)
    read(tmp_path, 3)
    error = refused(lambda: read(tmp_path, 4), tmp_path, f"more than 3 {what} in one file")
    assert error.hint == "split the file"


# --- what the property tests found ------------------------------------------------------------------------------------

YAML_FOUND = [
    ("when: 2020-02-30\n", "line 1", "the value '2020-02-30' cannot be read as !!timestamp"),  # PyYAML: ValueError
    ("n: !!int abc\n", "line 1", "cannot be read as !!int"),  # ValueError
    ("t: !!timestamp nope\n", "line 1", "cannot be read as !!timestamp"),  # AttributeError
    ("x: !!float x\n", "line 1", "cannot be read as !!float"),  # ValueError
    ("!!float\n", "line 1", "the value '' cannot be read as !!float"),  # IndexError
    ("n: " + "9" * 5000 + "\n", "line 1", "cannot be read as !!int"),  # ValueError: more than 4300 digits
    ("- " * 400 + "x\n", "line 1", "nested deeper than 64"),  # a RecursionError caught late
    ("a: \x00\n", "line 1", "special characters are not allowed"),
    ('a: "\\uD83D"\n', "line 1", "half a character"),  # stored, it failed in the database: UnicodeEncodeError
    ('a: "\\U10010000"\n', "line 1", "an escape that is no character"),  # ValueError from PyYAML's scanner
    ('a: "\\UFFFFFFFFF"\n', "line 1", "an escape that is no character"),  # OverflowError from the scanner
]

YAML_FOUND_IDS = ["bad-date", "int-tag", "timestamp-tag", "float-tag", "empty-float", "huge-int", "deep", "nul"]
YAML_FOUND_IDS += ["surrogate", "beyond-unicode", "beyond-int"]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    YAML_FOUND,
    ids=YAML_FOUND_IDS,
)
def test_yaml_that_broke_the_loader(tmp_path: Path, text: str, where: str, words: str) -> None:
    path = write(tmp_path, "fil.yaml", text)
    for load in (load_located_yaml, load_codebook, load_hypotheses):
        error = refused(lambda load=load: load(path), path, words)  # type: ignore[misc]
        assert error.where == where


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("m.yaml", "text: 2020-02-30\n", "cannot be read as !!timestamp"),  # was a ValueError (plain yaml.safe_load)
        ("m.yaml", "text: " + "[" * 300 + "]" * 300 + "\n", "nested deeper than 64"),  # was a RecursionError
        ("m.json", "[" * 100_000, "nested deeper than 64"),
    ],
    ids=["bad-date", "deep-yaml", "deep-json"],
)
def test_column_mappings_that_broke_the_reader(tmp_path: Path, name: str, text: str, words: str) -> None:
    path = write(tmp_path, name, text)
    refused(lambda: parse_mapping([str(path)]), path, words)


CODEBOOKS_FOUND = [
    ('codes:\n  - id: "krise\\n"\n    name: K\n', "bad code id 'krise\\n'"),  # "$" matched before the newline
    ('codes:\n  - id: krise\n    name: K\n    rules: [{id: "r\\n", any: [flom]}]\n', "bad rule id 'r\\n'"),
    (
        "codes:\n  - id: krise\n    name: K\n    rules: [{pattern: [[{LEMMA: 2020-01-02}]]}]\n",
        "'pattern' holds a value that is not text",  # a date: stored as JSON, it failed in the database
    ),
]


@pytest.mark.parametrize(("text", "words"), CODEBOOKS_FOUND, ids=["code-id", "rule-id", "date-in-pattern"])
def test_codebooks_that_were_read_wrong(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path, "kodebok.yaml", text)
    refused(lambda: load_codebook(path), path, words)


def test_a_hypothesis_id_with_a_newline(tmp_path: Path) -> None:
    text = 'hypotheses:\n  - {id: "H1\\n", statement: s, test: trend, code: krise, unit: message}\n'
    path = write(tmp_path, "h.yaml", text)
    refused(lambda: load_hypotheses(path), path, "bad hypothesis id 'H1\\n'")


CODINGS_FOUND = [
    ('[{"message_id": "p1", "code": "krise", "n": ' + "9" * 5000 + "}]", "a number with thousands of digits"),
    ("message_id,code,created_at\np1,krise,0001-01-01T00:00:00+01:00\n", "is out of range"),  # OverflowError
    ("message_id,code,created_at\np1,krise,9999-12-31T23:59:59-01:00\n", "is out of range"),  # OverflowError
    ("message_id,code,start,end\np1,krise,0,99999999999999999999999\n", "beyond the longest message"),
    ("message_id,code,start,end\np1,krise,1_0,12\n", "'1_0' is not a whole number"),  # int() took it as 10
    ("message_id,code,start,end\np1,krise,٣,5\n", "is not a whole number"),  # int() took it as 3
    ("message_id,code,confidence\np1,krise,nan\n", "not a number from 0 to 1"),
    ("message_id,code,confidence\np1,krise,1e999\n", "not a number from 0 to 1"),  # inf
    ("message_id,code,confidence\np1,krise,2\n", "not a number from 0 to 1"),
]


@pytest.mark.parametrize(
    ("text", "words"),
    CODINGS_FOUND,
    ids=["huge-number", "year-1", "year-9999", "huge-end", "underscore", "arabic-digit", "nan", "inf", "above-1"],
)
def test_codings_files_that_broke_the_reader(tmp_path: Path, text: str, words: str) -> None:
    path = write(tmp_path, "kodinger.json" if text.startswith("[") else "kodinger.csv", text)
    refused(lambda: read_codings(path), path, words)


def test_case_table_numbers_a_database_cannot_hold(tmp_path: Path) -> None:
    path = write(tmp_path, "k.csv", f"kommune,konto,lang,stor\nBodø,{'9' * 25},{'9' * 5000},1e999\nVoss,1,2,3.5\n")
    table = read_case_table(path)
    # 25 digits would have been a float (losing digits); 5000 digits a ValueError; 1e999 an infinite float
    assert [(a.name, a.type.value) for a in table.attributes] == [("konto", "text"), ("lang", "text"), ("stor", "text")]
    assert table.rows[0].values["konto"] == "9" * 25
    forced = write(tmp_path, "f.csv", f"kommune,n:integer,x:float\nBodø,{2**63},1\n")
    refused(lambda: read_case_table(forced), forced, "line 2", "larger than a whole number can be")
    forced.write_text(f"kommune,n:integer,x:float\nBodø,{2**63 - 1},inf\n", encoding="utf-8")
    refused(lambda: read_case_table(forced), forced, "line 2", "'inf' is not a finite number")


def test_case_names_are_the_same_case_as_the_project_sees_them(tmp_path: Path) -> None:
    path = write(tmp_path, "k.csv", "kommune,a\nBodø  kommune,1\nbodø kommune,2\n")
    refused(lambda: read_case_table(path), path, "line 3", "appears twice (first on line 2)")


def qdpx(tmp_path: Path, source: str) -> Path:
    qde = f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>{source}</Sources></Project>'
    return write_zip(tmp_path / "p.qdpx", {"project.qde": qde.encode()})


def test_a_creation_time_that_is_out_of_range_in_utc_is_left_out(tmp_path: Path) -> None:
    source = (
        '<TextSource guid="a1b2c3d4-0000-4000-8000-000000000000" name="A" creationDateTime="0001-01-01T00:00:00+01:00">'
        "<PlainTextContent>Hei</PlainTextContent></TextSource>"
    )
    project = read_qdpx(qdpx(tmp_path, source))  # was an OverflowError
    assert (project.sources[0].text, project.sources[0].created) == ("Hei", None)


@pytest.mark.parametrize(
    "target", ["absolute:///" + "a" * 5000, "relative://" + "a/" * 3000 + "x.txt"], ids=["absolute", "relative"]
)
def test_an_external_source_that_cannot_be_read(tmp_path: Path, target: str) -> None:
    path = qdpx(
        tmp_path, f'<TextSource guid="a1b2c3d4-0000-4000-8000-000000000000" name="A" plainTextPath="{target}"/>'
    )
    refused(  # was an OSError; an absolute:// path is read only when allowed
        lambda: read_qdpx(path, allow_external_sources=True), path, "cannot read the source file", "File name too long"
    )


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_group_file_that_is_no_regular_file(tmp_path: Path, kind: str) -> None:
    """An unpacked archive with a named pipe (or a link to /dev/zero) where a group file belongs: reading it waited
    forever (or until memory ran out)."""
    group_file = tmp_path / "eksport" / "groups" / "your_posts_in_groups.json"
    group_file.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(group_file)
    else:
        group_file.symlink_to("/dev/zero")
    with no_hang(5):
        refused(lambda: read_paths([tmp_path / "eksport"]), group_file, "not a regular file")


def test_many_same_named_codes_get_distinct_ids() -> None:
    n = 3000  # the old search tried 1, 2, ... for every sibling: 4.5 million steps
    with no_hang(5):
        book = parse_qdc(qdc(*["Flom"] * n), "k.qdc", name="k")
    assert [c.path for c in book.spec.codes] == ["flom", *(f"flom-{i}" for i in range(2, n + 1))]


def test_the_largest_count_is_what_the_database_holds(project: Project) -> None:
    """A count over it was read, then failed the import with an OverflowError from the SQLite driver."""
    doc = json.dumps([graph_post(reactions={"summary": {"total_count": 10**30}})]).encode()
    refused(lambda: parse_graph(doc, "feed.json"), "feed.json", "$[0].reactions.summary.total_count")
    largest = parse_graph(json.dumps([graph_post(like_count=2**63 - 1)]).encode(), "feed.json")
    with project.begin() as session:
        import_messages(session, [largest])
    with project.read() as session:
        assert session.scalar(select(Message.reactions)) == 2**63 - 1


def test_the_longest_names_and_ids_are_what_the_database_holds(project: Project, tmp_path: Path) -> None:
    """Each at its limit, the longest a reader lets through fits its column on PostgreSQL, which holds columns to
    their length (SQLite stores any length, so a limit above the column would only show there)."""
    from fokus.model import Case, ParticipantIdentity, Thread

    ident, name, case = "i" * limits.MAX_ID_CHARS, "ß" * limits.MAX_NAME_CHARS, "K" * limits.MAX_NAME_CHARS
    sources = [
        parse_graph(json.dumps([graph_post(id=ident, **{"from": {"name": name}})]).encode(), "feed.json"),
        parse_csv(csv_text(f"p1,,,Kari,{WHEN},Hei,{case}"), "a.csv"),
        parse_dyi(_dyi_in_group("G" * limits.MAX_NAME_CHARS), str(tmp_path / "a.json")),
    ]
    with project.begin() as session:
        import_messages(session, sources, group="G" * limits.MAX_NAME_CHARS)
    with project.read() as session:
        assert ident in set(session.scalars(select(Message.external_id)))
        assert name in set(session.scalars(select(ParticipantIdentity.name)))  # its key folds to twice the length
        assert case in set(session.scalars(select(Case.name)))
        assert f"unplaced:{'G' * limits.MAX_NAME_CHARS}" in set(session.scalars(select(Thread.external_id)))


# --- NUL characters -------------------------------------------------------------------------------------------------

DYI_COMMENT = "$.group_comments_v2[0]"


def _dyi(v: str, field: str) -> bytes:
    entry = dyi_comment(text=f"Hei{v}" if field == "comment" else "Hei")
    comment = entry["data"][0]["comment"]
    comment["group"] = f"Gruppa{v}" if field == "group" else "Gruppa"
    if field == "author":
        comment["author"] = f"Kari{v} Holmen"
    if field == "title":
        entry["title"] = f"Kari commented on Ola{v}'s post."
    if field == "link":
        entry["attachments"] = [{"data": [{"external_context": {"url": f"https://ks.no/{v}"}}]}]
    return json.dumps({"group_comments_v2": [entry]}).encode()


def _late_title(v: str) -> bytes:
    """Two threads, the second's title past the first 8 KiB (where detection looks for a binary file)."""
    first = transcript(text="Hei " + "og hei " * 1500)
    return first + f"\n=== Tråd: B{v}\n[{WHEN}] Ola: Svar\n".encode()


NULS: dict[str, tuple[str, Callable[[str], bytes], str, str]] = {
    "graph text": ("feed.json", lambda v: json.dumps([graph_post(message=f"H{v}i")]).encode(), "$[0].message", "text"),
    "graph author": (
        "feed.json",
        lambda v: json.dumps([graph_post(**{"from": {"name": f"Kari{v}"}})]).encode(),
        "$[0].from.name",
        "author name",
    ),
    "graph id": ("feed.json", lambda v: json.dumps([graph_post(id=f"p{v}")]).encode(), "$[0].id", "id"),
    "graph permalink": (
        "feed.json",
        lambda v: json.dumps([graph_post(permalink_url=f"https://fb.com/{v}")]).encode(),
        "$[0].permalink_url",
        "permalink_url",
    ),
    "graph link": (
        "feed.json",
        lambda v: json.dumps([graph_post(link=f"https://ks.no/{v}")]).encode(),
        "$[0].link",
        "link",
    ),
    "dyi comment": ("kommentarer.json", lambda v: _dyi(v, "comment"), f"{DYI_COMMENT}.data[0].comment.comment", "text"),
    "dyi author": (
        "kommentarer.json",
        lambda v: _dyi(v, "author"),
        f"{DYI_COMMENT}.data[0].comment.author",
        "author name",
    ),
    "dyi group": (
        "kommentarer.json",
        lambda v: _dyi(v, "group"),
        f"{DYI_COMMENT}.data[0].comment.group",
        "group name",
    ),
    "dyi title": ("kommentarer.json", lambda v: _dyi(v, "title"), f"{DYI_COMMENT}.title", "title"),
    "dyi link": ("kommentarer.json", lambda v: _dyi(v, "link"), f"{DYI_COMMENT}.attachments", "link"),
    "dyi post group": (
        "innlegg.json",
        lambda v: json.dumps(
            {"group_posts_v2": [{"timestamp": 1361265300, "title": f"Kari posted in G{v}.", "data": [{"post": "Hei"}]}]}
        ).encode(),
        "$.group_posts_v2[0].title",
        "title",
    ),
    "transcript text": ("tråd.txt", lambda v: transcript(text=f"H{v}ei"), "line 2", "the text"),
    "transcript title": ("tråd.txt", _late_title, "line 3", "the text"),
    "csv": ("a.csv", lambda v: csv_text(f"p1,,,Kari,{WHEN},H{v}ei,"), "line 2 (byte 81)", "NUL byte"),
}


@pytest.mark.parametrize("name", sorted(NULS))
def test_a_nul_character_is_refused_naming_the_file_and_the_place(project: Project, tmp_path: Path, name: str) -> None:
    """SQLite would store a NUL, PostgreSQL refuses it (and the import failed with its driver's error there): every
    reader refuses it, on either backend, so a project can always move; the same file without it imports."""
    file_name, make, where, what = NULS[name]
    path = write(tmp_path, file_name, make("\x00"))
    error = refused(lambda: read_paths([path]), path, what, "NUL")
    assert error.where == where
    assert "PostgreSQL cannot store it" in error.reason or what == "NUL byte"
    path.write_bytes(make("x"))
    with project.begin() as session:
        report = import_messages(session, read_paths([path]))
    assert report.messages_added >= 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_nul_character_in_a_refi_qda_source_is_refused(project: Project, tmp_path: Path, encoding: str) -> None:
    from fokus.exchange.project_import import import_qdpx

    def source(text: str) -> Path:
        guid = "a1b2c3d4-0000-4000-8000-000000000000"
        qde = f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="{guid}" name="A" '
        qde += 'plainTextPath="internal://a.txt"/></Sources></Project>'
        return write_zip(tmp_path / "p.qdpx", {"project.qde": qde.encode(), "sources/a.txt": text.encode(encoding)})

    path = source("Flommen kom.\nVi la ut var\x00sel.")
    error = refused(lambda: read_qdpx(path), f"{path}!sources/a.txt", "the source text holds a NUL character")
    assert error.where == "line 2"
    with project.begin() as session:
        report = import_qdpx(session, read_qdpx(source("Flommen kom.\nVi la ut varsel.")))
    assert report.messages is not None
    assert report.messages.messages_added == 1


# --- a failed import writes nothing -----------------------------------------------------------------------------------

FLOOD = "Flommen kom i natt.\nVi la ut varsel kl. 05."


@pytest.fixture(scope="module", params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Path]]:
    """A project with a codebook, four messages and two cases, on each backend, with a pristine copy of every table
    to go back to after each example (examples must not depend on each other, or Hypothesis could not replay a
    failure)."""
    folder = tmp_path_factory.mktemp("store")
    admin = request.getfixturevalue("pg_admin") if request.param == "postgresql" else None
    target = str(folder / "p.db") if admin is None else pgserver.create_database(admin)
    codebook = folder / "kodebok.yaml"
    codebook.write_text(SMALL_CODEBOOK, encoding="utf-8")
    project = open_project(target, create=True)
    cases = folder / "cases.csv"
    cases.write_text("kommune,innbyggertall,topp10\nBodø,48200,ja\nVoss,14100,nei\n", "utf-8")
    with project.begin() as session:
        apply_codebook(session, load_codebook(codebook))
        import_messages(
            session,
            [
                parsed(
                    record("p1", "Kari Holmen", FLOOD, when=at(1), case="Bodø"),
                    record("c1", "Ragnhild Vik", "Bra! 👍", when=at(1, 11), thread="p1", parent="p1", case="Voss"),
                    record("r1", "Kari Holmen", "Takk 😊", when=at(1, 12), thread="p1", parent="c1"),
                    record("p2", "Geir Mathisen", "Et nytt innlegg om dialog.", when=at(3)),
                )
            ],
        )
        import_cases(session, read_case_table(cases), str(cases))
        for table in TABLES:  # copied as the database holds them: no value goes through Python and back
            session.execute(text(f'CREATE TABLE "pristine_{table}" AS SELECT * FROM "{table}"'))
    try:
        yield project, folder
    finally:
        project.close()
        if admin is not None:
            pgserver.drop_database(admin, target)


TABLES = [table.name for table in Base.metadata.sorted_tables]  # parents before the tables that refer to them
COUNT_ROWS = select(
    *(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in Base.metadata.sorted_tables)
)


def row_counts(project: Project) -> dict[str, int]:
    """Rows in every table, in one query."""
    with project.read() as session:
        return dict(session.execute(COUNT_ROWS).one()._mapping)


def restore(project: Project) -> None:
    """Put the project back as the fixture made it: every table emptied and filled again from its pristine copy,
    in one transaction (the same SQL on SQLite and PostgreSQL)."""
    with project.begin() as session:
        for table in reversed(TABLES):
            session.execute(text(f'DELETE FROM "{table}"'))
        for table in TABLES:
            session.execute(text(f'INSERT INTO "{table}" SELECT * FROM "pristine_{table}"'))


def all_or_nothing(project: Project, write: Callable[[Any], object]) -> None:
    """Run ``write`` in one transaction: it succeeds, or raises a one-line FokusError and the project's row counts
    are what they were. Any other exception (a database's own error among them) fails the test."""
    before = row_counts(project)
    error: FokusError | None = None
    try:
        with no_hang(), project.begin() as session:
            write(session)
    except FokusError as err:
        error = err
    if error is None:
        event("written")
        restore(project)
        assert row_counts(project) == before
        return
    event(f"refused: {error.reason[:30]}")
    assert "\n" not in str(error)
    assert row_counts(project) == before


@WRITES  # each example writes to the project, and puts it back
@given(
    files=st.lists(
        st.one_of(
            thread_csv_bytes().map(lambda d: ("a.csv", d)),
            GRAPH_DOCUMENTS.map(lambda d: ("feed.json", json.dumps(without_missing(d)).encode())),
            DONATION_BYTES.map(lambda d: ("your_comments_in_groups.json", d)),
            TRANSCRIPT_BYTES.map(lambda d: ("tråd.txt", d)),
        ),
        min_size=1,
        max_size=3,
    ),
    group=st.sampled_from([None, None, "Gruppa", "Kommunene i sosiale medier"]),
)
def test_importing_messages_is_all_or_nothing(
    store: tuple[Project, Path], files: list[tuple[str, bytes]], group: str | None
) -> None:
    project, folder = store
    sources: list[ParsedSource] = []
    for index, (name, data) in enumerate(files):
        path = write(folder, f"{index}-{name}", data)
        sources.extend(records_or_error(lambda path=path: read_paths([path]), str(path)) or ())  # type: ignore[misc]
    if sources:
        all_or_nothing(project, lambda session: import_messages(session, sources, group=group))


TEXTS = {"p1": FLOOD, "c1": "Bra! 👍", "r1": "Takk 😊", "p2": "Et nytt innlegg om dialog."}


@st.composite
def coding_rows(draw: st.DrawFn) -> dict[str, Any]:
    """A row of a codings file that mostly fits the project: a span of a message's text, with its text or not."""
    message = draw(st.sampled_from([*TEXTS, "nope"]))
    text = TEXTS.get(message, "x")
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    if draw(st.integers(0, 9)) == 0:
        start, end = end, draw(st.integers(0, len(text) + 2))  # empty, backwards or past the end
    return {
        "message_id": message,
        "code": draw(st.sampled_from(["krise", "krise/flom", "dialog", "gruppe/barn", "krise", "gruppe", "nope"])),
        "start": start,
        "end": end,
        "text": draw(st.sampled_from([text[start:end], text[start:end], None, "annen tekst"])),
        "status": draw(st.sampled_from(["accepted", "suggested", "rejected"])),
        "origin": draw(st.sampled_from(["human", "rule:krise:r1", "model:lr"])),
        "confidence": draw(st.sampled_from([None, 0.5, 1])),
        "coder": draw(st.sampled_from(["ingrid", "magnus", None])),
    }


@WRITES  # each example writes to the project, and puts it back
@given(rows=st.lists(coding_rows(), max_size=6), coder=st.sampled_from([None, "ingrid"]), replace=st.booleans())
def test_importing_codings_is_all_or_nothing(
    store: tuple[Project, Path], rows: list[dict[str, Any]], coder: str | None, replace: bool
) -> None:
    project, folder = store
    path = write(folder, "kodinger.json", json.dumps(rows))
    table = records_or_error(lambda: read_codings(path), str(path))
    if table is not None:
        all_or_nothing(
            project, lambda session: import_codings(session, table, display=str(path), coder=coder, replace=replace)
        )


@WRITES  # each example writes to the project, and puts it back
@given(
    header=st.lists(
        st.sampled_from(["innbyggertall", "innbyggertall:text", "topp10", "fylke", "siden:date"]), unique=True
    ),
    rows=st.lists(
        st.tuples(
            st.sampled_from(["Bodø", "voss", "Bodø  ", "Tromsø"]),
            st.lists(st.sampled_from(["1", "ja", "Nordland", "2009-11-02", "", "x"]), min_size=5, max_size=5),
        ),
        max_size=4,
    ),
)
def test_importing_cases_is_all_or_nothing(
    store: tuple[Project, Path], header: list[str], rows: list[tuple[str, list[str]]]
) -> None:
    project, folder = store
    lines = [["kommune", *header]] + [[name, *values[: len(header)]] for name, values in rows]
    path = write(folder, "kommuner.csv", "".join(",".join(cells) + "\n" for cells in lines))
    table = records_or_error(lambda: read_case_table(path), str(path))
    if table is not None:
        all_or_nothing(project, lambda session: import_cases(session, table, str(path)))


def codebook_trees() -> st.SearchStrategy[bytes]:
    """Codebooks of the project's codes and new ones, moved under other parents, made uncodable, left out."""
    code = st.tuples(
        st.sampled_from(["krise", "flom", "dialog", "gruppe", "barn", "ny"]),
        st.sampled_from([None, "krise", "gruppe", "dialog"]),
        st.booleans(),
    )

    def tree(codes: list[tuple[str, str | None, bool]]) -> bytes:
        kids = {c: [{"id": k, "name": k} for k, p, _ in codes if p == c] for c, _, _ in codes}
        tops = [{"id": c, "name": c.title(), "codable": k, "children": kids[c]} for c, p, k in codes if p is None]
        return yaml.safe_dump({"codes": tops}).encode()

    return st.lists(code, min_size=1, max_size=6).map(tree)


@WRITES  # each example writes to the project, and puts it back
@given(data=st.one_of(codebook_trees(), yaml_bytes(CODEBOOK_DOCUMENTS)))
def test_loading_a_codebook_is_all_or_nothing(store: tuple[Project, Path], data: bytes) -> None:
    """Whatever the loader accepts, the project takes (rules stored as JSON, codes moved and renamed), or refuses
    as a whole."""
    project, folder = store
    path = write(folder, "kodebok.yaml", data)
    spec = records_or_error(lambda: load_codebook(path), str(path))
    if spec is not None:
        all_or_nothing(project, lambda session: apply_codebook(session, spec))


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("kodebok.yaml", load_located_yaml),
        ("saker.csv", read_case_table),
        ("kolonner.json", lambda path: parse_mapping([str(path)])),
    ],
    ids=["yaml", "case table", "mapping"],
)
def test_a_device_named_as_a_small_file_is_read_no_further_than_its_limit(
    tmp_path: Path, name: str, read: Callable[[Path], Any]
) -> None:
    """/dev/zero has size 0: a check of the size alone let it be read until memory ran out."""
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    with pytest.raises(FokusError, match=r"file too large \(fokus reads at most \d+ MiB\)"):
        read(link)
