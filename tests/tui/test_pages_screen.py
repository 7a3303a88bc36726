"""The pages screens on the demo with two pages of its municipalities (Sogndal's, and Alta's, liked more), scored:
the ranking in rank order with its run named, a page's standing, metrics and posts (newest first, its answers timed
by hand below), the key from the thread list and from a thread to the municipality's page, and the empty state.
Both backends (``drive``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from fokus.api.page_scores import score_into_cases
from fokus.api.pages import import_page_data
from fokus.files.criteria import load_criteria
from fokus.importers.pages.detect import read_feeds
from fokus.importers.pages.listing import read_listing
from fokus.model import Page, PageComment, PagePost, ScoreRun
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.page import PageScreen
from fokus.tui.screens.pages import PagesScreen
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.screens.threads import ThreadsScreen
from tests.tui.conftest import screen_lines

FEED = Path(__file__).parents[1] / "pages" / "data" / "bergen-feed.json"
PAGES = """kommune;side;navn;følgere start;følgere slutt;innbyggere
Sogndal;https://www.facebook.com/111/;Sogndal kommune;1 000;1 100;8 000
Alta;https://www.facebook.com/222/;Alta kommune;2 000;2 000;21 000
"""


@pytest.fixture
def paged(project: Project, tmp_path: Path) -> Project:
    """The demo's copy with the two pages imported and scored on likes per post (P2): Alta first."""
    add_pages(project, tmp_path)
    return project


def add_pages(project: Project, folder: Path, *, scored: bool = True) -> None:
    """Sogndal's page (the Bergen feed renamed) and Alta's (the same posts, liked more), linked to their
    municipalities by the pages file, and (``scored``) scored on likes per post into the top 1 and top 2 (20
    weightings)."""
    sogndal = FEED.read_text(encoding="utf-8").replace("Bergen kommune", "Sogndal kommune")
    (folder / "sogndal.json").write_text(sogndal, encoding="utf-8")
    alta = sogndal.replace('"111', '"222').replace('"1_c', '"2_c').replace("Sogndal kommune", "Alta kommune")
    doc = json.loads(alta)
    for post in doc["data"]:
        post["reactions"]["summary"]["total_count"] = 100
        post["likes"]["summary"]["total_count"] = 90
    (folder / "alta.json").write_text(json.dumps(doc), encoding="utf-8")
    (folder / "pages.csv").write_text(PAGES, encoding="utf-8")
    criteria = folder / "criteria.yaml"
    criteria.write_text("min_posts: 1\ncriteria:\n  - {metric: P2, weight: 1}\n", encoding="utf-8")
    with project.begin() as session:
        forget_pages(session)  # whatever pages the demo holds: these two only
        feeds = read_feeds([folder / "sogndal.json", folder / "alta.json"])
        import_page_data(session, feeds, read_listing(folder / "pages.csv"))
        if scored:
            score_into_cases(session, load_criteria(criteria), tops=(1, 2), samples=20, replace=True)


def forget_pages(session: Session) -> None:
    for table in (PageComment, PagePost, Page, ScoreRun):
        session.execute(delete(table))


async def _settled(pilot: Pilot[None], app: FokusApp) -> None:
    """The screen's measuring worker done and its result shown."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _rows(table: DataTable[object]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_the_ranking_shows_the_pages_in_rank_order_and_names_the_run(
    paged: Project, drive: Callable[..., None]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("P")
        await _settled(pilot, app)
        assert isinstance(app.screen, PagesScreen)
        rows = _rows(app.screen.query_one("#pages", DataTable))
        assert [row[:2] for row in rows] == [["1", "Alta kommune"], ["2", "Sogndal kommune"]]
        assert [row[4] for row in rows] == ["1", "2"]  # the smallest top N each is in
        text = "\n".join(screen_lines(app))
        assert "Score run" in text
        assert "criteria file sha256" in text
        assert "2 of 2 pages" in text
        await pilot.press("slash", *"sogn", "enter")  # the filter keeps Sogndal's page
        await pilot.pause()
        assert [row[1] for row in _rows(app.screen.query_one("#pages", DataTable))] == ["Sogndal kommune"]
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert app.screen.query_one("#pages", DataTable).row_count == 2
        await pilot.press("slash", *"topp:1", "enter")
        await pilot.pause()
        assert [row[1] for row in _rows(app.screen.query_one("#pages", DataTable))] == ["Alta kommune"]

    drive(steps)


def test_before_a_score_run_the_pages_are_ordered_by_engagement(
    project: Project, tmp_path: Path, drive: Callable[..., None]
) -> None:
    add_pages(project, tmp_path, scored=False)

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("P")
        await _settled(pilot, app)
        rows = _rows(app.screen.query_one("#pages", DataTable))
        # E = (likes + comments + shares per post) per 1,000 followers: Alta (90 + 1.5 + 1.5) / 2,000 * 1,000;
        # Sogndal (5 + 1.5 + 1.5) / 1,100 * 1,000
        assert [(row[0], row[1], row[6]) for row in rows] == [
            ("", "Alta kommune", "46.50"),
            ("", "Sogndal kommune", "7.27"),
        ]
        assert "No score run yet: pages ordered by engagement E." in "\n".join(screen_lines(app))
        await pilot.press("enter")
        await pilot.pause()
        about = str(app.screen.query_one("#page-about", Static).render())
        assert "Not scored yet: fokus pages score criteria.yaml ranks the pages." in about

    drive(steps)


def test_enter_opens_a_page_with_its_standing_metrics_and_posts(paged: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("P")
        await _settled(pilot, app)
        await pilot.press("down", "enter")  # Sogndal, ranked second
        await pilot.pause()
        page = app.screen
        assert isinstance(page, PageScreen)
        about = str(page.query_one("#page-about", Static).render())
        assert "Sogndal kommune · Sogndal" in about
        assert "Rank 2 of 2, score" in about
        assert "in the top 2" in about
        assert "When the weights vary (20 weightings): in the top 1 in" in about
        metrics = str(page.query_one("#page-metrics", Static).render())
        # two posts; one question asked (under post 1), answered by the page's reply 1.5 hours later
        assert "posts: 2" in metrics
        assert "questions: 1" in metrics
        assert "response time (hours): 1.5" in metrics
        assert "response rate: 100%" in metrics
        assert "followers: 1,100" in metrics
        rows = _rows(page.query_one("#page-posts", DataTable))
        # newest first: the library's closing (no counts), then the tram post: 10 likes, 3 comments, 3 shares, it
        # asks, and its one question was answered in 1.5 hours
        assert [row[0] for row in rows] == ["2013-03-25 09:00", "2013-02-19 11:00"]
        assert rows[0][1].startswith("Biblioteket er stengt")
        assert rows[0][5:] == ["", "", ""]
        assert rows[1][2:] == ["10", "3", "3", "?", "1/1", "1.5"]
        assert "2 of 2 posts" in "\n".join(screen_lines(app))
        await pilot.press("m")  # the metrics give the posts their room
        await pilot.pause()
        assert not page.query_one("#page-metrics", Static).display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PagesScreen)

    drive(steps)


def _row_of(screen: ThreadsScreen, case: str | None) -> int:
    return next(i for i, row in enumerate(screen.rows) if row.case == case)


def test_the_key_from_the_thread_list_and_a_thread_opens_the_municipalitys_page(
    paged: Project, drive: Callable[..., None]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        threads = app.screen
        assert isinstance(threads, ThreadsScreen)
        threads.query_one(DataTable).move_cursor(row=_row_of(threads, "Sogndal"))
        await pilot.press("F")
        await _settled(pilot, app)
        assert isinstance(app.screen, PageScreen)
        assert app.screen.info is not None
        assert app.screen.info.name == "Sogndal kommune"
        assert "Rank 2 of 2" in str(app.screen.query_one("#page-about", Static).render())  # measured in a worker
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # the thread Sogndal's participant started
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        await pilot.press("F")
        await _settled(pilot, app)
        assert isinstance(app.screen, PageScreen)
        assert app.screen.info is not None
        assert app.screen.info.case == "Sogndal"
        await pilot.press("escape", "escape")
        await pilot.pause()
        threads.query_one(DataTable).move_cursor(row=_row_of(threads, "Vinje"))  # no page for Vinje
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, ThreadsScreen)
        assert [n.message for n in app._notifications][-1] == "Vinje has no page in the project."
        threads.query_one(DataTable).move_cursor(row=_row_of(threads, None))  # the moderator's thread
        await pilot.press("F")
        await pilot.pause()
        assert [n.message for n in app._notifications][-1] == "No municipality here, so no page to open."

    drive(steps)


def test_a_project_without_pages_says_how_to_import_them(project: Project, drive: Callable[..., None]) -> None:
    with project.begin() as session:
        forget_pages(session)

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("P")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "The project has no pages yet." in text
        assert "fokus pages import --pages pages.csv feeds/" in text
        assert "fokus pages score criteria.yaml" in text

    drive(steps, size=(80, 24))


def test_at_80_columns_the_pane_under_the_posts_holds_what_their_columns_leave_out(
    paged: Project, drive: Callable[..., None]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("P")
        await _settled(pilot, app)
        await pilot.press("down", "enter", "down")  # Sogndal's page, its older post (the tram)
        await pilot.pause()
        page = app.screen
        assert isinstance(page, PageScreen)
        assert page.keys == ["date", "text", "likes", "comments", "answered"]
        tram = "Hva synes du om den nye bybanen? Si din mening!"
        assert _rows(page.query_one("#page-posts", DataTable))[1] == ["2013-02-19", tram, "10", "3", "1/1"]
        pane = str(page.query_one("#page-post", Static).render())
        assert pane.startswith(
            "Likes 10 · comments 3 · shares 3 · the page's comments 1 · asks or invites: yes · 1 of 1 question from"
            " the public answered, median 1.5 hours\nHva synes du om den nye bybanen?"
        )
        await pilot.press("m")  # the metrics hidden: the posts get the lines
        await pilot.pause()
        assert page.query_one("#page-posts", DataTable).size.height >= 8

    drive(steps, size=(80, 24))
