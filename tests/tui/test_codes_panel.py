"""The codes panel of a thread: every coding and open suggestion on the sentence or selection, one of them chosen
(``1``-``9``, ``tab``) for ``e``, ``x``, ``M``, ``a`` and ``r``; a warning before a duplicate coding; and a thread
opened after a free-text filter starting at the word. Driven through Pilot on both backends, asserting on the
database."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from textual.pilot import Pilot

from fokus.api.browse import CodingView
from fokus.model import Coder, Coding, Memo
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.thread import ThreadScreen


def codings_of_tester(project: Project) -> list[tuple[int, str, int, int]]:
    """The tester's accepted codings as (id, code, start, end), oldest first."""
    with project.read() as session:
        tester = session.scalar(select(Coder.id).where(Coder.name == "tester"))
        return [
            (c.id, c.code.path, c.start, c.end)
            for c in session.scalars(
                select(Coding).where(Coding.coder_id == tester, Coding.status == "accepted").order_by(Coding.id)
            )
        ]


def notes(app: FokusApp) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def two_codings_on_the_first_sentence(pilot: Pilot[None], app: FokusApp) -> None:
    """Open the newest thread and code its first sentence as dialog, then as ressurser/tid."""
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ThreadScreen)
    await pilot.press("c", *"dialog", "enter")
    await pilot.pause()
    await pilot.press("c", *"ressurser/tid", "enter")
    await pilot.pause()


def test_x_removes_the_chosen_older_coding_and_says_which(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await two_codings_on_the_first_sentence(pilot, app)
        await pilot.press("1", "x")  # the panel lists your codings first, oldest first: 1 is dialog
        await pilot.pause()
        seen["notes"] = notes(app)

    drive(steps)
    assert [code for _, code, _, _ in codings_of_tester(project)] == ["ressurser/tid"]
    assert "Removed dialog (“Kjære alle sammen: i dag stenger vi …”, tester)" in seen["notes"]


def test_with_two_codings_x_asks_which_and_removes_nothing_until_told(
    project: Project, drive: Callable[..., None]
) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await two_codings_on_the_first_sentence(pilot, app)
        await pilot.press("x")
        await pilot.pause()
        assert len(codings_of_tester(project)) == 2  # a question, not a removal
        await pilot.press("2")  # the second: ressurser/tid
        await pilot.pause()

    drive(steps)
    assert [code for _, code, _, _ in codings_of_tester(project)] == ["dialog"]


def test_memo_goes_to_the_chosen_coding(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await two_codings_on_the_first_sentence(pilot, app)
        await pilot.press("1", "M")
        await pilot.pause()
        await pilot.press(*"Om dialogen", "ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        chosen = screen.panel.chosen_entry
        assert chosen is not None
        assert (chosen.code, chosen.has_memo) == ("dialog", True)  # the panel marks it

    drive(steps)
    older = codings_of_tester(project)[0]
    assert older[1] == "dialog"
    with project.read() as session:
        memo = session.scalars(select(Memo).where(Memo.text == "Om dialogen")).one()
    assert memo.coding_id == older[0]


def test_e_recodes_the_chosen_coding(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await two_codings_on_the_first_sentence(pilot, app)
        await pilot.press("1", "e")
        await pilot.pause()
        await pilot.press(*"krise/under", "enter")
        await pilot.pause()
        seen["notes"] = notes(app)

    drive(steps)
    assert [code for _, code, _, _ in codings_of_tester(project)] == ["krise/under", "ressurser/tid"]
    assert "dialog is now krise/under (“Kjære alle sammen: i dag stenger vi …”, tester)" in seen["notes"]


async def open_filtered(pilot: Pilot[None], app: FokusApp, text: str) -> ThreadScreen:
    """Filter the thread list with ``text`` and open the first thread."""
    await pilot.press("slash", *text, "enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ThreadScreen)
    return screen


async def on_to(
    pilot: Pilot[None], screen: ThreadScreen, wanted: Callable[[CodingView], bool], count: Callable[[int], bool]
) -> tuple[list[CodingView], list[CodingView]]:
    """Move on sentence by sentence to the first where the number of ``wanted`` codings on it passes ``count``;
    returns those and every accepted coding on the sentence."""
    for _ in range(300):
        found = screen.current
        assert found is not None
        view, cursor = found
        here = [c for c in view.codings if c.start < cursor.end and cursor.start < c.end]
        if count(len([c for c in here if wanted(c)])):
            return [c for c in here if wanted(c)], [c for c in here if c.status == "accepted"]
        await pilot.press("j")
    raise AssertionError("no such sentence in the thread")


def suggested(coding: CodingView) -> bool:
    return coding.status == "suggested"


def test_someone_elses_coding_is_shown_but_not_removed(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, object] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_filtered(pilot, app, "status:accepted")  # a thread the demo's coders coded
        others, _ = await on_to(pilot, screen, lambda c: c.status == "accepted", lambda n: n > 0)
        seen["coding"], seen["coder"] = others[0].coding_id, others[0].coder
        await pilot.press("1", "x")  # the tester has none here: 1 is someone else's
        await pilot.pause()
        seen["notes"] = notes(app)

    drive(steps)
    with project.read() as session:
        assert session.get(Coding, seen["coding"]) is not None
    assert f"The coding is {seen['coder']}'s: you can change or remove only your own" in seen["notes"]  # type: ignore[operator]


def test_accepting_a_suggestion_in_the_thread(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, object] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_filtered(pilot, app, "status:suggested")
        [suggestion], _ = await on_to(pilot, screen, suggested, lambda n: n == 1)
        seen["coding"], seen["code"] = suggestion.coding_id, suggestion.code
        await pilot.press("a")  # the only suggestion here: no need to choose it
        await pilot.pause()
        seen["notes"] = notes(app)

    drive(steps)
    with project.read() as session:
        coding = session.get(Coding, seen["coding"])
        assert coding is not None
        assert (coding.status, coding.coder.name) == ("accepted", "tester")
    assert any(note.startswith(f"Accepted the suggestion {seen['code']} (“") for note in seen["notes"])  # type: ignore[attr-defined]


def test_rejecting_the_chosen_one_of_two_suggestions(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, int] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_filtered(pilot, app, "fotokonkurranse på Flickr")  # a sentence with two suggestions
        suggestions, accepted = await on_to(pilot, screen, suggested, lambda n: n >= 2)
        first, second = sorted(suggestions, key=lambda c: (-(c.confidence or 0.0), c.start, c.coding_id))[:2]
        seen["first"], seen["second"] = first.coding_id, second.coding_id
        await pilot.press(str(len(accepted) + 2), "r")  # the panel: codings first, then suggestions, surest first
        await pilot.pause()

    drive(steps)
    with project.read() as session:
        assert session.get_one(Coding, seen["second"]).status == "rejected"
        assert session.get_one(Coding, seen["first"]).status == "suggested"


def test_the_same_code_over_an_overlapping_span_asks_first(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, list[str]] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c", *"dialog", "enter")
        await pilot.pause()
        await pilot.press("c", *"dialog", "enter")  # the very same span again
        await pilot.pause()
        seen["same"] = notes(app)
        assert len(codings_of_tester(project)) == 1
        await pilot.press("J")  # the first two sentences
        await pilot.press("c", *"dialog", "enter")
        await pilot.pause()
        assert len(codings_of_tester(project)) == 1  # not created silently: a question first
        await pilot.press("enter")  # the first answer: extend the coding there is
        await pilot.pause()
        seen["notes"] = notes(app)

    drive(steps)
    assert "You already coded this as dialog" in seen["same"]
    [(_, code, start, end)] = codings_of_tester(project)
    assert (code, start) == ("dialog", 0)
    assert end > 70  # over the second sentence too
    assert any(note.startswith("Extended dialog to “Kjære alle sammen") for note in seen["notes"]), seen["notes"]


def test_coding_again_over_an_overlap_when_told_to(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c", *"dialog", "enter")
        await pilot.pause()
        await pilot.press("J", "c", *"dialog", "enter")
        await pilot.pause()
        await pilot.press("2")  # "Code anyway"
        await pilot.pause()

    drive(steps)
    assert [code for _, code, _, _ in codings_of_tester(project)] == ["dialog", "dialog"]


def test_a_thread_opened_after_a_free_text_filter_starts_at_the_word(drive: Callable[..., None]) -> None:
    """The word is in the tenth message of its thread: the cursor starts on its sentence, and the word is marked."""

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await pilot.press("slash", *"Timingen", "enter")  # as written in the message: "timingen"
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ThreadScreen)
        found = screen.current
        assert found is not None
        view, cursor = found
        assert cursor.message > 0
        assert "timingen" in view.text[cursor.start : cursor.end]
        shown = screen.conversation.message_text(cursor.message)
        at = shown.plain.index("timingen")
        marks = [span for span in shown.spans if "on yellow" in str(span.style)]
        assert [(span.start, span.end) for span in marks] == [(at, at + len("timingen"))]

    drive(steps)


def test_a_click_on_an_entry_chooses_it(project: Project, drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await two_codings_on_the_first_sentence(pilot, app)
        await pilot.click("#codes-panel", offset=(4, 1))  # beside the conversation, under its border: entry 1
        await pilot.press("x")
        await pilot.pause()

    drive(steps)
    assert [code for _, code, _, _ in codings_of_tester(project)] == ["ressurser/tid"]
