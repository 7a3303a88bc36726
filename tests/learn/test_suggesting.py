"""`fokus suggest` reads the open suggestions once: what it reads is what each part read on its own before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select

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
