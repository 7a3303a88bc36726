"""A researcher's steps: code, recode, remove, accept, reject, accept as; undo and redo, across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from fokus.api.coding_actions import accept_as, add_coding, decide, recode, redo, remove_coding, undo
from fokus.api.messages import import_messages
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.model import CoderKind, Coding, Message
from fokus.store import Project, open_project
from tests.conftest import at, parsed, record


@pytest.fixture
def ready(project: Project) -> tuple[Project, int, int, int]:
    with project.begin() as session:
        import_messages(session, [parsed(record("m1", "Kari Holmen", "Flommen kom i natt. Vi svarte.", when=at(1)))])
        coders = CoderRegistry(session)
        ingrid = coders.get_or_create("ingrid", CoderKind.HUMAN)
        machine = coders.get_or_create("fokus", CoderKind.MACHINE)
        message = session.scalar(select(Message.id))
        assert message is not None
        suggestion = Coding(
            message_id=message, code_id=1, coder_id=machine, start=0, end=19, status="suggested", origin="rule:krise:r1"
        )
        session.add(suggestion)
    return project, message, ingrid, machine


def codings(project: Project) -> list[tuple[str, int, int, str, int]]:
    with project.read() as session:
        return sorted((c.code.path, c.start, c.end, c.status, c.coder_id) for c in session.scalars(select(Coding)))


def test_code_recode_remove_and_undo_each_step(ready: tuple[Project, int, int, int]) -> None:
    project, message, ingrid, _machine = ready
    start = codings(project)
    with project.begin() as session:
        added = add_coding(session, message, "dialog", 20, 30, ingrid)
    with project.begin() as session:
        recode(session, added.coding_id or 0, "krise/flom", ingrid)
    after_recode = codings(project)
    assert ("krise/flom", 20, 30, "accepted", ingrid) in after_recode
    with project.begin() as session:
        remove_coding(session, added.coding_id or 0, ingrid)
    assert codings(project) == start
    with project.begin() as session:
        assert undo(session, ingrid) is not None  # the removal
    assert codings(project) == after_recode
    with project.begin() as session:
        undo(session, ingrid)  # the recode
        undo(session, ingrid)  # the coding itself
    assert codings(project) == start
    with project.begin() as session:
        assert undo(session, ingrid) is None  # nothing left of ingrid's
    with project.begin() as session:
        redo(session, ingrid)
    assert ("dialog", 20, 30, "accepted", ingrid) in codings(project)


def test_undo_survives_a_restart(ready: tuple[Project, int, int, int], tmp_path: Path) -> None:
    project, message, ingrid, _ = ready
    with project.begin() as session:
        add_coding(session, message, "dialog", 20, 30, ingrid)
    project.close()
    again = open_project(project.display)
    with again.begin() as session:
        report = undo(session, ingrid)
    assert report is not None
    assert report.changed == 1
    assert all(code != "dialog" for code, *_ in codings(again))
    again.close()


def test_accepting_and_rejecting_suggestions(ready: tuple[Project, int, int, int]) -> None:
    project, _, ingrid, machine = ready
    with project.read() as session:
        suggestion = session.scalars(select(Coding.id)).one()
    with project.begin() as session:
        decide(session, suggestion, True, ingrid)
    assert codings(project) == [("krise", 0, 19, "accepted", ingrid)]  # now the researcher's coding
    with project.begin() as session:
        undo(session, ingrid)
    assert codings(project) == [("krise", 0, 19, "suggested", machine)]
    with project.begin() as session:
        decide(session, suggestion, False, ingrid)
    assert codings(project) == [("krise", 0, 19, "rejected", machine)]  # stays the machine's: never proposed again
    with project.begin() as session:
        assert redo(session, ingrid) is None  # a new step since the undo: no redo


def test_accept_as_another_code_is_one_step(ready: tuple[Project, int, int, int]) -> None:
    project, _, ingrid, machine = ready
    with project.read() as session:
        suggestion = session.scalars(select(Coding.id)).one()
    with project.begin() as session:
        accept_as(session, suggestion, "krise/flom", ingrid)
    assert codings(project) == [("krise", 0, 19, "rejected", machine), ("krise/flom", 0, 19, "accepted", ingrid)]
    with project.begin() as session:
        undo(session, ingrid)
    assert codings(project) == [("krise", 0, 19, "suggested", machine)]


def test_undo_leaves_what_someone_else_changed_since(ready: tuple[Project, int, int, int]) -> None:
    project, message, ingrid, _ = ready
    with project.begin() as session:
        magnus = CoderRegistry(session).get_or_create("magnus", CoderKind.HUMAN)
        added = add_coding(session, message, "dialog", 20, 30, ingrid)
    with project.begin() as session:
        recode(session, added.coding_id or 0, "krise/flom", magnus)
    with project.begin() as session:
        report = undo(session, ingrid)
    assert report is not None
    assert report.conflicts == 1
    assert ("krise/flom", 20, 30, "accepted", ingrid) in codings(project)  # magnus's change stands


def test_bad_steps_are_clear_errors(ready: tuple[Project, int, int, int]) -> None:
    project, message, ingrid, _ = ready
    with pytest.raises(FokusError, match="outside the message"), project.begin() as session:
        add_coding(session, message, "dialog", 20, 999, ingrid)
    with pytest.raises(FokusError, match="not in the codebook"), project.begin() as session:
        add_coding(session, message, "vaer", 0, 5, ingrid)
    with pytest.raises(FokusError, match="does not exist"), project.begin() as session:
        remove_coding(session, 9999, ingrid)


def test_removing_or_undoing_a_coding_keeps_its_memo(ready: tuple[Project, int, int, int]) -> None:
    """A memo on a coding that is not part of the step (written by someone, or read from a file) moves to the message
    when the coding goes, and back onto the coding when it comes back."""
    from fokus.api.memos import add_memo
    from fokus.model import Memo

    project, message, ingrid, _ = ready
    with project.begin() as session:
        coding = add_coding(session, message, "dialog", 0, 19, ingrid).coding_id
        add_memo(session, "Varsle tidlig", coding_id=coding)
    with project.begin() as session:
        assert undo(session, ingrid) is not None
    assert all(code != "dialog" for code, *_ in codings(project))
    with project.read() as session:
        memo = session.scalars(select(Memo)).one()
    assert (memo.text, memo.message_id, memo.coding_id) == ("Varsle tidlig", message, None)
    with project.begin() as session:
        assert redo(session, ingrid) is not None
    with project.read() as session:
        memo = session.scalars(select(Memo)).one()
    assert (memo.text, memo.message_id, memo.coding_id) == ("Varsle tidlig", None, coding)


def test_each_undone_step_is_named_with_its_codes_and_passage(ready: tuple[Project, int, int, int]) -> None:
    from fokus.api.step_summary import reverted_step

    project, message, ingrid, _ = ready
    steps = [
        (lambda s: add_coding(s, message, "dialog", 20, 30, ingrid), ("coding", ("dialog",), "Vi svarte.")),
        (lambda s: decide(s, _suggestion_id(s), True, ingrid), ("accept", ("krise",), "Flommen kom i natt.")),
    ]
    for step, (kind, codes, excerpt) in steps:
        with project.begin() as session:
            step(session)
        with project.begin() as session:
            undone = undo(session, ingrid)
            assert undone is not None
            summary = reverted_step(session, undone.batch)
        assert summary is not None
        assert (summary.kind, summary.codes, summary.excerpt) == (kind, codes, excerpt)
        with project.begin() as session:
            redone = redo(session, ingrid)
            assert redone is not None
            again = reverted_step(session, redone.batch)
        assert again == summary  # a redo names the same step


def _suggestion_id(session: object) -> int:
    found = session.scalar(select(Coding.id).where(Coding.status == "suggested"))  # type: ignore[attr-defined]
    assert found is not None
    return int(found)


def test_fokus_undo_says_what_it_undid(ready: tuple[Project, int, int, int]) -> None:
    from tests.test_cli import fokus

    project, message, ingrid, _ = ready
    with project.begin() as session:
        add_coding(session, message, "dialog", 20, 30, ingrid)
    db = str(project.sqlite_path) if project.sqlite_path is not None else project.display
    out = fokus("--db", db, "undo", "--coder", "ingrid")
    assert out == "Undid one step: 1 change (a coding, dialog: “Vi svarte.”).\n"
