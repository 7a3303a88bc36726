"""Transcripts: the documented format, and refusals with line numbers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fokus.errors import FokusError
from fokus.importers import MessageKind, SourceKind, parse_transcript, read_paths

DATA = Path(__file__).parent / "data"


def tx_id(author: str, at: datetime, text: str) -> str:
    return "tx:" + hashlib.sha1(f"{author}|{at.isoformat()}|{text}".encode()).hexdigest()[:20]


def read(text: str, **kw: str) -> list:  # type: ignore[type-arg]
    return parse_transcript(text.encode("utf-8"), "skjermbilder.txt", **kw).messages


def test_the_example_file() -> None:
    source = parse_transcript((DATA / "transcript.txt").read_bytes(), "transcript.txt")
    assert source.kind is SourceKind.TRANSCRIPT
    assert source.skipped == []
    post, comment, reply, second, post2, comment2, reply2 = source.messages

    assert post.kind is MessageKind.POST
    assert post.text == "Hvordan svarer dere på spørsmål i helgene?\nVi har ingen vakt i dag.\n\nBør vi ha det?"
    assert (post.author, post.case, post.title) == ("Kari Holmen", "Bodø", "Svar i helgene")
    at = datetime(2013, 2, 19, 9, 15, tzinfo=UTC)
    assert post.created_at == at
    assert post.source_id == post.thread_id == tx_id("Kari Holmen", at, post.text)
    assert post.parent_id is None
    assert post.location == "line 5"

    assert comment.kind is MessageKind.COMMENT
    assert (comment.author, comment.case, comment.title) == ("Ragnhild Vik", "Voss", None)
    assert comment.text == "Vi svarer på mandag.\nDet har gått fint så langt 😊"
    assert (comment.thread_id, comment.parent_id, comment.location) == (post.source_id, post.source_id, "line 10")

    assert reply.kind is MessageKind.REPLY
    assert (reply.author, reply.case) == ("Kari Holmen", None)
    assert reply.text == "Takk!\n  (innrykket linje beholdes)"
    assert (reply.thread_id, reply.parent_id) == (post.source_id, comment.source_id)

    assert (second.kind, second.parent_id, second.author) == (MessageKind.COMMENT, post.source_id, "Øystein Berg")

    assert (post2.title, post2.created_at) == ("Ungdom", datetime(2013, 3, 1, 8, 0, 30, tzinfo=UTC))
    assert (comment2.kind, comment2.parent_id) == (MessageKind.COMMENT, post2.source_id)
    assert comment2.created_at == datetime(2013, 3, 1, 8, 30, tzinfo=UTC)
    assert (reply2.kind, reply2.parent_id, reply2.thread_id) == (MessageKind.REPLY, comment2.source_id, post2.source_id)


def test_it_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "notater"  # no extension
    path.write_bytes((DATA / "transcript.txt").read_bytes())
    [source] = read_paths([path])
    assert source.kind is SourceKind.TRANSCRIPT
    assert len(source.messages) == 7


@pytest.mark.parametrize(
    ("header", "title"),
    [("=== Tråd: A", "A"), ("=== Thread: B", "B"), ("=== C", "C"), ("=== D ===", "D"), ("===", None)],
)
def test_thread_titles(header: str, title: str | None) -> None:
    [post] = read(f"{header}\n[2013-02-19 10:15] Kari: Hei\n")
    assert post.title == title


def test_the_time_zone_parameter_applies_to_times_without_offset() -> None:
    [post] = read("=== A\n[2013-02-19 10:15] Kari: Hei\n", timezone="America/New_York")
    assert post.created_at == datetime(2013, 2, 19, 15, 15, tzinfo=UTC)


def test_a_message_without_text_is_kept_only_when_answered() -> None:
    messages = read(
        "=== A\n[2013-02-19 10:15] Kari:\n  [2013-02-19 10:16] Ola: Fint bilde\n  [2013-02-19 10:17] Per:\n"
    )
    assert [(m.author, m.text) for m in messages] == [("Kari", ""), ("Ola", "Fint bilde")]


def test_the_same_message_twice_is_imported_once() -> None:
    source = parse_transcript(b"=== A\n[2013-02-19 10:15] Kari: Hei\n=== B\n[2013-02-19 10:15] Kari: Hei\n", "t.txt")
    assert len(source.messages) == 1
    assert "twice" in source.skipped[0]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("[2013-02-19 10:15] Kari: Hei\n", "line 1", "a message before the first thread"),
        ("# ok\nHei\n=== A\n", "line 2", "text before the first thread"),
        ("# bare kommentarer\n\n", "line 1", "no thread"),
        ("=== A\nHei\n[2013-02-19 10:15] Kari: Hei\n", "line 2", "text before the thread's post"),
        ("=== A\n\n=== B\n[2013-02-19 10:15] Kari: Hei\n", "line 1", "'A' has no post"),
        ("=== A\n[2013-02-19 10:15] Kari: Hei\n=== B\n", "line 3", "'B' has no post"),
        ("=== A\n  [2013-02-19 10:15] Kari: Hei\n", "line 2", "no post before this comment"),
        ("=== A\n[2013-02-19 10:15] Kari: Hei\n    [2013-02-19 10:16] Ola: Svar\n", "line 3", "more than one level"),
        ("=== A\n[2013-02-19 10:15] Kari: Hei\n   [2013-02-19 10:16] Ola: Svar\n", "line 3", "indented 3 columns"),
        ("=== A\n[2013-02-19 10:15] Kari: Hei\n      [2013-02-19 10:16] Ola: Svar\n", "line 3", "indented 6"),
        ("=== A\n[2013-02-19 10:15] Kari: Hei\n[2013-02-19 10:16] Ola: Nytt\n", "line 3", "a second post"),
        ("=== A\n[2013-02-30 10:15] Kari: Hei\n", "line 2", "not a valid date"),
        ("=== A\n[2013-02-19] Kari: Hei\n", "line 2", "not a date and time"),
        ("=== A\n[2013] Kari: Hei\n", "line 2", "not a date and time"),
        ("=== A\n[2013-02-19 10:15 Kari: Hei\n", "line 2", "missing ']'"),
        ("=== A\n[2013-02-19 10:15] Kari Hei\n", "line 2", "missing ':'"),
        ("=== A\n[2013-02-19 10:15] : Hei\n", "line 2", "missing author"),
        ("=== A\n[2013-02-19 10:15] (Bodø): Hei\n", "line 2", "missing author"),
    ],
)
def test_mistakes_name_the_file_and_the_line(text: str, where: str, words: str) -> None:
    with pytest.raises(FokusError) as caught:
        read(text)
    err = caught.value
    assert (err.path, err.where) == ("skjermbilder.txt", where)
    assert words in err.reason
    assert str(err).startswith(f"skjermbilder.txt:{where}: ")


def test_text_that_is_not_utf8_names_the_byte() -> None:
    with pytest.raises(FokusError) as caught:
        parse_transcript("=== A\n[2013-02-19 10:15] Kåri: Hei\n".encode("latin-1"), "t.txt")
    assert caught.value.where == "line 2 (byte 26)"
    assert "not UTF-8" in caught.value.reason
