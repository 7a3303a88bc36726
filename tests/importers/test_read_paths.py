"""read_paths: detection by content, folders, zips, forced formats, and what is skipped or refused."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

import fokus.importers.archive as archive_module
import fokus.importers.limits as limits_module
from fokus.errors import FokusError
from fokus.importers import SourceKind, read_paths

from .builders import dump, dyi_comments, write_tree, write_zip

GRAPH = json.dumps(
    {"data": [{"id": "1_2", "message": "Hei", "created_time": "2013-02-19T09:15:00+0000", "from": {"name": "Kari"}}]}
).encode()
CSV = b"id,thread_id,parent_id,author,created_time,text\np1,,,Kari,2013-04-02 10:15,Hei\n"
TRANSCRIPT = "# notat\n=== Tråd: A\n[2013-02-19 10:15] Kari: Hei\n".encode()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("feed_001.json", GRAPH, SourceKind.GRAPH_JSON),
        ("feed_001.txt", GRAPH, SourceKind.GRAPH_JSON),
        ("feed", b"\xef\xbb\xbf  " + GRAPH, SourceKind.GRAPH_JSON),
        ("comments.json", dump(dyi_comments()), SourceKind.DYI),
        ("threads.csv", CSV, SourceKind.CSV),
        ("threads.tsv", CSV.replace(b",", b"\t"), SourceKind.CSV),
        ("threads.txt", CSV, SourceKind.CSV),
        ("screenshots.txt", TRANSCRIPT, SourceKind.TRANSCRIPT),
    ],
)
def test_a_file_is_detected_by_content(tmp_path: Path, name: str, data: bytes, kind: SourceKind) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    [source] = read_paths([path])
    assert source.kind is kind
    assert source.path == str(path)
    assert len(source.messages) >= 1


def test_paths_may_be_strings_and_keep_their_spelling(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(CSV)
    shown = f"{tmp_path}/./a.csv"
    assert read_paths([shown])[0].path == shown


def test_a_folder_reads_every_export_and_notes_the_rest(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "graph/feed_001.json": GRAPH,
            "graph/feed_002.json": GRAPH.replace(b"1_2", b"1_3"),
            "csv/april.csv": CSV,
            "csv/cases.csv": b"kommune,score\nBodo,91\n",
            "README.md": b"# Eksporter\n",
            "notes.txt": b"Husk aa sjekke datoene.\n",
            "package.json": b'{"name": "x"}',
            ".DS_Store": b"\x00\x00\x00\x01Bud1",
            "photo.jpg": b"\xff\xd8\xff",
            "project.qdpx": b"PK\x05\x06" + b"\x00" * 18,
        },
    )
    sources = read_paths([tmp_path])
    assert [s.path for s in sources] == [
        str(tmp_path / "csv/april.csv"),
        str(tmp_path / "graph/feed_001.json"),
        str(tmp_path / "graph/feed_002.json"),
    ]
    notes = "\n".join(sources[0].skipped)
    assert "skipped (hidden): .DS_Store" in notes
    assert "skipped (not a file type fokus reads): README.md, photo.jpg" in notes
    assert "skipped (CSV without the columns fokus reads): csv/cases.csv" in notes
    assert "notes.txt" in notes
    assert "package.json" in notes
    assert "project.qdpx" in notes
    assert sources[1].skipped == []


def test_a_broken_export_in_a_folder_is_an_error_not_a_skip(tmp_path: Path) -> None:
    write_tree(tmp_path, {"feed_001.json": GRAPH, "feed_002.json": GRAPH[:40]})
    with pytest.raises(FokusError) as caught:
        read_paths([tmp_path])
    assert caught.value.path == str(tmp_path / "feed_002.json")
    assert "truncated" in str(caught.value)


def test_a_zip_of_other_exports_gives_a_source_per_member(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "eksport.zip",
        {
            "feed_001.json": GRAPH,
            "april.csv": CSV,
            "__MACOSX/._feed_001.json": b"\x00\x05\x16\x07",
            "README.md": b"hei",
            "inner.zip": b"PK\x05\x06" + b"\x00" * 18,  # an empty zip
        },
    )
    sources = read_paths([archive])
    assert [s.path for s in sources] == [f"{archive}!april.csv", f"{archive}!feed_001.json"]
    assert [s.kind for s in sources] == [SourceKind.CSV, SourceKind.GRAPH_JSON]
    notes = "\n".join(sources[0].skipped)
    assert "__MACOSX/._feed_001.json" in notes
    assert "README.md" in notes
    assert "inner.zip" in notes


def test_a_zip_inside_a_folder_is_read(tmp_path: Path) -> None:
    write_zip(tmp_path / "a.zip", {"threads.csv": CSV})
    [source] = read_paths([tmp_path])
    assert source.path == f"{tmp_path / 'a.zip'}!threads.csv"


@pytest.mark.parametrize(
    ("fmt", "words"),
    [
        ("csv", "missing columns"),
        ("transcript", "text before the first thread"),
        ("dyi", "group_posts_v2"),
        ("graph-json", None),
    ],
)
def test_a_forced_format_uses_that_parser(tmp_path: Path, fmt: str, words: str | None) -> None:
    path = tmp_path / "feed.json"
    path.write_bytes(GRAPH)
    if words is None:
        assert read_paths([path], fmt)[0].kind is SourceKind.GRAPH_JSON
        return
    with pytest.raises(FokusError) as caught:
        read_paths([path], fmt)
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_forcing_graph_on_a_csv_reports_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(CSV)
    with pytest.raises(FokusError, match=r"a\.csv:line 1, column 1 \(byte 0\): not valid JSON"):
        read_paths([path], "graph-json")


def test_mapping_and_time_zone_reach_the_csv_parser(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"Nr;Navn;Tid;Innhold\n1;Kari;2013-01-10 10:00;Hei\n")
    mapping = {"id": "Nr", "author": "Navn", "created_time": "Tid", "text": "Innhold"}
    [source] = read_paths([path], csv_mapping=mapping, timezone="UTC")
    assert source.kind is SourceKind.CSV
    assert source.messages[0].created_at.hour == 10


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.txt", b"", "an empty file: not an export fokus can read"),
        ("empty.json", b"", "empty file"),
        ("empty.csv", b"\xef\xbb\xbf", "empty file"),
        ("notes.txt", b"Husk datoene.\n", "not an export fokus can read (fokus reads Graph API JSON"),
        ("program", b"\x7fELF\x02\x01\x01\x00\x00\x00", "a binary file: not an export fokus can read"),
        ("latin.txt", "Møte\n".encode("latin-1"), "line 1 (byte 1): not UTF-8"),
        ("other.json", b'{"name": "x"}', "$: JSON of the wrong shape"),
        ("list.json", b"[1, 2]", "$: JSON of the wrong shape"),
        ("project.qdpx", b"PK\x05\x06" + b"\x00" * 18, "REFI-QDA projects cannot be imported yet"),
        ("corrupt.zip", b"PK\x03\x04 this is not really a zip", "not a readable zip archive"),
        ("renamed.dat", b"PK\x03\x04 this is not really a zip", "not a readable zip archive"),
    ],
)
def test_a_file_given_directly_that_is_no_export_is_an_error(
    tmp_path: Path, name: str, data: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FokusError) as caught:
        read_paths([path])
    assert str(caught.value).startswith(str(path) + ":")
    assert words in str(caught.value)


def test_missing_paths_bad_formats_and_zones(tmp_path: Path) -> None:
    with pytest.raises(FokusError, match="no such file or folder"):
        read_paths([tmp_path / "missing.json"])
    with pytest.raises(FokusError, match=r"unknown format 'xml'.*auto, graph-json, dyi, csv, transcript"):
        read_paths([tmp_path], "xml")
    with pytest.raises(FokusError, match="unknown time zone"):
        read_paths([tmp_path], timezone="Oslo")


def test_a_folder_or_zip_without_exports_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FokusError, match="empty: holds no export fokus can read \\(it is empty\\)"):
        read_paths([empty])
    photos = write_zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8", "b.md": b"x"})
    with pytest.raises(FokusError) as caught:
        read_paths([photos])
    assert str(caught.value).startswith(f"{photos}: holds no export fokus can read")
    assert "a.jpg, b.md" in str(caught.value)
    with pytest.raises(FokusError, match="holds no export"):
        read_paths([write_zip(tmp_path / "nothing.zip", {})])


def test_a_truncated_zip_is_an_error(tmp_path: Path) -> None:
    whole = write_zip(tmp_path / "whole.zip", {"threads.csv": CSV * 50})
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[:60])
    with pytest.raises(FokusError) as caught:
        read_paths([cut])
    assert caught.value.path == str(cut)
    assert "corrupt or truncated" in caught.value.reason


def test_a_damaged_member_is_an_error(tmp_path: Path) -> None:
    whole = write_zip(tmp_path / "whole.zip", {"threads.csv": CSV * 50})
    data = bytearray(whole.read_bytes())
    data[40:50] = b"\x00" * 10  # inside the compressed data of the only member
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(FokusError) as caught:
        read_paths([damaged])
    assert caught.value.path == f"{damaged}!threads.csv"
    assert "damaged archive" in caught.value.reason


def test_a_damaged_lzma_member_is_an_error(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "lzma.zip", "w", compression=zipfile.ZIP_LZMA) as archive:
        archive.writestr("threads.csv", CSV * 50)
    data = bytearray((tmp_path / "lzma.zip").read_bytes())
    start = 30 + len("threads.csv") + 9  # past the local header and zipfile's LZMA properties
    data[start : start + 20] = bytes(byte ^ 0xFF for byte in data[start : start + 20])
    (tmp_path / "lzma.zip").write_bytes(bytes(data))
    with pytest.raises(FokusError) as caught:
        read_paths([tmp_path / "lzma.zip"])
    assert str(caught.value) == (
        f"{tmp_path / 'lzma.zip'}!threads.csv: cannot read the file from the zip (damaged archive: Corrupt input data)"
    )


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/evil.csv", "ok/../../evil.csv", "C:/evil.csv"])
def test_unsafe_member_names_are_refused(tmp_path: Path, name: str) -> None:
    with zipfile.ZipFile(tmp_path / "evil.zip", "w") as archive:
        archive.writestr("threads.csv", CSV)
        archive.writestr(zipfile.ZipInfo(name), CSV)
    with pytest.raises(FokusError) as caught:
        read_paths([tmp_path / "evil.zip"])
    assert "unsafe file name" in caught.value.reason
    assert name in caught.value.reason


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "bomb.zip", {"feed.json": b"[" + b" " * (4 * 1024 * 1024) + b"]"})
    with pytest.raises(FokusError) as caught:
        read_paths([archive])
    assert caught.value.path == f"{archive}!feed.json"
    assert "zip bomb" in caught.value.reason


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    data = bytearray(write_zip(tmp_path / "plain.zip", {"threads.csv": CSV}).read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local header, central directory
        at = data.index(signature) + offset
        data[at] |= 0x1  # the "encrypted" flag bit
    (tmp_path / "secret.zip").write_bytes(bytes(data))
    with pytest.raises(FokusError, match="encrypted"):
        read_paths([tmp_path / "secret.zip"])


def test_a_zip_that_is_a_refi_project_is_refused(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "project.zip", {"project.qde": b"<Project/>", "sources/a.txt": b"x"})
    with pytest.raises(FokusError, match="REFI-QDA"):
        read_paths([archive])


def test_limits_on_sizes_and_member_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(CSV)
    monkeypatch.setattr(limits_module, "MAX_PARSE_BYTES", 40)
    with pytest.raises(FokusError, match=f"file too large: {len(CSV)} bytes \\(fokus reads at most 40 bytes\\)"):
        read_paths([path])
    monkeypatch.setattr(limits_module, "MAX_FILE_BYTES", 60)
    big_zip = write_zip(tmp_path / "a.zip", {"a.csv": CSV})
    with pytest.raises(FokusError, match="file too large"):
        read_paths([big_zip])
    monkeypatch.undo()

    monkeypatch.setattr(archive_module, "MAX_ZIP_MEMBERS", 2)
    crowded = write_zip(tmp_path / "b.zip", {"a.csv": CSV, "b.csv": CSV, "c.csv": CSV})
    with pytest.raises(FokusError, match="lists 3 files \\(at most 2\\)"):
        read_paths([crowded])
    monkeypatch.undo()
    monkeypatch.setattr(archive_module, "MAX_ZIP_TOTAL_BYTES", 100)
    with pytest.raises(FokusError, match=f"unpacks to {3 * len(CSV)} bytes"):
        read_paths([write_zip(tmp_path / "c.zip", {"a.csv": CSV, "b.csv": CSV, "c.csv": CSV})])
    monkeypatch.undo()
    monkeypatch.setattr(archive_module, "MAX_PARSE_BYTES", 50)
    with pytest.raises(FokusError) as caught:
        read_paths([write_zip(tmp_path / "d.zip", {"a.csv": CSV})])
    assert caught.value.path == f"{tmp_path / 'd.zip'}!a.csv"
    assert "too large" in caught.value.reason


def test_a_huge_zip_directory_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_ZIP_DIRECTORY_BYTES", 100)
    crowded = write_zip(tmp_path / "crowded.zip", {f"{i}.csv": CSV for i in range(5)})
    with pytest.raises(FokusError, match=r"list of files takes .* too many files"):
        read_paths([crowded])
    monkeypatch.undo()

    # A Zip64 end record (which zipfile trusts over the classic one) announcing a directory of 1 TiB.
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # makes zipfile write Zip64 records for two members
    data = bytearray(write_zip(tmp_path / "zip64.zip", {"a.csv": CSV, "b.csv": CSV}).read_bytes())
    monkeypatch.undo()
    assert read_paths([tmp_path / "zip64.zip"])  # a sound Zip64 archive reads
    record = data.rindex(b"PK\x06\x06")
    data[record + 40 : record + 48] = (1 << 40).to_bytes(8, "little")
    (tmp_path / "zip64.zip").write_bytes(bytes(data))
    with pytest.raises(FokusError, match="list of files takes 1,024 GiB"):
        read_paths([tmp_path / "zip64.zip"])
