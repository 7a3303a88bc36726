"""Graph API JSON: shapes, fields, threads, and refusals with the JSON path of the problem."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from fokus.errors import FokusError
from fokus.importers import MessageKind, SourceKind, parse_graph

from .builders import dump


def feed() -> dict[str, Any]:
    return {
        "data": [
            {
                "id": "100_1",
                "message": "Hvordan svarer dere på spørsmål i helgene?",
                "created_time": "2013-02-19T09:15:00+0000",
                "updated_time": "2013-02-19T09:20:00+0000",
                "from": {"id": "501", "name": "Kari Holmen"},
                "permalink_url": "https://www.facebook.com/groups/100/permalink/1/",
                "reactions": {"data": [], "summary": {"total_count": 7}},
                "comments": {
                    "data": [
                        {
                            "id": "1_11",
                            "message": "Vi har vakt på lørdager 😊",
                            "created_time": "2013-02-19T09:40:00+0000",
                            "from": {"id": "502", "name": "Øystein Berg"},
                            "like_count": 2,
                            "comments": {
                                "data": [
                                    {
                                        "id": "1_12",
                                        "message": "Hvor mange timer?",
                                        "created_time": "2013-02-19T10:02:00+0000",
                                        "from": {"id": "501", "name": "Kari Holmen"},
                                        "comments": {
                                            "data": [
                                                {
                                                    "id": "1_13",
                                                    "message": "To.",
                                                    "created_time": "2013-02-19T10:05:00+0000",
                                                    "from": {"id": "502", "name": "Øystein Berg"},
                                                }
                                            ]
                                        },
                                    }
                                ]
                            },
                        },
                        {
                            "id": "1_14",
                            "message": "Vi svarer på mandag.",
                            "created_time": "2013-02-19T11:00:00+0000",
                            "from": {"id": "503", "name": "Ragnhild Vik"},
                            "likes": {"summary": {"total_count": 1}},
                        },
                    ],
                    "paging": {"cursors": {"before": "a", "after": "b"}},
                },
            },
            {
                "id": "100_2",
                "message": "Se rapporten",
                "created_time": "2013-02-20T08:00:00+0000",
                "from": {"id": "504", "name": "Hilde Moen"},
                "link": "https://www.ks.no/rapport",
                "attachments": {"data": [{"type": "share", "url": "https://www.ks.no/rapport"}]},
            },
        ],
        "paging": {"cursors": {"before": "x", "after": "y"}, "next": "https://graph.facebook.com/next"},
    }


def read(doc: Any, tmp_name: str = "feed.json", **kw: Any) -> Any:
    return parse_graph(json.dumps(doc).encode(), tmp_name, **kw)


def test_a_feed_page_gives_posts_comments_and_replies_with_exact_fields() -> None:
    source = read(feed())
    assert source.kind is SourceKind.GRAPH_JSON
    assert source.path == "feed.json"
    assert len(source.sha256) == 64
    by_id = {m.source_id: m for m in source.messages}
    assert [m.source_id for m in source.messages] == ["100_1", "1_11", "1_12", "1_13", "1_14", "100_2"]

    post = by_id["100_1"]
    assert (post.kind, post.thread_id, post.parent_id) == (MessageKind.POST, "100_1", None)
    assert post.author == "Kari Holmen"
    assert post.author_ref == "501"
    assert post.created_at == datetime(2013, 2, 19, 9, 15, tzinfo=UTC)
    assert post.updated_at == datetime(2013, 2, 19, 9, 20, tzinfo=UTC)
    assert post.text == "Hvordan svarer dere på spørsmål i helgene?"
    assert post.reactions == 7
    assert post.url == "https://www.facebook.com/groups/100/permalink/1/"
    assert post.location == "$.data[0]"

    comment = by_id["1_11"]
    assert (comment.kind, comment.thread_id, comment.parent_id) == (MessageKind.COMMENT, "100_1", "100_1")
    assert comment.author == "Øystein Berg"
    assert comment.text == "Vi har vakt på lørdager 😊"
    assert comment.reactions == 2
    assert comment.location == "$.data[0].comments.data[0]"

    reply = by_id["1_12"]
    assert (reply.kind, reply.thread_id, reply.parent_id) == (MessageKind.REPLY, "100_1", "1_11")
    assert reply.location == "$.data[0].comments.data[0].comments.data[0]"
    assert reply.reactions is None

    deeper = by_id["1_13"]  # nested below a reply: a reply to the message it sits in
    assert (deeper.kind, deeper.thread_id, deeper.parent_id) == (MessageKind.REPLY, "100_1", "1_12")

    assert by_id["1_14"].reactions == 1  # likes.summary.total_count

    shared = by_id["100_2"]
    assert shared.url == "https://www.ks.no/rapport"
    assert shared.attachments == ("https://www.ks.no/rapport",)
    assert source.skipped == []


@pytest.mark.parametrize(
    ("doc", "first_location"),
    [
        (feed()["data"], "$[0]"),
        (feed()["data"][1], "$"),
        ({"id": "100", "feed": {"data": feed()["data"]}}, "$.feed.data[0]"),
    ],
    ids=["bare list", "single post", "feed field"],
)
def test_other_shapes(doc: Any, first_location: str) -> None:
    source = read(doc)
    assert source.messages[0].location == first_location
    assert source.messages[-1].source_id == "100_2"


def test_times_without_offset_are_local_and_unix_seconds_are_utc() -> None:
    doc = [
        {"id": "1", "message": "a", "created_time": "2013-07-01T12:00:00", "from": {"name": "K"}},
        {"id": "2", "message": "b", "created_time": 1361265300, "from": {"name": "K"}},
    ]
    first, second = read(doc).messages
    assert first.created_at == datetime(2013, 7, 1, 10, 0, tzinfo=UTC)  # CEST
    assert second.created_at == datetime(2013, 2, 19, 9, 15, tzinfo=UTC)
    assert read(doc, timezone="UTC").messages[0].created_at == datetime(2013, 7, 1, 12, 0, tzinfo=UTC)


def test_a_post_without_text_is_kept_when_answered_and_skipped_otherwise() -> None:
    doc = [
        {
            "id": "1",
            "story": "Kari Holmen updated the group photo.",
            "created_time": "2013-02-19T09:15:00+0000",
            "from": {"name": "Kari Holmen"},
            "comments": {"data": [{"id": "1_1", "message": "Fint!", "created_time": "2013-02-19T09:16:00+0000"}]},
        },
        {"id": "2", "story": "Kari Holmen changed the cover.", "created_time": "2013-02-19T09:15:00+0000"},
        {
            "id": "3",
            "created_time": "2013-02-19T09:15:00+0000",
            "attachments": {"data": [{"media": {"image": {"src": "https://scontent/1.jpg"}}}]},
        },
    ]
    source = read(doc)
    assert [(m.source_id, m.text) for m in source.messages] == [("1", ""), ("1_1", "Fint!"), ("3", "")]
    assert source.messages[2].attachments == ("https://scontent/1.jpg",)
    assert any("post without text" in note and "$[1]" in note for note in source.skipped)


def test_a_message_without_from_is_kept_as_ukjent_with_a_note() -> None:
    source = read([{"id": "1", "message": "Hei", "created_time": "2013-02-19T09:15:00+0000"}])
    assert source.messages[0].author == "Ukjent"
    assert source.messages[0].author_ref is None
    assert any("'from'" in note and "$[0]" in note for note in source.skipped)


def test_reactions_prefer_the_reaction_summary_over_likes() -> None:
    doc = {
        "id": "1",
        "message": "x",
        "created_time": "2013-02-19T09:15:00+0000",
        "reactions": {"summary": {"total_count": 9}},
        "like_count": 3,
        "likes": {"summary": {"total_count": 2}},
    }
    assert read(doc).messages[0].reactions == 9
    del doc["reactions"]
    assert read(doc).messages[0].reactions == 3
    del doc["like_count"]
    assert read(doc).messages[0].reactions == 2


def test_duplicate_ids_and_unfetched_comment_pages_are_noted() -> None:
    post = {
        "id": "1",
        "message": "x",
        "created_time": "2013-02-19T09:15:00+0000",
        "comments": {"data": [], "paging": {"next": "https://graph.facebook.com/1/comments?after=x"}},
    }
    source = read([post, post])
    assert [m.source_id for m in source.messages] == ["1"]
    assert any("seen before" in note and "$[1]" in note for note in source.skipped)
    assert any("incomplete harvest" in note for note in source.skipped)


def test_numeric_ids_become_strings() -> None:
    source = read([{"id": 123, "message": "x", "created_time": "2013-02-19T09:15:00+0000", "from": {"id": 9}}])
    assert source.messages[0].source_id == "123"
    assert source.messages[0].author_ref == "9"


@pytest.mark.parametrize(
    ("doc", "where", "words"),
    [
        ("just a string", "$", "wrong shape"),
        ({"paging": {}}, "$", "wrong shape"),
        ({"data": {"id": "1"}}, "$.data", "expected a list of posts"),
        ({"data": [1]}, "$.data[0]", "expected a post object"),
        ({"data": [{"message": "x", "created_time": "2013-02-19T09:15:00+0000"}]}, "$.data[0].id", "no 'id'"),
        ({"data": [{"id": "1", "message": "x"}]}, "$.data[0].created_time", "no 'created_time'"),
        ({"data": [{"id": "1", "created_time": "19/02/2013"}]}, "$.data[0].created_time", "not a date"),
        ({"data": [{"id": "1", "created_time": "2013-02-30T10:00:00+0000"}]}, "$.data[0].created_time", "not a valid"),
        ({"data": [{"id": "1", "created_time": 1.5}]}, "$.data[0].created_time", "expected a date"),
        (
            {"data": [{"id": "1", "created_time": "2013-02-19T09:15:00+0000", "message": 5}]},
            "$.data[0].message",
            "string",
        ),
        (
            {"data": [{"id": "1", "created_time": "2013-02-19T09:15:00+0000", "from": "Kari"}]},
            "$.data[0].from",
            "object",
        ),
        ({"data": [{"id": True, "created_time": "2013-02-19T09:15:00+0000"}]}, "$.data[0].id", "expected an id"),
        (
            {"data": [{"id": "1", "created_time": "2013-02-19T09:15:00+0000", "like_count": "many"}]},
            "$.data[0].like_count",
            "count",
        ),
        (
            {"data": [{"id": "1", "created_time": "2013-02-19T09:15:00+0000", "comments": {"data": [{"id": "2"}]}}]},
            "$.data[0].comments.data[0].created_time",
            "no 'created_time'",
        ),
        (
            {"data": [{"id": "1", "created_time": "2013-02-19T09:15:00+0000", "comments": "none"}]},
            "$.data[0].comments",
            "expected an object",
        ),
        ({"error": {"message": "Invalid OAuth access token.", "code": 190}}, "$.error", "error response"),
    ],
)
def test_wrong_content_names_the_file_and_the_json_path(doc: Any, where: str, words: str) -> None:
    with pytest.raises(FokusError) as caught:
        read(doc, "archive/feed_003.json")
    err = caught.value
    assert err.path == "archive/feed_003.json"
    assert err.where == where
    assert words in err.reason
    assert str(err).startswith(f"archive/feed_003.json:{where}: ")


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        (b"", "byte 0", "empty file"),
        (b"  \n ", "byte 0", "empty file"),
        (b'{"data": [{"id": "1", "message": "hei"', "line 1, column 39 (byte 38)", "truncated"),
        (b'{"data": [}', "line 1, column 11 (byte 10)", "not valid JSON"),
        (b"id,author\n1,Kari\n", "line 1, column 1 (byte 0)", "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 1 (byte 0)", "not UTF-8"),
        (b'{"data": []}\x00', "line 1, column 13 (byte 12)", "not valid JSON"),
        (b'{"a": 1}\n{"b": 2}', "line 2, column 1 (byte 9)", "two files pasted together"),
        (b'{"n": ' + b"9" * 5000 + b"}", "line 1, column 7 (byte 6)", "thousands of digits"),
        (b"[" * 100_000, "line 1, column 65 (byte 64)", "nested deeper than 64"),
        (b'\xef\xbb\xbf{"data": "\xc3\xa5', "line 1, column 10 (byte 12)", "truncated"),
    ],
    ids=[
        "empty",
        "blank",
        "truncated",
        "syntax",
        "csv",
        "binary",
        "nul",
        "pasted",
        "huge-int",
        "deep",
        "bom-truncated",
    ],
)
def test_broken_bytes_name_the_file_and_the_place(data: bytes, where: str, words: str) -> None:
    with pytest.raises(FokusError) as caught:
        parse_graph(data, "feed.json")
    err = caught.value
    assert (err.path, err.where) == ("feed.json", where)
    assert words in err.reason
    assert "feed.json:" + where in str(err)


def test_nesting_at_the_limit_is_read_and_one_more_is_refused() -> None:
    inner: Any = 1
    for _ in range(61):  # 61 lists inside {"data": [{...}]}: 64 levels in all
        inner = [inner]
    ok = {"data": [{"id": "1", "message": "x", "created_time": "2013-02-19T09:15:00+0000", "extra": inner}]}
    assert len(read(ok).messages) == 1
    ok["data"][0]["extra"] = [inner]
    with pytest.raises(FokusError, match="nested deeper than 64"):
        read(ok)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = "[[[" * 40 + '\\"\\\\' + "{{{" * 40
    doc = [{"id": "1", "message": text, "created_time": "2013-02-19T09:15:00+0000"}]
    assert read(doc).messages[0].text == json.loads(json.dumps(text))


def test_a_text_over_the_limit_is_refused_with_its_place() -> None:
    doc = {"data": [{"id": "1", "message": "x" * 1_000_001, "created_time": "2013-02-19T09:15:00+0000"}]}
    with pytest.raises(FokusError) as caught:
        parse_graph(dump(doc), "feed.json")
    assert caught.value.where == "$.data[0].message"
    assert "too long" in caught.value.reason


def test_an_unknown_time_zone_is_a_fokus_error() -> None:
    with pytest.raises(FokusError, match="unknown time zone 'Europe/Atlantis'"):
        read(feed(), timezone="Europe/Atlantis")


def test_lone_surrogates_are_refused() -> None:
    """Half an emoji ("\\ud83d") was turned into U+FFFD; as a NUL is, it is now refused where it is (test_extremes)."""
    data = b'[{"id": "1", "message": "half \\ud83d emoji", "created_time": "2013-02-19T09:15:00+0000"}]'
    with pytest.raises(FokusError, match=r"f.json:\$\[0\].message: message text holds half a character"):
        parse_graph(data, "f.json")
    whole = b'[{"id": "1", "message": "an \\ud83d\\ude0a emoji", "created_time": "2013-02-19T09:15:00+0000"}]'
    assert parse_graph(whole, "f.json").messages[0].text == "an \U0001f60a emoji"


def test_fields_met_again_are_read_as_the_first_time() -> None:
    """Times and authors read once are remembered within a file: what a later message holds is still its own."""
    kari = {"id": "501", "name": " Kari Holmen "}
    when = "2013-02-19T09:15:00+0000"
    doc = [
        {"id": "1", "message": "a", "created_time": when, "updated_time": when, "from": kari},
        {"id": " 2 ", "message": "b", "created_time": when, "from": dict(kari)},
        {"id": "ø3", "message": "c", "created_time": when, "from": {"id": "501", "name": "   "}},
        {"id": "4", "message": "d", "created_time": when, "from": {"id": "501", "name": "   "}},
        {"id": "5", "message": "e", "created_time": "2013-02-19T09:15:00", "from": {"id": 501, "name": "Kari Holmen"}},
        {"id": "6", "message": "f", "created_time": when, "from": {"id": True, "name": " Kari Holmen "}},
    ]
    source = read(doc)
    rows = [(m.source_id, m.author, m.author_ref, m.created_at, m.updated_at) for m in source.messages]
    at = datetime(2013, 2, 19, 9, 15, tzinfo=UTC)
    assert rows == [
        ("1", "Kari Holmen", "501", at, at),
        ("2", "Kari Holmen", "501", at, None),
        ("ø3", "Ukjent", "501", at, None),
        ("4", "Ukjent", "501", at, None),
        ("5", "Kari Holmen", "501", datetime(2013, 2, 19, 8, 15, tzinfo=UTC), None),
        ("6", "Kari Holmen", None, at, None),
    ]
    assert "message without an author name (author set to 'Ukjent'): 2, first at $[2]" in source.skipped


@pytest.mark.parametrize(
    ("second", "where", "words"),
    [
        ({"created_time": "2013-02-30T10:00:00+0000"}, "$[1].created_time", "not a valid date and time"),
        ({"from": {"id": "501", "name": "K" * 101}}, "$[1].from.name", "author name too long"),
        ({"from": {"id": "5\x00", "name": "Kari"}}, "$[1].from.id", "author id holds a NUL"),
        ({"id": "x" * 201}, "$[1].id", "id too long"),
        ({"id": "\ud83d"}, "$[1].id", "id holds half a character"),
        ({"message": "Hei \ud83d"}, "$[1].message", "message text holds half a character"),
        ({"reactions": {"summary": {"total_count": -1}}}, "$[1].reactions.summary.total_count", "expected a count"),
        ({"like_count": 2**63}, "$[1].like_count", "more than a database can hold"),
        ({"permalink_url": 5}, "$[1].permalink_url", "expected a string"),
    ],
)
def test_a_message_after_a_good_one_is_still_checked_in_full(second: dict[str, Any], where: str, words: str) -> None:
    first = {
        "id": "1",
        "message": "Hei",
        "created_time": "2013-02-19T09:15:00+0000",
        "from": {"id": "501", "name": "Kari"},
    }
    with pytest.raises(FokusError) as caught:
        read([first, {**first, "id": "2", **second}])
    assert caught.value.where == where
    assert words in caught.value.reason
