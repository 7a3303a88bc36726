"""The formats registry is the one list of import formats: the CLI, the README and detection all agree with it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fokus.cli import main
from fokus.cli.imports import import_command
from fokus.errors import FokusError
from fokus.importers import SourceKind, read_paths
from fokus.importers.decoding import decode_text, load_json
from fokus.importers.formats import FORMATS, Content, ImportFormat, by_name, detection_order, id_rank, names

ROOT = Path(__file__).resolve().parents[2]
#: One real file of each format, from the demo corpus or the importers' test data.
SAMPLES = {
    "graph-json": ROOT / "corpus/graph/feed_001.json",
    "dyi": ROOT / "corpus/dyi/facebook-geirmathisen-20130611/groups/your_posts_in_groups.json",
    "csv": ROOT / "corpus/csv/april-mai.csv",
    "transcript": ROOT / "tests/importers/data/transcript.txt",
}
HINT = (
    "fokus reads Graph API JSON, Facebook DYI archives (zip, folder or JSON file), CSV with the columns id, author, "
    "created_time, text (or --map), and transcripts starting with '=== <title>'"
)


def readme_formats() -> list[tuple[str, str, str]]:
    """The rows of README.md's table of formats: (``--format`` name, label, description)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## What fokus reads\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \| (.+?) \|$", section, flags=re.MULTILINE)
    assert rows[:1] == [("--format", "Format", "What it is")], "README.md's 'What fokus reads' has no table of formats"
    return rows[1:]


def content_of(fmt: ImportFormat, path: Path) -> Content:
    data = path.read_bytes()
    return Content(str(path), load_json(data, str(path)) if fmt.reads == "json" else decode_text(data, str(path)))


def test_the_readme_table_is_the_registry() -> None:
    assert readme_formats() == [(fmt.name, fmt.label, fmt.description) for fmt in FORMATS]


def test_the_cli_offers_the_registry_names() -> None:
    [option] = [p for p in import_command.params if p.name == "fmt"]
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == ("auto", *names()) == ("auto", "graph-json", "dyi", "csv", "transcript")


def test_import_help_lists_every_format_and_its_label() -> None:
    result = CliRunner().invoke(main, ["import", "--help"], terminal_width=200, prog_name="fokus")
    assert result.exit_code == 0, result.output
    assert f"--format [{'|'.join(('auto', *names()))}]" in result.output
    assert f"Formats: {', '.join(fmt.label for fmt in FORMATS)}." in result.output
    assert 'Formats: Graph API JSON, Facebook "Download your information" (zip or folder), CSV, typed transcripts.' in (
        result.output
    )


def test_every_source_kind_but_refi_qda_projects_has_one_format() -> None:
    assert [fmt.kind for fmt in FORMATS] == [kind for kind in SourceKind if kind is not SourceKind.QDPX]
    assert [fmt.name for fmt in FORMATS] == [fmt.kind.value for fmt in FORMATS]
    assert all(by_name(fmt.name) is fmt for fmt in FORMATS)
    with pytest.raises(KeyError):
        by_name("qdpx")


def test_every_format_has_a_sample() -> None:
    assert sorted(SAMPLES) == sorted(names())


@pytest.mark.parametrize("fmt", FORMATS, ids=names())
def test_each_format_recognises_its_sample_and_no_other_format_of_its_reading_does(fmt: ImportFormat) -> None:
    content = content_of(fmt, SAMPLES[fmt.name])
    assert fmt.recognises(content)
    assert [other.name for other in detection_order(fmt.reads) if other.recognises(content)] == [fmt.name]


@pytest.mark.parametrize("fmt", FORMATS, ids=names())
def test_detection_reads_each_sample_as_its_format(fmt: ImportFormat) -> None:
    [source] = read_paths([SAMPLES[fmt.name]])
    assert source.kind is fmt.kind
    assert source.messages


@pytest.mark.parametrize("fmt", FORMATS, ids=names())
def test_each_format_forced_reads_its_sample(fmt: ImportFormat) -> None:
    [source] = read_paths([SAMPLES[fmt.name]], fmt.name)
    assert source.kind is fmt.kind


def test_detection_asks_dyi_before_graph_and_transcripts_before_csv() -> None:
    assert [fmt.name for fmt in detection_order("json")] == ["dyi", "graph-json"]
    assert [fmt.name for fmt in detection_order("text")] == ["transcript", "csv"]


def test_a_file_both_text_formats_recognise_is_a_transcript(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("# id,author,created_time,text\n=== Tråd: A\n[2013-02-19 10:15] Kari: Hei\n", encoding="utf-8")
    content = Content(str(path), path.read_text(encoding="utf-8"), {"id": "# id"})
    assert [fmt.name for fmt in detection_order("text") if fmt.recognises(content)] == ["transcript", "csv"]
    [source] = read_paths([path], csv_mapping={"id": "# id"})
    assert source.kind is SourceKind.TRANSCRIPT


def test_merged_imports_take_ids_from_graph_and_csv_first_and_dyi_last() -> None:
    ranked = sorted(SourceKind, key=id_rank)
    assert [kind.value for kind in ranked] == ["graph-json", "csv", "transcript", "dyi", "qdpx"]
    assert id_rank(SourceKind.GRAPH_JSON) == id_rank(SourceKind.CSV)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt", b"hello world\n", "{}: neither JSON, CSV with known columns, nor a transcript: not an export"),
        ("blob.dat", bytes(range(256)), "{}: a binary file: not an export"),
        ("empty.txt", b"\n", "{}: an empty file: not an export"),
        (
            "shape.json",
            b'{"foo": 1}',
            '{}:$: JSON of the wrong shape: neither a Graph API export ({{"data": [...]}}, a list of posts, a post) nor'
            " a DYI groups file (group_posts_v2, group_comments_v2)",
        ),
        (
            "cases.csv",
            b"case,region\nBodo,Nord\n",
            "{}:line 1: missing columns: id, author, created_time, text; the header has: case, region",
        ),
    ],
)
def test_files_no_format_recognises_are_refused_in_one_line(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FokusError) as err:
        read_paths([path])
    expected = message.format(path)
    assert str(err.value).startswith(expected)
    if "not an export" in expected:
        assert str(err.value) == f"{expected} fokus can read ({HINT})"


def test_in_a_folder_what_no_format_recognises_is_skipped_with_its_reason(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_bytes(b"case,region\nBodo,Nord\n")
    (tmp_path / "notes.txt").write_bytes(b"hello world\n")
    (tmp_path / "feed.json").write_bytes(SAMPLES["graph-json"].read_bytes())
    [source] = read_paths([tmp_path])
    assert source.kind is SourceKind.GRAPH_JSON
    assert source.skipped[-2:] == [
        "skipped (CSV without the columns fokus reads): cases.csv",
        "skipped (neither JSON, CSV with known columns, nor a transcript): notes.txt",
    ]


def test_a_format_that_is_not_registered_is_refused_with_the_registry_names(tmp_path: Path) -> None:
    path = tmp_path / "project.txt"
    path.write_text("=== Tråd: A\n[2013-02-19 10:15] Kari: Hei\n", encoding="utf-8")
    with pytest.raises(FokusError) as err:
        read_paths([path], "qdpx")
    assert str(err.value) == "unknown format 'qdpx' (choose one of auto, graph-json, dyi, csv, transcript)"


def test_reading_the_registry_loads_no_parser() -> None:
    """`fokus --help` builds the `--format` choices from the registry: that must not import the parsers."""
    code = (
        "import sys, fokus.importers.formats\n"
        "print(sorted(m for m in sys.modules if m.startswith('fokus')))\n"
        "print([m for m in ('csv', 'zipfile', 'json', 'yaml') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    # the translation layer marks the formats' descriptions for people (fokus --help loads it anyway)
    assert out.splitlines() == [
        "['fokus', 'fokus.i18n', 'fokus.i18n.catalogues', 'fokus.importers', 'fokus.importers.formats',"
        " 'fokus.importers.records']",
        "[]",
    ]
