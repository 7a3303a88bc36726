"""The analysis screen on a copy of the demo: the reports the CLI prints, and the passages behind a row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from fokus.analysis.cooccurrence import cooccurrence
from fokus.analysis.frequencies import frequencies
from fokus.analysis.passages import passages
from fokus.model import Case, Page, PagePost
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.analysis import AnalysisScreen
from fokus.tui.screens.passages import PassagesScreen
from fokus.tui.screens.thread import ThreadScreen


async def open_analysis(pilot: Pilot[None], app: FokusApp) -> AnalysisScreen:
    """Press ``a`` and wait until every tab's report is in."""
    await pilot.press("a")
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, AnalysisScreen)
    return screen


def test_frequencies_split_and_the_passages_behind_a_row(project: Project, drive: Callable[..., None]) -> None:
    with project.read() as session:
        by_case = frequencies(session, split="case")
        first = by_case.rows()[0]
        behind = passages(session, first["code"], case=first["case"], limit=None)
        pairs = cooccurrence(session, level="sentence")

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        table = screen.query_one("#freq-table", DataTable)
        assert table.row_count == len(screen.reports["freq"].rows())
        await pilot.press("s")  # split by case
        await app.workers.wait_for_complete()
        await pilot.pause()
        # codes x cases: one row per code (tests/tui/test_analysis_tabs.py checks the cells)
        assert screen.query_one("#freq-table", DataTable).row_count == len({r["code"] for r in by_case.rows()})
        screen.query_one("#freq-table", DataTable).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert app.screen.query_one(DataTable).row_count == behind.total
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        thread = app.screen
        found = thread.current
        assert found is not None
        view = thread.views[found[1].message]
        assert view.external_id == behind.rows()[0]["message_id"]
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("2", "l")  # co-occurrence, by sentence
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.settings.level == "sentence"
        assert screen.query_one("#cooc-table", DataTable).row_count == len(pairs.rows())

    drive(steps)


def test_the_disagreement_list_opens_the_sentence_to_review(project: Project, drive: Callable[..., None]) -> None:
    from fokus.analysis.agreement import agreement, disagreements

    with project.read() as session:
        listed = disagreements(session, unit="message")
        scores = agreement(session, unit="message")

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("5")
        assert screen.query_one("#agreement-table", DataTable).row_count == len(scores.rows())
        await pilot.press("6")
        table = screen.query_one("#disagreements-table", DataTable)
        assert table.row_count == len(listed.rows()) > 0
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        found = app.screen.current
        assert found is not None
        assert app.screen.views[found[1].message].external_id == listed.rows()[1]["message_id"]

    drive(steps)


def test_a_shared_practice_lists_its_quotes_and_opens_each(project: Project, drive: Callable[..., None]) -> None:
    from fokus.analysis.practices import find_practices

    with project.read() as session:
        report = find_practices(session, include_unshared=True)
    first = report.listed[0]
    assert first.shared

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("4")
        assert screen.query_one("#practices-table", DataTable).row_count == len(report.listed)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert [q.text for q in app.screen.found] == [p.text for p in first.passages]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        found = app.screen.current
        assert found is not None
        assert app.screen.views[found[1].message].external_id == first.passages[0].message

    drive(steps)


def test_hypotheses_show_their_verdicts_and_evidence(
    project: Project, drive: Callable[..., None], tmp_path: Path
) -> None:
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.files.hypotheses import load_hypotheses

    own = tmp_path / "mine.yaml"
    own.write_text(
        "hypotheses:\n  - id: A\n    statement: Krise og ressurser.\n    test: association\n"
        "    codes: [krise, ressurser]\n    unit: message\n    direction: positive\n"
        "  - id: B\n    statement: Unge på Facebook.\n    test: association\n"
        "    codes: [ungdom, plattform/facebook]\n    unit: thread\n    direction: positive\n",
        encoding="utf-8",
    )
    with project.read() as session:
        report = check_hypotheses(session, load_hypotheses(own))

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("3")
        table = screen.query_one("#hypotheses-table", DataTable)
        assert table.row_count == 2
        shown = [table.get_row_at(i)[-1] for i in range(2)]
        assert shown == [r.verdict for r in report.results]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        assert [q.text for q in app.screen.found] == [p["text"] for p in report.results[0].evidence]
        assert app.screen.found

    drive(steps, hypotheses=own)


def test_enter_on_a_behaviour_hypothesis_says_what_its_figure_rests_on(
    project: Project, drive: Callable[..., None], tmp_path: Path
) -> None:
    """A behaviour hypothesis' evidence is posts of the pages, not coded passages: enter names them in a notification
    (how many, of what, the first few with their day, page and municipality) and the screen stays."""
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.files.hypotheses import load_hypotheses

    own = tmp_path / "behaviour.yaml"
    own.write_text(
        "hypotheses:\n  - id: B2\n    statement: The ten best invite dialogue more often.\n"
        "    test: group-difference\n    metric: dialogue_share\n    attribute: topp10\n    direction: positive\n",
        encoding="utf-8",
    )
    with project.begin() as session:  # the demo's focus group without its generated pages: a page per case
        cases = session.execute(select(Case.id, Case.name)).all()
        for number, (case_id, name) in enumerate(cases):
            page = Page(external_id=f"p{number}", name=f"{name} kommune", case_id=case_id)
            page.followers_start = page.followers_end = 1000
            session.add(page)
            session.flush()
            for day, text in enumerate(("Hva mener dere om den nye parken?", "Biblioteket er stengt i påsken.")):
                at = datetime(2013, 3, 4 + day, 9, tzinfo=UTC)
                session.add(PagePost(external_id=f"p{number}_{day}", page_id=page.id, created_at=at, text=text))
    with project.read() as session:
        result = check_hypotheses(session, load_hypotheses(own)).results[0]
    assert result.evidence_unit == "post"
    assert "codes" not in result.evidence[0]
    first = result.evidence[0]

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_analysis(pilot, app)
        await pilot.press("3")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen  # no passages screen, no crash
        note = str(list(app._notifications)[-1].message)
        assert note.startswith("B2: Evidence: ")
        assert "posts (the posts that ask or invite on the pages of" in note
        assert f"{first['created_at'][:10]} · {first['page']} ({first['case']})" in note

    drive(steps, hypotheses=own)
