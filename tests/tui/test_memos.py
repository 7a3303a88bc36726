"""Memos as first-class in the TUI, driven through Pilot on a copy of the demo (both backends): `m` opens your memo
to edit, `escape` asks before throwing typed text away, the memo screen (`N`) lists, searches, opens, edits and
deletes memos (undoably), and undo and redo of a good-practice mark keep its summary on the passage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TextArea

from fokus.api.memos import MemoItem
from fokus.i18n import use
from fokus.model import Code, Coder, Coding, Memo
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.memos import MemosScreen, MemoView, describe
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.widgets.memo import DiscardMemo, MemoEditor


def memos(project: Project) -> list[tuple[int, str, int | None, int | None, int | None]]:
    """Every memo as (id, text, message, coding, case)."""
    with project.read() as session:
        return [
            (m.id, m.text, m.message_id, m.coding_id, m.case_id)
            for m in session.scalars(select(Memo).order_by(Memo.id))
        ]


def notes(app: FokusApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def write(pilot: Pilot[None], key: str, text: str) -> None:
    """Open an editor with ``key`` and type ``text`` (not saved)."""
    await pilot.press(key)
    await pilot.pause()
    await pilot.press(*text)


async def into_thread(pilot: Pilot[None], app: FokusApp) -> None:
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ThreadScreen)


def test_m_again_opens_your_memo_to_edit(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await into_thread(pilot, app)
        await write(pilot, "m", "Første tanke")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        seen["opened with"] = app.screen.query_one(TextArea).text
        await pilot.press(*" og en til")
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen["notes"] = notes(app)

    drive(steps)
    assert seen["opened with"] == "Første tanke"
    assert [m[1] for m in memos(project)] == ["Første tanke og en til"]  # one memo, with the new text
    assert "Memo changed" in seen["notes"]


def test_escape_asks_before_it_throws_typed_text_away(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await into_thread(pilot, app)
        await write(pilot, "m", "Halvferdig")
        await pilot.press("escape")
        await pilot.pause()
        seen["asked"] = isinstance(app.screen, DiscardMemo)
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        seen["kept"] = app.screen.query_one(TextArea).text
        await pilot.press(*" tanke", "ctrl+s")
        await pilot.pause()
        await write(pilot, "m", " som forsvinner")  # the saved memo, edited, then thrown away
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f")  # discard
        await pilot.pause()
        seen["after discard"] = app.screen
        await pilot.press("m", "escape")  # nothing typed: closes at once, no question
        await pilot.pause()
        seen["after untouched"] = app.screen

    drive(steps)
    assert seen["asked"]
    assert seen["kept"] == "Halvferdig"
    assert isinstance(seen["after discard"], ThreadScreen)
    assert isinstance(seen["after untouched"], ThreadScreen)
    assert [m[1] for m in memos(project)] == ["Halvferdig tanke"]


def test_undo_and_redo_of_good_practice_keep_the_summary_on_the_board(
    project: Project, drive: Callable[..., None]
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await into_thread(pilot, app)
        await write(pilot, "g", "Varsle tidlig")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("escape", "p")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        seen["board"] = [" ".join(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)]

    drive(steps, size=(160, 45))
    with project.read() as session:
        tester = session.scalar(select(Coder.id).where(Coder.name == "tester"))
        summary = session.execute(
            select(Memo.text, Code.path)
            .join(Coding, Memo.coding_id == Coding.id)
            .join(Code, Coding.code_id == Code.id)
            .where(Coding.coder_id == tester)
        ).all()
    assert [tuple(row) for row in summary] == [("Varsle tidlig", "god-praksis")]  # on the coding, not the message
    assert any("Varsle tidlig" in row for row in seen["board"]), seen["board"]


def test_the_memo_screen_lists_a_memo_from_the_thread_and_d_deletes_it_undoably(
    project: Project, drive: Callable[..., None]
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await into_thread(pilot, app)
        await write(pilot, "m", "Viktig poeng")
        await pilot.press("enter", *"med en andre linje", "ctrl+s")
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MemosScreen)
        table = screen.query_one(DataTable)
        seen["rows"] = [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]
        seen["before d"] = memos(project)
        await pilot.press("d")
        await pilot.pause()
        seen["after d"] = (memos(project), table.row_count, notes(app)[-1])
        await pilot.press("u")
        await pilot.pause()
        seen["after u"] = table.row_count
        seen["after u memos"] = memos(project)

    drive(steps)
    ((_memo_id, text, message, coding, case),) = seen["after u memos"]
    assert (text, coding, case) == ("Viktig poeng\nmed en andre linje", None, None)
    assert message is not None
    (row,) = seen["rows"]
    assert row[0] == "Message · Deltaker 01"
    assert row[-1] == "Viktig poeng"  # the first line
    assert "tester" in row
    deleted, shown, note = seen["after d"]
    assert (deleted, shown) == ([], 0)
    assert note == "Deleted the memo on Message · Deltaker 01: “Viktig poeng” (u undoes)"
    assert seen["after u"] == 1  # back in the list, and in the database as it was
    assert memos(project) == seen["before d"]


def test_the_memo_screen_searches_opens_and_edits(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await into_thread(pilot, app)
        thread = app.screen
        assert isinstance(thread, ThreadScreen)
        await pilot.press("j", "j")
        found = thread.current
        assert found is not None
        seen["message"] = found[0].message_id
        await write(pilot, "m", "Om beredskap")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape", "N")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MemosScreen)
        await pilot.press("slash", *"beredskap", "enter")
        await pilot.pause()
        seen["searched"] = (screen.query_one(DataTable).row_count, screen.query_one(Input).value)
        await pilot.press("enter")  # opens the thread at the message
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        current = app.screen.current
        assert current is not None
        seen["opened at"] = current[0].message_id
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, MemoEditor)
        seen["editing"] = app.screen.query_one(TextArea).text
        await pilot.press(*" og flom", "ctrl+s")
        await pilot.pause()
        seen["edited"] = [m[1] for m in memos(project)]
        await pilot.press("u")
        await pilot.pause()

    drive(steps)
    assert seen["searched"] == (1, "beredskap")
    assert seen["opened at"] == seen["message"]
    assert seen["editing"] == "Om beredskap"
    assert seen["edited"] == ["Om beredskap og flom"]
    assert [m[1] for m in memos(project)] == ["Om beredskap"]  # u took the edit back


def test_a_memo_on_a_municipality_opens_in_full(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await into_thread(pilot, app)
        for _ in range(40):  # on to the first sentence by someone who speaks for a municipality
            if app.screen.current[0].case:  # type: ignore[attr-defined]
                break
            await pilot.press("j")
        await write(pilot, "n", "Liten kommune, stor vilje")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await write(pilot, "n", "")  # again: the same memo, to edit
        seen["again"] = app.screen.query_one(TextArea).text
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("N")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        seen["view"] = app.screen

    drive(steps, size=(80, 24))
    assert seen["again"] == "Liten kommune, stor vilje"
    assert isinstance(seen["view"], MemoView)
    ((_, text, message, coding, case),) = memos(project)
    assert (text, message, coding) == ("Liten kommune, stor vilje", None, None)
    assert case is not None


def test_a_memo_says_when_it_was_written_as_the_language_writes_a_date() -> None:
    """The pane under the memo list dates a memo in words, in Norwegian time; the list's column keeps ISO dates."""
    written = datetime(2013, 5, 8, 9, 30, tzinfo=UTC)  # 11:30 in Oslo
    item = MemoItem(1, "case", "Bodø svarer raskt.", "ingrid", written, written + timedelta(days=2), case="Bodø")
    assert str(describe(item)).splitlines()[0] == (
        "Municipality Bodø · ingrid · written May 8, 2013 at 11:30, changed May 10, 2013 at 11:30"
    )
    use("nb")  # the catalogue says the words; the date is written the Norwegian way whatever the catalogue holds
    assert "8. mai 2013" in str(describe(item)).splitlines()[0]
    assert "10. mai 2013" in str(describe(item)).splitlines()[0]
