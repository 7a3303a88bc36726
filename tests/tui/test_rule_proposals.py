"""Rule proposals from the codebook screen (``r``): the triggers `fokus rules suggest` proposes for the code in
focus, a marked one added to the codebook file (nothing else in it changed) and loaded, and ``u`` taking the load
back."""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Tree

from fokus.api.rule_proposals import propose_rules
from fokus.domain.settings import MODEL_SETTING, get_setting
from fokus.model import Code
from fokus.nlp import load_pipeline
from fokus.resources import default_codebook
from fokus.store import Project
from fokus.tui.app import FokusApp
from fokus.tui.screens.codebook import CodebookScreen
from fokus.tui.screens.rule_proposals import RuleProposalsScreen
from tests.tui.conftest import screen_lines

CODE = "god-praksis"  # the most coded code of the demo: it always has something to propose


def rules_of(project: Project, path: str) -> list[dict[str, Any]]:
    with project.read() as session:
        return list(session.scalars(select(Code.rules).where(Code.path == path)).one() or [])


async def open_proposals(pilot: Pilot[None], app: FokusApp) -> RuleProposalsScreen:
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(app.screen, CodebookScreen)
    tree: Tree[dict[str, Any]] = app.screen.query_one("#codebook-tree", Tree)
    for _ in range(80):
        node = tree.cursor_node
        if node is not None and node.data is not None and node.data["id"] == CODE:
            break
        await pilot.press("down")
        await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, RuleProposalsScreen)
    return app.screen


def test_the_screen_shows_what_rules_suggest_proposes_and_adds_a_marked_one(
    project: Project, drive: Callable[..., None], tmp_path: Path
) -> None:
    with project.read() as session:
        expected = propose_rules(session, load_pipeline(get_setting(session, MODEL_SETTING)), CODE)
    triggers = [p.trigger for p in expected.codes[0].proposals]
    assert len(triggers) >= 2
    file = tmp_path / "kodebok.yaml"
    shutil.copyfile(default_codebook(), file)
    original = file.read_text(encoding="utf-8")
    rules_before = rules_of(project, CODE)
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[None], app: FokusApp) -> None:
        screen = await open_proposals(pilot, app)
        table = screen.query_one(DataTable)
        seen["rows"] = [str(key.value) for key in table.rows]
        seen["lines"] = screen_lines(app)
        await pilot.press("down", "space")  # mark the second proposal only
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*str(file), "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen["after"] = rules_of(project, CODE)
        await pilot.press("u")
        await pilot.pause()

    drive(steps, size=(80, 24))
    assert seen["rows"] == triggers
    assert any(f"{CODE}: " in line and "accepted sentences" in line for line in seen["lines"])
    assert any(line.lstrip().startswith("space Mark  w Add to codebook  esc Back") for line in seen["lines"])
    text = file.read_text(encoding="utf-8")
    diff = list(difflib.ndiff(original.splitlines(), text.splitlines()))
    assert not [line for line in diff if line.startswith("- ")]
    added = [line[2:].strip() for line in diff if line.startswith("+ ")]
    assert added[1:3] == ["- id: learnt-1", f"any: [{triggers[1]}]"] or added[1:3] == [
        "- id: learnt-1",
        f"phrases: [{triggers[1]}]",
    ]
    new_rule = seen["after"][-1]
    assert new_rule["id"] == "learnt-1"
    assert new_rule.get("any", new_rule.get("phrases")) == [triggers[1]]
    assert rules_of(project, CODE) == rules_before  # u took the load back; the file keeps the rule
