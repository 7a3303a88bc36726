"""CSV: the default header, Excel's Norwegian dialect, mappings, CrowdTangle, and refusals with line numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fokus.errors import FokusError
from fokus.importers import CROWDTANGLE, MessageKind, SourceKind, parse_csv

HEADER = "id,thread_id,parent_id,author,created_time,text,case,reactions\n"


def read(text: str, **kw: Any) -> Any:
    return parse_csv(text.encode("utf-8"), "tråder.csv", **kw)


def test_posts_comments_and_replies_with_exact_fields() -> None:
    source = read(
        HEADER
        + "p1,,,Kari Holmen,2013-04-02 10:15,Hvordan går det?,Bodø,5\n"
        + 'c1,p1,,Øystein Berg,2013-04-02T11:00:00+02:00,"Bra, takk!\nTo linjer.",Bodø,\n'
        + "r1,p1,c1,Kari Holmen,2013-04-02 11:30:15,Fint 😊,,1\n"
        + "c2,p1,p1,Ragnhild Vik,1364900000,Enig,Voss,0\n"
    )
    assert source.kind is SourceKind.CSV
    assert source.path == "tråder.csv"
    post, comment, reply, other = source.messages
    assert (post.source_id, post.kind, post.thread_id, post.parent_id) == ("p1", MessageKind.POST, "p1", None)
    assert post.created_at == datetime(2013, 4, 2, 8, 15, tzinfo=UTC)  # Oslo summer time
    assert (post.author, post.case, post.reactions, post.location) == ("Kari Holmen", "Bodø", 5, "line 2")
    assert (comment.kind, comment.thread_id, comment.parent_id) == (MessageKind.COMMENT, "p1", "p1")
    assert comment.text == "Bra, takk!\nTo linjer."
    assert comment.created_at == datetime(2013, 4, 2, 9, 0, tzinfo=UTC)
    assert comment.reactions is None
    assert comment.location == "line 3"
    assert (reply.kind, reply.thread_id, reply.parent_id) == (MessageKind.REPLY, "p1", "c1")
    assert reply.location == "line 5"  # the quoted line break above took two lines
    assert reply.created_at == datetime(2013, 4, 2, 9, 30, 15, tzinfo=UTC)
    assert (reply.text, reply.case) == ("Fint 😊", None)
    assert (other.kind, other.parent_id, other.reactions) == (MessageKind.COMMENT, "p1", 0)
    assert other.created_at == datetime.fromtimestamp(1364900000, UTC)
    assert source.skipped == []


def test_excel_in_norway_bom_semicolons_and_dotted_dates() -> None:
    data = "\ufeffID ; Thread_ID ; Parent_ID ; Author ; Created_Time ; Text\r\n".encode()
    data += (
        "p1;;;Kari;02.04.2013 10:15;Hei; på deg\r\n".encode()
        .replace(b"Hei; p", b'"Hei; p')
        .replace(b"deg\r", b'deg"\r')
    )
    [post] = parse_csv(data, "excel.csv").messages
    assert post.text == "Hei; på deg"
    assert post.created_at == datetime(2013, 4, 2, 8, 15, tzinfo=UTC)


def test_tabs_and_a_timezone_parameter() -> None:
    [post] = read("id\tauthor\tcreated_time\ttext\np1\tKari\t2013-01-10 10:00\tHei\n", timezone="UTC").messages
    assert post.created_at == datetime(2013, 1, 10, 10, 0, tzinfo=UTC)


def test_a_mapping_names_other_columns_and_extra_columns_are_ignored() -> None:
    text = "Nr,Tråd,Svar på,Navn,Tid,Innhold,Kommune,Ekstra\nm1,,,Kari,2013-04-02 10:15,Hei,Bodø,x\n"
    mapping = {"id": "Nr", "thread_id": "tråd", "parent_id": "Svar på", "author": "Navn", "created_time": "Tid"}
    mapping |= {"text": "Innhold", "case": "Kommune"}
    [post] = read(text, mapping=mapping).messages
    assert (post.source_id, post.author, post.text, post.case) == ("m1", "Kari", "Hei", "Bodø")


CT_COLUMNS = [
    "Page Name",
    "User Name",
    "Facebook Id",
    "Page Category",
    "Page Admin Top Country",
    "Page Description",
    "Page Created",
    "Likes at Posting",
    "Followers at Posting",
    "Post Created",
    "Post Created Date",
    "Post Created Time",
    "Type",
    "Total Interactions",
    "Likes",
    "Comments",
    "Shares",
    "Love",
    "Wow",
    "Haha",
    "Sad",
    "Angry",
    "Care",
    "Video Share Status",
    "Is Video Owner?",
    "Post Views",
    "Total Views",
    "Total Views For All Crossposts",
    "Video Length",
    "URL",
    "Message",
    "Link",
    "Final Link",
    "Image Text",
    "Link Text",
    "Description",
    "Sponsor Id",
    "Sponsor Name",
    "Sponsor Category",
]


def ct_row(**values: str) -> str:
    row = dict.fromkeys(CT_COLUMNS, "") | values
    return ",".join(f'"{row[name]}"' for name in CT_COLUMNS) + "\n"


def test_the_crowdtangle_preset() -> None:
    text = ",".join(CT_COLUMNS) + "\n"
    text += ct_row(
        **{
            "Page Name": "Bodø kommune",
            "Post Created": "2019-05-03 12:10:05 CEST",
            "Total Interactions": "1,234",
            "URL": "https://www.facebook.com/bodokommune/posts/1",
            "Message": "Velkommen til 17. mai!",
            "Facebook Id": "111",
        }
    )
    text += ct_row(
        **{
            "Page Name": "Voss herad",
            "Post Created": "2019-01-03 08:00:00 CET",
            "Total Interactions": "12",
            "URL": "https://www.facebook.com/voss/posts/2",
            "Link": "https://www.voss.herad.no/nyhet",
            "Description": "Written by the linked site",
        }
    )
    text += ct_row(**{"Page Name": "Voss herad", "Post Created": "2019-01-04 08:00:00 UTC", "URL": "https://x/3"})
    source = read(text, mapping=CROWDTANGLE)
    first, link_only = source.messages
    assert first.source_id == first.thread_id == first.url == "https://www.facebook.com/bodokommune/posts/1"
    assert (first.kind, first.author, first.text, first.reactions) == (
        MessageKind.POST,
        "Bodø kommune",
        "Velkommen til 17. mai!",
        1234,
    )
    assert first.created_at == datetime(2019, 5, 3, 10, 10, 5, tzinfo=UTC)
    assert link_only.text == ""
    assert link_only.attachments == ("https://www.voss.herad.no/nyhet",)
    assert link_only.created_at == datetime(2019, 1, 3, 7, 0, tzinfo=UTC)
    assert any("row without text" in n and "line 4" in n for n in source.skipped)


def test_parents_outside_the_file_are_left_to_the_service() -> None:
    [comment] = read(HEADER + "c9,p-elsewhere,,Kari,2013-04-02 10:15,Svar,,\n").messages
    assert (comment.kind, comment.thread_id, comment.parent_id) == (MessageKind.COMMENT, "p-elsewhere", "p-elsewhere")


def test_empty_authors_and_texts() -> None:
    source = read(
        HEADER
        + "p1,,,,2013-04-02 10:15,,,\n"  # no text but answered: kept
        + "c1,p1,,Kari,2013-04-02 10:16,Hei,,\n"
        + "c2,p1,,Kari,2013-04-02 10:17,,,\n"  # no text, no answers: skipped
        + ",,,,,,,\n"  # blank row
    )
    assert [(m.source_id, m.author, m.text) for m in source.messages] == [("p1", "Ukjent", ""), ("c1", "Kari", "Hei")]
    assert any("without an author" in n and "line 2" in n for n in source.skipped)
    assert any("without text" in n and "line 4" in n for n in source.skipped)


def test_a_repeated_row_is_imported_once_and_a_reused_id_is_an_error() -> None:
    row = "p1,,,Kari,2013-04-02 10:15,Hei,,\n"
    source = read(HEADER + row + row)
    assert len(source.messages) == 1
    assert any("twice" in n and "line 3" in n for n in source.skipped)
    with pytest.raises(FokusError) as caught:
        read(HEADER + row + "p1,,,Kari,2013-04-02 10:15,Hallo,,\n")
    assert caught.value.where == "line 3"
    assert "line 2" in caught.value.reason


def test_a_header_without_rows_is_an_empty_source() -> None:
    source = read(HEADER)
    assert source.messages == []
    assert "no rows" in source.skipped[0]


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        (b"", "line 1", "empty file"),
        (b"id,author,text\n1,Kari,Hei\n", "line 1", "missing column: created_time; the header has: id, author, text"),
        (b"a;b\n", "line 1", "missing columns: id, author, created_time, text"),
        (HEADER.encode() + b"p1,,,Kari,2013-04-02 10:15,H\x00ei,,\n", "line 2 (byte 91)", "NUL byte"),
        (HEADER.encode() + b"p1,,,Kari,i morgen,Hei,,\n", "line 2", "created_time: not a date and time: 'i morgen'"),
        (HEADER.encode() + b"p1,,,Kari,2013-02-30 10:15,Hei,,\n", "line 2", "not a valid date"),
        (HEADER.encode() + b"p1,,,Kari,2013-02-19,Hei,,\n", "line 2", "not a date and time"),
        (HEADER.encode() + b"p1,,,Kari,2013-04-02 10:15,Hei,,\n ,,,Ola,2013-04-02 10:15,x,,\n", "line 3", "empty id"),
        (HEADER.encode() + b"p1,,x,Kari,2013-04-02 10:15,Hei,,\n", "line 2", "parent_id 'x' on a post"),
        (HEADER.encode() + b"c1,p1,c1,Kari,2013-04-02 10:15,Hei,,\n", "line 2", "own id"),
        (
            HEADER.encode() + b'p1,,,Kari,2013-04-02 10:15,"Hei,,\np2,,,Ola,2013-04-02 10:15,x,,\n',
            "line 2",
            "never closed",
        ),
        (HEADER.encode() + b'p1,,,Kari,2013-04-02 10:15,"Hei" du,,\n', "line 2", "malformed quoting"),
        (HEADER.encode() + b"p1,,,Kari,2013-04-02 10:15,Hei\n", "line 2", "6 fields, but the header has 8"),
        (HEADER.encode() + b"p1,,,Kari,2013-04-02 10:15,Hei,,many\n", "line 2", "reactions: not a whole number"),
        (HEADER.encode() + b"p1,,,Kari,2013-04-02 10:15,1.5,,1.5\n", "line 2", "reactions"),
        (HEADER.encode() + b"p1,,,K\xe5ri,2013-04-02 10:15,Hei,,\n", "line 2 (byte 69)", "not UTF-8"),
        ("id,author".encode("utf-16"), "byte 0", "UTF-16"),
    ],
    ids=[
        "empty",
        "missing-one",
        "missing-all",
        "nul",
        "bad-date",
        "impossible-date",
        "date-only",
        "empty-id",
        "parent-on-post",
        "self-parent",
        "unclosed-quote",
        "stray-quote",
        "short-row",
        "bad-reactions",
        "decimal-reactions",
        "latin-1",
        "utf-16",
    ],
)
def test_broken_files_name_the_file_and_the_line(data: bytes, where: str, words: str) -> None:
    with pytest.raises(FokusError) as caught:
        parse_csv(data, "data/tråder.csv")
    err = caught.value
    assert (err.path, err.where) == ("data/tråder.csv", where)
    assert words in err.reason
    assert str(err).startswith(f"data/tråder.csv:{where}: ")


def test_a_field_over_the_size_limit_is_refused_with_its_line() -> None:
    big = "x" * 1_000_002
    with pytest.raises(FokusError) as caught:
        read(HEADER + f"p1,,,Kari,2013-04-02 10:15,{big},,\n")
    assert caught.value.where == "line 2"
    assert "longer than 1,000,000" in caught.value.reason
    with pytest.raises(FokusError) as caught:
        read(HEADER + f"p1,,,Kari,2013-04-02 10:15,{big[:-1]},,\n")
    assert caught.value.where == "line 2"
    assert "too long" in caught.value.reason


def test_a_missing_mapped_column_is_named() -> None:
    with pytest.raises(FokusError) as caught:
        read(HEADER + "p1,,,Kari,2013-04-02 10:15,Hei,,\n", mapping={"case": "Kommune"})
    assert "kommune (for case)" in caught.value.reason


def test_a_column_used_twice_is_an_error() -> None:
    with pytest.raises(FokusError, match="'text' appears more than once"):
        read("id,author,created_time,text,Text\n")
