"""`fokus suggest` reads the open suggestions once: what it reads is what each part read on its own before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select

from fokus.api.coding_actions import undo
from fokus.api.combining import score_everything
from fokus.api.evidence import details_of, every_sentence, stored_rule_evidence
from fokus.api.learning import load_model, save_model, suggest, train_model
from fokus.api.suggesting import open_suggestions
from fokus.domain.events import CODING_FIELDS
from fokus.model import Coding, CodingStatus, Event
from fokus.store import Project
from tests.learn.test_learning import builds, nlp, project

__all__ = ["builds", "nlp", "project"]


def test_one_read_of_the_open_suggestions_is_what_each_part_read(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    with project.read() as session:
        trained = train_model(session)
    with project.begin() as session:
        save_model(session, folder, trained)
    with project.read() as session:
        version, model = load_model(session, folder)
        read = open_suggestions(session)
        rows = session.execute(
            select(Coding.id, *(getattr(Coding, name) for name in CODING_FIELDS))
            .where(Coding.status == CodingStatus.SUGGESTED.value)
            .order_by(Coding.id)
        ).all()
        # every open suggestion, its details as the JSON column gives them once parsed
        assert [(*row[:-1], details_of(row)) for row in read] == [tuple(row) for row in rows]
        assert any(row[-1] for row in rows)
        # the rules' evidence from that read is the stored rules' evidence
        once = score_everything(session, model, read)
        alone = score_everything(session, model)
        codes = model.combiner.codes if model.combiner else []
        weight, _fired = stored_rule_evidence(session, every_sentence(session), codes)
        assert weight.any()
        assert np.array_equal(once.rule, weight)
        assert np.array_equal(alone.rule, weight)
        assert np.array_equal(once.combined, alone.combined)
    with project.begin() as session:
        report = suggest(session, version, model)
    assert report.updated + report.merged + report.suggested > 0
    with project.read() as session:
        changed = session.scalars(
            select(Event.coding_id).where(Event.action == "coding.change").order_by(Event.id)
        ).all()
    assert changed == sorted(changed)  # logged in the suggestions' id order, on every backend
    with project.read() as session:
        before_newer = [
            tuple(row)
            for row in session.execute(
                select(Coding.id, *(getattr(Coding, name) for name in CODING_FIELDS))
                .where(Coding.status == CodingStatus.SUGGESTED.value)
                .order_by(Coding.id)
            )
        ]
    with project.begin() as session:  # a newer model: every suggestion of the model's changes
        save_model(session, folder, trained)
    with project.begin() as session:
        newer, model = load_model(session, folder)
        assert suggest(session, newer, model).updated
    with project.read() as session:
        logged = session.execute(
            select(Event.coding_id, Event.before, Event.after).where(Event.action == "coding.change")
        )
        seen = 0
        for coding_id, before, after in logged:  # the log's JSON, made as text, reads back as each state
            stored = session.get(Coding, coding_id)
            assert after == {name: getattr(stored, name) for name in CODING_FIELDS}
            if after["origin"] != before["origin"]:
                seen += 1
                assert before["origin"].replace(f"model:{version}", f"model:{newer}") == after["origin"]
                assert {**before, "origin": after["origin"], "details": after["details"]} == after
        assert seen
        machine = session.scalars(select(Event.coder_id).where(Event.action == "coding.change")).first()
    with project.begin() as session:  # and `fokus undo` puts the older model's suggestions back
        assert undo(session, machine) is not None
    with project.read() as session:
        back = session.execute(
            select(Coding.id, *(getattr(Coding, name) for name in CODING_FIELDS))
            .where(Coding.status == CodingStatus.SUGGESTED.value)
            .order_by(Coding.id)
        ).all()
    # details aside: `fokus undo` leaves the newer details in place (so before this change too; reported)
    assert [tuple(row)[:-1] for row in back] == [row[:-1] for row in before_newer]


def test_a_changed_suggestions_log_is_json_dumps_own_text() -> None:
    """The log of a changed suggestion, made from its details' stored JSON text, is the text ``json.dumps`` makes of
    its snapshot, byte for byte: unusual confidences, no details, text that JSON escapes."""
    import json

    from fokus.api.suggesting import _encoded, _logged
    from fokus.domain.events import CODING_FIELDS

    details = {"model": {"version": 2, "p": 0.12345678901234567}, "rules": ["råd «x»"], "combined": {"rules": 0.0}}
    for confidence in (0.5, 1e-07, 0.1 + 0.2, 1.0, None, float("nan")):
        for stored in (details, None, {}):
            values = (7, 3, 2, 0, 41, "suggested", 'model:2+rule:«flom» "x"', confidence, stored)
            expected = json.dumps(dict(zip(CODING_FIELDS, values, strict=True)))
            text = None if stored is None else _encoded(stored)
            assert _logged((*values[:-1], text)) == expected
