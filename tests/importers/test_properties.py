"""Property tests: whatever the bytes, every importer returns records that keep their promises, or raises a one-line
FokusError naming the file; never another exception, and never a hang (see ``strategies``). The promises include
what a database and the displays need: no half characters, counts a database integer holds, and times from 1970
through 2099, which Norwegian time can show."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fokus.domain.local_time import DISPLAY_ZONE
from fokus.exchange.qdc import parse_qdc
from fokus.exchange.qdpx_read import read_qdpx
from fokus.importers import (
    CROWDTANGLE,
    FORMATS,
    MessageKind,
    ParsedSource,
    SourceKind,
    parse_csv,
    parse_dyi,
    parse_graph,
    parse_transcript,
    read_paths,
)
from fokus.importers.limits import MAX_ID_CHARS, MAX_INTEGER, MAX_NAME_CHARS, MAX_TEXT_CHARS
from fokus.importers.times import EARLIEST, LATEST

from .strategies import (
    ANY_EXPORT,
    CSV_BYTES,
    DYI_DOCUMENTS,
    GRAPH_DOCUMENTS,
    HOSTILE,
    MEMBER_BYTES,
    QDC_CODEBOOK,
    QDPX_PROJECT,
    SECONDARY,
    TRANSCRIPT_BYTES,
    TREE_NAMES,
    json_bytes,
    json_values,
    records_or_error,
    shaped_xml,
    xml_documents,
    zip_archives,
)

PATH = "eksport/fil.x"


def check_source(source: ParsedSource) -> None:
    """What every source promises, whatever its input: records the database can store as they are."""
    assert isinstance(source.kind, SourceKind)
    assert len(source.sha256) == 64
    assert all(isinstance(note, str) and "\n" not in note for note in source.skipped)
    for m in source.messages:
        assert 0 < len(m.source_id) <= MAX_ID_CHARS
        assert m.thread_id is None or 0 < len(m.thread_id) <= MAX_ID_CHARS
        assert m.parent_id is None or 0 < len(m.parent_id) <= MAX_ID_CHARS
        assert 0 < len(m.author) <= MAX_NAME_CHARS
        assert m.author == m.author.strip()
        assert m.case is None or 0 < len(m.case) <= MAX_NAME_CHARS
        assert m.location
        assert isinstance(m.kind, MessageKind)
        for when in (m.created_at, m.updated_at or m.created_at):
            assert when.utcoffset() == timedelta(0)
            assert EARLIEST <= when < LATEST
            when.astimezone(DISPLAY_ZONE)  # shown in Norwegian time: no OverflowError
        assert len(m.text) <= MAX_TEXT_CHARS
        assert m.reactions is None or 0 <= m.reactions <= MAX_INTEGER
        texts = (m.text, m.author, m.source_id, m.case, m.title, m.url, m.group, m.parent_author, *m.attachments)
        for text in texts:
            (text or "").encode("utf-8")  # no lone surrogates: the database can store it
        if m.kind is MessageKind.POST:
            assert (m.thread_id, m.parent_id) == (m.source_id, None)
        elif source.kind is not SourceKind.DYI:
            assert m.thread_id is not None
            assert m.parent_id is not None
            assert m.parent_id != m.source_id


def check(parse: Callable[[], list[ParsedSource]], path: str = PATH) -> None:
    sources = records_or_error(parse, path)
    for source in sources or ():
        check_source(source)


PARSERS: dict[str, Callable[[bytes], ParsedSource]] = {
    "graph": lambda data: parse_graph(data, PATH),
    "dyi": lambda data: parse_dyi(data, PATH),
    "csv": lambda data: parse_csv(data, PATH),
    "crowdtangle": lambda data: parse_csv(data, PATH, mapping=CROWDTANGLE),
    "mapped-csv": lambda data: parse_csv(data, PATH, mapping={"text": "Message", "case": "Page Name"}),
    "transcript": lambda data: parse_transcript(data, PATH),
}


@HOSTILE
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    for parse in PARSERS.values():
        check(lambda parse=parse: [parse(data)])  # type: ignore[misc]


@SECONDARY  # the Graph and DYI readers have their 500 below
@given(data=json_bytes(json_values()))
def test_any_json(data: bytes) -> None:
    check(lambda: [parse_graph(data, PATH)])
    check(lambda: [parse_dyi(data, PATH)])


@HOSTILE
@given(data=json_bytes(GRAPH_DOCUMENTS))
def test_graph_exports_with_wrong_fields(data: bytes) -> None:
    check(lambda: [parse_graph(data, PATH)])


@HOSTILE
@given(data=json_bytes(DYI_DOCUMENTS))
def test_dyi_files_with_wrong_fields(data: bytes) -> None:
    check(lambda: [parse_dyi(data, PATH)])


@HOSTILE
@given(data=CSV_BYTES)
def test_csv_with_real_headers_and_random_cells(data: bytes) -> None:
    for name in ("csv", "crowdtangle", "mapped-csv"):
        check(lambda name=name: [PARSERS[name](data)])  # type: ignore[misc]


@HOSTILE
@given(data=TRANSCRIPT_BYTES)
def test_transcripts(data: bytes) -> None:
    check(lambda: [parse_transcript(data, PATH)])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@HOSTILE
@given(
    data=ANY_EXPORT,
    suffix=st.sampled_from([".json", ".csv", ".tsv", ".txt", ".zip", ".qdpx", ".md", ""]),
    fmt=st.sampled_from(FORMATS),
    mapping=st.sampled_from([{}, dict(CROWDTANGLE), {"text": "Message"}]),
)
def test_read_paths_on_any_file(scratch: Path, data: bytes, suffix: str, fmt: str, mapping: dict[str, str]) -> None:
    path = scratch / f"fil{suffix}"
    path.write_bytes(data)
    check(lambda: read_paths([path], fmt, csv_mapping=mapping), str(path))


@HOSTILE
@given(archive=zip_archives(), fmt=st.sampled_from(["auto", "auto", "dyi", "csv", "graph-json"]))
def test_read_paths_on_any_zip(scratch: Path, archive: bytes, fmt: str) -> None:
    path = scratch / "arkiv.zip"
    path.write_bytes(archive)
    check(lambda: read_paths([path], fmt), str(path))


#: Besides files: a named pipe (reading it would wait forever), and links to a device, a folder above, a file
#: elsewhere and nothing.
SPECIAL = st.sampled_from(["fifo", "link:/dev/zero", "link:..", "link:.", "link:/etc/hostname", "link:nope"])


def _make(target: Path, what: bytes | str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(what, bytes):
        target.write_bytes(what)
    elif what == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(what.removeprefix("link:"))


@SECONDARY  # read_paths has its 500 examples above
@given(files=st.dictionaries(TREE_NAMES, st.one_of(MEMBER_BYTES, SPECIAL), max_size=5))
def test_read_paths_on_any_folder(files: dict[str, bytes | str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "eksport")
        root.mkdir()
        for name, what in files.items():
            try:
                if name.endswith("/"):
                    (root / name).mkdir(parents=True, exist_ok=True)
                else:
                    _make(root / name, what)
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                continue  # a name that is a file and a folder at once: not a tree
        check(lambda: read_paths([root]), str(root))


QDPX_MEMBERS = st.one_of(
    st.binary(max_size=100),
    st.sampled_from([b"Flommen kom.", b"\xef\xbb\xbfFlommen", b"\xff\xfeF\x00", b"\xc3", b"Vi la ut varsel."]),
)


@HOSTILE
@given(
    qde=st.one_of(xml_documents("Project"), shaped_xml(QDPX_PROJECT)),
    sources=st.dictionaries(
        st.sampled_from(["sources/a.txt", "Sources/A.TXT", "a.txt", "other.qde", "../a.txt", "sources/b.txt"]),
        QDPX_MEMBERS,
        max_size=3,
    ),
    qde_name=st.sampled_from(["project.qde", "project.qde", "Project.QDE", "x.qde", "none.xml"]),
)
def test_qdpx_projects(scratch: Path, qde: bytes, sources: dict[str, bytes], qde_name: str) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(qde_name, qde)
        for name, data in sources.items():
            archive.writestr(name, data)
    path = scratch / "prosjekt.qdpx"
    path.write_bytes(buffer.getvalue())
    project = records_or_error(lambda: read_qdpx(path), str(path))
    if project is not None:
        for source in project.sources:
            for selection in source.selections:
                assert 0 <= selection.start <= selection.end <= len(source.text)


@HOSTILE
@given(data=st.one_of(xml_documents("CodeBook"), shaped_xml(QDC_CODEBOOK)))
def test_qdc_codebooks(data: bytes) -> None:
    book = records_or_error(lambda: parse_qdc(data, "koder.qdc", name="koder"), "koder.qdc")
    if book is not None:
        paths = [code.path for code in book.spec.codes]
        assert len(set(paths)) == len(paths)
        assert all(code.parent is None or code.parent in paths for code in book.spec.codes)


@SECONDARY  # read_qdpx has its 500 examples above
@given(archive=zip_archives())
def test_qdpx_reader_on_any_zip(scratch: Path, archive: bytes) -> None:
    path = scratch / "annet.qdpx"
    path.write_bytes(archive)
    records_or_error(lambda: read_qdpx(path), str(path))
