"""The conversation of a thread as a researcher sees it: messages in reading order, answers indented, the sentence
under the cursor in view, a click choosing a sentence; and a closed thread leaves nothing behind."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

from textual.pilot import Pilot

from fokus.tui.app import FokusApp
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.widgets.header import Header
from tests.tui.conftest import screen_lines


async def open_thread(pilot: Pilot[None], app: FokusApp) -> ThreadScreen:
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ThreadScreen)
    return screen


def header_of(screen: ThreadScreen, index: int) -> str:
    view = screen.views[index]
    return f"{view.created_at:%Y-%m-%d %H:%M}  {view.participant}"


def shown_text(screen: ThreadScreen) -> str:
    """The words the conversation shows now, its lines joined (a sentence may wrap), without its scroll bar."""
    region = screen.conversation.scrollable_content_region
    lines = screen_lines(screen.app)[region.y : region.bottom]
    return " ".join(" ".join(line[region.x : region.right] for line in lines).split())


def test_messages_show_in_reading_order_with_answers_indented(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_thread(pilot, app)
        lines = screen_lines(app)
        rows = []
        for index in range(3):
            header = header_of(screen, index)
            row = next(r for r, line in enumerate(lines) if header in line)
            rows.append(row)
            indent = 1 + 4 * min(screen.views[index].depth, 2)  # the padding, and four columns a level
            assert lines[row].index(header) == indent
        assert rows == sorted(rows)
        assert screen.views[0].depth == 0
        assert screen.views[1].depth >= 1

    drive(steps, size=(160, 45))


def test_down_and_up_move_by_sentence_as_the_key_bar_says(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_thread(pilot, app)
        await pilot.press("down", "down")
        assert screen.position == 2
        await pilot.press("up")
        assert screen.position == 1

    drive(steps)


def test_the_sentence_under_the_cursor_stays_in_view(drive: Callable[..., None]) -> None:
    """At 80x24 a thread is many screens long: moving on sentence by sentence, each sentence is shown."""

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_thread(pilot, app)
        for _ in range(25):
            await pilot.press("j")
            await pilot.pause()
            found = screen.current
            assert found is not None
            view, cursor = found
            words = " ".join(view.text[cursor.start : cursor.end].split()[:3])
            assert words in shown_text(screen), words
        assert screen.current is not None
        assert screen.current[1].message >= 3
        await pilot.press(*["k"] * 25)
        await pilot.pause()
        assert " ".join(header_of(screen, 0).split()) in shown_text(screen)

    drive(steps, size=(80, 24))


def test_a_click_on_a_message_puts_the_cursor_on_its_sentence(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_thread(pilot, app)
        lines = screen_lines(app)
        row = next(r for r, line in enumerate(lines) if header_of(screen, 1) in line) + 1  # its first line of text
        conversation = screen.conversation
        column = lines[row].index(screen.views[1].text.split()[0]) + 1
        await pilot.click("#conversation", offset=(column - conversation.region.x, row - conversation.region.y))
        await pilot.pause()
        found = screen.current
        assert found is not None
        assert found[1].message == 1
        assert found[1].start == 0

    drive(steps, size=(160, 45))


def test_a_closed_thread_is_let_go(drive: Callable[..., None]) -> None:
    """Textual's header kept every closed thread's header (and its painted lines) alive through the app's title."""

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_thread(pilot, app)
        header = weakref.ref(screen.query_one(Header))
        del screen
        await pilot.press("escape")
        await pilot.pause()
        gc.collect()
        assert header() is None

    drive(steps)
