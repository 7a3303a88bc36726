"""The codebook screen (``b``) as a researcher sees it, at 80x24 and 160x45, on both backends: every code's name
readable in the tree beside its counts, in the reader's language when the codebook has it (the demo's codebook gives
each code's texts in Norwegian and English), the definition of the code in focus, the jumps to its threads and its
passages, and the name and definition edited from the screen (the codebook's own texts), saved, undone and
redone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea, Tree

from fokus.api.codebook import code_memo_counts, code_status_counts, codebook_rows
from fokus.i18n import use
from fokus.model import Code
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.codebook import CodebookScreen
from fokus.tui.screens.passages import PassagesScreen
from fokus.tui.screens.threads import ThreadsScreen
from fokus.tui.widgets.code_editor import CodeEditor

SIZES = [(80, 24), (160, 45), (200, 60)]


def rows(project: Project) -> dict[str, dict[str, Any]]:
    """The codebook's rows with the texts a reader sees in the active language."""
    with project.read() as session:
        return {row["id"]: row for row in codebook_rows(session, shown=True)}


def stored(project: Project, path: str) -> tuple[str, str | None]:
    with project.read() as session:
        code = session.scalars(select(Code).where(Code.path == path)).one()
        return code.name, code.description


def tree_of(app: FokusApp) -> Tree[dict[str, Any]]:
    tree: Tree[dict[str, Any]] = app.screen.query_one("#codebook-tree", Tree)
    return tree


def cursor(app: FokusApp) -> tuple[str, str]:
    """The code under the tree's cursor: its path and its label as shown."""
    node = tree_of(app).cursor_node
    assert node is not None
    assert node.data is not None
    return node.data["id"], str(node.label)


def visible_lines(app: FokusApp) -> list[str]:
    """The tree's lines as they are on the screen now (scrolled where the cursor is)."""
    tree = tree_of(app)
    return [tree.render_line(y).text for y in range(tree.size.height)]


def detail(app: FokusApp) -> str:
    return str(app.screen.query_one("#codebook-definition", Static).render())


async def open_codebook(pilot: Pilot[None], app: FokusApp) -> None:
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(app.screen, CodebookScreen)


async def go_to(pilot: Pilot[None], app: FokusApp, path: str) -> None:
    """Move the cursor down to the code ``path``, as a person would."""
    for _ in range(60):
        if cursor(app)[0] == path:
            return
        await pilot.press("down")
        await pilot.pause()
    raise AssertionError(f"{path} not reached")


async def open_editor(pilot: Pilot[None], app: FokusApp, path: str) -> None:
    """Open the codebook, go to ``path`` and press ``e``."""
    await open_codebook(pilot, app)
    await go_to(pilot, app, path)
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, CodeEditor)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_code_name_is_readable_in_the_tree_with_its_counts(
    project: Project, drive: Callable[..., None], size: tuple[int, int]
) -> None:
    codes = rows(project)
    with project.read() as session:
        counts = code_status_counts(session)
    seen: list[str] = []

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_codebook(pilot, app)
        tree = tree_of(app)
        assert tree.region.right <= size[0]
        assert tree.region.width >= 40
        for _ in range(len(codes)):
            seen.extend(visible_lines(app))
            await pilot.press("down")
            await pilot.pause()
        seen.extend(visible_lines(app))

    drive(steps, size=size)
    for path, row in codes.items():
        leaf = path.rsplit("/", 1)[-1]
        accepted, suggested = counts.get((path, "accepted"), 0), counts.get((path, "suggested"), 0)
        lines = [line for line in seen if f"■ {leaf} " in line and f" {row['name']} " in line]
        assert lines, f"{path} ({row['name']}) is not readable in the tree"
        assert lines[0].split()[-2:] == [str(accepted), str(suggested)]
    # the counts stand in two columns, whatever the code's depth
    ends = set()
    for line in (line.rstrip() for line in seen if "■" in line):
        head = line[: -len(line.split()[-1])].rstrip()
        ends.add((len(head), len(line)))
    assert len(ends) == 1


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_code_in_focus_is_described_in_full(
    project: Project, drive: Callable[..., None], size: tuple[int, int]
) -> None:
    code = rows(project)["dialog"]
    with project.read() as session:
        counts = code_status_counts(session)
        memos = code_memo_counts(session).get("dialog", 0)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_codebook(pilot, app)
        await go_to(pilot, app, "dialog")
        seen["text"] = detail(app)
        pane = app.screen.query_one("#codebook-detail")
        seen["pane"] = pane.region
        seen["tree"] = tree_of(app).region

    drive(steps, size=size)
    text = " ".join(seen["text"].split())
    assert f"{code['name']} dialog" in text
    for part in (code["description"], f"Include: {code['include']}", f"Exclude: {code['exclude']}"):
        assert " ".join(part.split()) in text
    for example in code["examples"]:
        assert f"«{example}»" in text
    assert (
        f"Accepted codings: {counts[('dialog', 'accepted')]}, open suggestions: {counts[('dialog', 'suggested')]},"
        f" memos: {memos}"
    ) in text
    pane, tree = seen["pane"], seen["tree"]
    assert pane.right <= size[0]
    assert pane.bottom <= size[1] - 1
    assert pane.width >= 40
    assert pane.height >= 6
    assert not pane.overlaps(tree)


def test_enter_opens_the_threads_where_the_code_is_used(project: Project, drive: Callable[..., None]) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_codebook(pilot, app)
        await go_to(pilot, app, "krise/under")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThreadsScreen)
        seen["threads"] = (app.screen.filters.code, app.screen.total)

    drive(steps, size=(80, 24))
    assert seen["threads"][0] == "krise/under"
    assert seen["threads"][1] > 0


def test_k_opens_the_passages_coded_with_the_code_and_escape_comes_back_to_it(
    project: Project, drive: Callable[..., None]
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_codebook(pilot, app)
        await go_to(pilot, app, "krise/under")
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        seen["passages"] = (app.screen.code, len(app.screen.found), {quote.code for quote in app.screen.found})
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        seen["back on"] = cursor(app)[0]

    drive(steps, size=(80, 24))
    code, found, codes = seen["passages"]
    assert code == "krise/under"
    assert found > 0
    assert codes == {"krise/under"}
    assert seen["back on"] == "krise/under"


def test_the_footer_names_the_screens_keys(drive: Callable[..., None]) -> None:
    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_codebook(pilot, app)
        shown = {key: active.binding.description for key, active in app.screen.active_bindings.items()}
        hidden = {key for key, active in app.screen.active_bindings.items() if not active.binding.show}
        wanted = {"enter": "Threads", "k": "Passages", "e": "Edit", "m": "Memo on code", "slash": "Filter"}
        assert {key: shown.get(key) for key in wanted} == wanted
        assert not hidden & wanted.keys()

    drive(steps)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_editing_the_name_and_definition_is_saved_and_undone_and_redone(
    project: Project, drive: Callable[..., None], size: tuple[int, int]
) -> None:
    """In the codebook's own language (Norwegian), the tree shows what the editor changed at once."""
    use("nb")
    old = stored(project, "krise/rykter")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_editor(pilot, app, "krise/rykter")
        assert isinstance(app.screen, CodeEditor)  # for the type checker
        name = app.screen.query_one("#code-name", Input)
        assert name.value == old[0]
        assert name.has_focus
        assert app.screen.query_one("#code-description", TextArea).text == old[1]
        await pilot.press("ctrl+u", *"Rykter og [falske] nyheter", "tab", "f7", *"Feil som sprer seg.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        seen["saved"] = stored(project, "krise/rykter")
        seen["saved tree"] = cursor(app)[1]
        seen["saved detail"] = detail(app)
        await pilot.press("u")
        await pilot.pause()
        seen["undone"] = stored(project, "krise/rykter")
        seen["undone tree"] = cursor(app)[1]
        seen["undone detail"] = detail(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        seen["redone"] = stored(project, "krise/rykter")
        seen["redone tree"] = cursor(app)[1]

    drive(steps, size=size)
    new = ("Rykter og [falske] nyheter", "Feil som sprer seg.")
    assert seen["saved"] == new
    assert seen["redone"] == new
    assert seen["undone"] == old
    assert "Rykter og [falske] nyheter" in seen["saved tree"]
    assert "Rykter og [falske] nyheter" in seen["redone tree"]
    assert "Feil som sprer seg." in seen["saved detail"]
    assert old[0] in seen["undone tree"]
    assert old[0] in seen["undone detail"]


@pytest.mark.parametrize(("lang", "name"), [("en", "Crisis and emergency preparedness"), ("nb", "Krise og beredskap")])
def test_the_codebook_speaks_the_readers_language(
    project: Project, drive: Callable[..., None], lang: str, name: str
) -> None:
    use(lang)
    description = " ".join(rows(project)["krise"]["description"].split())
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_codebook(pilot, app)
        await go_to(pilot, app, "krise")
        seen["label"], seen["detail"] = cursor(app)[1], " ".join(detail(app).split())

    drive(steps, size=(80, 24))
    assert f" {name} " in seen["label"]
    assert seen["detail"].startswith(f"{name} krise {description}")
    # a code shown in a translation says what the editor changes: the codebook's own (Norwegian) texts
    assert ("Krise og beredskap" in seen["detail"].removeprefix(name)) == (lang == "en")


def test_in_english_the_editor_changes_the_codebooks_own_texts(project: Project, drive: Callable[..., None]) -> None:
    old = stored(project, "krise/rykter")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_editor(pilot, app, "krise/rykter")
        seen["editing"] = app.screen.query_one("#code-name", Input).value
        await pilot.press("ctrl+u", *"Rykter og [falske] nyheter", "tab", "f7", *"Feil som sprer seg.", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        seen["tree"], seen["detail"] = cursor(app)[1], " ".join(detail(app).split())

    drive(steps)
    assert seen["editing"] == old[0]
    assert stored(project, "krise/rykter") == ("Rykter og [falske] nyheter", "Feil som sprer seg.")
    assert " Rumours and misinformation " in seen["tree"]
    assert seen["detail"].startswith("Rumours and misinformation krise/rykter")
    assert seen["detail"].endswith(
        "In the codebook's own language (e edits this): Rykter og [falske] nyheter Feil som sprer seg."
    )


def test_escape_keeps_a_changed_name_until_asked_twice(project: Project, drive: Callable[..., None]) -> None:
    old = stored(project, "ungdom")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_editor(pilot, app, "ungdom")
        await pilot.press(*" og unge voksne", "escape")
        await pilot.pause()
        assert isinstance(app.screen, CodeEditor)
        seen["warned"] = [n.message for n in app._notifications]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)

    drive(steps)
    assert "Not saved: esc again discards the changes, ctrl+s saves" in seen["warned"]
    assert stored(project, "ungdom") == old


def test_an_empty_name_is_refused_and_nothing_is_saved(project: Project, drive: Callable[..., None]) -> None:
    old = stored(project, "ungdom")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_editor(pilot, app, "ungdom")
        await pilot.press("ctrl+u", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CodeEditor)
        seen["warned"] = [n.message for n in app._notifications]

    drive(steps)
    assert "The code needs a name" in seen["warned"]
    assert stored(project, "ungdom") == old


def test_the_filter_keeps_matching_codes_and_their_parents_readable(
    project: Project, drive: Callable[..., None]
) -> None:
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        await open_codebook(pilot, app)
        await pilot.press("slash", *"rykter", "enter")
        await pilot.pause()
        tree = tree_of(app)
        assert tree.has_focus
        seen["lines"] = [line.strip() for line in visible_lines(app) if line.strip()]

    drive(steps, size=(80, 24))
    lines = seen["lines"]
    assert len(lines) == 2
    assert "■ krise " in lines[0]
    assert " Crisis and emergency preparedness " in lines[0]
    assert "■ rykter " in lines[1]
    assert " Rumours and misinformation " in lines[1]
