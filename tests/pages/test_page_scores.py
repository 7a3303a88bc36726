"""Scores, ranks, the top N and their sensitivity, by hand on four pages; written to the cases on both backends.

Four pages with two metrics, x (higher is better) and y (lower is better), equal weights:
  page  x    y
  A     1    4
  B     2    3
  C     3    1
  D     100  5
z: x has mean 26.5 and population sd 42.4411 -> A -0.60084, B -0.57727, C -0.55371, D 1.73182; y has mean 3.25
and sd 1.47902 -> 0.50709, -0.16903, -1.52128, 1.18322, turned round (lower is better). Scores (the mean of the
two): A -0.55396, B -0.20412, C 0.48379, D 0.27430: ranks C, D, B, A.
rank: x centred ranks A -1, B -1/3, C 1/3, D 1; y ranks C 1, B 2, A 3, D 4 -> centred -1, -1/3, 1/3, 1, turned
round: A -1/3, B 1/3, C 1, D -1. Scores: A -2/3, B 0, C 2/3, D 0: B and D tie, and the tie goes by name (B before
D): ranks C, B, D, A. One page with D's outlier x shows why the normalisations differ.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fokus.analysis.page_metrics import PageMetricsReport, Window
from fokus.analysis.page_scores import score_pages
from fokus.api.page_scores import score_into_cases
from fokus.cli import main
from fokus.errors import FokusError
from fokus.files.criteria import CriteriaFile, load_criteria
from fokus.model import Attribute, Case, CaseValue, Page, PagePost, ScoreRun
from fokus.store import Project

CRITERIA = "normalisation: {how}\nmin_posts: {min}\ncriteria:\n  - {{metric: {x}, weight: 1}}\n" + (
    "  - {{metric: {y}, weight: 1, direction: lower}}\n"
)


def criteria(
    tmp_path: Path, how: str = "z", x: str = "P2", y: str = "posts_per_week", minimum: int = 1
) -> CriteriaFile:
    path = tmp_path / f"kriterier-{how}-{minimum}.yaml"
    path.write_text(CRITERIA.format(how=how, min=minimum, x=x, y=y), encoding="utf-8")
    return load_criteria(path)


def metrics(*pages: tuple[str, float | None, float | None, int]) -> PageMetricsReport:
    """A metrics report by hand: (name, x as P2, y as posts_per_week, posts), in the order given (by name)."""
    rows = [
        {"page": name.lower(), "name": name, "case": name, "posts": posts, "P2": x, "posts_per_week": y}
        for name, x, y, posts in pages
    ]
    return PageMetricsReport(window=Window(), days=(date(2013, 3, 4), date(2013, 3, 17)), pages=rows)


FOUR = metrics(("A", 1, 4, 5), ("B", 2, 3, 5), ("C", 3, 1, 5), ("D", 100, 5, 5))


def by_name(rows: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return {row["name"]: row[key] for row in rows}


def test_z_scores_and_ranks_by_hand(tmp_path: Path) -> None:
    report = score_pages(FOUR, criteria(tmp_path, "z"), tops=(1, 2), samples=0)
    scores = by_name(report.pages, "score")
    assert scores == pytest.approx({"A": -0.55396, "B": -0.20412, "C": 0.48379, "D": 0.27430}, abs=1e-4)
    assert [row["name"] for row in report.pages] == ["C", "D", "B", "A"]
    assert by_name(report.pages, "rank") == {"C": 1, "D": 2, "B": 3, "A": 4}
    assert by_name(report.pages, "topp2") == {"C": True, "D": True, "B": False, "A": False}
    assert by_name(report.pages, "topp1") == {"C": True, "D": False, "B": False, "A": False}


def test_rank_normalisation_and_a_tie_by_name(tmp_path: Path) -> None:
    report = score_pages(FOUR, criteria(tmp_path, "rank"), tops=(2,), samples=0)
    assert by_name(report.pages, "score") == pytest.approx({"A": -2 / 3, "B": 0, "C": 2 / 3, "D": 0})
    assert by_name(report.pages, "rank") == {"C": 1, "B": 2, "D": 3, "A": 4}
    # the same tie with B renamed Ø, last in the Norwegian alphabet: D now goes first
    renamed = metrics(("A", 1, 4, 5), ("C", 3, 1, 5), ("D", 100, 5, 5), ("Ø", 2, 3, 5))
    report = score_pages(renamed, criteria(tmp_path, "rank"), tops=(2,), samples=0)
    assert by_name(report.pages, "rank") == {"C": 1, "D": 2, "Ø": 3, "A": 4}


def test_a_missing_value_counts_as_the_average_and_few_posts_are_not_ranked(tmp_path: Path) -> None:
    # x 1, 2, 3, 6 (z: -1.06904, -0.53452, 0, 1.60357); y 4, 3, 2 and D none (z turned round: -1.22474, 0, 1.22474,
    # D 0); weights 1 and 1: A -1.14689, B -0.26726, C 0.61237, D 0.80178. E has 2 posts, under min_posts 3.
    pages = metrics(("A", 1, 4, 5), ("B", 2, 3, 5), ("C", 3, 2, 5), ("D", 6, None, 5), ("E", 50, 0, 2))
    report = score_pages(pages, criteria(tmp_path, "z", minimum=3), tops=(2,), samples=0)
    scores = by_name(report.pages, "score")
    assert scores == pytest.approx({"A": -1.14689, "B": -0.26726, "C": 0.61237, "D": 0.80178, "E": None}, abs=1e-4)
    assert by_name(report.pages, "rank") == {"D": 1, "C": 2, "B": 3, "A": 4, "E": None}
    assert by_name(report.pages, "topp2")["E"] is False
    assert [str(note) for note in report.notes] == [
        "1 ranked pages have no posts_per_week: they count as the average page on it.",
        "1 pages have fewer than 3 posts in the window and are not ranked.",
    ]


def test_sensitivity_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    spec = criteria(tmp_path, "z")
    first = score_pages(FOUR, spec, tops=(1, 2), samples=500, seed=7)
    again = score_pages(FOUR, spec, tops=(1, 2), samples=500, seed=7)
    assert first.pages == again.pages
    stays = by_name(first.pages, "stays_top2")
    assert stays["C"] == 1.0  # C is second or better under every weighting: 0.48 - 0.55 w_x ... never below D and B
    assert stays["A"] == 0.0  # A is last on both metrics but y's, never in the top 2
    assert 0 < stays["D"] < 1
    assert 0 < stays["B"] < 1
    assert stays["D"] > stays["B"]
    assert all(0 <= share <= 1 for share in by_name(first.pages, "stays_top1").values())
    sentences = [str(s) for s in first.borderline()]
    assert any(s.startswith("D (rank 2) is in the top 2 in ") and s.endswith(" of 500 weightings.") for s in sentences)


def test_one_criterion_leaves_nothing_to_vary(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("criteria:\n  - {metric: P2, weight: 3}\n", encoding="utf-8")
    report = score_pages(FOUR, load_criteria(path), tops=(2,), samples=50)
    assert by_name(report.pages, "stays_top2") == {"D": 1.0, "C": 1.0, "B": 0.0, "A": 0.0}
    assert "Every page is in or out of each top N in at least 95% of 50 weightings." in report.markdown()


def add_pages(project: Project, researchers_topp10: bool = False) -> None:
    """Four pages with cases; page i posts i + 1 times with 10 * (i + 1) likes each (P2 = 10 (i + 1))."""
    with project.begin() as s:
        for i, name in enumerate(["Alfa", "Bø", "Dal", "Hol"]):
            case = Case(name=name)
            s.add(case)
            s.flush()
            page = Page(external_id=name.lower(), name=name, case_id=case.id, followers_end=1000)
            s.add(page)
            s.flush()
            for j in range(i + 1):
                s.add(
                    PagePost(
                        external_id=f"{name}-{j}",
                        page_id=page.id,
                        created_at=datetime(2013, 3, 5 + j, 12, tzinfo=UTC),
                        text="",
                        likes=10 * (i + 1),
                        comments=0,
                        shares=0,
                    )
                )
        if researchers_topp10:
            attribute = Attribute(name="topp10", type="boolean")
            s.add(attribute)
            s.flush()
            s.add(
                CaseValue(
                    case_id=s.scalar(select(Case.id).where(Case.name == "Alfa")),
                    attribute_id=attribute.id,
                    value_bool=True,
                )
            )


def case_values(project: Project) -> dict[str, dict[str, Any]]:
    with project.read() as s:
        rows = s.execute(
            select(Case.name, Attribute.name, CaseValue.value_float, CaseValue.value_int, CaseValue.value_bool)
            .join(CaseValue, CaseValue.case_id == Case.id)
            .join(Attribute, Attribute.id == CaseValue.attribute_id)
        ).all()
    values: dict[str, dict[str, Any]] = {}
    for case, attribute, *typed in rows:
        values.setdefault(case, {})[attribute] = next(v for v in typed if v is not None)
    return values


def test_scores_written_to_the_cases_with_their_run(project: Project, tmp_path: Path) -> None:
    add_pages(project)
    spec = criteria(tmp_path, "rank", x="P2", y="response_hours")  # response_hours unknown everywhere: 0 for all
    window = Window(date(2013, 3, 1), date(2013, 3, 31))
    with project.begin() as s:
        report = score_into_cases(s, spec, window, tops=(1, 3), samples=100, seed=1)
    values = case_values(project)
    assert {case: (v["rank"], v["topp1"], v["topp3"]) for case, v in values.items()} == {
        "Hol": (1, True, True),
        "Dal": (2, False, True),
        "Bø": (3, False, True),
        "Alfa": (4, False, False),
    }
    assert values["Hol"]["score"] == pytest.approx(0.5)  # centred rank 1, and 0 on response_hours, halved
    with project.read() as s:
        run = s.scalars(select(ScoreRun)).one()
        types = dict(s.execute(select(Attribute.name, Attribute.type)).all())
        assert (run.id, run.criteria_sha256, run.criteria) == (report.run, spec.sha256, spec.text)
        assert (run.window_from, run.window_to) == (date(2013, 3, 1), date(2013, 3, 31))
        assert [(p["page"], p["rank"]) for p in run.results["pages"]] == [
            ("hol", 1),
            ("dal", 2),
            ("bø", 3),
            ("alfa", 4),
        ]
    assert types == {"score": "float", "rank": "integer", "topp1": "boolean", "topp3": "boolean"}
    # the same input gives the same top N, and a run owns its attributes: a second run replaces them, no --replace
    with project.begin() as s:
        again = score_into_cases(s, spec, window, tops=(1, 3), samples=100, seed=1)
    assert [r["page"] for r in again.pages if r["topp3"]] == [r["page"] for r in report.pages if r["topp3"]]
    assert [r["stays_top3"] for r in again.pages] == [r["stays_top3"] for r in report.pages]
    assert case_values(project) == values
    assert again.run == report.run + 1
    # a run with other top Ns removes the attributes of the earlier runs' top Ns, so no stale selection is left
    with project.begin() as s:
        third = score_into_cases(s, spec, window, tops=(2,), samples=0)
    assert {case: tuple(sorted(v)) for case, v in case_values(project).items()} == dict.fromkeys(
        ["Alfa", "Bø", "Dal", "Hol"], ("rank", "score", "topp2")
    )
    assert (
        str(third.notes[-1])
        == "Removed topp1, topp3 from the cases: an earlier score run wrote them, this one does not."
    )
    assert third.title == f"Scores and ranks of the pages (score run {third.run})"


def test_a_researcher_s_own_attribute_is_not_overwritten(project: Project, tmp_path: Path) -> None:
    add_pages(project, researchers_topp10=True)
    spec = criteria(tmp_path)
    with pytest.raises(FokusError) as caught, project.begin() as s:
        score_into_cases(s, spec, tops=(10, 30), samples=0)
    assert str(caught.value) == (
        "the project has its own attribute 'topp10', not written by a score run"
        " (give --replace to overwrite it; nothing was written)"
    )
    assert case_values(project) == {"Alfa": {"topp10": True}}
    with project.read() as s:
        assert s.scalars(select(ScoreRun)).all() == []
    with project.begin() as s:
        score_into_cases(s, spec, tops=(10, 30), samples=0, replace=True)
    assert {case: v["topp10"] for case, v in case_values(project).items()} == dict.fromkeys(
        ["Alfa", "Bø", "Dal", "Hol"], True
    )


def test_an_attribute_of_another_type_is_refused_even_with_replace(project: Project, tmp_path: Path) -> None:
    add_pages(project)
    with project.begin() as s:
        s.add(Attribute(name="rank", type="text"))
    with pytest.raises(FokusError) as caught, project.begin() as s:
        score_into_cases(s, criteria(tmp_path), samples=0, replace=True)
    assert str(caught.value) == (
        "the project has an attribute 'rank' of type text; a score run writes it as integer"
        " (rename the project's attribute first; nothing was written)"
    )


def test_cli_score_dry_run_show_and_bad_input(project: Project, db: str, tmp_path: Path) -> None:
    add_pages(project)
    path = tmp_path / "kriterier.yaml"
    path.write_text("criteria:\n  - {metric: P2, weight: 1}\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["--db", db, "pages", "score", str(path), "--dry-run", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == "rank,page,name,case,posts,score,topp10,topp30,stays_top10,stays_top30,run,criteria_sha256"
    )
    assert result.stderr == "Dry run: nothing was written.\n"
    assert case_values(project) == {}
    result = runner.invoke(main, ["--db", db, "pages", "score", "--show"])
    assert (result.exit_code, result.stderr) == (
        1,
        "fokus: error: no score run yet (run fokus pages score CRITERIA.yaml)\n",
    )
    result = runner.invoke(main, ["--db", db, "pages", "score", str(path), "--top", "2", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "Score run 1: wrote score, rank and topp2 to the pages' cases.\n"
    shown = runner.invoke(main, ["--db", db, "pages", "score", "--show", "--format", "csv"])
    lines = shown.stdout.splitlines()
    assert lines[0] == "rank,page,name,case,posts,score,topp2,stays_top2,run,criteria_sha256"
    assert lines[1].startswith("1,hol,Hol,Hol,4,")
    assert lines[1].endswith(f",1,{load_criteria(path).sha256}")
    bad = tmp_path / "bad.yaml"
    bad.write_text("criteria:\n  - {metric: likes, weight: 1}\n", encoding="utf-8")
    for args, error in [
        ([str(bad)], f"{bad}:line 2: unknown metric 'likes'"),
        ([str(path), "--top", "10,x"], "--top takes whole numbers, as 10,30 (for example --top 10,30)"),
        ([str(path), "--top", "0"], "--top takes whole numbers from 1 to 10000, as 10,30 (for example --top 10,30)"),
        ([str(path), "--samples", "-1"], "--samples takes a whole number from 0 to 100000"),
        ([str(path), "--seed", "-1"], "--seed takes a whole number of at least 0"),
    ]:
        result = runner.invoke(main, ["--db", db, "pages", "score", *args])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"fokus: error: {error}")
    with project.read() as s:
        assert len(s.scalars(select(ScoreRun)).all()) == 1


def test_a_page_without_a_case_is_scored_and_said_to_have_no_case(project: Project, tmp_path: Path) -> None:
    add_pages(project)
    with project.begin() as s:
        s.scalars(select(Page).where(Page.name == "Hol")).one().case_id = None
    with project.begin() as s:
        report = score_into_cases(s, criteria(tmp_path, y="response_hours"), tops=(1,), samples=0)
    assert [(row["name"], row["rank"]) for row in report.pages][:2] == [("Hol", 1), ("Dal", 2)]
    assert "Hol" not in case_values(project)
    assert case_values(project)["Dal"]["topp1"] is False
    assert str(report.notes[-1]) == "No case to write to for Hol: link the page to its municipality."
