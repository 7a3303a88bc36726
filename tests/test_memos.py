"""Memos as first-class: listed with what they are about, searched, read, edited and deleted; every change a step
that undo and redo take back exactly (text, target, times); a memo on a removed coding follows it back on undo and
redo, so a good-practice summary stays with its passage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from fokus.api.coding_actions import add_coding, redo, remove_coding, undo
from fokus.api.good_practice import good_practice_board, mark_good_practice
from fokus.api.memos import (
    add_memo,
    coder_memo,
    delete_memo,
    edit_memo,
    get_memo,
    list_memos,
    memo_on_case,
    memo_on_code,
    memo_rows,
)
from fokus.api.messages import import_messages
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.model import CoderKind, Coding, Memo, Message
from fokus.store import Project
from tests.conftest import at, parsed, record
from tests.exchange.test_qdpx import new_db as more_projects  # noqa: F401  (a fixture: more empty projects)

FIRST = "Flommen kom i natt. Vi svarte med en gang."
SECOND = "Takk, Kari! Godt jobbet."


@dataclass
class Ready:
    project: Project
    first: int  # message ids
    second: int
    ingrid: int  # coders
    magnus: int


@pytest.fixture
def ready(project: Project) -> Ready:
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("m1", "Kari Holmen", FIRST, when=at(1), case="Bodø"),
                    record("c1", "Ragnhild Vik", SECOND, when=at(1, 11), thread="m1", case="Voss"),
                )
            ],
        )
        coders = CoderRegistry(session)
        ingrid = coders.get_or_create("ingrid", CoderKind.HUMAN)
        magnus = coders.get_or_create("magnus", CoderKind.HUMAN)
        ids = dict(session.execute(select(Message.external_id, Message.id)).all())
    return Ready(project, ids["m1"], ids["c1"], ingrid, magnus)


def memos(project: Project) -> list[tuple[int, str, int | None, int | None, int | None, int | None]]:
    """Every memo as (id, text, message, coding, code, case)."""
    with project.read() as session:
        return [
            (m.id, m.text, m.message_id, m.coding_id, m.code_id, m.case_id)
            for m in session.scalars(select(Memo).order_by(Memo.id))
        ]


def stored(project: Project, memo_id: int) -> tuple[object, ...] | None:
    """One memo as every column holds it, times included."""
    with project.read() as session:
        memo = session.get(Memo, memo_id)
        if memo is None:
            return None
        return (
            memo.text,
            memo.coder_id,
            memo.message_id,
            memo.coding_id,
            memo.code_id,
            memo.case_id,
            memo.created_at,
            memo.updated_at,
        )


def test_undo_then_redo_of_good_practice_keeps_the_summary_on_the_coding(ready: Ready) -> None:
    """The bug of issue 16: redo brought the coding back but left its summary on the message, and the board showed
    an empty summary."""
    project = ready.project
    with project.begin() as session:
        step = mark_good_practice(session, ready.first, 0, 19, "Varsle tidlig", ready.ingrid, code="dialog")
    coding = step.coding_id
    with project.begin() as session:
        assert undo(session, ready.ingrid) is not None
    with project.read() as session:
        assert session.get(Coding, coding) is None
    assert all(m[3] is None for m in memos(project))  # the summary went with the marking
    with project.begin() as session:
        assert redo(session, ready.ingrid) is not None
    assert [m[1:4] for m in memos(project)] == [("Varsle tidlig", None, coding)]
    with project.read() as session:
        board = good_practice_board(session, code="dialog")
    assert [([s.text for s in p.summaries], p.text) for p in board] == [(["Varsle tidlig"], FIRST[:19])]
    with project.begin() as session:  # and back again: undo of the redo, redo of that
        undo(session, ready.ingrid)
    assert all(m[3] is None for m in memos(project))
    with project.begin() as session:
        redo(session, ready.ingrid)
    assert [m[1:4] for m in memos(project)] == [("Varsle tidlig", None, coding)]


def test_removing_a_coding_moves_its_memo_and_undo_puts_it_back(ready: Ready) -> None:
    project = ready.project
    with project.begin() as session:
        coding = add_coding(session, ready.first, "dialog", 20, 42, ready.ingrid).coding_id
        memo = add_memo(session, "Rask respons", coder_id=ready.ingrid, coding_id=coding)
    before = stored(project, memo)
    with project.begin() as session:
        remove_coding(session, coding or 0, ready.ingrid)
    assert memos(project) == [(memo, "Rask respons", ready.first, None, None, None)]
    with project.begin() as session:
        undo(session, ready.ingrid)
    assert stored(project, memo) == before  # on the coding again, times untouched
    with project.begin() as session:
        redo(session, ready.ingrid)
    assert memos(project) == [(memo, "Rask respons", ready.first, None, None, None)]


def test_every_memo_is_listed_with_what_it_is_about(ready: Ready) -> None:
    project = ready.project
    with project.begin() as session:
        coding = add_coding(session, ready.first, "krise/flom", 0, 19, ready.ingrid).coding_id
        add_memo(session, "Om meldingen", coder_id=ready.ingrid, message_id=ready.second)
        add_memo(session, "Om kodingen", coder_id=ready.magnus, coding_id=coding)
        memo_on_code(session, "krise/flom", "Om koden", coder_id=ready.ingrid)
        memo_on_case(session, "Voss", "Om kommunen", coder_id=ready.ingrid)
        add_memo(session, "Om prosjektet", coder_id=ready.ingrid)
    with project.read() as session:
        found = {item.text: item for item in list_memos(session)}
        assert [item.text for item in list_memos(session)] == [  # newest first
            "Om prosjektet",
            "Om kommunen",
            "Om koden",
            "Om kodingen",
            "Om meldingen",
        ]
        by_kind = {kind: [i.text for i in list_memos(session, about=kind)] for kind in ("coding", "case")}
        searched = [i.text for i in list_memos(session, search="FLOM")]  # the code's path, in any case
        voss = [i.text for i in list_memos(session, search="voss")]
        words = [i.text for i in list_memos(session, search="om  kodingen")]
        one = get_memo(session, found["Om kodingen"].id)
        with pytest.raises(FokusError, match="memos are about message, coding, code, case, project, not 'thread'"):
            list_memos(session, about="thread")
        with pytest.raises(FokusError, match="memo 999 does not exist"):
            get_memo(session, 999)
    message = found["Om meldingen"]
    assert (message.about, message.participant, message.case, message.excerpt, message.coder) == (
        "message",
        "Deltaker 02",
        "Voss",
        SECOND,
        "ingrid",
    )
    assert message.message == "c1"
    assert (one.about, one.code, one.start, one.end, one.excerpt, one.case, one.coder, one.message) == (
        "coding",
        "krise/flom",
        0,
        19,
        FIRST[:19],
        "Bodø",
        "magnus",
        "m1",
    )
    assert (found["Om koden"].about, found["Om koden"].code, found["Om koden"].message) == ("code", "krise/flom", None)
    assert (found["Om kommunen"].about, found["Om kommunen"].case) == ("case", "Voss")
    assert (found["Om prosjektet"].about, found["Om prosjektet"].case, found["Om prosjektet"].code) == (
        "project",
        None,
        None,
    )
    assert by_kind == {"coding": ["Om kodingen"], "case": ["Om kommunen"]}
    assert sorted(searched) == ["Om koden", "Om kodingen"]
    assert voss == ["Om kommunen", "Om meldingen"]
    assert words == ["Om kodingen"]


def test_edit_and_delete_are_undone_and_redone_exactly(ready: Ready) -> None:
    project = ready.project
    with project.begin() as session:
        memo = add_memo(session, "Første tanke", coder_id=ready.ingrid, message_id=ready.first)
    written = stored(project, memo)
    with project.begin() as session:
        step = edit_memo(session, memo, "  Andre tanke ", ready.ingrid)
    assert step.changed
    edited = stored(project, memo)
    assert edited is not None
    assert written is not None
    assert edited[0] == "Andre tanke"
    assert edited[6] == written[6]  # made when it was made
    assert edited[7] != written[7]  # changed now
    with project.begin() as session:
        assert not edit_memo(session, memo, "Andre tanke", ready.ingrid).changed  # nothing to change, nothing logged
        delete_memo(session, memo, ready.ingrid)
    assert memos(project) == []
    with project.begin() as session:
        undo(session, ready.ingrid)  # the deletion: the same memo, with its id and times
    assert stored(project, memo) == edited
    with project.begin() as session:
        undo(session, ready.ingrid)  # the edit: the first text and its times
    assert stored(project, memo) == written
    with project.begin() as session:
        undo(session, ready.ingrid)  # the memo itself
    assert memos(project) == []
    with project.begin() as session:
        redo(session, ready.ingrid)
        redo(session, ready.ingrid)
    assert stored(project, memo) == edited
    with project.begin() as session:
        redo(session, ready.ingrid)
        assert redo(session, ready.ingrid) is None
    assert memos(project) == []


def test_an_undo_leaves_a_memo_someone_changed_since(ready: Ready) -> None:
    project = ready.project
    with project.begin() as session:
        memo = add_memo(session, "Ingrid skrev", coder_id=ready.ingrid, message_id=ready.first)
        edit_memo(session, memo, "Ingrid rettet", ready.ingrid)
    with project.begin() as session:
        edit_memo(session, memo, "Magnus la til", ready.magnus)
    with project.begin() as session:
        report = undo(session, ready.ingrid)
    assert report is not None
    assert report.conflicts == 1
    assert [m[1] for m in memos(project)] == ["Magnus la til"]
    with project.begin() as session:
        undo(session, ready.magnus)
    assert [m[1] for m in memos(project)] == ["Ingrid rettet"]


def test_the_coders_own_memo_is_found_to_edit(ready: Ready) -> None:
    project = ready.project
    with project.begin() as session:
        add_memo(session, "Magnus sitt", coder_id=ready.magnus, message_id=ready.first)
        mine = add_memo(session, "Mitt", coder_id=ready.ingrid, message_id=ready.first)
        case = memo_on_case(session, "Bodø", "Om Bodø", coder_id=ready.ingrid)
    with project.read() as session:
        assert coder_memo(session, ready.ingrid, message_id=ready.first) == (mine, "Mitt")
        assert coder_memo(session, ready.ingrid, message_id=ready.second) is None
        assert coder_memo(session, ready.ingrid, case="Bodø") == (case, "Om Bodø")
        assert coder_memo(session, ready.magnus, case="Bodø") is None


def test_what_a_memo_refuses(ready: Ready) -> None:
    project = ready.project
    with project.begin() as session:
        memo = add_memo(session, "Noe", coder_id=ready.ingrid)
    with pytest.raises(FokusError, match="memo 999 does not exist"), project.begin() as session:
        edit_memo(session, 999, "x", ready.ingrid)
    with pytest.raises(FokusError, match=f"memo {memo} needs some text"), project.begin() as session:
        edit_memo(session, memo, "  ", ready.ingrid)
    with pytest.raises(FokusError, match="memo 999 does not exist"), project.begin() as session:
        delete_memo(session, 999, ready.ingrid)
    with pytest.raises(FokusError, match="a memo needs some text"), project.begin() as session:
        add_memo(session, " ", coder_id=ready.ingrid)
    assert [m[1] for m in memos(project)] == ["Noe"]


def test_memo_rows_redact_names_like_every_export(ready: Ready) -> None:
    project = ready.project
    with project.begin() as session:
        add_memo(session, "Kari svarer raskt", coder_id=ready.ingrid, message_id=ready.second)
    with project.read() as session:
        (row,) = memo_rows(session)
        (raw,) = memo_rows(session, real_names=True)
    assert (row["excerpt"], row["text"]) == ("Takk, [Deltaker 01]! Godt jobbet.", "[Deltaker 01] svarer raskt")
    assert (raw["excerpt"], raw["text"]) == (SECOND, "Kari svarer raskt")
    assert (row["about"], row["participant"], row["case"], row["coder"], row["message_id"]) == (
        "message",
        "Deltaker 02",
        "Voss",
        "ingrid",
        "c1",
    )


def test_an_edited_memo_goes_out_in_refi_qda_and_comes_back(
    ready: Ready, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """REFI-QDA carries every memo out with its target, coder and creation time (to the second), and an import
    brings it back: the edited text, not the first one. (The time of the edit is not carried: fokus writes no
    modifiedDateTime on a note, and an import stamps the memo as changed when imported.)"""
    from fokus.exchange.project_export import export_qdpx
    from fokus.exchange.project_import import import_qdpx
    from fokus.exchange.qdpx_read import read_qdpx
    from fokus.store import open_project

    project = ready.project
    with project.begin() as session:
        coding = add_coding(session, ready.first, "krise/flom", 0, 19, ready.ingrid).coding_id
        on_coding = add_memo(session, "Første utkast", coder_id=ready.ingrid, coding_id=coding)
        add_memo(session, "Om svaret", coder_id=ready.magnus, message_id=ready.second)
        memo_on_code(session, "dialog", "Om koden", coder_id=ready.ingrid)
        memo_on_case(session, "Voss", "Om Voss", coder_id=ready.ingrid)
        add_memo(session, "Om prosjektet", coder_id=ready.ingrid)
    with project.begin() as session:
        edit_memo(session, on_coding, "Flom, ikke ras: rettet etter samtale", ready.ingrid)
        export_qdpx(session, tmp_path / "p.qdpx")

    def seen(project: Project) -> list[tuple[object, ...]]:
        with project.read() as session:
            return sorted(
                (
                    i.text,
                    i.about,
                    i.message,
                    i.code,
                    i.start,
                    i.end,
                    i.case,
                    i.coder,
                    i.created_at.replace(microsecond=0),
                )
                for i in list_memos(session)
            )

    new_db: Callable[[], str] = request.getfixturevalue("more_projects")  # on the test's backend
    fresh = open_project(new_db(), create=True)
    try:
        with fresh.begin() as session:
            report = import_qdpx(session, read_qdpx(tmp_path / "p.qdpx"))
        assert report.memos == 5
        assert seen(fresh) == seen(project)
        assert ("Flom, ikke ras: rettet etter samtale", "coding") in {row[:2] for row in seen(fresh)}
    finally:
        fresh.close()
