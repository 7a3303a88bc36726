"""Discovering themes from the TUI (``d``): candidates are found in the background, and ``enter`` lists a
candidate's quotes as passages that open their thread."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.discover import DiscoverScreen
from fokus.tui.screens.passages import PassagesScreen
from fokus.tui.screens.thread import ThreadScreen


def test_a_candidates_quotes_are_its_passages_and_open_their_thread(
    project: Project, drive: Callable[..., None]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DiscoverScreen)
        assert screen.report is not None
        assert screen.report.candidates
        candidate = screen.report.candidates[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        found = app.screen.found
        assert [(q.message, q.start, q.end, q.text, q.case) for q in found] == [
            (q.message, q.start, q.end, q.text, q.case) for q in candidate.quotes
        ]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)

    drive(steps)
