"""Property tests: whatever the bytes, every reader returns records or raises FokusError, nothing else."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fokus.errors import FokusError
from fokus.importers import (
    CROWDTANGLE,
    MessageKind,
    ParsedSource,
    SourceKind,
    parse_csv,
    parse_dyi,
    parse_graph,
    parse_transcript,
    read_paths,
)
from fokus.importers.limits import MAX_TEXT_CHARS

from .builders import fb

PATH = "eksport/fil.x"
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_source(source: ParsedSource) -> None:
    """What every source promises, whatever its input."""
    assert isinstance(source.kind, SourceKind)
    assert len(source.sha256) == 64
    assert all(isinstance(note, str) for note in source.skipped)
    for m in source.messages:
        assert m.source_id
        assert m.author
        assert m.location
        assert isinstance(m.kind, MessageKind)
        assert m.created_at.utcoffset() == timedelta(0)
        assert m.updated_at is None or m.updated_at.utcoffset() == timedelta(0)
        assert len(m.text) <= MAX_TEXT_CHARS
        m.text.encode("utf-8")  # no lone surrogates: the database can store it
        m.author.encode("utf-8")
        if m.kind is MessageKind.POST:
            assert (m.thread_id, m.parent_id) == (m.source_id, None)
        elif source.kind is not SourceKind.DYI:
            assert m.thread_id is not None
            assert m.parent_id is not None
            assert m.parent_id != m.source_id


def outcome(parse: Callable[[], list[ParsedSource]], path: str = PATH) -> None:
    """Records that keep their promises, or a one-line FokusError naming the file; any other exception fails."""
    try:
        sources = parse()
    except FokusError as err:
        message = str(err)
    else:
        for source in sources:
            check_source(source)
        event("messages" if any(s.messages for s in sources) else "no messages")  # see --hypothesis-show-statistics
        return
    event("FokusError")
    assert path in message
    assert "\n" not in message


PARSERS: dict[str, Callable[[bytes], ParsedSource]] = {
    "graph": lambda data: parse_graph(data, PATH),
    "dyi": lambda data: parse_dyi(data, PATH),
    "csv": lambda data: parse_csv(data, PATH),
    "crowdtangle": lambda data: parse_csv(data, PATH, mapping=CROWDTANGLE),
    "transcript": lambda data: parse_transcript(data, PATH),
}


@pytest.mark.parametrize("parser", sorted(PARSERS))
@PROPERTY
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes(parser: str, data: bytes) -> None:
    outcome(lambda: [PARSERS[parser](data)])


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["2013-02-19T09:15:00+0000", "2013-02-19 10:15", "1361265300", fb("Øystein Berg posted in X.")])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)

# Keys the parsers read, so that generated objects reach deep into them.
KEYS = st.sampled_from(
    [
        "data",
        "id",
        "message",
        "created_time",
        "updated_time",
        "from",
        "name",
        "comments",
        "reactions",
        "summary",
        "total_count",
        "like_count",
        "likes",
        "permalink_url",
        "link",
        "attachments",
        "attachment",
        "url",
        "media",
        "image",
        "src",
        "subattachments",
        "paging",
        "next",
        "feed",
        "story",
        "error",
        "group_posts_v2",
        "group_posts",
        "group_comments_v2",
        "group_comments",
        "timestamp",
        "title",
        "post",
        "update_timestamp",
        "comment",
        "author",
        "group",
        "external_context",
        "uri",
    ]
)
SHAPED = st.recursive(
    JSON_SCALARS | st.integers(min_value=0, max_value=2_000_000_000),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=40,
)


@pytest.mark.parametrize("parser", ["graph", "dyi"])
@PROPERTY
@given(value=JSON_VALUES)
def test_arbitrary_json_values(parser: str, value: Any) -> None:
    outcome(lambda: [PARSERS[parser](json.dumps(value).encode())])


@pytest.mark.parametrize("parser", ["graph", "dyi"])
@PROPERTY
@given(value=SHAPED, wrap=st.sampled_from(["data", "group_posts_v2", "group_comments_v2", None]))
def test_json_shaped_like_exports(parser: str, value: Any, wrap: str | None) -> None:
    doc = {wrap: value if isinstance(value, list) else [value]} if wrap else value
    outcome(lambda: [PARSERS[parser](json.dumps(doc).encode())])


CSV_HEADERS = st.sampled_from(
    [
        "id,thread_id,parent_id,author,created_time,text,case,reactions",
        "ID;Author;Created_Time;Text",
        "id\tauthor\tcreated_time\ttext\tthread_id",
        "Page Name,Post Created,URL,Message,Total Interactions,Link",
        "a,b",
        "",
    ]
)
CSV_CELLS = st.one_of(
    st.text(alphabet='ab ,;\t"\n\rø\x00', max_size=12),
    st.sampled_from(["", "p1", "c1", "2013-02-19 10:15", "1,234", "2019-05-03 12:10:05 CEST", '"q""uoted"', "7"]),
)


@PROPERTY
@given(
    header=CSV_HEADERS,
    rows=st.lists(st.lists(CSV_CELLS, max_size=9), max_size=6),
    sep=st.sampled_from(",;\t"),
    ending=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    preset=st.booleans(),
)
def test_arbitrary_csv_text(header: str, rows: list[list[str]], sep: str, ending: str, bom: bool, preset: bool) -> None:
    text = ending.join([header, *(sep.join(cells) for cells in rows)])
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    outcome(lambda: [parse_csv(data, PATH, mapping=CROWDTANGLE if preset else None)])


TRANSCRIPT_LINES = st.one_of(
    st.sampled_from(
        [
            "=== Tråd: A",
            "=== ",
            "# kommentar",
            "",
            "[2013-02-19 10:15] Kari Holmen (Bodø): Hei",
            "  [2013-02-19 10:40] Ola: Svar",
            "    [2013-02-19 11:02] Kari: Svar på svar",
            "\t[2013-02-19 11:02Z] Per (): x",
            "      [2013-02-19 11:03] Dypt: x",
            "[2013-02-30 10:15] Feil: dato",
            "[2013-02-19 10:15 Kari: mangler",
            "[2013-02-19 10:15] Kari uten kolon",
            "   tre mellomrom",
            "fortsettelse",
        ]
    ),
    st.text(alphabet=" \t[]:=#()0123456789-aø", max_size=30),
)


@PROPERTY
@given(lines=st.lists(TRANSCRIPT_LINES, max_size=12), ending=st.sampled_from(["\n", "\r\n", "\r"]))
def test_arbitrary_transcripts(lines: list[str], ending: str) -> None:
    outcome(lambda: [parse_transcript(ending.join(lines).encode("utf-8"), PATH)])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


@PROPERTY
@given(
    data=st.one_of(st.binary(max_size=1000), JSON_VALUES.map(lambda v: json.dumps(v).encode())),
    suffix=st.sampled_from([".json", ".csv", ".txt", ".zip", ".qdpx", ""]),
)
def test_read_paths_on_arbitrary_files(scratch: Path, data: bytes, suffix: str) -> None:
    path = scratch / f"fil{suffix}"
    path.write_bytes(data)
    outcome(lambda: read_paths([path]), str(path))


@PROPERTY
@given(
    members=st.dictionaries(
        st.sampled_from(
            [
                "feed.json",
                "a.csv",
                "notes.txt",
                "README.md",
                "groups/your_posts_in_groups.json",
                "your_facebook_activity/groups/your_comments_in_groups.json",
                "groups/your_groups.json",
                "profile_information/profile_information.json",
                "sub/dir/x.json",
            ]
        ),
        st.one_of(st.binary(max_size=300), SHAPED.map(lambda v: json.dumps(v).encode())),
        max_size=5,
    )
)
def test_read_paths_on_arbitrary_zips(scratch: Path, members: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    path = scratch / "arkiv.zip"
    path.write_bytes(buffer.getvalue())
    outcome(lambda: read_paths([path]), str(path))
