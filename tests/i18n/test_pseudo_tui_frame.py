"""The TUI's frame speaks through the translation layer: the header, the key bar, the help screen, the coder prompt,
the code picker, the memo editor (and its "discard?" question), the code editor and the app's notifications.

Each is opened on the demo in the pseudo-locale `qps`, where every translated string shows between ⟦ ⟧, and the
screen's text (Textual's own screenshot, as the snapshots pin it) must hold no word of fokus's own English outside
them, once the project's data (messages, pseudonyms, codes, municipalities) is allowed: the heuristic of
tests/i18n/test_pseudo_cli.py, whose helpers these tests use.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete
from textual.pilot import Pilot

from fokus.i18n import use
from fokus.model import TagState
from fokus.store import Project, open_project
from fokus.tui.app import FokusApp
from fokus.tui.screens.help import HelpScreen
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.screens.threads import ThreadsScreen
from fokus.tui.widgets.code_editor import CodeEditor
from fokus.tui.widgets.code_picker import CodePicker
from fokus.tui.widgets.coder_prompt import CoderPrompt
from fokus.tui.widgets.keybar import KeyBar
from fokus.tui.widgets.memo import DiscardMemo, MemoEditor
from tests.i18n.test_pseudo_cli import build_demo, data_words, escaped
from tests.i18n.tui_text import screen_lines
from tests.tui.test_day import code_undo_and_redo

#: Wide enough that no heading or key label is cut short (a cut word reads as an English word, or hides one).
SIZE = (200, 50)

Steps = Callable[[Pilot[None], FokusApp], Awaitable[None]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, frozenset[str]]:
    """The demo project (SQLite), and the words of its data, which may rightly show untranslated."""
    folder = tmp_path_factory.mktemp("tui-demo")
    db, _built = build_demo(folder)
    return db, data_words(db, folder)


@pytest.fixture
def project(demo: tuple[Path, frozenset[str]], tmp_path: Path) -> Iterator[Project]:
    copy = tmp_path / "demo.db"
    shutil.copy(demo[0], copy)
    project = open_project(copy)
    yield project
    project.close()


def run(project: Project, steps: Steps, coder: str | None = "tester") -> None:
    """The app in the pseudo-locale (chosen before the app is made, as `fokus --lang qps tui` does)."""
    use("qps")

    async def go() -> None:
        app = FokusApp(project, coder, login="root")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await steps(pilot, app)

    asyncio.run(go())


def assert_no_escapes(app: FokusApp, allowed: frozenset[str]) -> None:
    """No English of fokus's own outside ⟦ ⟧ on the screen; the names of keys (``esc``, ``ctrl+s``, the help
    screen's ``escape``) are the terminal's, not fokus's prose, and may show as they are."""
    lines = unwrapped(screen_lines(app))
    assert any("⟦" in line for line in lines)
    assert escaped("\n".join(lines), allowed | key_names(app)) == []


def unwrapped(lines: list[str]) -> list[str]:
    """The screen's lines, those a marked message wraps across (a dialog's sentence, ⟦ on one line and ⟧ on a later
    one) joined into one, so that its words count as marked."""
    joined: list[str] = []
    wrapped: list[str] = []
    for line in lines:
        wrapped.append(line)
        text = " ".join(wrapped)
        if text.count("⟦") <= text.count("⟧"):
            joined.append(text)
            wrapped = []
    return joined + ([" ".join(wrapped)] if wrapped else [])


def key_names(app: FokusApp) -> frozenset[str]:
    """The words of every key the app and its open screens bind, as bound and as displayed."""
    texts: list[str] = []
    for node in (app, *app.screen_stack):
        for key, binding in node._bindings:
            texts += [key, binding.key, binding.key_display or "", app.get_key_display(binding)]
    return frozenset(word.lower() for text in texts for word in re.findall(r"[^\W\d_]+", text))


def test_the_thread_list_header_and_key_bar(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        assert isinstance(app.screen, ThreadsScreen)
        assert "⟦Quit⟧" in str(app.screen.query_one(KeyBar).render())
        assert app.sub_title == "⟦demo.db · coder: tester⟧"
        assert_no_escapes(app, demo[1])

    run(project, steps)


def test_the_help_screen(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(screen_lines(app))
        assert "fokus config lang nb" in shown  # how to choose the language
        assert "⟦Close⟧" in shown  # Textual's own footer shows the help screen's key translated
        assert_no_escapes(app, demo[1])

    run(project, steps)


def test_the_coder_prompt(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        assert isinstance(app.screen, CoderPrompt)
        assert_no_escapes(app, demo[1])

    run(project, steps, coder=None)


def test_the_code_picker(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        assert_no_escapes(app, demo[1])

    run(project, steps)


def test_the_memo_editor_and_its_question(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        assert_no_escapes(app, demo[1])
        await pilot.press(*"Flom", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardMemo)
        assert_no_escapes(app, demo[1])

    run(project, steps)


def test_the_code_editor_and_its_warning(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("down", "down", "e")
        await pilot.pause()
        assert isinstance(app.screen, CodeEditor)
        assert_no_escapes(app, demo[1])
        await pilot.press("x", "escape")  # changed: the first escape warns
        await pilot.pause()
        assert isinstance(app.screen, CodeEditor)
        assert_no_escapes(app, demo[1])

    run(project, steps)


def test_undo_and_redo_notifications(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        notes = await code_undo_and_redo(pilot, app)
        assert any(note.startswith("⟦Undid ") and "⟦the coding⟧ dialog: “" in note for note in notes), notes
        assert any(note.startswith("⟦Redid ") and "⟦the coding⟧ dialog: “" in note for note in notes), notes
        assert_no_escapes(app, demo[1])

    run(project, steps)


def test_tagging_and_learning_notifications(project: Project, demo: tuple[Path, frozenset[str]]) -> None:
    with project.begin() as session:  # forget the demo's tagging, so there is work to do
        session.execute(delete(TagState))

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        notes: list[str] = []
        for key in ("t", "L"):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            notes += [str(n.message) for n in app._notifications]  # each before it times out
            assert_no_escapes(app, demo[1])
        assert any(note.startswith("⟦Done: ") for note in notes), notes
        assert any(note.startswith("⟦Model ") for note in notes), notes
        assert all(note.startswith("⟦") for note in notes), notes

    run(project, steps)
