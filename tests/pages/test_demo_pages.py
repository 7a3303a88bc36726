"""The demo's page data: the same bytes from the same seed, feeds the Graph importer reads as they say, texts that
are what they claim (inviting or not, asking or not), no commenter's name stored, and the scoring of the whole demo
finding the focus group's ten best as the top 10 and the focus group within the top 40."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from fokus.analysis.page_metrics import invites
from fokus.api.cases import import_cases
from fokus.api.demo_pages import (
    FIRST_DAY,
    HARVEST,
    LAST_DAY,
    SEED,
    STANDOUTS,
    Generated,
    PageRow,
    build_demo_pages,
    generate,
    load_texts,
    pages_file,
    read_pages,
)
from fokus.api.pages import import_page_data
from fokus.files.cases import read_case_table
from fokus.importers.pages import graph_feed
from fokus.importers.pages.detect import read_feeds
from fokus.importers.pages.listing import read_listing
from fokus.model import Attribute, Case, CaseValue, PageComment, PagePost
from fokus.resources import bundled
from fokus.store import Project, open_project

OSLO = ZoneInfo("Europe/Oslo")
SLOTS = {"kommune": "Voss", "sted": "sentrum", "dag": "onsdag", "dato": "12. mars", "klokke": "18.00"}


def cases() -> list[dict[str, str]]:
    with (bundled("corpus") / "cases.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def small(folder: Path, seed: int = SEED) -> Generated:
    """The feeds of :func:`a_few` pages at about 600 posts and 5,000 comments in all."""
    return generate(folder, seed=seed, rows=a_few(), posts=600, comments=5_000)


def a_few() -> list[PageRow]:
    """Three of the focus group (a city, a Nynorsk town, a village) and two others: enough to see every kind."""
    rows = read_pages()
    chosen = [r for r in rows if r.municipality in ("Bodø", "Voss", "Hemsedal")]
    return chosen + [r for r in rows if r.municipality not in STANDOUTS][:2]


def test_the_pages_file_is_read_as_any_pages_file_and_agrees_with_the_cases() -> None:
    listing = read_listing(pages_file())
    assert len(listing) == 275
    assert len({row.page for row in listing}) == 275
    assert all(row.page.isdigit() and len(row.page) == 15 for row in listing)
    assert all(0 < (row.followers_start or 0) < (row.followers_end or 0) < (row.population or 0) for row in listing)
    by_name = {row.municipality: row for row in listing}
    table = cases()
    assert list(STANDOUTS) == [case["kommune"] for case in table]
    assert list(STANDOUTS[:10]) == [case["kommune"] for case in table if case["topp10"] == "ja"]
    for case in table:
        assert by_name[case["kommune"]].population == int(case["innbyggertall"])
    demo = {row.municipality: row for row in read_pages()}
    assert {name: (row.page, row.followers_end) for name, row in by_name.items()} == {
        name: (row.page_id, row.followers_end) for name, row in demo.items()
    }


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_ones(tmp_path: Path) -> None:
    rows = a_few()
    first = small(tmp_path / "a")
    second = small(tmp_path / "b")
    other = small(tmp_path / "c", seed=7)
    assert [p.name for p in first.files] == [p.name for p in second.files] == [f"{r.page_id}.json" for r in rows]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first.files, second.files, strict=True))
    assert (first.posts, first.comments) == (second.posts, second.comments)
    assert all(a.read_bytes() != c.read_bytes() for a, c in zip(first.files, other.files, strict=True))


def test_texts_invite_ask_or_not_as_their_place_says() -> None:
    texts = load_texts()
    for topic in texts["topics"]:
        for language in ("nb", "nn"):
            for text in topic["posts"][language]:
                assert not invites(text.format(**SLOTS)), text
            for text in topic["invites"][language]:
                assert invites(text.format(**SLOTS)), text
        assert all("?" in text for text in topic["questions"])
        assert not any("?" in text for text in topic["comments"])
    assert not any("?" in text for text in texts["comments"])
    assert not any("?" in text for language in ("nb", "nn") for text in texts["replies"][language])


def test_the_feeds_read_as_graph_feeds_hold_what_they_say(tmp_path: Path) -> None:
    made = small(tmp_path)
    posts = comments = from_page = answered_in_reply = 0
    for path in made.files:
        raw = path.read_bytes()
        doc = json.loads(raw)
        feed = graph_feed.parse(raw, path.name, OSLO)
        assert [p.external_id for p in feed.pages] == [doc["id"]]
        assert len(feed.posts) == len(doc["posts"]["data"])
        assert sum(p.comments or 0 for p in feed.posts) == len(feed.comments)
        assert not feed.skipped
        when = {p.external_id: p.created_at for p in feed.posts}
        when |= {c.external_id: c.created_at for c in feed.comments}
        for post in feed.posts:
            assert FIRST_DAY <= post.created_at.astimezone(OSLO).date() <= LAST_DAY
            assert post.reactions is not None
            assert post.shares is not None
        for comment in feed.comments:
            assert when[comment.post_id] < comment.created_at < HARVEST
            if comment.parent_id is not None:
                assert when[comment.parent_id] < comment.created_at
                answered_in_reply += comment.by_page
        posts += len(feed.posts)
        comments += len(feed.comments)
        from_page += sum(c.by_page for c in feed.comments)
    assert (posts, comments) == (made.posts, made.comments)
    assert 0 < answered_in_reply < from_page < comments


def test_the_demo_pages_import_without_a_commenter_s_name(project: Project, tmp_path: Path) -> None:
    made = small(tmp_path / "feeds")
    names = set()
    for path in made.files:
        for post in json.loads(path.read_bytes())["posts"]["data"]:
            for comment in post["comments"]["data"]:
                names.add(comment["from"]["name"])
    with project.begin() as session:
        report = import_page_data(session, read_feeds([tmp_path / "feeds"]), read_listing(pages_file()))
    assert (report.posts.added, report.comments.added) == (made.posts, made.comments)
    assert report.listed.added + report.listed.updated == 275
    with project.read() as session:
        stored = set(session.scalars(select(PageComment.author_key)))
        stored |= set(session.scalars(select(PageComment.text))) | set(session.scalars(select(PagePost.text)))
        stored |= set(session.scalars(select(Case.name)))
    public = names - {row.name for row in a_few()}
    assert public
    assert not public & stored
    assert not any(name in text for name in public for text in stored if text)


@pytest.mark.slow
def test_the_demo_s_phase_1_finds_the_ten_best_and_the_focus_group(tmp_path: Path) -> None:
    """The pages generated, imported and scored over the cases of corpus/cases.csv, whose hand-set score, rank and
    topp10 the scoring replaces; run again, it does nothing."""
    project = open_project(str(tmp_path / "p.db"), create=True)
    try:
        with project.begin() as session:
            table = bundled("corpus") / "cases.csv"
            import_cases(session, read_case_table(table), str(table))
            built = build_demo_pages(session)
        with project.begin() as session:
            again = build_demo_pages(session)
        with project.read() as session:
            values = session.execute(
                select(Case.name, Attribute.name, CaseValue.value_bool, CaseValue.value_int)
                .join(CaseValue, CaseValue.case_id == Case.id)
                .join(Attribute, Attribute.id == CaseValue.attribute_id)
                .where(Attribute.name.in_(["topp10", "rank"]))
            ).all()
    finally:
        project.close()
    assert built.generated is not None
    assert 31_000 <= built.generated.posts <= 35_000
    assert 280_000 <= built.generated.comments <= 320_000
    assert built.scored is not None
    assert (again.generated, again.imported, again.scored) == (None, None, None)
    top = sorted(case for case, attribute, flag, _rank in values if attribute == "topp10" and flag)
    assert top == sorted(STANDOUTS[:10])
    rank = {case: place for case, attribute, _flag, place in values if attribute == "rank"}
    assert len(rank) == 275
    assert max(rank[name] for name in STANDOUTS) <= 40
