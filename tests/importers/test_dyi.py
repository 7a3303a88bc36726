"""Facebook DYI: posts and comments files, the three archive layouts, mojibake, owners, and refusals."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fokus.errors import FokusError
from fokus.importers import MessageKind, SourceKind, parse_dyi, read_paths
from fokus.importers.dyi_titles import CommentTitle, PostTitle, parse_comment_title, parse_post_title

from .builders import (
    GROUP,
    LAYOUTS,
    OWNER,
    T_POST,
    dump,
    dyi_archive,
    dyi_comments,
    dyi_posts,
    fb,
    write_tree,
    write_zip,
)


def dyi_id(author: str, timestamp: int, text: str) -> str:
    return "dyi:" + hashlib.sha1(f"{author}|{timestamp}|{text}".encode()).hexdigest()[:20]


def test_a_posts_file_gives_posts_with_author_and_group_from_the_title() -> None:
    source = parse_dyi(dump(dyi_posts()), "your_posts_in_groups.json")
    assert source.kind is SourceKind.DYI
    first, link, untitled = source.messages
    assert first.source_id == dyi_id(OWNER, T_POST, "Vi svarer på alt 😊")
    assert first.thread_id == first.source_id
    assert first.parent_id is None
    assert first.kind is MessageKind.POST
    assert (first.author, first.group) == (OWNER, GROUP)
    assert first.text == "Vi svarer på alt 😊"
    assert first.created_at == datetime(2013, 2, 19, 9, 15, tzinfo=UTC)
    assert first.updated_at == datetime(2013, 2, 19, 10, 15, tzinfo=UTC)
    assert first.location == "$.group_posts_v2[0]"

    assert (link.text, link.url, link.attachments) == ("", "https://www.ks.no/rapport", ("https://www.ks.no/rapport",))
    # no title and no comments in this file to learn the owner from
    assert untitled.author == "Ukjent"
    assert untitled.group is None
    assert any("without text or link" in n and "$.group_posts_v2[2]" in n for n in source.skipped)
    assert any("names no author" in n and "$.group_posts_v2[3]" in n for n in source.skipped)


def test_a_comments_file_gives_comments_and_replies_with_whom_they_answer() -> None:
    source = parse_dyi(dump(dyi_comments()), "your_comments_in_groups.json")
    comment, reply, own = source.messages
    assert comment.kind is MessageKind.COMMENT
    assert comment.parent_author == "Kari Holmen"
    assert comment.text == "Enig – Bodø gjør dette bra!"
    assert (comment.author, comment.group) == (OWNER, GROUP)
    assert (comment.thread_id, comment.parent_id) == (None, None)
    assert comment.location == "$.group_comments_v2[0]"
    assert comment.source_id == dyi_id(OWNER, T_POST + 600, "Enig – Bodø gjør dette bra!")
    assert reply.kind is MessageKind.REPLY
    assert reply.parent_author == "Ragnhild Vik"
    assert own.kind is MessageKind.COMMENT
    assert own.parent_author == OWNER


def test_text_that_is_already_correct_is_not_repaired_twice() -> None:
    doc = dyi_comments()
    for entry in doc["group_comments_v2"]:
        comment = entry["data"][0]["comment"]
        comment["comment"] = "Øystein sier: «på» 😊"
        comment["author"] = OWNER  # correct UTF-8, not mojibake
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    messages = parse_dyi(data, "c.json").messages
    assert {m.author for m in messages} == {OWNER}
    assert {m.text for m in messages} == {"Øystein sier: «på» 😊"}
    # the same text as mojibake gives the same ids
    assert [m.source_id for m in parse_dyi(dump(doc), "c.json").messages] == [m.source_id for m in messages]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("wrapper", ["", "facebook-oysteinberg-2013/"])
def test_each_layout_as_a_zip_is_one_source(tmp_path: Path, layout: str, wrapper: str) -> None:
    archive = write_zip(tmp_path / "donasjon.zip", dyi_archive(layout, wrapper=wrapper))
    [source] = read_paths([archive])
    assert source.path == str(archive)
    assert source.kind is SourceKind.DYI
    assert source.sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    kinds = [m.kind for m in source.messages]
    assert kinds == [MessageKind.POST] * 3 + [MessageKind.COMMENT, MessageKind.REPLY, MessageKind.COMMENT]
    untitled = source.messages[2]
    assert untitled.author == OWNER  # the most common comment author in the archive
    folder, posts = LAYOUTS[layout]
    assert source.messages[0].location == f"{wrapper}{folder}{posts}:$.group_posts_v2[0]"
    assert any("your_group_membership_activity.json: group membership only" in n for n in source.skipped)
    assert any("your_groups.json: group membership only" in n for n in source.skipped)
    assert any("ignored 3 other files" in n for n in source.skipped)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_an_unpacked_folder_reads_like_its_zip(tmp_path: Path, layout: str) -> None:
    members = dyi_archive(layout)
    [zipped] = read_paths([write_zip(tmp_path / "a.zip", members)])
    folder = write_tree(tmp_path / "unpacked", members)
    [unpacked] = read_paths([folder])
    assert unpacked.path == str(folder)
    assert unpacked.messages == zipped.messages
    assert len(unpacked.sha256) == 64
    assert unpacked.sha256 != zipped.sha256
    assert read_paths([folder])[0].sha256 == unpacked.sha256
    # the groups folder itself, or a folder holding the unpacked archive, work too
    groups = folder / LAYOUTS[layout][0]
    assert [m.source_id for m in read_paths([groups])[0].messages] == [m.source_id for m in zipped.messages]
    # a folder holding donations (zips and unpacked folders) gives one source per donation
    assert [s.path for s in read_paths([tmp_path])] == [str(tmp_path / "a.zip"), str(folder)]


def test_the_profile_name_is_the_owner_when_the_archive_has_one(tmp_path: Path) -> None:
    members = dyi_archive("newest")
    members["personal_information/profile_information/profile_information.json"] = dump(
        {"profile_v2": {"name": {"full_name": fb("Øystein B. Berg")}}}
    )
    [source] = read_paths([write_zip(tmp_path / "a.zip", members)])
    assert source.messages[2].author == "Øystein B. Berg"
    assert any("ignored 3 other files" in n for n in source.skipped)  # the profile is not counted as ignored


def test_older_keys_and_split_files_are_read(tmp_path: Path) -> None:
    posts = {"group_posts": dyi_posts()["group_posts_v2"][:1]}
    comments = {"group_comments": dyi_comments()["group_comments_v2"][:1]}
    more = {"group_comments_v2": dyi_comments()["group_comments_v2"][1:2]}
    archive = write_zip(
        tmp_path / "old.zip",
        {
            "groups/your_posts_in_groups.json": dump(posts),
            "groups/your_comments_in_groups.json": dump(comments),
            "groups/your_comments_in_groups_2.json": dump(more),
        },
    )
    [source] = read_paths([archive])
    assert [m.kind for m in source.messages] == [MessageKind.POST, MessageKind.COMMENT, MessageKind.REPLY]


def test_the_same_entry_twice_is_imported_once() -> None:
    doc = dyi_comments()
    doc["group_comments_v2"].append(doc["group_comments_v2"][0])
    source = parse_dyi(dump(doc), "c.json")
    assert len(source.messages) == 3
    assert any("twice" in n and "$.group_comments_v2[3]" in n for n in source.skipped)


def test_a_membership_file_given_alone_is_a_source_without_messages(tmp_path: Path) -> None:
    path = tmp_path / "your_group_membership_activity.json"
    path.write_bytes(dump({"groups_joined_v2": []}))
    [source] = read_paths([path])
    assert source.kind is SourceKind.DYI
    assert source.messages == []
    assert "group membership only" in source.skipped[0]


@pytest.mark.parametrize(
    ("doc", "where", "words"),
    [
        ([1, 2], "$", "wrong shape"),
        ({"messages": []}, "$", "group_posts_v2"),
        ({"group_posts_v2": {"x": 1}}, "$.group_posts_v2", "expected a list"),
        ({"group_posts_v2": ["post"]}, "$.group_posts_v2[0]", "expected a post object"),
        (
            {"group_posts_v2": [{"title": "x", "data": [{"post": "y"}]}]},
            "$.group_posts_v2[0].timestamp",
            "no timestamp",
        ),
        ({"group_posts_v2": [{"timestamp": "2013"}]}, "$.group_posts_v2[0].timestamp", "unix timestamp"),
        ({"group_posts_v2": [{"timestamp": -5}]}, "$.group_posts_v2[0].timestamp", "out of range"),
        ({"group_posts_v2": [{"timestamp": 1, "data": "x"}]}, "$.group_posts_v2[0].data", "expected a list"),
        ({"group_posts_v2": [{"timestamp": 1, "data": [{"post": 5}]}]}, "$.group_posts_v2[0].data[0].post", "string"),
        (
            {"group_comments_v2": [{"timestamp": 1, "data": [{"comment": {"comment": "x", "author": 7}}]}]},
            "$.group_comments_v2[0].data[0].comment.author",
            "string",
        ),
        (
            {"group_comments_v2": [{"data": [{"comment": {"comment": "x"}}]}]},
            "$.group_comments_v2[0].timestamp",
            "no timestamp",
        ),
    ],
)
def test_wrong_content_names_the_file_and_the_json_path(doc: Any, where: str, words: str) -> None:
    with pytest.raises(FokusError) as caught:
        parse_dyi(dump(doc), "groups/your_posts_in_groups.json")
    err = caught.value
    assert (err.path, err.where) == ("groups/your_posts_in_groups.json", where)
    assert words in err.reason


def test_an_error_inside_an_archive_names_the_member(tmp_path: Path) -> None:
    members = dyi_archive("newest")
    members["your_facebook_activity/groups/your_comments_in_groups.json"] = b'{"group_comments_v2": [{"timestamp": '
    archive = write_zip(tmp_path / "a.zip", members)
    with pytest.raises(FokusError) as caught:
        read_paths([archive])
    assert caught.value.path == f"{archive}!your_facebook_activity/groups/your_comments_in_groups.json"
    assert "truncated" in caught.value.reason
    assert caught.value.where is not None
    assert caught.value.where.startswith("line 1, column 38")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kari Holmen posted in Kommunene i sosiale medier.", PostTitle("Kari Holmen", GROUP)),
        ("Kari Holmen shared a link in Friends in Bodø.", PostTitle("Kari Holmen", "Friends in Bodø")),
        ("Kari Holmen shared Ola Nordmann's post in Voss.", PostTitle("Kari Holmen", "Voss")),
        ("Kari Holmen updated her status in Kommunene i sosiale medier.", PostTitle("Kari Holmen", GROUP)),
        ("Kari Holmen updated his status.", PostTitle("Kari Holmen", None)),
        ("Kari Holmen publiserte i Kommunene i sosiale medier.", PostTitle("Kari Holmen", GROUP)),
        ("Kari Holmen la ut et bilde i Kommunene i sosiale medier.", PostTitle("Kari Holmen", GROUP)),
        ("Kommunene i sosiale medier", None),
        ("", None),
    ],
)
def test_post_titles(title: str, expected: PostTitle | None) -> None:
    assert parse_post_title(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Kari Holmen commented on Ola Nordmann's post.",
            CommentTitle("Kari Holmen", MessageKind.COMMENT, "Ola Nordmann"),
        ),
        ("Kari Holmen replied to Jonas' comment.", CommentTitle("Kari Holmen", MessageKind.REPLY, "Jonas")),
        ("Kari Holmen replied to Ola\u2019s comment.", CommentTitle("Kari Holmen", MessageKind.REPLY, "Ola")),
        ("Kari Holmen commented on her own post.", CommentTitle("Kari Holmen", MessageKind.COMMENT, "Kari Holmen")),
        ("Kari Holmen commented on their own photo.", CommentTitle("Kari Holmen", MessageKind.COMMENT, "Kari Holmen")),
        ("Kari Holmen commented on a post.", CommentTitle("Kari Holmen", MessageKind.COMMENT, None)),
        (
            "Kari Holmen kommenterte innlegget til Ola Nordmann.",
            CommentTitle("Kari Holmen", MessageKind.COMMENT, "Ola Nordmann"),
        ),
        ("Kari Holmen svarte på kommentaren til Ola.", CommentTitle("Kari Holmen", MessageKind.REPLY, "Ola")),
        ("Kari Holmen kommenterte sitt eget innlegg.", CommentTitle("Kari Holmen", MessageKind.COMMENT, "Kari Holmen")),
        ("Something else.", CommentTitle(None, MessageKind.COMMENT, None)),
    ],
)
def test_comment_titles(title: str, expected: CommentTitle) -> None:
    assert parse_comment_title(title) == expected


def test_an_error_inside_an_unpacked_folder_names_the_file(tmp_path: Path) -> None:
    members = dyi_archive("oldest")
    members["groups/your_comments_in_groups.json"] = b'{"group_comments_v2": "none"}'
    folder = write_tree(tmp_path / "unpacked", members)
    for given in (folder, folder / "groups"):
        with pytest.raises(FokusError) as caught:
            read_paths([given])
        assert caught.value.path == str(folder / "groups" / "your_comments_in_groups.json")
        assert caught.value.where == "$.group_comments_v2"
