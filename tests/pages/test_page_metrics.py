"""Metrics per page against values computed by hand on a small fixture, on both backends.

The fixture (times in UTC; Oslo is UTC+1 in March 2013), window 2013-03-04 to 2013-03-17 in Norwegian days (two
weeks):

Alfa (followers 1000 -> 1200, population 6000):
  a1 2013-03-03 23:30 UTC (4 March in Oslo: inside) "Hva mener du om den nye parken?" likes 10, reactions 12,
     comments 4, shares 2
  a2 2013-03-05 "Vegen er stengt i dag." likes none -> reactions 6 count as likes; comments 0, shares 0
  a3 2013-03-06 "Tips oss om hull i vegen" likes 0; no count of comments or shares
  a4 2013-03-17 23:30 UTC (18 March in Oslo: outside) "Kva meiner de om planen?"
  posts 3, per week 1.5; likes 10, 6, 0: P1 = 2/3, P2 = 16/3, P3 = 16/3 / 1200 * 1000 = 40/9;
  comments 4, 0 (a3 left out): C1 = 1/2, C2 = 2, C3 = 5/3; shares 2, 0: V1 = 1/2, V2 = 1, V3 = 5/6;
  E = 40/9 + 5/3 + 5/6 = 125/18; engagement rate = (16/3 + 2 + 1) / 1200 * 100 = 25/36;
  dialogue: a1 (asks) and a3 (tips oss) of 3 = 2/3;
  questions under a1: q1 at 08:00 answered by the page's reply r1 at 10:00 (2 h); q2 at 11:00 answered by the
  page's own comment at 12:00 later in the post (1 h); under a2: q3 never answered; "Flott!" is no question;
  under a4 (outside) a question answered, not counted: questions 3, answered 2, rate 2/3, median 1.5 h;
  growth 200/1000 = 0.2, reach 1200/6000 = 0.2.
Bø (no followers known, population 3000), in Nynorsk:
  b1 2013-03-10 "Sei di meining om den nye skulen." likes 5 (reactions 7), comments 2, shares 1
  b2 2013-03-11 "Biblioteket er ope i morgon." no counts at all
  posts 2, per week 1; P1 = 1, P2 = 5, C1 = 1, C2 = 2, V1 = 1, V2 = 1; P3, C3, V3, E, engagement rate empty;
  dialogue 1/2; no questions: rate and time empty; growth and reach empty.
Dal (followers 500 at the start only, no population): d1 2013-03-20 (outside): posts 0, per week 0, every index
  empty. Without a window: days 4 to 20 March (17 days), Dal 1 post, 7/17 per week.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fokus.analysis.page_metrics import Window, invites, page_metrics
from fokus.cli import main
from fokus.model import Case, Page, PageComment, PagePost
from fokus.store import Project

WINDOW = Window(date(2013, 3, 4), date(2013, 3, 17))


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2013, 3, day, hour, minute, tzinfo=UTC)


def add_fixture(project: Project) -> None:
    with project.begin() as s:
        alfa, bo = Case(name="Alfa"), Case(name="Bø")
        s.add_all([alfa, bo])
        s.flush()
        pages = {
            "alfa": Page(
                external_id="alfa",
                name="Alfa",
                case_id=alfa.id,
                followers_start=1000,
                followers_end=1200,
                population=6000,
            ),
            "bo": Page(external_id="bo", name="Bø", case_id=bo.id, population=3000),
            "dal": Page(external_id="dal", name="Dal", followers_start=500),
        }
        s.add_all(pages.values())
        s.flush()
        posts = [
            ("a1", "alfa", utc(3, 23, 30), "Hva mener du om den nye parken?", 10, 12, 4, 2),
            ("a2", "alfa", utc(5, 10), "Vegen er stengt i dag.", None, 6, 0, 0),
            ("a3", "alfa", utc(6, 10), "Tips oss om hull i vegen", 0, 0, None, None),
            ("a4", "alfa", utc(17, 23, 30), "Kva meiner de om planen?", 3, 3, 1, 0),
            ("b1", "bo", utc(10, 12), "Sei di meining om den nye skulen.", 5, 7, 2, 1),
            ("b2", "bo", utc(11, 12), "Biblioteket er ope i morgon.", None, None, None, None),
            ("d1", "dal", utc(20, 12), "Ny brann i sentrum", 1, 1, 1, 1),
        ]
        stored = {}
        for ext, page, at, text, likes, reactions, comments, shares in posts:
            stored[ext] = PagePost(
                external_id=ext,
                page_id=pages[page].id,
                created_at=at,
                text=text,
                likes=likes,
                reactions=reactions,
                comments=comments,
                shares=shares,
            )
        s.add_all(stored.values())
        s.flush()

        def comment(ext: str, post: str, at: datetime, text: str, **more: Any) -> PageComment:
            row = PageComment(external_id=ext, post_id=stored[post].id, created_at=at, text=text, **more)
            s.add(row)
            s.flush()
            return row

        q1 = comment("q1", "a1", utc(4, 8), "Når åpner den?", author_key="k1")
        comment("r1", "a1", utc(4, 10), "Til sommeren!", by_page=True, parent_id=q1.id)
        comment("f1", "a1", utc(4, 9, 30), "Flott!", author_key="k2")
        comment("q2", "a1", utc(4, 11), "Kan hunder være der?", author_key="k3")
        comment("p1", "a1", utc(4, 12), "Ja, i band.", by_page=True)
        comment("q3", "a2", utc(5, 12), "Hvor lenge?", author_key="k1")
        q4 = comment("q4", "a4", utc(18, 8), "Hvorfor?", author_key="k1")
        comment("r4", "a4", utc(18, 9), "Fordi.", by_page=True, parent_id=q4.id)


def rows_by_page(project: Project, window: Window = WINDOW) -> dict[str, dict[str, Any]]:
    with project.read() as s:
        report = page_metrics(s, window)
    return {row["page"]: row for row in report.rows()}


def test_metrics_by_hand(project: Project) -> None:
    add_fixture(project)
    rows = rows_by_page(project)
    assert list(rows) == ["alfa", "bo", "dal"]  # Norwegian order: Alfa, Bø, Dal
    alfa = rows["alfa"]
    expected = {
        "posts": 3,
        "posts_per_week": 1.5,
        "followers": 1200,
        "P1": 2 / 3,
        "P2": 16 / 3,
        "P3": 40 / 9,
        "C1": 0.5,
        "C2": 2.0,
        "C3": 5 / 3,
        "V1": 0.5,
        "V2": 1.0,
        "V3": 5 / 6,
        "E": 125 / 18,
        "engagement_rate": 25 / 36,
        "dialogue_share": 2 / 3,
        "questions": 3,
        "answered": 2,
        "response_rate": 2 / 3,
        "response_hours": 1.5,
        "follower_growth": 0.2,
        "reach_per_capita": 0.2,
    }
    for key, value in expected.items():
        assert alfa[key] == pytest.approx(value), key
    assert alfa["case"] == "Alfa"


def test_a_page_without_followers_and_a_post_without_counts(project: Project) -> None:
    add_fixture(project)
    bo = rows_by_page(project)["bo"]
    assert (bo["posts"], bo["posts_per_week"]) == (2, 1.0)
    assert (bo["P1"], bo["P2"], bo["C1"], bo["C2"], bo["V1"], bo["V2"]) == (1.0, 5.0, 1.0, 2.0, 1.0, 1.0)
    empty = ("followers", "P3", "C3", "V3", "E", "engagement_rate", "response_rate", "response_hours")
    assert all(bo[key] is None for key in (*empty, "follower_growth", "reach_per_capita"))
    assert bo["dialogue_share"] == 0.5  # Nynorsk: "Sei di meining"
    assert bo["questions"] == 0


def test_a_window_that_excludes_every_post_of_a_page(project: Project) -> None:
    add_fixture(project)
    dal = rows_by_page(project)["dal"]
    assert (dal["posts"], dal["posts_per_week"], dal["followers"]) == (0, 0.0, 500)
    assert all(dal[key] is None for key in ("P1", "P2", "P3", "E", "dialogue_share", "response_rate"))
    # a window of one day with nothing in it: every page has 0 posts, nothing crashes
    rows = rows_by_page(project, Window(date(2013, 3, 1), date(2013, 3, 1)))
    assert [row["posts"] for row in rows.values()] == [0, 0, 0]


def test_without_a_window_the_pages_share_the_data_s_days(project: Project) -> None:
    add_fixture(project)
    with project.read() as s:
        report = page_metrics(s)
    assert report.days == (date(2013, 3, 4), date(2013, 3, 20))  # a1 is 4 March in Oslo, d1 20 March
    rows = {row["page"]: row for row in report.rows()}
    assert rows["dal"]["posts_per_week"] == pytest.approx(7 / 17)
    assert rows["alfa"]["posts"] == 4
    assert rows["alfa"]["questions"] == 4
    assert rows["alfa"]["answered"] == 3
    assert rows["alfa"]["response_hours"] == 1.0  # median of 2, 1, 1


def test_notes_name_what_is_missing(project: Project) -> None:
    add_fixture(project)
    with project.read() as s:
        notes = [str(note) for note in page_metrics(s, WINDOW).notes]
    assert notes == [
        "Alfa: 1 of 3 posts have no count of comments; C1-C3 leave them out.",
        "Alfa: 1 of 3 posts have no count of shares; V1-V3 leave them out.",
        "Bø: no follower count, so P3, C3, V3, E and the engagement rate are empty.",
        "Bø: 1 of 2 posts have no count of likes or reactions; P1-P3 leave them out.",
        "Bø: 1 of 2 posts have no count of comments; C1-C3 leave them out.",
        "Bø: 1 of 2 posts have no count of shares; V1-V3 leave them out.",
        "Bø: no followers at the window's end, so its growth and reach per capita are empty.",
        "Dal: no posts in the window, so its indices are empty.",
        "Dal: no followers at the window's end, so its growth and reach per capita are empty.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Hva mener du om den nye parken",  # Bokmål, no question mark
        "Si din mening om budsjettet!",
        "Send oss bilder fra 17. mai",
        "Tips oss om hull i veien",
        "Del gjerne med naboen",
        "Kommenter under",
        "Fortell oss hva du savner",
        "Vi vil høre fra deg.",
        "Er du klar for vinteren?",
        "Kva meiner du om skulen",  # Nynorsk
        "Sei di meining om budsjettet",
        "Fortel oss kva du saknar",
        "Vi vil gjerne høyre frå deg",
        "Gje oss innspel, skriv gjerne i kommentarfeltet",
    ],
)
def test_posts_that_ask_or_invite(text: str) -> None:
    assert invites(text)


@pytest.mark.parametrize(
    "text",
    ["Biblioteket er ope i morgon.", "Vegen er stengt i dag.", "Han mener det er sent.", "Kommentaren kom sent."],
)
def test_posts_that_only_inform(text: str) -> None:
    assert not invites(text)


def test_cli_metrics_csv_json_and_markdown(project: Project, db: str, tmp_path: Path) -> None:
    add_fixture(project)
    runner = CliRunner()
    window = ["--from", "2013-03-04", "--to", "2013-03-17"]
    result = runner.invoke(main, ["--db", db, "pages", "metrics", *window, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["page"] for row in rows] == ["alfa", "bo", "dal"]
    assert rows[1]["P3"] == ""
    assert rows[0]["posts_per_week"] == "1.5"
    result = runner.invoke(main, ["--db", db, "pages", "metrics", *window, "--format", "json"])
    data = json.loads(result.stdout)
    assert data["window"] == {"from": "2013-03-04", "to": "2013-03-17"}
    result = runner.invoke(main, ["--db", db, "pages", "metrics", *window, "--format", "md", "--plot", "e.png"])
    assert result.exit_code == 0, result.output
    assert "Posts from March 4, 2013 to March 17, 2013 (2 weeks), days in Norwegian time." in result.stdout
    assert (tmp_path / "e.png").read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(main, ["--db", db, "pages", "metrics", "--from", "2013-03-17", "--to", "2013-03-04"])
    assert result.exit_code == 1
    assert result.stderr == (
        "fokus: error: the window ends (2013-03-04) before it starts (2013-03-17)"
        " (the window runs from --from to --to)\n"
    )
    result = runner.invoke(main, ["--db", db, "pages", "metrics", "--from", "0001-01-01"])
    assert result.exit_code == 1
    assert result.stderr == (
        "fokus: error: a window's days lie from 1970 to 2099, not 0001-01-01 (give days as YYYY-MM-DD)\n"
    )
