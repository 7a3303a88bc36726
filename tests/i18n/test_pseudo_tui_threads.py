"""No English escapes the thread list, a thread (its conversation, codes panel, questions and notifications), the
review queue or the passages screen: each is opened on the demo in the pseudo-locale `qps`, where every string that
went through the translation layer shows between ⟦ ⟧, and the screen's text is searched for words of fokus's own
English left outside them (tests/i18n/test_pseudo_cli.py says why that heuristic, and tests/i18n/tui_text.py how the
screen is read). At 200x50, so that no heading or label is cut short.

The thread is one with a sentence that holds both a coding and open suggestions, so the panel shows both kinds of
entry, the conversation its "suggestions:" line, and the keys their questions (which suggestion?) and notifications.
"""

from __future__ import annotations

import re

from textual.pilot import Pilot
from textual.widgets import Input

from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.passages import PassagesScreen
from fokus.tui.screens.review import ReviewScreen
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.screens.threads import ThreadsScreen
from fokus.tui.widgets.codes_panel import Choice
from fokus.tui.widgets.keybar import KeyBar
from fokus.tui.widgets.memo import MemoEditor
from tests.i18n import test_pseudo_tui_board as board
from tests.i18n.test_pseudo_cli import escaped
from tests.i18n.tui_text import screen_lines

#: The board's test's demo (built once for this module), its data's words, a copy per test, and the app in `qps`
#: as coder ingrid at 200x50: the same run.
demo, allowed, project, run = board.demo, board.allowed, board.project, board.run


def assert_no_escapes(app: FokusApp, allowed: frozenset[str], *marked: str) -> None:
    """Nothing of fokus's English outside ⟦ ⟧ on screen or in the notifications (a toast is drawn after the screen
    is), and each of ``marked`` shown (between the markers). The key bars' keys (``esc``, ``enter``) are the
    terminal's names, not fokus's words, and may show as they are."""
    notes = "\n".join(str(note.message) for note in app._notifications)
    lines = [_closed(line) for line in screen_lines(app)]
    shown = "\n".join(lines) + "\n" + notes
    for text in marked:
        assert f"⟦{text}" in shown, text
    bars = [bar for screen in app.screen_stack for bar in screen.query(KeyBar)]
    keys = [key.shown for bar in bars for key in KeyBar.keys(bar)]
    allowed |= {word.lower() for key in keys for word in re.findall(r"[a-z]+", key)}
    assert escaped(shown, allowed) == []


def _closed(line: str) -> str:
    """A line whose marked text is cut short (the codes panel cuts an entry with "…" where it is too wide, the
    closing ⟧ with it): the open markers run to the end of the line, as the cut text would."""
    return line + "⟧" * max(line.count("⟦") - line.count("⟧"), 0)


def test_the_thread_list_and_its_filter(project: Project, allowed: frozenset[str]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        assert isinstance(app.screen, ThreadsScreen)
        assert_no_escapes(app, allowed, "Municipality⟧", "Messages⟧", "Filter⟧")
        await pilot.press("slash")
        await pilot.pause()
        assert app.screen.query_one(Input).placeholder.startswith("⟦free text")
        assert_no_escapes(app, allowed, "free text")
        await pilot.press(*"fra:mai", "enter")  # not a date: the error is a notification
        await pilot.pause()
        assert_no_escapes(app, allowed, "'mai' is not a date⟧")

    run(project, steps)


def test_a_thread_with_a_coding_and_suggestions(project: Project, allowed: frozenset[str]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        thread = app.screen
        assert isinstance(thread, ThreadScreen)
        # on to a sentence the panel shows a coding and two suggestions for, coding it first where need be
        for _ in range(len(thread.cursors)):
            if sum(entry.is_suggestion for entry in thread.panel.entries) >= 2:
                break
            await pilot.press("j")
        await pilot.press("c", *"dialog", "enter")
        await pilot.pause()
        entries = thread.panel.entries
        assert any(not entry.is_suggestion for entry in entries)
        assert sum(entry.is_suggestion for entry in entries) >= 2
        assert_no_escapes(app, allowed, "suggestions:⟧", "Codes here (", "suggestion, ⟦rule⟧", "Coded as dialog")
        await pilot.press("a")  # several suggestions: which?
        await pilot.pause()
        assert isinstance(app.screen, Choice)
        assert_no_escapes(app, allowed, "Accept which suggestion?⟧", "(1–")
        await pilot.press("1")
        await pilot.pause()
        assert_no_escapes(app, allowed, "Accepted the suggestion")
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        assert_no_escapes(app, allowed, "Good practice: a short summary")

    run(project, steps)


def test_the_review_queue(project: Project, allowed: frozenset[str]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await app.push_screen(ReviewScreen())
        await pilot.pause()
        assert_no_escapes(app, allowed, "surest first⟧", "Accept as another code⟧", "Skip⟧")
        await pilot.press("o")
        await pilot.pause()
        assert_no_escapes(app, allowed, "by code⟧")

    run(project, steps)


def test_the_passages_screen(project: Project, allowed: frozenset[str]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await app.push_screen(PassagesScreen("dialog"))
        await pilot.pause()
        assert_no_escapes(app, allowed, "Passage⟧", "Coder⟧", "Open the thread⟧")
        await app.push_screen(PassagesScreen(quotes=("Ingen sitater", [])))
        await pilot.pause()
        assert_no_escapes(app, allowed, "No passages.⟧")

    run(project, steps)
