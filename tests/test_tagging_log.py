"""The event log of tagging, written beside the suggestions in bulk: each new suggestion's snapshot as every other
step logs it, and `undo` takes the whole tagging back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language
from sqlalchemy import select

from fokus.api.codebook import load_codebook
from fokus.api.coding_actions import undo
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.domain.coders import MACHINE_CODER
from fokus.domain.events import coding_snapshot
from fokus.files.codebook import load_codebook as read_codebook
from fokus.model import Coder, Coding, Event
from fokus.nlp import load_pipeline
from fokus.store import open_project
from tests.conftest import at, parsed, record

CODEBOOK = """\
codes:
  - {id: krise, name: Krise, rules: [{id: beredskap, any: [beredskap, flom], weight: 0.8}, {id: soppel, weight: 0.35,
      pattern: [[{LOWER: {IN: [søppel, søppelet]}}, {IS_PUNCT: true, OP: "*"}, {LOWER: hentes}]]}]}
  - {id: dialog, name: Dialog «ø», rules: [{id: svare, near: {a: [svare], b: [innbygger, spørsmål], window: 4}}]}
"""
TEXTS = [
    "Beredskapsplanen for flom ble lagt ut. Vi svarer innbyggerne på spørsmål «raskt» 😊",
    "Søppelet, hentes i morgen! Flommen kom i natt.",
    "Ingenting å melde.",
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


def test_each_new_suggestion_is_logged_as_its_snapshot_and_undo_takes_tagging_back(
    db: str, tmp_path: Path, nlp: Language
) -> None:
    (tmp_path / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = open_project(db, create=True)
    with project.begin() as session:
        load_codebook(session, read_codebook(tmp_path / "cb.yaml"))
        records = [record(f"m{i}", "Kari Holmen", text, when=at(i + 1)) for i, text in enumerate(TEXTS)]
        import_messages(session, [parsed(*records)])
        report = tag_messages(session, nlp)
    assert report.suggested == 4
    with project.read() as session:
        codings = {coding.id: coding_snapshot(coding) for coding in session.scalars(select(Coding))}
        events = session.scalars(select(Event).order_by(Event.id)).all()
        assert {coding["origin"] for coding in codings.values()} == {
            "rule:krise:beredskap",
            "rule:krise:soppel",
            "rule:dialog:svare",
        }
        assert [(e.action, e.before) for e in events] == [("coding.suggest", None)] * 4
        assert {e.coding_id: e.after for e in events} == codings
        machine = session.scalar(select(Coder.id).where(Coder.name == MACHINE_CODER))
    if project.sqlite_path is not None:  # the very text every other step logs: json.dumps of the snapshot
        with project.engine.connect() as connection:
            stored = dict(connection.exec_driver_sql('SELECT coding_id, "after" FROM events').all())
        assert stored == {cid: json.dumps(snapshot) for cid, snapshot in codings.items()}
    with project.begin() as session:
        assert machine is not None
        assert undo(session, machine) is not None
    with project.read() as session:
        assert session.scalars(select(Coding)).all() == []
    project.close()
