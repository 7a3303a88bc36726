"""The TUI driven through Textual's Pilot on a copy of the demo project, asserting on the database afterwards; on
SQLite and on PostgreSQL (a team's server project is coded in the same TUI)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from textual.pilot import Pilot

from fokus.api.coding_actions import decide
from fokus.model import Case, Code, Coder, Coding, Memo
from fokus.store import Project
from fokus.tui.app import YOUNG, FokusApp
from fokus.tui.screens.review import ReviewScreen
from fokus.tui.screens.thread import ThreadScreen
from fokus.tui.screens.threads import ThreadsScreen


def mine(project: Project) -> list[tuple[str, str]]:
    """The tester's codings as (code, status)."""
    with project.read() as session:
        tester = session.scalar(select(Coder.id).where(Coder.name == "tester"))
        return [(c.code.path, c.status) for c in session.scalars(select(Coding).where(Coding.coder_id == tester))]


def test_browse_open_a_thread_and_code_a_sentence(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        assert isinstance(app.screen, ThreadsScreen)
        assert app.screen.loaded > 50
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadScreen)
        await pilot.press("j", "c")
        await pilot.pause()
        await pilot.press(*"krise/under")
        await pilot.press("enter")
        await pilot.pause()

    drive(steps)
    assert mine(project) == [("krise/under", "accepted")]


def test_review_accept_then_undo(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.items
        await pilot.press("a")
        await pilot.pause()
        assert len(mine(project)) == 1
        await pilot.press("u")
        await pilot.pause()

    drive(steps)
    assert mine(project) == []


def test_a_suggestion_another_coder_decided_meanwhile_is_not_overwritten(
    project: Project, drive: Callable[..., None]
) -> None:
    """Two coders review the same queue (a team on one server): the second one's keypress on a suggestion the
    first has just rejected changes nothing, says so, and moves the queue on."""
    from fokus.domain.coders import CoderRegistry
    from fokus.model import CoderKind

    seen: dict[str, object] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        item = app.screen.item
        assert item is not None
        seen["item"] = item.coding_id
        with project.begin(concurrent=True) as session:  # magnus, at his own terminal
            magnus = CoderRegistry(session).get_or_create("magnus", CoderKind.HUMAN)
            decide(session, item.coding_id, False, magnus)
        await pilot.press("a")
        await pilot.pause()
        seen["notes"] = [note.message for note in app._notifications]
        seen["next"] = app.screen.item.coding_id if app.screen.item else None

    drive(steps)
    with project.read() as session:
        coding = session.get(Coding, seen["item"])
        assert coding is not None
        assert coding.status == "rejected"  # magnus's decision stands
    assert mine(project) == []  # and the tester's keypress made nothing
    assert any("rejected by magnus meanwhile" in str(note) for note in seen["notes"]), seen["notes"]  # type: ignore[attr-defined]
    assert seen["next"] != seen["item"]  # the queue moved on


def test_a_memo_is_stored(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"Viktig poeng")
        await pilot.press("ctrl+s")
        await pilot.pause()

    drive(steps)
    with project.read() as session:
        memo = session.scalars(select(Memo)).one()
    assert memo.text == "Viktig poeng"
    assert memo.message_id is not None


def test_a_memo_on_the_municipality_is_stored_on_its_case(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, object] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(40):  # on to the first sentence by someone who speaks for a municipality
            if app.screen.current[0].case:  # type: ignore[attr-defined]
                break
            await pilot.press("j")
        seen["case"] = app.screen.current[0].case  # type: ignore[attr-defined]
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Tydelig strategi")
        await pilot.press("ctrl+s")
        await pilot.pause()

    drive(steps)
    assert seen["case"]
    with project.read() as session:
        memo = session.scalars(select(Memo)).one()
        assert memo.text == "Tydelig strategi"
        assert memo.case_id == session.scalar(select(Case.id).where(Case.name == seen["case"]))


def test_a_memo_on_a_code_is_stored_on_the_code_under_the_cursor(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, object] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        node = app.screen.query_one("#codebook-tree").cursor_node  # type: ignore[attr-defined]
        seen["code"] = node.data["id"]
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"Definisjonen er for vid")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("m")  # again: your memo opens to edit, not a second one
        await pilot.pause()
        await pilot.press("end", *" (gjelder også underkodene)", "ctrl+s")
        await pilot.pause()

    drive(steps)
    with project.read() as session:
        memo = session.scalars(select(Memo)).one()
        assert memo.text == "Definisjonen er for vid (gjelder også underkodene)"
        assert memo.code_id == session.scalar(select(Code.id).where(Code.path == seen["code"]))


def test_help_lists_the_keys(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        from textual.binding import Binding
        from textual.widgets import DataTable

        from fokus.tui.screens.threads import ThreadsScreen

        table = app.screen.query_one(DataTable)
        keys = {str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        opens = next(b for b in ThreadsScreen.BINDINGS if isinstance(b, Binding) and b.id == "threads.open")
        assert {"Suggestions", "Undo", "Quit", opens.description} <= keys

    drive(steps)


def test_the_codebook_panel_shows_counts_and_definitions(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        from textual.widgets import Static, Tree

        from fokus.tui.screens.codebook import CodebookScreen

        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        tree = app.screen.query_one(Tree)
        labels = [str(node.label) for node in tree.root.children]
        assert any(label.startswith("■ krise") for label in labels)
        await pilot.press("down", "down")
        await pilot.pause()
        assert "Include" in str(app.screen.query_one("#codebook-definition", Static).render())

    drive(steps)


def test_good_practice_is_marked_and_listed_on_the_board(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        from textual.widgets import DataTable

        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"Takk-runde")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape", "p")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        summaries = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
        assert "Takk-runde" in summaries

    drive(steps)
    assert ("god-praksis", "accepted") in mine(project)


def test_tagging_runs_in_a_worker(project: Project, drive: Callable[..., None]) -> None:
    with project.begin() as session:  # forget the demo's tagging, so there is work to do
        from sqlalchemy import delete

        from fokus.model import TagState

        session.execute(delete(TagState))

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(str(n.message).startswith("Done: ") for n in app._notifications)

    drive(steps)


def test_a_selection_grows_by_sentence_and_word_and_can_be_recoded(
    project: Project, drive: Callable[..., None]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        first = screen.current
        assert first is not None
        await pilot.press("J")  # the next sentence of the same message
        grown = screen.current
        assert grown is not None
        assert grown[1].start == first[1].start
        assert grown[1].end > first[1].end
        await pilot.press("h")  # one word back
        shrunk = screen.current
        assert shrunk is not None
        assert first[1].end <= shrunk[1].end < grown[1].end
        await pilot.press("c", *"dialog", "enter")
        await pilot.pause()
        await pilot.press("e", *"ressurser/tid", "enter")
        await pilot.pause()

    drive(steps)
    assert mine(project) == [("ressurser/tid", "accepted")]


def test_filtering_the_thread_list(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = app.screen
        assert isinstance(screen, ThreadsScreen)
        everything = screen.total
        await pilot.press("slash", *"kommune:Voss fra:2013-04-01", "enter")
        await pilot.pause()
        assert 0 < screen.total < everything
        await pilot.press("slash", *" kommune:Atlantis", "enter")
        await pilot.pause()
        assert any("Atlantis" in str(n.message) for n in app._notifications)

    drive(steps)


def test_memos_on_a_code_a_case_and_a_coding(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("b", "down", "m")
        await pilot.pause()
        await pilot.press(*"Om koden", "ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("slash", *"kommune:Voss vårflaum", "enter")  # a post written from Voss
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n", *"Om kommunen", "ctrl+s")
        await pilot.pause()
        await pilot.press("c", *"dialog", "enter")
        await pilot.pause()
        await pilot.press("M", *"Om kodingen", "ctrl+s")
        await pilot.pause()

    drive(steps)
    with project.read() as session:
        memos = {m.text: m for m in session.scalars(select(Memo))}
    assert memos["Om koden"].code_id is not None
    assert memos["Om kommunen"].case_id is not None
    assert memos["Om kodingen"].coding_id is not None


def test_what_is_there_when_the_first_screen_is_up_is_kept_out_of_full_collections(
    project: Project, drive: Callable[..., None]
) -> None:
    import gc

    gc.unfreeze()  # earlier tests in this process may have frozen the heap
    young = gc.get_threshold()

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.pause()
        assert isinstance(app.screen, ThreadsScreen)
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG  # young objects collected less often, so fewer reach the old

    try:
        drive(steps)
    finally:
        gc.set_threshold(*young)
