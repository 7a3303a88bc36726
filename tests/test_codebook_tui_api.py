"""What the codebook screen calls: editing what a code says (one undoable step) and counting the memos on each
code; on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fokus.api.codebook import code_memo_counts
from fokus.api.codebook_edit import edit_code
from fokus.api.coding_actions import redo, undo
from fokus.api.memos import add_memo
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.model import Code, CoderKind, Coding, Event
from fokus.store import Project
from tests.test_codebook_edit import coded


def said(project: Project, path: str) -> tuple[str, str | None, str | None, str | None]:
    with project.read() as session:
        code = session.scalars(select(Code).where(Code.path == path)).one()
        return code.name, code.description, code.include_note, code.exclude_note


def events(project: Project) -> int:
    with project.read() as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def me(project: Project) -> int:
    with project.begin() as session:
        return CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)


def test_an_edit_is_one_step_that_undo_takes_back_and_redo_does_again(project: Project) -> None:
    coder = me(project)
    old = said(project, "krise")
    with project.begin() as session:
        report = edit_code(
            session,
            "krise",
            name=" Kriser ",
            description="Alt om kriser.",
            include="Flom og ras.",
            exclude="",
            coder_id=coder,
        )
    new = ("Kriser", "Alt om kriser.", "Flom og ras.", None)
    assert report.codes == ["krise"]
    assert said(project, "krise") == new
    with project.read() as session:
        assert session.scalar(select(func.count(func.distinct(Event.batch)))) == 1
    with project.begin() as session:
        assert undo(session, coder) is not None
    assert said(project, "krise") == old
    with project.begin() as session:
        assert redo(session, coder) is not None
    assert said(project, "krise") == new


def test_none_leaves_a_field_and_an_edit_that_changes_nothing_logs_nothing(project: Project) -> None:
    coder = me(project)
    with project.begin() as session:
        edit_code(session, "krise", description="Ny definisjon.", coder_id=coder)
    assert said(project, "krise") == ("Krise og beredskap", "Ny definisjon.", None, None)
    logged = events(project)
    with project.begin() as session:
        report = edit_code(session, "krise", name="Krise og beredskap", description="Ny definisjon. ", coder_id=coder)
    assert report.codes == []
    assert events(project) == logged


@pytest.mark.parametrize(
    ("path", "name", "message"),
    [
        ("krise", "  ", "code 'krise' needs a name"),
        ("krise", "x" * 201, "the name of code 'krise' is longer than 200 characters"),
        ("nope", "Noe", "code 'nope' is not in the codebook"),
    ],
)
def test_an_edit_that_cannot_be_made_says_why_and_changes_nothing(
    project: Project, path: str, name: str, message: str
) -> None:
    old, coder = said(project, "krise"), me(project)
    with pytest.raises(FokusError) as caught, project.begin() as session:
        edit_code(session, path, name=name, coder_id=coder)
    assert caught.value.reason == message
    assert said(project, "krise") == old


def test_memos_are_counted_on_the_code_and_on_its_codings(project: Project) -> None:
    coded(project)
    with project.begin() as session:
        krise = session.scalar(select(Code.id).where(Code.path == "krise"))
        coding = session.scalars(select(Coding.id).where(Coding.code_id == krise)).first()
        add_memo(session, "Om koden", code_id=krise)
        add_memo(session, "Om en koding", coding_id=coding)
        add_memo(session, "Om koden igjen", code_id=krise)
    with project.read() as session:
        assert code_memo_counts(session) == {"krise": 3}
