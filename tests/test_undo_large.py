"""Undo and redo of a step of many codings, reverted set-based: the same rows and the same event log as the same
changes made one coding at a time, memos on some of the codings, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from fokus.api.coding_actions import add_coding, redo, remove_coding, undo
from fokus.api.memos import add_memo
from fokus.api.messages import import_messages
from fokus.domain.coders import CoderRegistry
from fokus.domain.events import new_batch
from fokus.model import CoderKind, Event, Message
from fokus.store import Project
from tests.conftest import at, parsed, record

TEXT = "Vi hadde flom i mars. Facebook var viktigste kanal. Kommunen svarte sent."


def dump(project: Project) -> dict[str, list[Any]]:
    """Codings and memos as stored (the codings' times aside: an undo or redo writes its own; ``details`` too: a
    coding put back has JSON null where one added had SQL NULL, as before reverts were set-based)."""
    with project.read() as session:
        codings = session.execute(
            text('SELECT id, message_id, code_id, coder_id, start, "end", status, origin, confidence FROM codings')
        ).all()
        memos = session.execute(text("SELECT * FROM memos")).all()
    return {"codings": sorted(map(tuple, codings)), "memos": sorted(map(tuple, memos))}


def logged(project: Project, batch: str) -> list[tuple[Any, ...]]:
    with project.read() as session:
        query = select(Event.action, Event.coding_id, Event.before, Event.after).where(Event.batch == batch)
        return [tuple(row) for row in session.execute(query.order_by(Event.id))]


@pytest.fixture
def step(project: Project) -> tuple[Project, int, list[int], str]:
    """One step of 24 codings by ingrid over three messages, a memo on every fifth of them (two on the first)."""
    with project.begin() as session:
        import_messages(session, [parsed(*(record(f"m{i}", "Kari Holmen", TEXT, when=at(i)) for i in (1, 2, 3)))])
        ingrid = CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)
        messages = list(session.scalars(select(Message.id).order_by(Message.id)))
        batch, ids = new_batch(), []
        for n in range(24):
            code = ("krise/flom", "dialog")[n % 2]
            added = add_coding(session, messages[n % 3], code, n, n + 10 + n % 4, ingrid, batch=batch)
            ids.append(added.coding_id or 0)
    with project.begin() as session:
        memos = new_batch()  # one step
        for n, coding_id in enumerate(ids[::5]):
            add_memo(session, f"notat {n}", coder_id=ingrid, coding_id=coding_id, batch=memos)
        add_memo(session, "notat igjen", coder_id=ingrid, coding_id=ids[0], batch=memos)
    return project, ingrid, ids, batch


def test_undo_and_redo_of_many_codings_match_one_coding_at_a_time(step: tuple[Project, int, list[int], str]) -> None:
    project, ingrid, _ids, _batch = step
    coded = dump(project)
    with project.begin() as session:
        undo(session, ingrid)  # the memos (their own step)
        undone = undo(session, ingrid)  # the 24 codings
    assert undone is not None
    assert undone.conflicts == 0
    after_undo = dump(project)
    assert after_undo["codings"] == []
    assert after_undo["memos"] == []  # the memos were undone first
    with project.begin() as session:
        assert redo(session, ingrid) is not None
        assert redo(session, ingrid) is not None
    assert dump(project) == coded  # the same rows, the same ids, the memos on their codings again


def test_undo_moves_memos_and_logs_what_removals_one_at_a_time_log(step: tuple[Project, int, list[int], str]) -> None:
    """Undoing the step with memos on its codings is removing its codings one by one, newest first."""
    project, ingrid, ids, _batch = step
    coded = dump(project)
    with project.begin() as session:
        # the memos' own step set aside (as if another coder had written them): undo takes the codings'
        session.execute(text("UPDATE events SET coder_id = NULL WHERE action = 'memo.add'"))
        undone = undo(session, ingrid)  # the codings' step, memos on them
    assert undone is not None
    assert undone.changed == 24 + 6
    bulk, bulk_log = dump(project), logged(project, undone.batch)
    with project.begin() as session:
        redone = redo(session, ingrid)
    assert redone is not None
    assert redone.changed == 24 + 6
    assert dump(project) == coded
    redo_log = logged(project, redone.batch)
    assert [event[1:] for event in redo_log] == [(c, after, before) for _a, c, before, after in reversed(bulk_log)]
    removals: list[tuple[Any, ...]] = []
    with project.begin() as session:
        for coding_id in reversed(ids):
            removals += [("undo", *event[1:]) for event in _removed(session, coding_id, ingrid)]
    assert dump(project) == bulk
    assert [event[1:] for event in bulk_log] == [event[1:] for event in removals]
    assert [event[0] for event in bulk_log] == ["undo"] * len(bulk_log)


def _removed(session: Any, coding_id: int, coder: int) -> list[tuple[Any, ...]]:
    step = remove_coding(session, coding_id, coder)
    session.flush()
    query = select(Event.action, Event.coding_id, Event.before, Event.after).where(Event.batch == step.batch)
    return [tuple(row) for row in session.execute(query.order_by(Event.id))]
