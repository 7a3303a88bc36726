"""Graph API page feeds read into page records: shapes, counts, replies, the page's own comments, hostile files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fokus.errors import FokusError
from fokus.importers.pages.detect import names, read_feeds
from fokus.importers.pages.graph_feed import parse

DATA = Path(__file__).parent / "data"
FEED = DATA / "bergen-feed.json"


def post(pid: str = "111_5", **extra: Any) -> dict[str, Any]:
    return {"id": pid, "message": "Hei", "created_time": "2013-04-01T10:00:00+0000", **extra}


def read(doc: Any, tmp_path: Path, name: str = "feed.json") -> Any:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return parse(path.read_bytes(), str(path), UTC)


def error_of(doc: Any, tmp_path: Path) -> str:
    with pytest.raises(FokusError) as caught:
        read(doc, tmp_path)
    return str(caught.value).replace(str(tmp_path), "TMP")


def test_a_feed_page_is_read_with_its_counts_comments_and_replies() -> None:
    feed = parse(FEED.read_bytes(), str(FEED), UTC)
    assert [(p.external_id, p.name) for p in feed.pages] == [("111", "Bergen kommune")]
    first, second = feed.posts
    assert (first.external_id, first.page_id, first.kind) == ("111_1", "111", "mobile_status_update")
    assert (first.reactions, first.likes, first.comments, first.shares) == (12, 10, 3, 3)
    assert first.created_at == datetime(2013, 2, 19, 10, tzinfo=UTC)
    assert first.url == "https://www.facebook.com/111/posts/1"
    assert second.shares == 0  # left out by the Graph API when nobody shared, while other posts have it
    assert [(c.external_id, c.parent_id, c.by_page, c.author, c.likes) for c in feed.comments] == [
        ("1_c1", None, False, "9001", 2),
        ("1_c2", "1_c1", True, "111", 1),
        ("1_c3", None, False, "9002", 0),
    ]
    assert {c.post_id for c in feed.comments} == {"111_1"}
    assert feed.comments[1].location == "$.data[0].comments.data[0].comments.data[0]"
    assert (feed.format, len(feed.sha256), feed.skipped) == ("graph-feed", 64, [])


def test_a_list_of_result_pages_and_a_page_object_are_read(tmp_path: Path) -> None:
    pages = [{"data": [post("7_1")], "paging": {"next": "x"}}, {"data": [post("7_2")]}]
    assert [p.external_id for p in read(pages, tmp_path).posts] == ["7_1", "7_2"]
    page = {"id": "42", "name": "Stord kommune", "posts": {"data": [post("1"), post("2")]}}
    feed = read(page, tmp_path)
    assert [(p.external_id, p.page_id) for p in feed.posts] == [("1", "42"), ("2", "42")]
    assert [(p.external_id, p.name) for p in feed.pages] == [("42", "Stord kommune")]
    assert [p.external_id for p in read([post("7_9")], tmp_path).posts] == ["7_9"]
    listed = read({"data": [post("7_3", comments=[{"id": "c", "created_time": "2013-04-02T10:00:00Z"}])]}, tmp_path)
    assert [(c.external_id, c.post_id) for c in listed.comments] == [("c", "7_3")]


def test_without_shares_anywhere_the_count_is_unknown(tmp_path: Path) -> None:
    feed = read({"data": [post("1_1"), post("1_2")]}, tmp_path)
    assert [p.shares for p in feed.posts] == [None, None]
    assert [p.reactions for p in feed.posts] == [None, None]


def test_a_comment_by_the_page_is_known_by_its_name_when_it_has_no_id(tmp_path: Path) -> None:
    comment = {"id": "c", "created_time": "2013-04-01T11:00:00+0000", "from": {"name": "Stord kommune"}}
    doc = {"id": "42", "name": "Stord kommune", "feed": {"data": [post("42_1", comments={"data": [comment]})]}}
    assert [(c.by_page, c.author) for c in read(doc, tmp_path).comments] == [(True, "Stord kommune")]


def test_the_same_post_twice_is_read_once_with_a_note(tmp_path: Path) -> None:
    feed = read({"data": [post("1_1"), post("1_2"), post("1_1")]}, tmp_path)
    assert [p.external_id for p in feed.posts] == ["1_1", "1_2"]
    assert feed.skipped == ["post seen before in this file (read once): at $.data[2]"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            {"data": [post("1_1"), post("1_1", message="Annen tekst")]},
            "TMP/feed.json:$.data[1] (post 1_1): post id 1_1 seen before at $.data[0] with other content"
            " (two harvests disagree; keep one of them)",
        ),
        (
            {"data": [post(reactions={"summary": {"total_count": 2**70}})]},
            "TMP/feed.json:$.data[0].reactions.summary.total_count (post 111_5): 1180591620717411303424 is more than"
            " a database can hold (at most 9,223,372,036,854,775,807)",
        ),
        (
            {"data": [post(shares={"count": "12"})]},
            "TMP/feed.json:$.data[0].shares.count (post 111_5): expected a count (a whole number), found a string",
        ),
        (
            {"data": [post(created_time=["2013"])]},
            "TMP/feed.json:$.data[0].created_time (post 111_5): expected a date and time, found a list",
        ),
        (
            {"data": [post(created_time="9999-01-01T00:00:00+0000")]},
            "TMP/feed.json:$.data[0].created_time (post 111_5): date and time out of range:"
            " '9999-01-01T00:00:00+0000' (fokus reads times from 1970 through 2099)",
        ),
        (
            {"data": [{"message": "uten id", "created_time": "2013-04-01T10:00:00+0000"}]},
            "TMP/feed.json:$.data[0].id: no 'id': every post and comment in a Graph export has one",
        ),
        (
            {"data": [post("5", comments={"data": [{"id": "c", "message": "x"}]})]},
            "TMP/feed.json:$.data[0].id (post 5): cannot tell which page the post is from: its id has no '<page>_'"
            " prefix and it has no 'from'",
        ),
        (
            {"data": [post(comments={"data": [{"id": "c", "message": "x"}]})]},
            "TMP/feed.json:$.data[0].comments.data[0].created_time (post 111_5): no 'created_time': every post and"
            " comment in a Graph export has one",
        ),
        (
            {"data": [post(comments="none")]},
            "TMP/feed.json:$.data[0].comments (post 111_5): expected an object {summary: ...}, found a string",
        ),
        (
            {"rows": [1]},
            'TMP/feed.json:$: not a Graph API page feed: found an object with keys rows; expected {"data":'
            " [posts]}, a list of such pages, a page object with posts or a list of posts",
        ),
        ({"data": "none"}, "TMP/feed.json:$.data: expected a list of posts, found a string"),
        (
            {"error": {"message": "Invalid OAuth access token."}},
            "TMP/feed.json:$.error: the file holds a Graph API error response, not data: 'Invalid OAuth access token.'",
        ),
        (
            {"data": [post(message="a\ud83d")]},
            "TMP/feed.json:$.data[0].message (post 111_5): message holds half a character (a lone surrogate"
            " \\ud83d): no file or database can store it; the file is damaged (a tool cut a text inside a"
            " character; remove the escape from the file)",
        ),
    ],
)
def test_a_bad_feed_is_refused_with_its_file_and_place(doc: Any, message: str, tmp_path: Path) -> None:
    assert error_of(doc, tmp_path) == message


def test_a_feed_nested_too_deep_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    deep = "[" * 5000 + "]" * 5000
    path.write_text(f'{{"data": [{{"id": "1_1", "created_time": "2013-04-01", "x": {deep}}}]}}', encoding="utf-8")
    with pytest.raises(FokusError, match="JSON nested deeper than 64 levels; no export nests like that"):
        read_feeds([path])


def test_a_folder_is_read_file_by_file_and_a_file_that_is_no_feed_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "harvest"
    folder.mkdir()
    (folder / "b.json").write_text(json.dumps({"data": [post("1_2")]}), encoding="utf-8")
    (folder / "a.json").write_text(json.dumps({"data": [post("1_1")]}), encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    feeds = read_feeds([folder])
    assert [(Path(f.path).name, f.posts[0].external_id) for f in feeds] == [("a.json", "1_1"), ("b.json", "1_2")]
    (folder / "notes.txt").write_text("Hei, dette er ikke en eksport.\n", encoding="utf-8")
    with pytest.raises(FokusError) as caught:
        read_feeds([folder])
    assert str(caught.value) == (
        f"{folder / 'notes.txt'}: not page data fokus reads (formats: {', '.join(names())}) (name the format with"
        " --format)"
    )


_SCALARS = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=12)
_JSON = st.recursive(
    _SCALARS | st.sampled_from(["2013-04-01T10:00:00+0000", "111_1", "9999-12-31T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            ["id", "data", "message", "created_time", "from", "name", "comments", "summary", "total_count",
             "reactions", "likes", "shares", "count", "like_count", "status_type", "permalink_url", "paging", "posts"]
        ),
        inner,
        max_size=6,
    ),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_json_is_read_or_refused_in_one_line_never_a_crash(doc: Any) -> None:
    data = json.dumps(doc).encode()
    refused = None
    try:
        feed = parse(data, "f.json", UTC)
    except FokusError as err:
        refused = str(err)
    if refused is not None:
        assert "\n" not in refused
        assert refused.startswith("f.json")
    else:
        assert all(p.page_id in {page.external_id for page in feed.pages} for p in feed.posts)
