"""Behaviour hypotheses (issue 20) on a small hand-made study: eight municipalities, their pages' posts, the public's
questions and the pages' answers, a score, a survey item and a coded focus group. Every figure is computed here by
hand from the plan below, and every test statistic by scipy on the same numbers."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scipy import stats
from sqlalchemy import select

from fokus.analysis.hypotheses import check_hypotheses
from fokus.analysis.page_metrics import invites
from fokus.api.cases import import_cases
from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.messages import import_messages
from fokus.cli.hypotheses import hypotheses_group
from fokus.domain.settings import set_setting
from fokus.errors import FokusError
from fokus.files.cases import read_case_table
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.files.hypotheses import load_hypotheses
from fokus.model import Case, CodingStatus, Page, PageComment, PagePost
from fokus.store import Project, open_project
from tests.analysis.backends import Builds
from tests.conftest import parsed, record

CODEBOOK = "codebook: Test\ncodes:\n  - {id: dialog, name: Dialog}\n  - {id: annet, name: Annet}\n"
# K1-K4 are the ten best (here four); K8 answered no survey item
CASES = """\
kommune,topp10,score,lykkes_dialog
K1,ja,9.0,5
K2,ja,8.5,4
K3,ja,8.0,5
K4,ja,7.0,4
K5,nei,5.0,2
K6,nei,4.0,3
K7,nei,3.0,1
K8,nei,6.0,
"""
QUESTION = "Hvor godt har kommunen nådd målet om dialog med innbyggerne?"
INVITING = "Hva mener dere om den nye parken?"
PLAIN = "Biblioteket holder stengt i påsken."
# Each page: (case, followers, [(post text, likes, comments, shares, question's answer delay in hours, or None for an
# unanswered question, or "-" for no question)]). K7's page has no question; K8 has a main page and a small one.
PAGES: list[tuple[str, str | None, int, list[tuple[str, int, int, int, float | str | None]]]] = [
    ("p1", "K1", 1000,
     [(INVITING, 10, 2, 1, 1.0), (INVITING, 5, 1, 0, 3.0), (INVITING, 1, 0, 0, "-"), (PLAIN, 40, 9, 5, "-")]),
    ("p2", "K2", 2000, [(INVITING, 3, 1, 0, 0.5), (PLAIN, 2, 0, 0, "-")]),
    ("p3", "K3", 1500, [(INVITING, 7, 2, 2, 2.0), (INVITING, 4, 1, 0, 4.0), (PLAIN, 9, 3, 1, 6.0)]),
    ("p4", "K4", 800, [(INVITING, 6, 0, 0, 1.0), (INVITING, 2, 1, 0, None)]),
    ("p5", "K5", 3000,
     [(INVITING, 1, 1, 0, 10.0), (PLAIN, 3, 1, 0, 20.0), (PLAIN, 0, 0, 0, "-"), (PLAIN, 2, 0, 0, "-")]),
    ("p6", "K6", 900, [(PLAIN, 1, 1, 0, 30.0), (PLAIN, 0, 0, 0, "-")]),
    ("p7", "K7", 700, [(INVITING, 2, 0, 0, "-"), (PLAIN, 1, 0, 0, "-"), (PLAIN, 0, 0, 0, "-")]),
    ("p8", "K8", 5000, [(INVITING, 8, 1, 1, 8.0), (PLAIN, 2, 0, 0, "-")]),
    ("p8b", "K8", 100, [(INVITING, 1, 1, 0, 0.1)]),  # K8's second page: fewer followers, so not the one measured
    ("fylke", None, 9000, [(INVITING, 1, 1, 1, 0.2)]),  # a page of no municipality: left out
]  # fmt: skip
TOP, REST = ["K1", "K2", "K3", "K4"], ["K5", "K6", "K7", "K8"]
START = datetime(2013, 3, 4, 9, tzinfo=UTC)


def main_posts(case: str) -> list[tuple[str, int, int, int, float | str | None]]:
    return next(posts for _page, c, _followers, posts in PAGES if c == case)  # the first is the main page


def response_hours(case: str) -> float | None:
    delays = [d for *_counts, d in main_posts(case) if isinstance(d, float)]
    return statistics.median(delays) if delays else None


def dialogue_share(case: str) -> float:
    posts = main_posts(case)
    return sum(text == INVITING for text, *_rest in posts) / len(posts)


SCORE = {"K1": 9.0, "K2": 8.5, "K3": 8.0, "K4": 7.0, "K5": 5.0, "K6": 4.0, "K7": 3.0, "K8": 6.0}
LIKERT = {"K1": 5, "K2": 4, "K3": 5, "K4": 4, "K5": 2, "K6": 3, "K7": 1}
DIALOG_CODED = {"K1": 2, "K2": 2, "K3": 1, "K4": 2, "K5": 0, "K6": 1, "K7": 0, "K8": 0}  # of each case's 2 messages

HYPOTHESES = """\
alpha: 0.05
hypotheses:
  - id: C1
    statement: De ti beste snakker mer om dialog.
    test: group-difference
    code: dialog
    attribute: topp10
    unit: case
    direction: positive
  - id: B1
    statement: {nb: De ti beste svarer raskere., en: The ten best answer faster.}
    test: group-difference
    metric: response_hours
    window: {from: 2013-03-01, to: 2013-03-31}
    attribute: topp10
    direction: negative
  - id: B2
    statement: De ti beste inviterer oftere til dialog.
    test: group-difference
    metric: dialogue_share
    attribute: topp10
    direction: positive
  - id: B3
    statement: Andelen dialoginnlegg stiger med poengsummen.
    test: correlation
    x: {metric: dialogue_share}
    y: {value: score}
    direction: positive
  - id: B4
    statement: De ti beste sier oftere at de lykkes med dialog.
    test: group-difference
    value: lykkes_dialog
    attribute: topp10
    direction: positive
  - id: B5
    statement: De som snakker om dialog, inviterer til dialog.
    test: correlation
    x: {code: dialog, measure_unit: message}
    y: {metric: dialogue_share}
  - id: B6
    statement: De ti beste engasjerer mer.
    test: group-difference
    metric: E
    attribute: topp10
    direction: positive
"""


def build(target: str, folder: Path) -> Project:
    (folder / "kodebok.yaml").write_text(CODEBOOK, encoding="utf-8")
    (folder / "cases.csv").write_text(CASES, encoding="utf-8")
    (folder / "hypoteser.yaml").write_text(HYPOTHESES, encoding="utf-8")
    project = open_project(target, create=True)
    records, rows = [], []
    for n, case in enumerate(SCORE):
        for i in range(2):
            mid = f"m{n}-{i}"
            when = START + timedelta(days=n, hours=i)
            records.append(record(mid, f"Person {case}", f"Vi svarer alle {i}.", when=when, case=case))
            code = "dialog" if i < DIALOG_CODED[case] else "annet"
            rows.append(CodingRow(mid, code, 0, 9, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, "t"))
    with project.begin() as session:
        load_codebook(session, read_codebook(folder / "kodebok.yaml"))
        import_messages(session, [parsed(*records)])
        import_cases(session, read_case_table(folder / "cases.csv"), "cases.csv")
        import_codings(session, rows, display="plan")
        set_setting(session, "survey.items", json.dumps({"lykkes_dialog": {"question": QUESTION, "kind": "closed"}}))
        cases = dict(session.execute(select(Case.name, Case.id)).all())
        for page_id, case, followers, posts in PAGES:
            page = Page(external_id=page_id, name=f"Side {page_id}", case_id=cases.get(case) if case else None)
            page.followers_start, page.followers_end = followers, followers
            session.add(page)
            session.flush()
            for n, (text, likes, comments, shares, delay) in enumerate(posts):
                at = START + timedelta(days=n)
                post = PagePost(
                    external_id=f"{page_id}_{n}", page_id=page.id, created_at=at, text=text, likes=likes,
                    comments=comments, shares=shares,
                )  # fmt: skip
                session.add(post)
                session.flush()
                if delay == "-":
                    continue
                asked = at + timedelta(hours=1)
                question = PageComment(
                    external_id=f"{page_id}_{n}_q", post_id=post.id, created_at=asked, text="Når åpner bassenget?",
                    author_key="x" * 64,
                )  # fmt: skip
                session.add(question)
                session.flush()
                if isinstance(delay, float):
                    session.add(
                        PageComment(
                            external_id=f"{page_id}_{n}_a", post_id=post.id, parent_id=question.id, by_page=True,
                            created_at=asked + timedelta(hours=delay), text=f"Svar fra {page_id}: 1. mai.",
                        )
                    )  # fmt: skip
    return project


@pytest.fixture(scope="module")
def builds() -> Iterator[Builds]:
    made = Builds("behaviour", build)
    yield made
    made.close()


@pytest.fixture(scope="module")
def built(builds: Builds, backend: str, request: pytest.FixtureRequest) -> tuple[Project, Path]:
    return builds.get(backend, request), builds.folders[backend]


@pytest.fixture(scope="module")
def report(built: tuple[Project, Path]) -> Any:
    project, folder = built
    with project.read() as session:
        return check_hypotheses(session, load_hypotheses(folder / "hypoteser.yaml"))


def result(report: Any, hid: str) -> dict[str, Any]:
    return next(r for r in report.as_json() if r["id"] == hid)


def column(r: dict[str, Any], key: str) -> dict[str, Any]:
    return {row["case"]: row[key] for row in r["counts"]}


def test_response_time_by_topp10_is_mann_whitney_on_hand_computed_medians(report: Any) -> None:
    r = result(report, "B1")
    expected = {case: response_hours(case) for case in SCORE if response_hours(case) is not None}
    assert expected == {"K1": 2.0, "K2": 0.5, "K3": 4.0, "K4": 1.0, "K5": 15.0, "K6": 30.0, "K8": 8.0}
    assert column(r, "response_hours") == pytest.approx(expected)  # K8 by its main page (8 hours, not 0.1)
    assert r["excluded"] == {"cases_without_value": 0, "cases_without_response_hours": 1}  # K7: no question
    focal, rest = [expected[c] for c in TOP], [expected[c] for c in ("K5", "K6", "K8")]
    scipy = stats.mannwhitneyu(focal, rest, alternative="less")
    assert (r["method"], r["n"], r["alternative"]) == ("Mann-Whitney U test", 7, "less")
    assert r["statistic"] == pytest.approx(scipy.statistic) == 0
    assert r["p_value"] == pytest.approx(scipy.pvalue)
    assert r["effect"]["name"] == "rank-biserial r"
    assert r["effect"]["estimate"] == pytest.approx(2 * scipy.statistic / (4 * 3) - 1)
    assert -1 <= r["effect"]["ci_low"] <= r["effect"]["estimate"] <= r["effect"]["ci_high"] <= 1
    assert r["table"]["medians"] == pytest.approx([statistics.median(focal), statistics.median(rest)])
    assert r["verdict"] == "supported"
    assert r["window"] == {"from": "2013-03-01", "to": "2013-03-31"}
    assert r["variables"] == [{"kind": "metric", "name": "response_hours"}]


def test_dialogue_share_and_a_survey_item_by_topp10(report: Any) -> None:
    r = result(report, "B2")
    shares = {case: dialogue_share(case) for case in SCORE}
    assert column(r, "dialogue_share") == pytest.approx(shares)
    scipy = stats.mannwhitneyu([shares[c] for c in TOP], [shares[c] for c in REST], alternative="greater")
    assert (r["statistic"], r["p_value"]) == (pytest.approx(scipy.statistic), pytest.approx(scipy.pvalue))
    likert = result(report, "B4")
    assert column(likert, "lykkes_dialog") == {c: float(v) for c, v in LIKERT.items()}
    assert likert["excluded"]["cases_without_lykkes_dialog"] == 1  # K8 did not answer
    scipy = stats.mannwhitneyu([LIKERT[c] for c in TOP], [LIKERT[c] for c in ("K5", "K6", "K7")], alternative="greater")
    assert (likert["statistic"], likert["p_value"]) == (pytest.approx(scipy.statistic), pytest.approx(scipy.pvalue))
    assert likert["evidence"]["unit"] == "value"
    assert likert["evidence"]["what"] == f"each case's answer to the survey's {QUESTION!r} in topp10 = ja"
    assert [(p["case"], p["value"]) for p in likert["evidence"]["passages"]] == [(c, LIKERT[c]) for c in TOP]


def test_a_correlation_is_spearman_with_a_fisher_z_interval(report: Any) -> None:
    r = result(report, "B3")
    shares = [dialogue_share(c) for c in SCORE]
    scipy = stats.spearmanr(shares, list(SCORE.values()), alternative="greater")
    assert (r["test"], r["method"], r["n"], r["statistic_name"]) == (
        "correlation",
        "Spearman's rank correlation",
        8,
        "rho",
    )
    assert r["statistic"] == pytest.approx(scipy.statistic)
    assert r["p_value"] == pytest.approx(scipy.pvalue)
    import math

    half = 1.959963984540054 / math.sqrt(8 - 3)
    z = math.atanh(scipy.statistic)
    assert (r["effect"]["ci_low"], r["effect"]["ci_high"]) == (
        pytest.approx(math.tanh(z - half)),
        pytest.approx(math.tanh(z + half)),
    )
    # the cases run from the highest dialogue share down
    assert [row["case"] for row in r["counts"]][:2] == ["K4", "K1"]
    code = result(report, "B5")  # a code's share against a metric, two-sided
    dialog = [DIALOG_CODED[c] / 2 for c in SCORE]
    scipy = stats.spearmanr(dialog, shares)
    assert code["alternative"] == "two-sided"
    assert code["statistic"] == pytest.approx(scipy.statistic)
    assert code["p_value"] == pytest.approx(scipy.pvalue)


def test_codings_and_behaviour_are_adjusted_together(report: Any) -> None:
    results = report.as_json()
    assert [r["id"] for r in results] == ["C1", "B1", "B2", "B3", "B4", "B5", "B6"]
    assert all(r["p_value"] is not None for r in results)
    coded = result(report, "C1")
    top = [DIALOG_CODED[c] / 2 for c in TOP]
    rest = [DIALOG_CODED[c] / 2 for c in REST]
    assert coded["p_value"] == pytest.approx(stats.mannwhitneyu(top, rest, alternative="greater").pvalue)
    adjusted = stats.false_discovery_control([r["p_value"] for r in results], method="bh")
    assert [r["p_adjusted"] for r in results] == pytest.approx(list(adjusted))


def test_the_evidence_is_the_questions_and_answers_behind_the_figure(report: Any) -> None:
    r = result(report, "B1")
    evidence = r["evidence"]
    assert evidence["unit"] == "question"
    asked = {c: sum(d != "-" for *_rest, d in main_posts(c)) for c in TOP}
    assert evidence["total"] == sum(asked.values()) == 8
    items = evidence["passages"]
    assert [item["case"] for item in items] == [c for c in TOP for _ in range(min(asked[c], 3))]
    k1 = [item for item in items if item["case"] == "K1"]
    assert [item["hours"] for item in k1] == pytest.approx([1.0, 3.0])
    assert all(item["answer"] == "Svar fra p1: 1. mai." and item["text"] == "Når åpner bassenget?" for item in k1)
    unanswered = [item for item in items if item["case"] == "K4" and item["answer"] is None]
    assert len(unanswered) == 1
    assert unanswered[0]["hours"] is None
    assert "author_key" not in json.dumps(report.as_json())  # no commenter, not even their key, leaves the project
    assert "x" * 64 not in json.dumps(report.as_json())


def test_the_evidence_of_dialogue_and_engagement_is_the_posts(report: Any) -> None:
    dialogue = result(report, "B2")["evidence"]
    assert dialogue["unit"] == "post"
    inviting = {c: sum(t == INVITING for t, *_rest in main_posts(c)) for c in TOP}
    assert dialogue["total"] == sum(inviting.values())
    assert all(invites(p["text"]) for p in dialogue["passages"])
    engaged = result(report, "B6")["evidence"]["passages"]
    k1 = [p for p in engaged if p["case"] == "K1"]
    assert [p["post"] for p in k1] == ["p1_3", "p1_0", "p1_1"]  # most likes, comments and shares first
    assert k1[0]["engagement"] == 40 + 9 + 5


def test_the_markdown_quotes_the_posts_and_answers(report: Any) -> None:
    markdown = report.markdown()
    assert "## B1: The ten best answer faster." in markdown
    assert "response time (hours) by topp10, per case" in markdown
    assert (
        "Evidence: 8 questions (the public's questions to the pages of topp10 = ja, with the pages' answers)"
        in markdown
    )
    assert "> — a member of the public, under a post by Side p1 (K1)" in markdown
    assert "> The page answered after 1.00 hours: Svar fra p1: 1. mai." in markdown
    assert "Test: group-difference, response time (hours) by topp10, per case; direction: negative." in markdown
    assert "> — Side p1 (K1), March 4, 2013: likes: 10, comments: 2, shares: 1" in markdown
    assert "score against dialogue share, per case" in markdown
    assert "Left out: 1 cases without response_hours." in markdown


def test_csv_and_json_keys_stay_stable(built: tuple[Project, Path], report: Any) -> None:
    project, folder = built
    arguments = ["check", str(folder / "hypoteser.yaml"), "--format", "csv"]
    outcome = CliRunner().invoke(hypotheses_group, arguments, obj={"db": project.display, "debug": False})
    rows = list(csv.DictReader(io.StringIO(outcome.output)))
    assert list(rows[0]) == report.columns() == [
        "id", "test", "method", "unit", "n", "statistic", "p_value", "p_adjusted", "effect", "estimate", "ci_low",
        "ci_high", "verdict", "minimum", "evidence", "statement",
    ]  # fmt: skip
    assert [(row["id"], row["test"], row["unit"], row["evidence"]) for row in rows[1:4]] == [
        ("B1", "group-difference", "case", "8"),
        ("B2", "group-difference", "case", "8"),
        ("B3", "correlation", "case", str(sum(t == INVITING for c in SCORE for t, *_rest in main_posts(c)))),
    ]
    b3 = result(report, "B3")
    assert set(b3) >= {"id", "statement", "test", "method", "unit", "n", "table", "counts", "excluded",
                       "statistic", "p_value", "p_adjusted", "effect", "verdict", "minimum", "evidence", "variables",
                       "window"}  # fmt: skip
    assert b3["unit"] == "case"
    assert b3["variables"] == [{"kind": "metric", "name": "dialogue_share"}, {"kind": "value", "name": "score"}]
    assert set(b3["evidence"]) == {"unit", "what", "total", "shown", "passages"}
    assert set(b3["evidence"]["passages"][0]) == {
        "kind", "post", "created_at", "text", "likes", "comments", "shares", "engagement", "url", "case", "page"
    }  # fmt: skip
    assert b3["minimum"] == {"cases": 5, "text": "at least 5 cases with both values"}


def test_the_cli_checks_behaviour_hypotheses(built: tuple[Project, Path]) -> None:
    project, folder = built
    arguments = ["check", str(folder / "hypoteser.yaml"), "--format", "json"]
    outcome = CliRunner().invoke(hypotheses_group, arguments, obj={"db": project.display, "debug": False})
    assert outcome.exit_code == 0, outcome.output
    assert [r["verdict"] for r in json.loads(outcome.output)][:2] == ["supported", "supported"]


BAD = [
    ("    test: group-difference\n    metric: svartid\n    attribute: topp10\n", 5, "unknown page metric 'svartid'"),
    ("    test: group-difference\n    metric: E\n    value: score\n    attribute: a\n", 6,
     "exactly one of code, metric"),
    ("    test: group-difference\n    metric: E\n    measure: count\n    attribute: a\n", 6,
     "'measure' of hypothesis H1 is for a code's share or count"),
    ("    test: group-difference\n    metric: E\n    attribute: a\n    unit: message\n", 7, "unknown unit 'message'"),
    ("    test: correlation\n    x: {metric: E}\n", 2, "hypothesis H1 has no 'y'"),
    ("    test: correlation\n    x: E\n    y: {value: score}\n", 5, "'x' of hypothesis H1 must be a mapping"),
    ("    test: correlation\n    x: {metrc: E}\n    y: {value: score}\n", 5, "unknown key 'metrc'"),
    ("    test: correlation\n    x: {metric: E}\n    y: {metric: E}\n", 2, "correlates 'E' with itself"),
    ("    test: correlation\n    x: {value: score, measure: count}\n    y: {metric: E}\n", 5, "for a code's share"),
    ("    test: correlation\n    x: {metric: E}\n    y: {value: score}\n    window: {from: 2013-13-01}\n", 7,
     "not valid YAML"),
    ("    test: correlation\n    x: {metric: E}\n    y: {value: score}\n    window: {from: 1900-01-01}\n", 7,
     "takes days from 1970 to 2099"),
    ("    test: correlation\n    x: {metric: E}\n    y: {value: score}\n"
     "    window: {from: 2013-05-01, to: 2013-01-01}\n", 7, "ends (2013-01-01) before it starts (2013-05-01)"),
    ("    test: correlation\n    x: {metric: E}\n    y: {value: score}\n    window: {start: 2013-01-01}\n", 7,
     "unknown key 'start'"),
    ("    test: correlation\n    x: {code: dialog}\n    y: {value: score}\n    window: {from: 2013-01-01}\n", 7,
     "'window' of hypothesis H1 is for page metrics"),
    ("    test: trend\n    code: dialog\n    unit: message\n    metric: E\n", 7,
     "'metric' belongs to the group-difference"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "reason"), BAD, ids=[f"{i}:{b[2][:30]}" for i, b in enumerate(BAD)])
def test_a_bad_behaviour_hypothesis_is_one_line_with_file_and_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "h.yaml"
    path.write_text("hypotheses:\n  - id: H1\n    statement: s\n" + text, encoding="utf-8")
    with pytest.raises(FokusError) as caught:
        load_hypotheses(path)
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"{path}:line {line}: ")
    assert "\n" not in str(caught.value)


CHECKED = [
    ("    test: group-difference\n    value: lykkes\n    attribute: topp10\n", 5, "no case attribute 'lykkes'"),
    ("    test: group-difference\n    value: topp10\n    attribute: topp10\n", 5, "needs a number attribute"),
    ("    test: correlation\n    x: {metric: E}\n    y: {code: krise}\n", 6, "code 'krise' is not in the project"),
    ("    test: correlation\n    x: {metric: E}\n    y: {value: score}\n    min_n: 0\n", 7, "'min_n' of"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "reason"), CHECKED, ids=[c[2][:30] for c in CHECKED])
def test_names_the_project_lacks_are_refused_with_their_line(
    built: tuple[Project, Path], tmp_path: Path, text: str, line: int, reason: str
) -> None:
    project, _folder = built
    path = tmp_path / "h.yaml"
    path.write_text("hypotheses:\n  - id: H1\n    statement: s\n" + text, encoding="utf-8")
    with pytest.raises(FokusError) as caught, project.read() as session:
        check_hypotheses(session, load_hypotheses(path))
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"{path}:line {line}: ")


def test_without_pages_a_metric_has_too_little_data_and_the_rest_is_tested(project: Project, tmp_path: Path) -> None:
    blocks = HYPOTHESES.split("  - id: ")
    coding = "  - {id: T1, statement: Krise blir vanligere., test: trend, code: krise, unit: message}\n"
    metrics = "".join("  - id: " + block for block in blocks[2:] if not block.startswith("B4"))  # B4: a value only
    path = tmp_path / "h.yaml"
    path.write_text("alpha: 0.05\nhypotheses:\n" + coding + metrics, encoding="utf-8")
    with project.read() as session:
        report = check_hypotheses(session, load_hypotheses(path))
    by_id = {r["id"]: r for r in report.as_json()}
    assert list(by_id) == ["T1", "B1", "B2", "B3", "B5", "B6"]
    assert by_id["T1"]["minimum"]["periods"] == 4  # the coding hypothesis is tested as ever (no messages here)
    for hid in ("B1", "B2", "B3", "B5", "B6"):  # score and topp10 are not even in this project: not checked
        assert by_id[hid]["verdict"] == "too little data"
        assert by_id[hid]["verdict_reason"] == (
            "too little data: the project has no page data (import the pages with `fokus pages import`)"
        )
    assert "the project has no page data" in report.markdown()
    # a hypothesis on a survey item alone needs no pages, so its attribute is checked
    path.write_text("hypotheses:\n  - id: B4\n" + blocks[5].split("\n", 1)[1], encoding="utf-8")
    with pytest.raises(FokusError, match=r"line 5: .*no case attribute 'lykkes_dialog'"), project.read() as session:
        check_hypotheses(session, load_hypotheses(path))


def test_a_window_measures_only_its_days(built: tuple[Project, Path], tmp_path: Path) -> None:
    project, _folder = built
    path = tmp_path / "h.yaml"
    path.write_text(
        "hypotheses:\n  - id: W1\n    statement: s\n    test: correlation\n    x: {metric: dialogue_share}\n"
        "    y: {value: score}\n    window: {from: 2013-03-05}\n",
        encoding="utf-8",
    )
    with project.read() as session:
        (r,) = check_hypotheses(session, load_hypotheses(path)).as_json()
    later = {c: main_posts(c)[1:] for c in SCORE}  # a post a day from March 4: the first is outside the window
    expected = {c: sum(t == INVITING for t, *_rest in posts) / len(posts) for c, posts in later.items()}
    assert column(r, "dialogue_share") == pytest.approx(expected)
    assert r["window"] == {"from": "2013-03-05", "to": None}
    scipy = stats.spearmanr(list(expected.values()), list(SCORE.values()))
    assert r["statistic"] == pytest.approx(scipy.statistic)
