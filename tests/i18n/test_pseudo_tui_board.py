"""No English escapes the memo screen, the good-practice board or the rule-proposals screen: each is opened on the
demo in the pseudo-locale `qps` (the memo list with two memos, the board with its marked passages, the proposals for
the demo's most coded code), where every string that went through the translation layer shows between ⟦ ⟧, and the
screen's text is searched for words of fokus's own English left outside them (tests/i18n/test_pseudo_cli.py says
why that heuristic, and tests/i18n/tui_text.py how the screen is read).

The screens are read as a person sees them, at 200x50: headings, the about lines, the pane under the table, the
pickers, the placeholders, the key bar and the notifications on screen. Two things on these screens are not
escapes, and `escapes` below allows them: a marked sentence wrapped over two lines (the rule proposals' about line
is longer than the screen is wide), whose ⟦ and ⟧ are on different lines; and the keys' names (`esc`, `space`),
which the key bar shows as the keyboard has them, in every language.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from fokus.i18n import use
from fokus.store import Project, open_project
from fokus.tui.app import FokusApp
from fokus.tui.screens.memos import MemosScreen, MemoView
from fokus.tui.screens.practices import Choice, PracticesScreen
from fokus.tui.screens.rule_proposals import RuleProposalsScreen
from tests.i18n.test_pseudo_cli import INNERMOST, _words, build_demo, data_words, escaped
from tests.i18n.tui_text import screen_lines

SIZE = (200, 50)
CODE = "god-praksis"  # the demo's most coded code: it always has proposals

#: What a test does in the app: its steps, awaited once the first screen has settled.
Steps = Callable[[Pilot[None], FokusApp], Awaitable[None]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project with two memos (one on a code, one on a municipality), built once for the module."""
    return build_demo(tmp_path_factory.mktemp("board"))[0]


@pytest.fixture(scope="module")
def allowed(demo: Path) -> frozenset[str]:
    return data_words(demo, demo.parent)


@pytest.fixture
def project(demo: Path, tmp_path: Path) -> Iterator[Project]:
    """A copy of the demo for one test (the memo test deletes a memo)."""
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo.read_bytes())
    project = open_project(copy)
    yield project
    project.close()


def run(project: Project, steps: Steps) -> None:
    """The app in the pseudo-locale, chosen before it is made (as `fokus --lang qps tui` does), running ``steps``."""
    use("qps")

    async def go() -> None:
        app = FokusApp(project, "ingrid")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await steps(pilot, app)

    asyncio.run(go())


def escapes(app: FokusApp, allowed: frozenset[str]) -> list[str]:
    """`tests.i18n.tui_text.screen_escapes`, with a marked span wrapped over lines read as one and the names of
    the keys the screen binds allowed; the notifications are read too (a toast is drawn after the screen is)."""
    text = "\n".join([*screen_lines(app), *notes(app)])
    while (inner := INNERMOST.sub(" ", text)) != text:  # a span may hold line breaks: it was wrapped
        text = inner
    keys = {
        word for active in app.screen.active_bindings.values() for word in _words(app.get_key_display(active.binding))
    }
    return escaped(text, allowed | keys)


def notes(app: FokusApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def settle(pilot: Pilot[None], app: FokusApp) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_the_memo_screen_speaks_through_the_layer(project: Project, allowed: frozenset[str]) -> None:
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("N")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, MemosScreen)
        assert screen.query_one(DataTable).row_count == 2
        seen["list"] = screen_lines(app)
        assert escapes(app, allowed) == []
        await pilot.press("slash")
        await pilot.pause()
        seen["empty search field"] = screen_lines(app)  # its placeholder
        assert escapes(app, allowed) == []
        await pilot.press(*"xyzzy")
        await pilot.pause()
        seen["nothing found"] = screen_lines(app)
        assert escapes(app, allowed) == []
        await pilot.press("escape")  # empties the search
        await pilot.pause()
        await pilot.press("enter")  # a memo on a code or a municipality opens in full
        await pilot.pause()
        assert isinstance(app.screen, MemoView)
        seen["memo"] = screen_lines(app)
        assert escapes(app, allowed) == []
        await pilot.press("escape", "d")  # delete: the notification
        await pilot.pause()
        seen["deleted"] = notes(app)
        assert escapes(app, allowed) == []

    run(project, steps)
    assert any("⟦2 memos · / searches⟧" in line for line in seen["list"])
    assert any(
        "⟦search the memos: text, code, municipality, participant⟧" in line for line in seen["empty search field"]
    )
    assert any("⟦No memos match the search: / and esc clear it.⟧" in line for line in seen["nothing found"])
    assert any("⟦[dim]esc closes" in line or "⟦esc closes" in line for line in seen["memo"])
    assert any(note.startswith("⟦Deleted the memo on ⟦") for note in seen["deleted"])


def test_the_board_speaks_through_the_layer(project: Project, allowed: frozenset[str]) -> None:
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("p")
        await settle(pilot, app)
        assert isinstance(app.screen, PracticesScreen)
        assert app.screen.query_one(DataTable).row_count > 0
        seen["board"] = screen_lines(app)
        assert escapes(app, allowed) == []
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, Choice)
        seen["picker"] = screen_lines(app)
        assert escapes(app, allowed) == []
        await pilot.press(*"Bodø", "enter")
        await pilot.pause()
        seen["filtered"] = screen_lines(app)
        assert escapes(app, allowed) == []

    run(project, steps)
    headings = next(line for line in seen["board"] if "⟦Municipality⟧" in line)
    assert all(f"⟦{heading}⟧" in headings for heading in ("Theme", "Summary", "Passage"))
    assert any("⟦Coded: " in line for line in seen["board"])
    assert any("⟦All municipalities⟧" in line for line in seen["picker"])
    assert any("⟦Good practice: " in line and " of " in line for line in seen["filtered"])


def test_the_rule_proposals_speak_through_the_layer(
    project: Project, allowed: frozenset[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the file given last is offered again; another test's (its path, made of English words) must not be
    monkeypatch.setattr(RuleProposalsScreen, "last_file", "")
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await app.push_screen(RuleProposalsScreen(CODE))
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, RuleProposalsScreen)
        assert screen.proposals
        seen["proposals"] = screen_lines(app)
        assert escapes(app, allowed) == []
        await pilot.press("w")  # asks for the codebook file
        await pilot.pause()
        seen["asking"] = screen_lines(app)
        assert escapes(app, allowed) == []
        await pilot.press("enter")  # nothing given: a warning
        await pilot.pause()
        seen["warned"] = notes(app)
        assert escapes(app, allowed) == []

    run(project, steps)
    assert any(line.lstrip().startswith(f"⟦{CODE}: ") for line in seen["proposals"])
    assert any("⟦Trigger⟧" in line and "⟦Found in⟧" in line for line in seen["proposals"])
    assert any("⟦the codebook file (.yaml) to add the rule to⟧" in line for line in seen["asking"])
    assert seen["warned"] == ["⟦Enter the codebook file⟧"]
