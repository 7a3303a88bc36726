"""No English escapes the pages screens: the ranking (its run line, headings, filter and count), one page (its
standing, sensitivity, metrics' labels, posts' headings and the pane under them), the page opened from the thread
list, the notifications of a municipality without a page and of a thread without a municipality, and the empty
state of a project without pages. Each is opened on the demo in the pseudo-locale `qps`, where every string that
went through the translation layer shows between ⟦ ⟧, and the screen's text is searched for words of fokus's own
English left outside them (tests/i18n/test_pseudo_cli.py says why that heuristic, and tests/i18n/tui_text.py how
the screen is read). At 200x50, so that no heading or label is cut short. The pages are the two of
tests/tui/test_pages_screen.py (Sogndal's and Alta's, scored).
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable

from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.page import PageScreen
from fokus.tui.screens.pages import PagesScreen
from fokus.tui.screens.threads import ThreadsScreen
from tests.i18n import test_pseudo_tui_board as board
from tests.i18n.tui_text import screen_lines
from tests.tui.test_pages_screen import add_pages, forget_pages

#: The board's test's demo (built once for this module), its data's words, a copy per test, and the app in `qps`
#: as coder ingrid at 200x50: the same run.
demo, allowed, project, run = board.demo, board.allowed, board.project, board.run
escapes, notes, settle = board.escapes, board.notes, board.settle


def _shown(app: FokusApp) -> str:
    return "\n".join([*screen_lines(app), *notes(app)])


def test_the_ranking_and_a_page_speak_through_the_layer(
    project: Project, allowed: frozenset[str], tmp_path: Path
) -> None:
    add_pages(project, tmp_path)
    seen: dict[str, str] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("P")
        await settle(pilot, app)
        assert isinstance(app.screen, PagesScreen)
        seen["ranking"] = _shown(app)
        assert escapes(app, allowed) == []
        await pilot.press("slash")
        await pilot.pause()
        seen["filter"] = _shown(app)  # its placeholder
        assert escapes(app, allowed) == []
        await pilot.press(*"topp:x", "enter")  # not a top N: a notification
        await pilot.pause()
        seen["bad filter"] = _shown(app)
        assert escapes(app, allowed) == []
        await pilot.press("escape", "enter")  # the filter cleared, then Alta's page opened
        await settle(pilot, app)
        assert isinstance(app.screen, PageScreen)
        seen["page"] = _shown(app)
        assert escapes(app, allowed) == []
        await pilot.press("escape", "escape")
        await pilot.pause()
        threads = app.screen
        assert isinstance(threads, ThreadsScreen)
        for case in ("Sogndal", "Vinje", None):  # a page measured in a worker; no page; no municipality
            threads.query_one(DataTable).move_cursor(row=next(i for i, r in enumerate(threads.rows) if r.case == case))
            await pilot.press("F")
            await settle(pilot, app)
            seen[f"from the list: {case}"] = _shown(app)
            assert escapes(app, allowed) == []
            if isinstance(app.screen, PageScreen):
                await pilot.press("escape")
                await pilot.pause()

    run(project, steps)
    assert "⟦Score run 1 of" in seen["ranking"]
    assert "⟦Rank⟧" in seen["ranking"]
    assert "⟦words of the page or municipality, topp:10⟧" in seen["filter"]
    assert "⟦'x' is not a top N: write it as topp:10⟧" in seen["bad filter"]
    assert "⟦Rank 1 of 2, score" in seen["page"]
    assert "⟦When the weights vary (" in seen["page"]
    assert "⟦engagement E⟧: " in seen["page"]
    assert "⟦popularity P1 · P2 · P3⟧: " in seen["page"]
    assert "⟦Rank 2 of 2, score" in seen["from the list: Sogndal"]
    assert "⟦Vinje has no page in the project.⟧" in seen["from the list: Vinje"]
    assert "⟦No municipality here, so no page to open.⟧" in seen["from the list: None"]


def test_the_empty_state_speaks_through_the_layer(project: Project, allowed: frozenset[str]) -> None:
    with project.begin() as session:
        forget_pages(session)
    seen: dict[str, str] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("P")
        await pilot.pause()
        seen["empty"] = _shown(app)
        assert escapes(app, allowed) == []

    run(project, steps)
    assert "⟦The project has no pages yet." in seen["empty"]
