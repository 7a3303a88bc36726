"""Page data written to the project (fokus.api.pages and `fokus pages import`/`list`), on both backends."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from fokus.api.pages import import_page_data
from fokus.cli import main
from fokus.domain.settings import AUTHOR_SECRET_SETTING, get_setting
from fokus.errors import FokusError
from fokus.importers.pages.detect import read_feeds
from fokus.importers.pages.listing import read_listing
from fokus.importers.pages.records import CommentRecord, PageFeed, PageRecord, PostRecord
from fokus.model import Base, Case, Page, PageComment, PagePost, Source
from fokus.store import Project
from tests.conftest import at

DATA = Path(__file__).parent / "data"
FEED = DATA / "bergen-feed.json"
PAGES = DATA / "pages.csv"
runner = CliRunner()


def fokus(db: str, *args: str, ok: bool = True) -> Any:
    result = runner.invoke(main, ["--db", db, *args])
    assert (result.exit_code == 0) is ok, result.output
    return result


def newer_feed(tmp_path: Path) -> Path:
    """The Bergen feed exported a month later: post 1's counts grew, a reply came, and a third post appeared."""
    doc = json.loads(FEED.read_text(encoding="utf-8"))
    first = doc["data"][0]
    first["reactions"]["summary"]["total_count"] = 20
    first["shares"]["count"] = 5
    first["comments"]["data"][1]["comments"] = {
        "data": [
            {
                "id": "1_c4",
                "message": "Takk!",
                "created_time": "2013-02-20T09:00:00+0000",
                "from": {"id": "111", "name": "Bergen kommune"},
            }
        ]
    }
    third = copy.deepcopy(doc["data"][1])
    third.update(id="111_3", message="Valgdagen er 9. september.", created_time="2013-04-10T09:00:00+0000")
    doc["data"].append(third)
    path = tmp_path / "bergen-mai.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def counts(project: Project) -> dict[str, int]:
    with project.read() as session:
        return {
            model.__tablename__: len(session.execute(select(model.id)).all())
            for model in (Page, PagePost, PageComment, Source, Case)
        }


def dump(project: Project) -> str:
    """Every value of every table, as text: what a copy or a backup of the project would hold."""
    with project.read() as session:
        rows = [repr(tuple(row)) for table in Base.metadata.sorted_tables for row in session.execute(table.select())]
    return "\n".join(rows)


def test_a_feed_and_the_pages_file_are_imported_once(project: Project, db: str) -> None:
    out = fokus(db, "pages", "import", "--pages", str(PAGES), str(FEED)).output
    assert out.splitlines() == [
        f"{FEED} (graph-feed): 2 posts, 3 comments",
        "Pages: 1 added, 0 updated, 0 unchanged.",
        "Posts: 2 added, 0 updated, 0 unchanged.",
        "Comments: 3 added, 0 updated, 0 unchanged.",
        f"Pages file {PAGES}: 1 added, 1 updated, 0 unchanged.",
        "2 new cases.",
    ]
    before = dump(project)
    again = fokus(db, "pages", "import", "--pages", str(PAGES), str(FEED)).output
    assert again.splitlines() == [
        f"{FEED} (graph-feed): 2 posts, 3 comments [file imported before]",
        "Pages: 0 added, 0 updated, 1 unchanged.",
        "Posts: 0 added, 0 updated, 2 unchanged.",
        "Comments: 0 added, 0 updated, 3 unchanged.",
        f"Pages file {PAGES}: 0 added, 0 updated, 2 unchanged.",
        "Nothing changed: the project already held all of it.",
    ]
    assert dump(project) == before
    with project.read() as session:
        bergen = session.scalars(select(Page).where(Page.external_id == "111")).one()
        assert (bergen.name, bergen.followers_start, bergen.followers_end, bergen.population) == (
            "Bergen kommune",
            12345,
            13001,
            271949,
        )
        assert session.get(Case, bergen.case_id).name == "Bergen"
        stord = session.scalars(select(Page).where(Page.external_id == "stordkommune")).one()
        assert (stord.name, session.get(Case, stord.case_id).name) == ("Stord kommune", "Stord")
        assert stord.url == "https://www.facebook.com/stordkommune"


def test_a_newer_export_updates_counts_and_adds_posts_and_replies(project: Project, db: str, tmp_path: Path) -> None:
    fokus(db, "pages", "import", str(FEED))
    out = fokus(db, "pages", "import", str(newer_feed(tmp_path))).output.splitlines()
    assert out[1:] == [
        "Pages: 0 added, 0 updated, 1 unchanged.",
        "Posts: 1 added, 1 updated, 1 unchanged.",
        "Comments: 1 added, 0 updated, 3 unchanged.",
    ]
    with project.read() as session:
        first = session.scalars(select(PagePost).where(PagePost.external_id == "111_1")).one()
        assert (first.reactions, first.likes, first.shares, first.comments) == (20, 10, 5, 3)
        reply = session.scalars(select(PageComment).where(PageComment.external_id == "1_c4")).one()
        parent = session.get(PageComment, reply.parent_id)
        assert (parent.external_id, reply.by_page, reply.post_id) == ("1_c3", True, first.id)
        third = session.scalars(select(PagePost).where(PagePost.external_id == "111_3")).one()
        assert (third.shares, third.created_at) == (0, at(10, 9).replace(month=4, year=2013))
        assert len(session.scalars(select(Source)).all()) == 2


def test_the_page_s_own_comments_and_authors_keyed_never_named(project: Project) -> None:
    with project.begin() as session:
        import_page_data(session, read_feeds([FEED]))
    with project.read() as session:
        rows = session.execute(
            select(PageComment.external_id, PageComment.by_page, PageComment.author_key).order_by(
                PageComment.external_id
            )
        ).all()
        secret = get_setting(session, AUTHOR_SECRET_SETTING)
    assert [(r[0], r[1]) for r in rows] == [("1_c1", False), ("1_c2", True), ("1_c3", False)]
    keys = [r[2] for r in rows]
    assert len(set(keys)) == 3
    assert all(len(key) == 64 for key in keys)
    assert secret is not None
    assert len(secret) == 64
    stored = dump(project)
    for name in ("Kari Nordmann", "Ola Hansen", "9001", "9002"):
        assert name not in stored
    # the same commenter in another file of another time gets the same key; the secret is made once
    later = PageFeed(
        path="later.json",
        format="graph-feed",
        sha256="b" * 64,
        pages=[PageRecord("111", "Bergen kommune")],
        posts=[PostRecord("111_9", "111", at(3), "Ny post", "$.data[0]")],
        comments=[
            CommentRecord("9_c1", "111_9", at(3, 11), "Igjen", "$.data[0].comments.data[0]", author="9001"),
            CommentRecord("9_c2", "111_9", at(3, 12), "Svar", "$.data[0].comments.data[1]", author="bergen kommune"),
        ],
    )
    with project.begin() as session:
        import_page_data(session, [later])
    with project.read() as session:
        again = dict(session.execute(select(PageComment.external_id, PageComment.author_key)).all())
        own = session.scalars(select(PageComment.by_page).where(PageComment.external_id == "9_c2")).one()
        assert get_setting(session, AUTHOR_SECRET_SETTING) == secret
    assert again["9_c1"] == again["1_c1"]
    assert own is True  # its author is the page's name (in another case): the page answered


def test_a_bad_second_file_writes_nothing_of_the_first(project: Project, db: str, tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"data": [{"id": "111_7", "created_time": "i går"}]}), encoding="utf-8")
    result = fokus(db, "pages", "import", "--pages", str(PAGES), str(FEED), str(bad), ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"fokus: error: {bad}:$.data[0].created_time (post 111_7): not a date and time: 'i går'"
        " (write e.g. 2013-02-19 10:15 or 2013-02-19T10:15:00Z)"
    )
    assert counts(project) == {"pages": 0, "page_posts": 0, "page_comments": 0, "sources": 0, "cases": 0}


def test_a_comment_under_a_post_no_one_holds_is_refused_and_nothing_written(project: Project) -> None:
    feed = PageFeed(
        path="orphans.csv",
        format="graph-feed",
        sha256="c" * 64,
        comments=[CommentRecord("x_c1", "111_404", at(3), "Hei", "line 7")],
    )
    with pytest.raises(FokusError) as caught, project.begin() as session:
        import_page_data(session, [feed])
    assert str(caught.value) == (
        "orphans.csv:line 7: a comment under post 111_404, which neither the file nor the project holds"
    )
    assert counts(project)["sources"] == 0


def test_a_listed_page_is_taken_over_by_its_feed(project: Project, tmp_path: Path) -> None:
    listing = tmp_path / "sider.csv"
    listing.write_text("kommune,side,navn,innbyggere\nBergen,facebook.com/bergenkommune,Bergen kommune,271949\n")
    with project.begin() as session:
        import_page_data(session, [], read_listing(listing))
    with project.begin() as session:
        report = import_page_data(session, read_feeds([FEED]))
    assert (report.pages.added, report.pages.updated) == (0, 1)
    with project.read() as session:
        (page,) = session.scalars(select(Page)).all()
        assert (page.external_id, page.population, session.get(Case, page.case_id).name) == ("111", 271949, "Bergen")


def test_pages_are_listed_with_their_case_posts_and_comments(project: Project, db: str, tmp_path: Path) -> None:
    fokus(db, "pages", "import", "--pages", str(PAGES), str(newer_feed(tmp_path)))
    rows = list(csv.DictReader(io.StringIO(fokus(db, "pages", "list", "--format", "csv").output)))
    assert rows == [
        {
            "page": "111",
            "name": "Bergen kommune",
            "case": "Bergen",
            "followers_start": "12345",
            "followers_end": "13001",
            "population": "271949",
            "posts": "3",
            "comments": "4",
            "first_post": "2013-02-19T10:00:00+00:00",
            "last_post": "2013-04-10T09:00:00+00:00",
        },
        {
            "page": "stordkommune",
            "name": "Stord kommune",
            "case": "Stord",
            "followers_start": "2100",
            "followers_end": "2250",
            "population": "18500",
            "posts": "0",
            "comments": "0",
            "first_post": "",
            "last_post": "",
        },
    ]
    table = runner.invoke(main, ["--db", db, "pages", "list"], env={"COLUMNS": "200"}).output
    assert "Bergen kommune" in table
    assert "13,001" in table
    assert "12,345" not in table  # (followers at the start: in CSV and JSON only)


def test_duplicate_posts_across_files_take_the_later_file(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        report = import_page_data(session, read_feeds([FEED, newer_feed(tmp_path)]))
    assert (report.posts.added, report.comments.added) == (3, 4)
    with project.read() as session:
        shares = session.scalars(select(PagePost.shares).where(PagePost.external_id == "111_1")).one()
        assert shares == 5
        assert session.execute(text("SELECT count(*) FROM page_posts")).scalar() == 3


def test_import_needs_something_to_import(project: Project, db: str) -> None:
    result = fokus(db, "pages", "import", ok=False)
    assert "name page-data files or folders, or a pages file with --pages" in result.output


def test_an_answer_to_a_comment_no_one_holds_goes_under_its_post(project: Project) -> None:
    def comment(cid: str, parent: str | None, hour: int) -> CommentRecord:
        return CommentRecord(cid, "111_9", at(3, hour), "Svar", f"line {hour}", parent_id=parent, author="77")

    feed = PageFeed(
        path="svar.csv",
        format="facepager",
        sha256="d" * 64,
        posts=[PostRecord("111_9", "111", at(3), "Innlegg", "line 1")],
        comments=[comment("c3", "c2", 13), comment("c2", "borte", 12), comment("c4", "c3", 14)],
    )
    with project.begin() as session:
        report = import_page_data(session, [feed])
    assert (report.parents_missing, report.comments.added, report.pages.added) == (1, 3, 1)
    with project.read() as session:
        ids = dict(session.execute(select(PageComment.external_id, PageComment.id)).all())
        parents = dict(session.execute(select(PageComment.external_id, PageComment.parent_id)).all())
    assert parents == {"c2": None, "c3": ids["c2"], "c4": ids["c3"]}


def test_a_dry_run_and_a_bad_pages_file_write_nothing(project: Project, db: str, tmp_path: Path) -> None:
    out = fokus(db, "pages", "import", "--dry-run", "--pages", str(PAGES), str(FEED)).output
    assert out.splitlines()[1] == "Pages: 1 added, 0 updated, 0 unchanged."
    assert out.splitlines()[-1] == "Dry run: nothing was written."
    bad = tmp_path / "sider.csv"
    bad.write_text("kommune;side;innbyggere\nBergen;111;271 949\nOs;222;ti tusen\n", encoding="utf-8")
    result = fokus(db, "pages", "import", "--pages", str(bad), str(FEED), ok=False)
    assert result.stderr.strip() == (
        f"fokus: error: {bad}:line 3: population is not a whole number: 'ti tusen' (write e.g. 12345 or 12 345)"
    )
    assert counts(project) == {"pages": 0, "page_posts": 0, "page_comments": 0, "sources": 0, "cases": 0}
    with project.read() as session:
        assert get_setting(session, AUTHOR_SECRET_SETTING) is None


def test_a_harvest_of_many_files_is_summed_up_by_format(project: Project, db: str, tmp_path: Path) -> None:
    harvest = tmp_path / "harvest"
    harvest.mkdir()
    for n in range(13):
        post = {"id": f"5_{n}", "message": "Hei", "created_time": f"2013-03-{n + 1:02d}T10:00:00+0000"}
        (harvest / f"{n:02d}.json").write_text(json.dumps({"data": [post, post]}), encoding="utf-8")
    out = fokus(db, "pages", "import", str(harvest)).output.splitlines()
    assert out[:3] == [
        "13 graph-feed files: 13 posts, 0 comments, 0 imported before",
        "  13 notes on skipped content; import fewer files at once to see them",
        "Pages: 1 added, 0 updated, 0 unchanged.",
    ]


def test_the_pages_file_finds_a_page_by_its_name_in_any_case_or_its_address(project: Project, tmp_path: Path) -> None:
    def feed(page: PageRecord, sha: str) -> PageFeed:
        post = PostRecord(f"{page.external_id}_1", page.external_id, at(3), "Hei", "line 2")
        return PageFeed(path="x.csv", format="4cat", sha256=sha * 64, pages=[page], posts=[post])

    feeds = [
        feed(PageRecord("OsKommune", "Os"), "e"),
        feed(PageRecord("999", "Side 999", url="https://www.facebook.com/fitjar.kommune/"), "f"),
    ]
    listing = tmp_path / "sider.csv"
    listing.write_text("kommune,side\nOs,facebook.com/oskommune\nFitjar,https://m.facebook.com/Fitjar.Kommune\n")
    with project.begin() as session:
        report = import_page_data(session, feeds, read_listing(listing))
    assert (report.pages.added, report.listed.added, report.listed.updated) == (2, 0, 2)
    with project.read() as session:
        linked = dict(session.execute(select(Page.external_id, Case.name).join(Case, Page.case_id == Case.id)).all())
    assert linked == {"OsKommune": "Os", "999": "Fitjar"}
