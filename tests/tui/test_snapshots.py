"""The look of every screen on the demo project, at 80x24 and at 160x45, in English and in Norwegian, pinned as SVG
snapshots (pytest-textual-snapshot).

A snapshot pins what a person sees, so each one is looked at before it is accepted: after a deliberate change of
the look, run `pytest tests/tui --snapshot-update`, render each changed SVG to PNG (`rsvg-convert -o x.png x.svg`)
and open it. A snapshot that pins a broken picture is a bug.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from fokus.i18n import use
from fokus.store import Project
from fokus.tui.app import FokusApp

# the look of each screen, pinned on SQLite: its title names the project file (the Pilot tests cover PostgreSQL)
pytestmark = pytest.mark.parametrize("demo_file", ["sqlite"], indirect=True)

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


def keys(*pressed: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """Press ``pressed``, then wait until background work (an analysis, a topic model) is done."""

    async def run(pilot: Pilot[None]) -> None:
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run


#: Each screen, and the keys that open it from the thread list.
SCREENS = {
    "thread_list": (),
    "thread": ("down", "enter", "j"),
    "review": ("v",),
    "codebook": ("b", "down", "down"),
    "board": ("p",),
    "memos": ("N",),
    "analysis": ("a",),
    "passages": ("a", "enter"),
    "help": ("question_mark",),
    "discover": ("d",),
    "pages": ("P",),
    "page": ("P", "enter"),
}


def write_memos(project: Project) -> None:
    """Two memos, so that the memo screen shows what a researcher's list looks like (the demo ships none), written
    at a fixed time: the screen shows when."""
    from sqlalchemy import update

    from fokus.api.memos import add_memo, memo_on_case
    from fokus.domain.coders import human_coder
    from fokus.model import Memo
    from fokus.privacy import find_message

    with project.begin() as session:
        ingrid = human_coder(session, "ingrid")
        found = find_message(session, "349000019657441_349100019687022")
        assert found is not None
        add_memo(
            session, "Viktig om svartid: de svarer innen en time.\nSe også Bodø.", coder_id=ingrid, message_id=found[0]
        )
        memo_on_case(session, "Bodø", "Bodø er et godt eksempel på eierskap i ledelsen.", coder_id=ingrid)
        written = datetime(2013, 5, 8, 9, 30, tzinfo=UTC)
        session.execute(update(Memo).values(created_at=written, updated_at=written))


def add_scored_pages(project: Project, folder: Path) -> None:
    """Two municipalities' pages, scored (tests/tui/test_pages_screen.py), the run dated so that the screen that
    names it looks the same every day."""
    from sqlalchemy import update

    from fokus.model import ScoreRun
    from tests.tui.test_pages_screen import add_pages

    add_pages(project, folder)
    with project.begin() as session:
        session.execute(update(ScoreRun).values(at=datetime(2013, 5, 14, 8, 0, tzinfo=UTC)))


@pytest.mark.parametrize("lang", ["en", "nb"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(project: Project, snap_compare: Any, screen: str, size: str, lang: str, tmp_path: Path) -> None:
    if screen == "memos":
        write_memos(project)
    if screen in ("pages", "page"):
        add_scored_pages(project, tmp_path)
    use(lang)  # as `fokus --lang` does before the app starts (tests/conftest.py sets English back afterwards)
    app = FokusApp(project, "ingrid")
    assert snap_compare(app, run_before=keys(*SCREENS[screen]), terminal_size=SIZES[size])
