"""The good-practice board (`p`) on the demo: one row per passage however many researchers marked it, each one's
summary, the whole quote, filters by municipality and theme, `enter` to the thread, and `g` on a passage someone
else marked adding a summary rather than a row; on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from fokus.api.good_practice import mark_good_practice
from fokus.model import Code, Coder, Coding, Memo, Message
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.thread import ThreadScreen

# Marked by ingrid and by magnus in the demo (corpus/codings.csv), the same span; in Bodø.
MESSAGE, START, END = "348822158517432_349000112302001", 30, 245


def passage(project: Project) -> tuple[int, str]:
    """The demo passage's message id and its words."""
    with project.read() as session:
        found = session.execute(select(Message.id, Message.text).where(Message.external_id == MESSAGE)).one()
    return found[0], found[1][START:END]


def marks(project: Project) -> list[tuple[str, int, int, list[str]]]:
    """Every accepted good-practice coding of the demo passage's message: (coder, start, end, memos on it)."""
    with project.read() as session:
        codings = session.scalars(
            select(Coding)
            .join(Message, Coding.message_id == Message.id)
            .join(Code, Coding.code_id == Code.id)
            .where(Message.external_id == MESSAGE, Code.path == "god-praksis", Coding.status == "accepted")
        ).all()
        return sorted(
            (
                c.coder.name,
                c.start,
                c.end,
                sorted(session.scalars(select(Memo.text).where(Memo.coding_id == c.id))),
            )
            for c in codings
        )


def shown(app: FokusApp) -> list[str]:
    """The board's rows as shown: every cell of each row, joined."""
    table = app.screen.query_one(DataTable)
    return [" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


def column(app: FokusApp, label: str) -> list[str]:
    """One column of the board, by its label."""
    table = app.screen.query_one(DataTable)
    index = [str(c.label) for c in table.ordered_columns].index(label)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def detail(app: FokusApp) -> str:
    """The text of the pane under the table (the passage in focus), wrapping undone."""
    return " ".join(str(app.screen.query_one("#practice-detail", Static).render()).split())


async def to_passage(pilot: Pilot[None], app: FokusApp, words: str, *, once: bool = True) -> None:
    """Open the board and put the cursor on the demo passage (listed ``once``)."""
    await pilot.press("p")
    await pilot.pause()
    rows = [i for i, row in enumerate(shown(app)) if " ".join(words.split())[:40] in " ".join(row.split())]
    assert len(rows) == 1 or not once, rows  # once, though two researchers marked it
    app.screen.query_one(DataTable).move_cursor(row=rows[0])
    await pilot.pause()


def test_a_passage_two_researchers_marked_is_one_row_with_both_summaries_and_the_whole_quote(
    project: Project, drive: Callable[..., None]
) -> None:
    message, words = passage(project)
    with project.begin() as session:
        ingrid = session.scalar(select(Coder.id).where(Coder.name == "ingrid"))
        assert ingrid is not None
        mark_good_practice(session, message, START, END, "Én person i kriseledelsen svarer på Facebook", ingrid)
    assert len(words) > 200

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await to_passage(pilot, app, words)
        rows = shown(app)
        assert sum(words[:40] in row for row in rows) == 1
        assert len(rows) == len(set(rows))  # no passage twice
        text = detail(app)
        assert " ".join(words.split()) in text  # the whole quote, not its first 60 characters
        assert "ingrid: Én person i kriseledelsen svarer på Facebook" in text
        assert "magnus: (no summary)" in text  # marked in codings.csv, with no summary

    drive(steps, size=(160, 45))


def test_the_quote_column_uses_the_width_and_the_detail_fits_at_80x24(
    project: Project, drive: Callable[..., None]
) -> None:
    _, words = passage(project)

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await to_passage(pilot, app, words)
        table = app.screen.query_one(DataTable)
        quote = table.ordered_columns[-1]
        assert quote.width >= 160 - 80  # the rest of the line, not 60 characters
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        pane = app.screen.query_one("#practice-detail", Static)
        assert " ".join(words.split()) in detail(app)
        assert pane.region.bottom <= 24
        assert pane.region.width >= 70

    drive(steps, size=(160, 45))


def test_filter_by_municipality_and_by_theme_narrows_the_rows(project: Project, drive: Callable[..., None]) -> None:
    async def pick(pilot: Pilot[None], app: FokusApp, key: str, *typed: str) -> None:
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, ModalScreen)  # the picker
        await pilot.press(*typed, "enter")
        await pilot.pause()

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("p")
        await pilot.pause()
        everything = list(zip(column(app, "Municipality"), column(app, "Theme"), strict=True))
        await pick(pilot, app, "k", *"Bodø")
        cases = column(app, "Municipality")
        assert 0 < len(cases) < len(everything)
        assert set(cases) == {"Bodø"}
        assert len(cases) == sum(case == "Bodø" for case, _ in everything)
        assert "municipality: Bodø" in str(app.screen.query_one("#practices-about", Static).render())
        await pick(pilot, app, "t", *"krise")
        both = list(zip(column(app, "Municipality"), column(app, "Theme"), strict=True))
        assert 0 < len(both) < len(cases)
        assert all(case == "Bodø" and "krise" in themes.split(", ") for case, themes in both)
        await pick(pilot, app, "k")  # the first choice: every municipality
        assert len(set(column(app, "Municipality"))) > 1

    drive(steps)


def test_enter_opens_the_thread_at_the_passage(project: Project, drive: Callable[..., None]) -> None:
    message, words = passage(project)

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await to_passage(pilot, app, words, once=False)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        found = app.screen.current
        assert found is not None
        view, cursor = found
        assert view.message_id == message
        assert cursor.start <= START < cursor.end or START <= cursor.start < END

    drive(steps)


def test_g_on_a_passage_others_marked_adds_a_summary_not_a_row(project: Project, drive: Callable[..., None]) -> None:
    _, words = passage(project)
    before = marks(project)
    assert [(who, start, end) for who, start, end, _ in before] == [("ingrid", START, END), ("magnus", START, END)]

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await to_passage(pilot, app, words)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"Fast Facebook-ansvarlig i krisestab")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("ingrid and magnus" in str(n.message) for n in app._notifications)  # marked together with them
        await pilot.press("escape")
        await pilot.pause()
        await to_passage(pilot, app, words)  # still one row
        text = detail(app)
        assert "tester: Fast Facebook-ansvarlig i krisestab" in text
        assert "ingrid: (no summary)" in text

    drive(steps)
    # the tester's own coding, of the passage's whole span, with the summary on it; the others' untouched
    assert marks(project) == [
        *before,
        ("tester", START, END, ["Fast Facebook-ansvarlig i krisestab"]),
    ]
