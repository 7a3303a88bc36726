"""The conversation of a thread as a researcher sees it: messages in reading order, answers indented, the sentence
under the cursor in view, a click choosing a sentence; and a closed thread leaves nothing behind: the thread list
opens every thread in one screen, and keeps its place."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from dataclasses import replace

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from fokus.api.browse import conversation, thread_page
from fokus.tui.app import FokusApp
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.screens.threads import ThreadsScreen
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
    """Textual's header kept every closed thread's header (and its painted lines) alive through the app's title, and
    Textual's style cache kept the last thousand widgets' painted lines: a thread opened on its own (from the
    passages, or from a thread list over a thread) leaves neither behind."""

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await app.push_screen(ThreadScreen(first_thread(app)))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        header = weakref.ref(screen.query_one(Header))
        painted = weakref.ref(screen.conversation._styles_cache)
        assert painted() is not None
        del screen
        await pilot.press("escape")
        await pilot.pause()
        gc.collect()
        assert header() is None
        assert painted() is None

    drive(steps)


def first_thread(app: FokusApp) -> int:
    with app.reading() as session:
        return thread_page(session, limit=1)[0].thread_id


def test_the_thread_list_opens_every_thread_in_one_screen_that_looks_as_a_new_one(drive: Callable[..., None]) -> None:
    """The second thread opened from the list is shown in the first one's screen, from its top, with nothing chosen
    and no selection grown, exactly as a screen of its own shows it."""

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        first = await open_thread(pilot, app)
        await pilot.press(*"jjjJ", "tab")
        await pilot.press("escape", "down")
        await pilot.pause()
        second = await open_thread(pilot, app)
        assert second is first
        with app.reading() as session:
            views = conversation(session, second.thread_id)
        assert second.thread_id != first_thread(app)
        assert second.views == views
        assert (second.position, second.extent, second.panel.chosen) == (0, None, None)
        assert second.conversation.scroll_offset.y == 0
        reused = screen_lines(app)
        await app.push_screen(ThreadScreen(second.thread_id))
        await pilot.pause()
        assert screen_lines(app) == reused

    drive(steps, size=(80, 24))


def test_back_from_a_thread_the_list_keeps_its_place_and_shows_the_new_coding(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        threads = app.screen
        assert isinstance(threads, ThreadsScreen)
        await pilot.press("down", "down", "down")
        row = threads.rows[3]
        await open_thread(pilot, app)
        await pilot.press("c", *"krise/under", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        table = threads.query_one(DataTable)
        assert table.cursor_row == 3
        assert threads.rows[3] == replace(row, codings=row.codings + 1)
        assert str(table.get_cell(str(row.thread_id), "codings")) == str(row.codings + 1)

    drive(steps)


@pytest.mark.xfail(
    reason="a closed good practice board is still held by a Textual cache, (10, [its children]), found 2026-12-07;"
    " to be fixed, not hidden: the codebook's and the memos' screens are let go",
    strict=False,
)
def test_a_closed_screen_of_any_kind_lets_go_of_its_header(drive: Callable[..., None]) -> None:
    """Every screen's header is fokus's, which Textual's title watchers do not keep alive once the screen closes."""

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        for key in "bpN":  # the codebook, the good practice board, the memos
            await pilot.press(key)
            await pilot.pause()
            header = weakref.ref(app.screen.query_one(Header))
            app.pop_screen()
            await pilot.pause()
            gc.collect()
            assert header() is None, key

    drive(steps)


def test_the_thread_filter_takes_its_fields_in_english_or_norwegian_whatever_the_language() -> None:
    """The filter's words are what people type: a Norwegian's habits and the English help both work."""
    from datetime import date

    from fokus.api.browse import ThreadFilter
    from fokus.errors import FokusError
    from fokus.tui.screens.threads import parse_filter

    wanted = ThreadFilter(
        since=date(2013, 3, 1),
        until=date(2013, 4, 1),
        case="Bodø",
        participant="Deltaker 04",
        code="krise",
        status="suggested",
        text="flom ras",
    )
    english = "municipality:Bodø participant:Deltaker_04 code:krise status:suggested from:2013-03-01 to:2013-04-01"
    norwegian = "kommune:Bodø deltaker:Deltaker_04 kode:krise status:suggested fra:2013-03-01 til:2013-04-01"
    assert parse_filter(f"flom {english} ras") == wanted
    assert parse_filter(f"flom {norwegian} ras") == wanted
    assert parse_filter("kode: flom by:Bodø") == ThreadFilter(text="kode: flom by:Bodø")  # no field: words
    with pytest.raises(FokusError) as error:
        parse_filter("from:mai")
    assert str(error.value) == "'mai' is not a date (write it as 2013-03-01)"
