"""A researcher's day, the parts every screen shares: every key visible, the thread list readable at 80 and 100
columns, undo saying what it undid, a name asked for once, and the place one left off."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList

from fokus.domain.codes import shown_name
from fokus.domain.settings import coder_setting, get_setting
from fokus.i18n import use
from fokus.model import Code, Coder, Coding, Message
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.screens.threads import ThreadsScreen
from fokus.tui.widgets.code_picker import CodePicker
from fokus.tui.widgets.coder_prompt import CoderPrompt
from tests.tui.conftest import screen_lines


def test_every_key_of_a_thread_shows_at_80_columns(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        shown = "\n".join(screen_lines(app))
        wanted = [replace(b, key=b.key.split(",")[0]) for b in app.screen.BINDINGS if isinstance(b, Binding) and b.show]
        labels = [
            f"{app.get_key_display(b)} {b.description}" if b.group is None else b.group.description for b in wanted
        ]
        missing = [label for label in labels if label not in shown]
        # paired keys share a label: "j/k Next/previous sentence"
        paired = [b for b in wanted if b.group is not None]
        assert paired
        for binding in paired:
            assert any(
                app.get_key_display(binding) in line.split(binding.group.description)[0].split()[-1].split("/")
                for line in shown.splitlines()
                if binding.group.description in line
            ), binding
        assert missing == []
        for essential in ("u Undo", "? Help", "q Quit"):
            assert essential in shown

    drive(steps, size=(80, 24))


@pytest.mark.parametrize(
    ("width", "headings"), [(80, ("Msgs", "Codes", "Sugg")), (100, ("Messages", "Codings", "Suggestions"))]
)
def test_the_thread_list_keeps_its_counts_on_screen(
    drive: Callable[..., None], width: int, headings: tuple[str, ...]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        assert isinstance(app.screen, ThreadsScreen)
        lines = screen_lines(app)
        heading = next(line for line in lines if "Date" in line)
        assert heading.split()[-3:] == list(headings)
        assert all(len(line) <= width for line in lines)

    drive(steps, size=(width, 24))


async def code_undo_and_redo(pilot: Pilot[None], app: FokusApp) -> list[str]:
    """Open the first thread, code a sentence dialog, undo and redo: the notifications shown meanwhile."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("c", *"dialog", "enter")
    await pilot.pause()
    await pilot.press("u")
    await pilot.pause()
    await pilot.press("ctrl+r")
    await pilot.pause()
    return [str(n.message) for n in app._notifications]


def test_undo_and_redo_say_what_they_undid(project: Project, drive: Callable[..., None]) -> None:
    notes: list[str] = []

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        notes.extend(await code_undo_and_redo(pilot, app))

    drive(steps)
    with project.read() as session:
        tester = session.scalar(select(Coder.id).where(Coder.name == "tester"))
        coding = session.scalars(select(Coding).where(Coding.coder_id == tester)).one()  # redone: there again
        text = session.scalar(select(Message.text).where(Message.id == coding.message_id))
    assert text is not None
    start = " ".join(text[coding.start : coding.end].split())[:20]
    undone = [n for n in notes if n.startswith("Undid")]
    redone = [n for n in notes if n.startswith("Redid")]
    assert undone
    assert undone[0].startswith(f"Undid the coding dialog: “{start}")
    assert redone
    assert redone[0].startswith(f"Redid the coding dialog: “{start}")


def test_undo_names_a_good_practice_mark_and_a_memo(drive: Callable[..., None]) -> None:
    notes: list[str] = []

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"Varsle tidlig", "ctrl+s")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"Viktig poeng om svartid", "ctrl+s")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        notes.extend(str(n.message) for n in app._notifications)

    drive(steps)
    undone = [n for n in notes if n.startswith("Undid")]
    assert undone[0].startswith("Undid the good practice mark: “")
    assert undone[1] == "Undid the memo: “Viktig poeng om svartid”"


def test_escape_from_a_codes_threads_goes_back_to_the_codebook(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("b")
        await pilot.pause()
        codebook = app.screen
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadsScreen)
        assert app.screen.filters.code is not None
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is codebook
        await pilot.press("escape")  # and on the first thread list, escape clears a filter but stays
        await pilot.pause()
        assert isinstance(app.screen, ThreadsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ThreadsScreen)

    drive(steps)


def test_the_code_picker_puts_the_code_typed_first(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c", *"kri", "enter")  # krise, not dialog/kritikk (earlier in the codebook)
        await pilot.pause()

    drive(steps)
    with project.read() as session:
        tester = session.scalar(select(Coder.id).where(Coder.name == "tester"))
        coding = session.scalars(select(Coding).where(Coding.coder_id == tester)).one()
        assert coding.code.path == "krise"


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_code_picker_names_the_codes_in_the_readers_language(
    project: Project, drive: Callable[..., None], lang: str
) -> None:
    with project.read() as session:
        code = session.scalars(select(Code).where(Code.path == "krise")).one()
        names = {each: shown_name(code, each) for each in ("en", "nb")}
    assert names["en"] != names["nb"]  # the demo's codebook names its codes in both languages
    shown: list[str] = []

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c", *"krise")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        options = picker.query_one(OptionList)
        shown.append(str(options.get_option_at_index(0).prompt))

    use(lang)  # chosen before the app starts, as `fokus --lang` does
    drive(steps)
    assert shown == [f"krise  [dim]{names[lang]}[/]"]


def test_help_in_a_thread_lists_the_threads_keys_first_and_their_meaning_wins(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]
        meaning = {key: what for key, what, _ in rows}
        assert meaning["a"] == _described(ThreadScreen, "thread.accept")  # not the app's "Analysis"
        assert meaning["a"] != "Analysis"
        assert meaning["x"] == _described(ThreadScreen, "thread.uncode")
        assert meaning["u"] == "Undo"
        wheres = [where for _, _, where in rows]
        assert wheres == sorted(wheres, key=lambda w: w != "here")  # the thread's own keys first
        assert set(wheres) == {"here", "everywhere"}
        assert "Copy selected text" not in meaning.values()  # Textual's own keys are not fokus's to list

    drive(steps)


def _described(screen: type[object], binding_id: str) -> str:
    """What a screen's binding says it does (its English: the tests run in English)."""
    bindings = getattr(screen, "BINDINGS", [])
    return next(b.description for b in bindings if isinstance(b, Binding) and b.id == binding_id)


def _run(app: FokusApp, steps: Callable[[Pilot[None]], object]) -> None:
    async def go() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await steps(pilot)  # type: ignore[misc]

    asyncio.run(go())


def test_a_new_user_is_asked_once_for_a_name(project: Project) -> None:
    async def first(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app.screen, CoderPrompt)
        await pilot.press(*["backspace"] * 10, *"Ingrid", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ThreadsScreen)

    app = FokusApp(project, None, login="root")
    _run(app, first)
    assert app.coder_name == "Ingrid"
    with project.read() as session:
        assert get_setting(session, coder_setting("root")) == "Ingrid"
        assert session.scalar(select(Coder.id).where(Coder.name == "Ingrid")) == app.coder_id

    async def again(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app.screen, ThreadsScreen)  # not asked again

    second = FokusApp(project, None, login="root")
    _run(second, again)
    assert second.coder_name == "Ingrid"
    assert second.coder_id == app.coder_id


def test_a_coder_comes_back_to_the_sentence_they_left(project: Project) -> None:
    left: dict[str, int] = {}

    async def work(pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        await pilot.press("j", "j", "j")
        screen = pilot.app.screen
        assert isinstance(screen, ThreadScreen)
        found = screen.current
        assert found is not None
        left.update(thread=screen.thread_id, message=found[0].message_id, start=found[1].start)
        await pilot.press("q")
        await pilot.pause()

    _run(FokusApp(project, "tester"), work)

    async def back(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, ThreadScreen)
        found = screen.current
        assert found is not None
        assert (screen.thread_id, found[0].message_id, found[1].start) == (
            left["thread"],
            left["message"],
            left["start"],
        )

    _run(FokusApp(project, "tester"), back)

    async def someone_else(pilot: Pilot[None]) -> None:
        assert isinstance(pilot.app.screen, ThreadsScreen)  # each coder has their own place

    _run(FokusApp(project, "magnus"), someone_else)
