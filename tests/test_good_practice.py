"""Good practice: marking a passage (`g` in a thread) and the board (`p`) that lists each passage once, with every
researcher's summary; on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from fokus.api.coding_actions import add_coding, redo, undo
from fokus.api.good_practice import good_practice_board, mark_good_practice
from fokus.api.messages import import_messages
from fokus.domain.coders import CoderRegistry
from fokus.errors import FokusError
from fokus.model import Code, CoderKind, Coding, Memo, Message
from fokus.store import Project
from tests.conftest import SMALL_CODEBOOK, at, parsed, record

FIRST = "Vi varsler alle på SMS før flommen kommer. Det har spart oss for mange telefoner."
SECOND = "Rådmannen svarer selv hver fredag."


@pytest.fixture
def codebook_file(tmp_path: Path) -> Path:
    path = tmp_path / "kodebok.yaml"
    path.write_text(SMALL_CODEBOOK + "  - id: god-praksis\n    name: God praksis\n", encoding="utf-8")
    return path


@pytest.fixture
def ready(project: Project) -> tuple[Project, dict[str, int], dict[str, int]]:
    """Two messages (Alta, Bodø) and three coders: (project, message ids by external id, coder ids by name)."""
    with project.begin() as session:
        import_messages(
            session,
            [
                parsed(
                    record("m1", "Kari Holmen", FIRST, when=at(1), case="Alta"),
                    record("m2", "Per Vik", SECOND, when=at(2), case="Bodø"),
                )
            ],
        )
        coders = CoderRegistry(session)
        who = {name: coders.get_or_create(name, CoderKind.HUMAN) for name in ("ingrid", "magnus")}
        who["fokus"] = coders.get_or_create("fokus", CoderKind.MACHINE)
        messages = {ext: mid for mid, ext in session.execute(select(Message.id, Message.external_id))}
    return project, messages, who


def board(project: Project) -> list[tuple[str, int, int, str, tuple[tuple[str, str | None], ...]]]:
    with project.read() as session:
        return [
            (row.message, row.start, row.end, row.text, tuple((s.coder, s.text) for s in row.summaries))
            for row in good_practice_board(session)
        ]


def practice_codings(project: Project) -> list[tuple[str, int, int, str]]:
    with project.read() as session:
        rows = session.scalars(select(Coding).where(Coding.code.has(path="god-praksis"))).all()
        return sorted((c.coder.name, c.start, c.end, c.status) for c in rows)


def test_the_board_has_one_row_per_passage_with_every_coders_summary(
    ready: tuple[Project, dict[str, int], dict[str, int]],
) -> None:
    project, message, who = ready
    with project.begin() as session:
        mark_good_practice(session, message["m1"], 0, 42, "SMS-varsel før flom", who["ingrid"])
        add_coding(session, message["m1"], "god-praksis", 0, 42, who["magnus"])  # as codings.csv: no summary
        add_coding(session, message["m1"], "god-praksis", 30, len(FIRST), who["magnus"])  # overlaps: same passage
        mark_good_practice(session, message["m2"], 0, len(SECOND), "Rådmannen svarer", who["magnus"])
        add_coding(session, message["m1"], "krise/flom", 27, 41, who["ingrid"])  # a theme of the passage
        add_coding(session, message["m2"], "dialog", 0, 9, who["magnus"])
        dialog = session.scalar(select(Code.id).where(Code.path == "dialog"))
        session.add(  # a suggestion is not a theme of the passage until someone accepts it
            Coding(message_id=message["m1"], code_id=dialog, coder_id=who["fokus"], start=0, end=10, status="suggested")
        )
    with project.read() as session:
        rows = good_practice_board(session)
    assert [(r.case, r.participant, r.message, r.message_id, r.start, r.end) for r in rows] == [
        ("Alta", rows[0].participant, "m1", message["m1"], 0, len(FIRST)),
        ("Bodø", rows[1].participant, "m2", message["m2"], 0, len(SECOND)),
    ]
    first, second = rows
    assert first.text == FIRST  # the whole passage, however long
    assert first.coders == ("ingrid", "magnus")
    assert [(s.coder, s.text) for s in first.summaries] == [("ingrid", "SMS-varsel før flom"), ("magnus", None)]
    assert (first.themes, first.codes) == (("krise",), ("krise/flom",))
    assert [(s.coder, s.text) for s in second.summaries] == [("magnus", "Rådmannen svarer")]
    assert (second.themes, second.codes) == (("dialog",), ("dialog",))
    assert first.participant != "Kari Holmen"  # the pseudonym, as every screen shows people


def test_marking_a_passage_someone_else_marked_adds_a_summary_not_a_row(
    ready: tuple[Project, dict[str, int], dict[str, int]],
) -> None:
    project, message, who = ready
    with project.begin() as session:
        mark_good_practice(session, message["m1"], 0, 42, "SMS-varsel før flom", who["ingrid"])
    with project.begin() as session:  # magnus, on the second half of ingrid's passage
        step = mark_good_practice(session, message["m1"], 20, 42, "Færre telefoner", who["magnus"])
    assert (step.others, step.already_marked, step.start, step.end) == (("ingrid",), False, 0, 42)
    # magnus's own coding, of the passage's span: ingrid's stays hers, each one's undo stays their own
    assert practice_codings(project) == [("ingrid", 0, 42, "accepted"), ("magnus", 0, 42, "accepted")]
    assert board(project) == [
        ("m1", 0, 42, FIRST[:42], (("ingrid", "SMS-varsel før flom"), ("magnus", "Færre telefoner")))
    ]
    with project.read() as session:
        memos = {m.text: (m.coding_id, m.coder_id) for m in session.scalars(select(Memo))}
        mine = session.scalar(select(Coding.id).join(Coding.coder).where(Coding.coder_id == who["magnus"]))
    assert memos["Færre telefoner"] == (mine, who["magnus"])

    with project.begin() as session:
        assert undo(session, who["magnus"]) is not None
    assert practice_codings(project) == [("ingrid", 0, 42, "accepted")]
    assert board(project) == [("m1", 0, 42, FIRST[:42], (("ingrid", "SMS-varsel før flom"),))]
    with project.begin() as session:
        assert redo(session, who["magnus"]) is not None
    assert practice_codings(project) == [("ingrid", 0, 42, "accepted"), ("magnus", 0, 42, "accepted")]
    assert board(project) == [
        ("m1", 0, 42, FIRST[:42], (("ingrid", "SMS-varsel før flom"), ("magnus", "Færre telefoner")))
    ]


def test_redo_of_a_mark_brings_its_summary_back_to_the_board(
    ready: tuple[Project, dict[str, int], dict[str, int]],
) -> None:
    project, message, who = ready
    with project.begin() as session:
        mark_good_practice(session, message["m1"], 0, 42, "SMS-varsel før flom", who["ingrid"])
    with project.begin() as session:
        undo(session, who["ingrid"])
    with project.begin() as session:
        redo(session, who["ingrid"])
    assert board(project) == [("m1", 0, 42, FIRST[:42], (("ingrid", "SMS-varsel før flom"),))]


def test_marking_a_passage_you_marked_without_a_summary_adds_the_summary(
    ready: tuple[Project, dict[str, int], dict[str, int]],
) -> None:
    project, message, who = ready
    with project.begin() as session:
        add_coding(session, message["m1"], "god-praksis", 0, len(FIRST), who["magnus"])  # imported, no summary
    assert board(project) == [("m1", 0, len(FIRST), FIRST, (("magnus", None),))]
    with project.begin() as session:
        step = mark_good_practice(session, message["m1"], 0, 42, "SMS-varsel", who["magnus"])
    assert (step.others, step.already_marked, step.start, step.end) == ((), True, 0, len(FIRST))
    assert practice_codings(project) == [("magnus", 0, len(FIRST), "accepted")]  # no second coding
    assert board(project) == [("m1", 0, len(FIRST), FIRST, (("magnus", "SMS-varsel"),))]
    with project.begin() as session:  # `g` again: the editor held this summary, and saves its new text
        step = mark_good_practice(session, message["m1"], 0, 42, "SMS-varsel før flommen", who["magnus"])
    assert (step.already_marked, step.replaced) == (True, True)
    assert board(project) == [("m1", 0, len(FIRST), FIRST, (("magnus", "SMS-varsel før flommen"),))]
    with project.begin() as session:
        undo(session, who["magnus"])
    assert board(project) == [("m1", 0, len(FIRST), FIRST, (("magnus", "SMS-varsel"),))]
    with project.begin() as session:
        undo(session, who["magnus"])
    assert board(project) == [("m1", 0, len(FIRST), FIRST, (("magnus", None),))]
    assert practice_codings(project) == [("magnus", 0, len(FIRST), "accepted")]  # the imported mark stays


def test_a_mark_over_two_passages_joins_them(ready: tuple[Project, dict[str, int], dict[str, int]]) -> None:
    project, message, who = ready
    with project.begin() as session:
        add_coding(session, message["m1"], "god-praksis", 0, 10, who["ingrid"])
        add_coding(session, message["m1"], "god-praksis", 50, 60, who["ingrid"])
    assert len(board(project)) == 2
    with project.begin() as session:
        step = mark_good_practice(session, message["m1"], 5, 55, "Hele greia", who["magnus"])
    assert (step.start, step.end, step.others) == (0, 60, ("ingrid",))
    assert board(project) == [("m1", 0, 60, FIRST[:60], (("ingrid", None), ("magnus", "Hele greia")))]


def test_marking_needs_the_good_practice_code_and_a_summary(
    ready: tuple[Project, dict[str, int], dict[str, int]],
) -> None:
    project, message, who = ready
    with pytest.raises(FokusError) as error, project.begin() as session:
        mark_good_practice(session, message["m1"], 0, 10, "Tips", who["ingrid"], code="beste-praksis")
    assert str(error.value) == "the codebook has no 'beste-praksis' code to mark good practice with"
    with pytest.raises(FokusError) as error, project.begin() as session:
        mark_good_practice(session, message["m1"], 0, 10, "  ", who["ingrid"])
    assert str(error.value) == "a memo needs some text"
    assert practice_codings(project) == []  # nothing half-written
