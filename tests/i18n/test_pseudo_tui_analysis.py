"""No English escapes the analysis screen (each of its tabs), the codebook screen or the discover screen: each is
opened on the demo in the pseudo-locale `qps`, where every string that went through the translation layer shows
between ⟦ ⟧, and the screen's text (Textual's own screenshot, tests/i18n/tui_text.py) must hold no word of fokus's
own English outside them, once the project's data is allowed (tests/i18n/test_pseudo_cli.py says why that heuristic).

The screens are read at 200x50, so that no heading is cut short, in the states that change their text: the
frequencies unsplit and split, with sub-codes rolled up or not, with suggestions or not; every other tab; the
codebook with a code in focus and with a filter that matches nothing; the candidate themes, a candidate's quotes and
the new-code dialog. Notifications are read too. Two things are not escapes: a marked sentence that wraps over two
lines (⟦ on one, ⟧ on the next), and the keys' names (``esc``), which the key bar shows as the keyboard has them.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from fokus.i18n import use
from fokus.store import open_project
from fokus.tui.app import FokusApp
from fokus.tui.screens.analysis import TABS, AnalysisScreen
from fokus.tui.screens.codebook import CodebookScreen
from fokus.tui.screens.discover import DiscoverScreen, NewCodeScreen
from fokus.tui.screens.passages import PassagesScreen
from tests.i18n.test_pseudo_cli import INNERMOST, build_demo, data_words, escaped
from tests.i18n.tui_text import screen_lines

SIZE = (200, 50)

Steps = Callable[[Pilot[None], FokusApp], Awaitable[None]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, frozenset[str]]:
    """The demo project (built in the pseudo-locale), and the words of its data, which may rightly show as they are."""
    folder = tmp_path_factory.mktemp("analysis")
    db = build_demo(folder)[0]
    return db, data_words(db, folder)


def run(demo: Path, folder: Path, steps: Steps) -> None:
    """``steps`` in the app on a copy of the demo in ``folder``, in the pseudo-locale (chosen before the app is made,
    as `fokus --lang qps tui` does)."""
    shutil.copy(demo, folder / "demo.db")
    project = open_project(folder / "demo.db")
    use("qps")

    async def go() -> None:
        app = FokusApp(project, "tester")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await steps(pilot, app)

    try:
        asyncio.run(go())
    finally:
        project.close()


def leaks(app: FokusApp, allowed: frozenset[str]) -> list[str]:
    """The lines of the screen and of its notifications that hold fokus's English outside ⟦ ⟧."""
    text = "\n".join([*screen_lines(app), *(str(note.message) for note in app._notifications)])
    assert "⟦" in text
    while (inner := INNERMOST.sub(" ", text)) != text:  # a marked sentence wrapped over lines is still marked
        text = inner
    keys = {
        word.lower()
        for active in app.screen.active_bindings.values()
        for word in re.findall(r"[^\W\d_]+", app.get_key_display(active.binding))
    }
    return escaped(text, allowed | keys)


async def settle(pilot: Pilot[None], app: FokusApp) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_every_analysis_tab_speaks_through_the_layer(demo: tuple[Path, frozenset[str]], tmp_path: Path) -> None:
    seen: dict[str, list[str]] = {}

    async def look(name: str, pilot: Pilot[None], app: FokusApp, *keys: str) -> None:
        await pilot.press(*keys)
        await settle(pilot, app)
        seen[name] = leaks(app, demo[1])

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await look("frequencies", pilot, app, "a")
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        await look("sub-codes separate", pilot, app, "r")
        await look("split by case", pilot, app, "s")
        await look("split, another measure, with suggestions", pilot, app, "m", "i")
        for number, tab in enumerate(TABS[1:], start=2):
            await look(tab.id, pilot, app, str(number))
            assert screen.query_one(f"#{tab.id}-table", DataTable).row_count > 0, tab.id
        await look("co-occurrence by sentence", pilot, app, "2", "l")
        await look("a hypothesis's evidence", pilot, app, "3", "enter")
        assert isinstance(app.screen, PassagesScreen)
        await look("a practice's passages", pilot, app, "escape", "4", "enter")
        assert isinstance(app.screen, PassagesScreen)

    run(demo[0], tmp_path, steps)
    assert len(seen) == 12
    assert {name: lines for name, lines in seen.items() if lines} == {}


def test_the_codebook_screen_speaks_through_the_layer(demo: tuple[Path, frozenset[str]], tmp_path: Path) -> None:
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        seen["a code in focus"] = leaks(app, demo[1])
        await pilot.press("e", "ctrl+s")  # the editor saved as it was: "no change"
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert [str(note.message) for note in app._notifications] == ["⟦No change⟧"]
        seen["no change"] = leaks(app, demo[1])
        await pilot.press("slash", *"xyzzy")
        await pilot.pause()
        seen["nothing matches the filter"] = leaks(app, demo[1])

    run(demo[0], tmp_path, steps)
    assert {name: lines for name, lines in seen.items() if lines} == {}


def test_the_discover_screen_speaks_through_the_layer(demo: tuple[Path, frozenset[str]], tmp_path: Path) -> None:
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("d")
        await settle(pilot, app)
        assert isinstance(app.screen, DiscoverScreen)
        seen["candidates"] = leaks(app, demo[1])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        seen["a candidate's quotes"] = leaks(app, demo[1])
        await pilot.press("escape", "n")
        await pilot.pause()
        assert isinstance(app.screen, NewCodeScreen)
        seen["the new-code dialog"] = leaks(app, demo[1])
        await pilot.press("enter", "enter")  # the code id and name suggested
        await pilot.pause()
        assert isinstance(app.screen, DiscoverScreen)
        assert [str(note.message)[:10] for note in app._notifications] == ["⟦New code "]
        seen["a new code"] = leaks(app, demo[1])

    run(demo[0], tmp_path, steps)
    assert {name: lines for name, lines in seen.items() if lines} == {}
