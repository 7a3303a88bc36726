"""Facepager, CrowdTangle, 4CAT and Meta Content Library files read into page records; told apart by content;
bad files refused in one line; each imported end to end by `fokus pages import` on both backends."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from fokus.cli import main
from fokus.errors import FokusError
from fokus.importers import limits
from fokus.importers.pages import crowdtangle, facepager, fourcat, mcl
from fokus.importers.pages.detect import HEAD_BYTES, detect, read_feeds
from fokus.importers.pages.records import PageFeed
from fokus.model import Page, PageComment, PagePost
from fokus.store import Project

DATA = Path(__file__).parent / "data"
FACEPAGER = DATA / "facepager_askoy.csv"
CROWDTANGLE = DATA / "crowdtangle_stord.csv"
FOURCAT = DATA / "fourcat_bergen.csv"
FOURCAT_CT = DATA / "fourcat_crowdtangle_stord.csv"
MCL_JSON = DATA / "mcl_trondheim.ndjson"
MCL_CSV = DATA / "mcl_trondheim.csv"
ASKOY = "160817410608957"
STORD = "168427473190225"


def read(module: Any, path: Path) -> PageFeed:
    feed: PageFeed = module.parse(path.read_bytes(), str(path), UTC)
    return feed


def refusal(module: Any, data: bytes, tmp_path: Path, name: str = "x.csv") -> str:
    """The one line a bad file is refused with (the temporary folder as TMP)."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FokusError) as caught:
        read(module, path)
    return str(caught.value).replace(str(tmp_path), "TMP")


def when(day: int, hour: int, minute: int = 0, second: int = 0, *, year: int = 2013) -> datetime:
    return datetime(year, 3, day, hour, minute, second, tzinfo=UTC)


def posts_of(feed: PageFeed) -> list[tuple[Any, ...]]:
    return [
        (p.external_id, p.page_id, p.created_at, p.kind, p.likes, p.reactions, p.comments, p.shares) for p in feed.posts
    ]


def comments_of(feed: PageFeed) -> list[tuple[Any, ...]]:
    return [(c.external_id, c.post_id, c.parent_id, c.created_at, c.by_page, c.author, c.likes) for c in feed.comments]


# --- Facepager ---------------------------------------------------------------------------------------------------


def test_facepager_posts_comments_and_the_pages_replies_follow_the_tree() -> None:
    feed = read(facepager, FACEPAGER)
    assert (feed.format, len(feed.sha256)) == ("facepager", 64)
    assert [(p.external_id, p.name, p.url) for p in feed.pages] == [
        (ASKOY, "Askøy kommune", "https://www.facebook.com/askoykommune")
    ]
    assert posts_of(feed) == [
        (f"{ASKOY}_10151900000001", ASKOY, when(1, 10), "status", 22, 25, 3, 2),
        (f"{ASKOY}_10151900000002", ASKOY, when(5, 7, 45), "photo", 131, 140, 0, 0),  # no shares.count: 0
        (f"{ASKOY}_10151900000003", ASKOY, when(8, 12), "link", 9, 9, 1, 11),
    ]
    assert (
        feed.posts[1].text == "Snøbrøytingen er i full gang.\nTakk for tålmodigheten – mannskapene jobber døgnet rundt."
    )
    assert feed.posts[2].url == "https://www.askoy.kommune.no/vannmaaler"
    post = f"{ASKOY}_10151900000001"
    assert comments_of(feed) == [
        ("10151900000001_5001", post, None, when(1, 10, 20), False, "100004000000001", 4),
        ("10151900000001_5002", post, None, when(1, 11, 2), False, "100004000000002", 0),
        ("10151900000001_5003", post, None, when(1, 12, 15), True, ASKOY, 2),
        ("10151900000001_5004", post, "10151900000001_5001", when(1, 10, 48), True, ASKOY, 1),
    ]
    assert feed.comments[0].text == "Benker og trær! Og kanskje en lekeplass for de minste?"
    assert feed.skipped == ["row of a failed query (skipped): at line 13"]


def test_facepager_saved_again_with_commas_and_without_a_bom_reads_the_same(tmp_path: Path) -> None:
    text = FACEPAGER.read_text(encoding="utf-8-sig")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    path = tmp_path / "askoy.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    again, first = read(facepager, path), read(facepager, FACEPAGER)
    assert (posts_of(again), comments_of(again), again.skipped) == (posts_of(first), comments_of(first), first.skipped)
    assert [p.text for p in again.posts] == [p.text for p in first.posts]


def test_facepager_rows_under_a_failed_query_are_skipped_with_it(tmp_path: Path) -> None:
    lines = FACEPAGER.read_text(encoding="utf-8-sig").split("\n")
    lines[2] = lines[2].replace('"fetched (200)"', '"fetched (500)"')  # the first post's row
    path = tmp_path / "askoy.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    feed = read(facepager, path)
    assert [p.external_id for p in feed.posts] == [f"{ASKOY}_10151900000002", f"{ASKOY}_10151900000003"]
    assert feed.comments == []
    assert feed.skipped == ["row of a failed query (skipped): 6, first at line 3"]
    lines[2] = lines[2].replace('"fetched (500)"', '""')  # no status written: read
    path.write_text("\n".join(lines), encoding="utf-8")
    assert len(read(facepager, path).posts) == 3


# --- CrowdTangle -------------------------------------------------------------------------------------------------


def test_crowdtangle_posts_take_graph_ids_from_their_urls_and_counts_without_comments() -> None:
    feed = read(crowdtangle, CROWDTANGLE)
    assert [(p.external_id, p.name, p.url) for p in feed.pages] == [
        (STORD, "Stord kommune", "https://www.facebook.com/stordkommune"),
        ("140712345678901", "Fitjar kommune", "https://www.facebook.com/fitjarkommune"),
    ]
    assert posts_of(feed) == [
        (f"{STORD}_10151234567890", STORD, when(1, 9), "photo", 41, 45, 9, 3),
        (f"{STORD}_10151234599999", STORD, when(4, 13, 30), "link", 980, 994, 112, 98),  # +0100, "1,204" total
        (f"{STORD}_10151234611111", STORD, when(7, 7, 15), "status", 12, 12, 0, 0),  # empty reactions: none counted
        (f"{STORD}_10151234622222", STORD, when(9, 18, 2, 11), "video", 60, 68, 14, 6),
        ("140712345678901_512345678", "140712345678901", when(2, 8), "status", 3, 3, 1, 0),
    ]
    assert feed.posts[1].text.startswith("Høyring: ny reguleringsplan for Heiane.")
    assert feed.posts[1].location == "line 3"
    assert feed.posts[2].location == "line 5"  # the quoted message of line 3 spans two lines
    assert feed.comments == []
    assert feed.skipped == ["Followers at Posting is not read: fokus takes a page's followers from the pages file"]


# --- 4CAT --------------------------------------------------------------------------------------------------------


def test_fourcat_posts_have_no_counts_and_comments_are_told_by_their_address() -> None:
    feed = read(fourcat, FOURCAT)
    assert [(p.external_id, p.name, p.url) for p in feed.pages] == [
        ("bergenkommune", "Bergen kommune", "https://www.facebook.com/bergenkommune")
    ]
    assert posts_of(feed) == [
        ("10159876543210001", "bergenkommune", when(1, 9), None, None, None, None, None),
        ("10159876543210002", "bergenkommune", when(4, 13, 30), "photo", None, None, None, None),
        ("10159876543210003", "bergenkommune", when(6, 17), "video", None, None, None, None),
    ]
    assert feed.posts[1].text == "Brannvesenet øver ved Haukeland i dag.\nIkke bli skremt av røyk og sirener."
    assert comments_of(feed) == [
        ("10159876543210004", "10159876543210001", None, when(1, 9, 14), False, "kari.nordmann.5", None),
        ("10159876543210005", "10159876543210001", None, when(1, 9, 41), True, "bergenkommune", None),
    ]
    assert feed.skipped == [
        "post in a group, not on a page (skipped): at line 8",
        "comment on a post the file does not hold (skipped): at line 9",
    ]


def test_fourcat_local_timestamp_is_read_in_the_zone_given_only_without_unix_time(tmp_path: Path) -> None:
    lines = FOURCAT.read_text(encoding="utf-8").splitlines()
    header = lines[0].replace(",unix_timestamp", "")
    path = tmp_path / "bergen.csv"
    path.write_text("\n".join([header, lines[1].rsplit(",", 1)[0]]), encoding="utf-8")
    feed = fourcat.parse(path.read_bytes(), str(path), ZoneInfo("Europe/Amsterdam"))
    assert feed.posts[0].created_at == when(1, 9)


def test_a_crowdtangle_export_rewritten_by_fourcat_reads_as_the_original() -> None:
    oslo = ZoneInfo("Europe/Oslo")
    rewritten = fourcat.parse(FOURCAT_CT.read_bytes(), str(FOURCAT_CT), oslo)
    original = crowdtangle.parse(CROWDTANGLE.read_bytes(), str(CROWDTANGLE), oslo)
    assert rewritten.format == "4cat"
    assert [(p.external_id, p.name, p.url) for p in rewritten.pages] == [
        (STORD, "Stord kommune", "https://www.facebook.com/stordkommune")
    ]
    assert posts_of(rewritten) == posts_of(original)[:4]  # ids from the URLs, not 4CAT's "?type=3" and ""
    assert [(p.text, p.url) for p in rewritten.posts] == [(p.text, p.url) for p in original.posts[:4]]
    assert rewritten.skipped == original.skipped


# --- Meta Content Library ----------------------------------------------------------------------------------------


def test_mcl_json_lines_hold_posts_and_comments_in_utc() -> None:
    feed = read(mcl, MCL_JSON)
    assert [(p.external_id, p.name, p.url) for p in feed.pages] == [
        ("887766554433221", "Trondheim kommune", "https://www.facebook.com/trondheimkommune")
    ]
    page = "887766554433221"
    assert posts_of(feed) == [
        ("1029384756012345", page, when(1, 9, 30, year=2024), "status", 190, 214, 87, 5),
        ("1029384756012399", page, when(4, 14, year=2024), "link", 50, 56, 3, 22),
    ]
    assert [p.url for p in feed.posts] == [None, None]
    assert comments_of(feed) == [
        ("5550001", "1029384756012345", None, when(1, 9, 52, year=2024), False, "700000000000001", None),
        ("5550002", "1029384756012345", "5550001", when(1, 10, 20, year=2024), True, page, None),
        ("5550003", "1029384756012345", None, when(1, 11, 5, year=2024), False, "700000000000002", None),
    ]
    assert feed.comments[1].text == "Hei Per! Takk for beskjed – vi sender et mannskap til Øvre Møllenberg i dag."
    assert feed.skipped == ["post by or to a profile, group or event, not a page (skipped): at line 3"]


def test_mcl_csv_download_reads_the_same_names_flattened() -> None:
    feed = read(mcl, MCL_CSV)
    assert posts_of(feed)[:2] == posts_of(read(mcl, MCL_JSON))
    assert posts_of(feed)[2] == (
        "1029384756012400",
        "887766554433221",
        when(6, 7, 10, year=2024),
        "video",
        301,
        385,
        130,
        61,
    )
    assert (
        feed.posts[2].text
        == "Vannlekkasje i Elgeseter gate: vegen er stengt i retning sentrum.\nFølg med her for oppdateringer."
    )
    assert (feed.comments, feed.skipped) == ([], [])


def test_mcl_json_as_one_list_and_texts_with_line_separators(tmp_path: Path) -> None:
    lines = MCL_JSON.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("nabolag? ", "nabolag?\u2028")  # written unescaped, as json.dumps(ensure_ascii=False)
    path = tmp_path / "trondheim.json"
    path.write_text("[\n" + ",\n".join(lines) + "\n]", encoding="utf-8")
    listed = read(mcl, path)
    assert posts_of(listed) == posts_of(read(mcl, MCL_JSON))
    assert comments_of(listed) == comments_of(read(mcl, MCL_JSON))
    assert [p.location for p in listed.posts] == ["$[0]", "$[1]"]
    assert listed.posts[0].text.startswith("Hvordan synes du snøryddingen fungerer i ditt nabolag?\u2028Svar")
    assert listed.skipped == ["post by or to a profile, group or event, not a page (skipped): at $[2]"]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert read(mcl, path).posts[0].text == listed.posts[0].text


# --- detection ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (FACEPAGER, "facepager"),
        (CROWDTANGLE, "crowdtangle"),
        (FOURCAT, "4cat"),
        (FOURCAT_CT, "4cat"),
        (MCL_JSON, "mcl"),
        (MCL_CSV, "mcl"),
        (DATA / "bergen-feed.json", "graph-feed"),
    ],
)
def test_each_format_is_told_by_its_content_alone(path: Path, name: str, tmp_path: Path) -> None:
    head = path.read_bytes()[:HEAD_BYTES].decode("utf-8", errors="replace")
    found = detect(head)
    assert found is not None
    assert found.name == name
    anonymous = tmp_path / "export.txt"  # the name says nothing
    anonymous.write_bytes(path.read_bytes())
    assert [feed.format for feed in read_feeds([anonymous])] == [name]


def test_a_utf16_export_is_told_by_its_header_and_refused_for_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "stord.txt"
    path.write_bytes(
        codecs.BOM_UTF16_LE + CROWDTANGLE.read_text(encoding="utf-8").replace(",", "\t").encode("utf-16-le")
    )
    with pytest.raises(FokusError) as caught:
        read_feeds([path])
    assert str(caught.value).replace(str(tmp_path), "TMP") == (
        'TMP/stord.txt:byte 0: the file is UTF-16 text, not UTF-8 (save it as "CSV UTF-8" or plain UTF-8 text)'
    )


def test_no_sniff_accepts_another_formats_sample() -> None:
    samples = [(FACEPAGER, "facepager"), (CROWDTANGLE, "crowdtangle"), (FOURCAT, "4cat"), (FOURCAT_CT, "4cat")]
    samples += [(MCL_CSV, "mcl"), (MCL_JSON, "mcl")]
    modules = {"facepager": facepager, "crowdtangle": crowdtangle, "4cat": fourcat, "mcl": mcl}
    for name, module in modules.items():
        for path, other in samples:
            head = path.read_text(encoding="utf-8-sig")
            assert module.sniff(head) is (name == other), (name, path.name)
    assert not mcl.sniff((DATA / "bergen-feed.json").read_text(encoding="utf-8"))


# --- refused -----------------------------------------------------------------------------------------------------


def ct_row(**cells: str) -> bytes:
    """A CrowdTangle file of one row, with ``cells`` (by column name) changed."""
    rows = list(csv.reader(io.StringIO(CROWDTANGLE.read_text(encoding="utf-8"), newline="")))
    header, row = rows[0], rows[1]
    for name, value in cells.items():
        row[header.index(name)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, row])
    return out.getvalue().encode("utf-8")


def test_bad_cells_are_refused_with_the_line_and_column(tmp_path: Path) -> None:
    assert refusal(crowdtangle, ct_row(Likes="mange"), tmp_path) == (
        "TMP/x.csv:line 2, column 15 (Likes): not a count (a whole number): 'mange'"
    )
    assert refusal(crowdtangle, ct_row(Shares="-3"), tmp_path) == (
        "TMP/x.csv:line 2, column 17 (Shares): not a count (a whole number): '-3'"
    )
    assert refusal(crowdtangle, ct_row(Comments="9" * 25), tmp_path) == (
        "TMP/x.csv:line 2, column 16 (Comments): '9999999999999999999999999' is more than a database can hold"
    )
    assert refusal(crowdtangle, ct_row(**{"Post Created": "01/03/2013 10:00"}), tmp_path) == (
        "TMP/x.csv:line 2, column 10 (Post Created): not a date and time: '01/03/2013 10:00'"
        " (write e.g. 2013-02-19 10:15 or 2013-02-19T10:15:00Z)"
    )
    assert refusal(crowdtangle, ct_row(**{"Post Created": "2013-02-30 10:00:00 CET"}), tmp_path) == (
        "TMP/x.csv:line 2, column 10 (Post Created): not a valid date and time: '2013-02-30 10:00:00 CET'"
    )
    assert refusal(crowdtangle, ct_row(URL="https://www.facebook.com/stordkommune/"), tmp_path) == (
        "TMP/x.csv:line 2, column 30 (URL): no post id in the URL: 'https://www.facebook.com/stordkommune/'"
        " (CrowdTangle's URL names the post, as in https://www.facebook.com/<page>/posts/<id>)"
    )
    assert refusal(crowdtangle, ct_row(**{"Facebook Id": ""}), tmp_path) == (
        "TMP/x.csv:line 2, column 3 (Facebook Id): no id"
    )


def test_broken_files_are_refused_in_one_line(tmp_path: Path) -> None:
    good = CROWDTANGLE.read_bytes()
    assert refusal(crowdtangle, codecs.BOM_UTF16_LE + good.decode().encode("utf-16-le"), tmp_path) == (
        'TMP/x.csv:byte 0: the file is UTF-16 text, not UTF-8 (save it as "CSV UTF-8" or plain UTF-8 text)'
    )
    assert refusal(crowdtangle, good.decode().encode("cp1252", errors="replace"), tmp_path) == (
        "TMP/x.csv:line 2 (byte 767): not UTF-8 text (byte 0xe5 cannot start or continue a character)"
        " (save the file as UTF-8; fokus does not guess other encodings)"
    )
    assert refusal(crowdtangle, good + b'Stord kommune,"unclosed\n', tmp_path) == (
        "TMP/x.csv:line 8: malformed quoting: a quoted field is never closed"
    )
    lines = good.split(b"\n")
    assert refusal(crowdtangle, b"\n".join([lines[0], lines[1] + b",extra", *lines[2:]]), tmp_path) == (
        "TMP/x.csv:line 2: 40 fields, but the header has 39"
        " (a wrong delimiter or an unclosed quote on this or the line before)"
    )
    assert refusal(crowdtangle, good.replace(b"Vegen", b"Ve\x00gen"), tmp_path) == (
        "TMP/x.csv:line 5: NUL byte in the text: this is a binary file or a broken export, not CSV"
    )
    assert refusal(crowdtangle, b"\xef\xbb\xbf \n", tmp_path) == "TMP/x.csv:line 1: the file is empty"
    assert refusal(facepager, b"id;parent_id;object_id\n1;;x\n", tmp_path) == (
        "TMP/x.csv:line 1: not a Facepager export: no column object_type, query_status"
    )


def test_a_field_over_the_csv_limit_is_refused(tmp_path: Path) -> None:
    data = ct_row(Message="å" * (limits.MAX_TEXT_CHARS + 2))
    assert refusal(crowdtangle, data, tmp_path) == "TMP/x.csv:line 2: a field longer than 1,000,000 characters"


def test_the_same_post_with_other_counts_is_refused_naming_both_lines(tmp_path: Path) -> None:
    lines = CROWDTANGLE.read_text(encoding="utf-8").splitlines()
    again = lines[1].replace(",57,41,9,3,", ",60,44,9,3,")
    path_data = "\n".join([*lines, lines[1], again]).encode("utf-8")
    assert refusal(crowdtangle, path_data, tmp_path) == (
        f"TMP/x.csv:line 9: id {STORD}_10151234567890 seen before at line 2 with other content"
        " (two exports disagree; keep one of them)"
    )
    same = "\n".join([*lines, lines[1]]).encode("utf-8")
    path = tmp_path / "same.csv"
    path.write_bytes(same)
    feed = read(crowdtangle, path)
    assert len(feed.posts) == 5
    assert "row seen before in this file (read once): at line 8" in feed.skipped


def test_bad_fourcat_and_mcl_rows_are_refused(tmp_path: Path) -> None:
    lines = FOURCAT.read_text(encoding="utf-8").splitlines()
    assert refusal(
        fourcat, "\n".join([lines[0], lines[1].replace("1362128400", "99999999999")]).encode(), tmp_path
    ) == (
        "TMP/x.csv:line 2, column 11 (unix_timestamp): unix time out of range: 99999999999"
        " (fokus reads times from 1970 through 2099)"
    )
    first = MCL_JSON.read_text(encoding="utf-8").splitlines()[0]
    assert refusal(mcl, (first + "\n" + first[:-1] + "\n").encode(), tmp_path, "x.ndjson") == (
        "TMP/x.ndjson:line 2: not valid JSON (Expecting ',' delimiter)"
    )
    assert refusal(mcl, (first + "\n[1]\n").encode(), tmp_path, "x.ndjson") == (
        "TMP/x.ndjson:line 2: expected an object on each line"
    )
    broken = first.replace("Hvordan", "\\ud83dHvordan")
    assert refusal(mcl, broken.encode(), tmp_path, "x.ndjson") == (
        "TMP/x.ndjson:line 1 (text): text holds half a character (a lone surrogate \\ud83d): no file or database"
        " can store it; the file is damaged (a tool cut a text inside a character; remove the escape from the file)"
    )
    long_text = first.replace("Hvordan", "ø" * (limits.MAX_TEXT_CHARS + 1))
    assert refusal(mcl, long_text.encode(), tmp_path, "x.ndjson") == (
        "TMP/x.ndjson:line 1 (text): message text too long: 1,000,085 characters (at most 1,000,000)"
    )
    deep = '{"id": "1", "creation_time": "2024-03-01T09:30:00", "post_owner": ' + "[" * 100 + "]" * 100 + "}"
    assert refusal(mcl, deep.encode(), tmp_path, "x.ndjson") == (
        "TMP/x.ndjson:line 1: JSON nested deeper than 64 levels; no export nests like that"
    )


# --- end to end --------------------------------------------------------------------------------------------------

PAGES_FILE = """kommune;side;navn;følgere start;følgere slutt;innbyggere
Askøy;https://www.facebook.com/askoykommune;Askøy kommune;6 100;6 900;29 000
Stord;https://www.facebook.com/stordkommune;Stord kommune;4 211;4 399;18 500
Bergen;https://www.facebook.com/bergenkommune;Bergen kommune;12 345;13 001;271 949
Trondheim;https://www.facebook.com/trondheimkommune;Trondheim kommune;48 000;49 500;190 000
"""


@pytest.mark.parametrize(
    ("sample", "municipality", "posts", "comments", "by_page"),
    [
        (FACEPAGER, "Askøy", 3, 4, 2),
        (CROWDTANGLE, "Stord", 4, 0, 0),
        (FOURCAT, "Bergen", 3, 2, 1),
        (MCL_JSON, "Trondheim", 2, 3, 1),
    ],
)
def test_each_format_is_imported_end_to_end_once(
    sample: Path, municipality: str, posts: int, comments: int, by_page: int, project: Project, db: str, tmp_path: Path
) -> None:
    pages = tmp_path / "sider.csv"
    pages.write_text(PAGES_FILE, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["--db", db, "pages", "import", "--pages", str(pages), str(sample)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(main, ["--db", db, "pages", "import", str(sample)])
    assert again.exit_code == 0, again.output
    assert "[file imported before]" in again.output
    with project.read() as session:
        found = session.scalars(select(Page).where(Page.case_id.is_not(None), Page.name.contains(municipality))).one()
        stored = session.scalars(select(PagePost).where(PagePost.page_id == found.id)).all()
        answers_list = session.scalars(select(PageComment).where(PageComment.post_id.in_([p.id for p in stored]))).all()
    assert (len(stored), len(answers_list), sum(c.by_page for c in answers_list)) == (posts, comments, by_page)
    assert all(c.author_key is None or len(c.author_key) == 64 for c in answers_list)  # keyed hashes, no names


# --- any bytes ---------------------------------------------------------------------------------------------------

SAMPLES = [FACEPAGER, CROWDTANGLE, FOURCAT, FOURCAT_CT, MCL_JSON, MCL_CSV]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(SAMPLES),
    cut=st.integers(min_value=0, max_value=4000),
    noise=st.binary(max_size=40),
    at=st.integers(min_value=0, max_value=4000),
)
def test_a_damaged_file_is_read_or_refused_never_a_crash(sample: Path, cut: int, noise: bytes, at: int) -> None:
    """A sample cut short and with bytes written into it: every sniff answers, every reader returns a feed or
    raises a FokusError."""
    data = sample.read_bytes()
    data = data[: max(len(data) - cut, 0)]
    at = min(at, len(data))
    damaged = data[:at] + noise + data[at:]
    for module in (facepager, crowdtangle, fourcat, mcl):
        module.sniff(damaged.decode("utf-8", errors="replace"))  # never raises
        with contextlib.suppress(FokusError):  # a FokusError is one line by construction
            module.parse(damaged, "x", UTC)
