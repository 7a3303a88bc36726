"""No English escapes the errors of the rest of the core: in the pseudo-locale `qps`, the errors a researcher's files
and commands can cause in the Graph API importer, the file reader, times, browsing, imported codings, learning,
suggesting, discovering themes, the rules and the spaCy pipeline hold no word outside ⟦ ⟧ but their data.

The check is tests/i18n/test_pseudo_errors.py's (`check`): the file, the place and the quoted values are data; the
marked spans are removed (nested ones too); a reason or a hint written without `_()` leaves its words behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from fokus.api.browse import ThreadFilter, conversation, thread_count
from fokus.api.learning import load_model, train_model
from fokus.errors import FokusError
from fokus.learn.discover import discover
from fokus.model import LearnedModel
from fokus.store import Project
from tests.conftest import at, parsed, record
from tests.i18n.test_pseudo_errors import check

# --- a Graph API export (`fokus import feed.json`) --------------------------------------------------------------------


def graph(*posts: dict[str, object]) -> bytes:
    return json.dumps({"data": list(posts)}).encode("utf-8")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(graph({"id": "1", "created_time": "i går kveld", "message": "Hei"}), id="a bad timestamp"),
        pytest.param(graph({"id": "1", "created_time": "2013-02-30T10:00:00+0000", "message": "Hei"}), id="no day"),
        pytest.param(graph({"id": "1", "created_time": "1812-05-17T10:00:00+0000", "message": "Hei"}), id="1812"),
        pytest.param(graph({"id": "1", "message": "Hei"}), id="a post without its time"),
        pytest.param(graph({"created_time": "2013-02-19T10:15:00+0000", "message": "Hei"}), id="a post without id"),
        pytest.param(graph({"id": "1", "created_time": 1.5, "message": "Hei"}), id="a time that is a fraction"),
        pytest.param(
            graph({"id": "1", "created_time": "2013-02-19T10:15:00+0000", "comments": {"data": "nei"}}),
            id="comments that are no list",
        ),
        pytest.param(
            graph({"id": "1", "created_time": "2013-02-19T10:15:00+0000", "message": "Hei", "like_count": 2**70}),
            id="a count no database holds",
        ),
        pytest.param(json.dumps({"error": {"message": "Invalid OAuth access token"}}).encode(), id="an API error"),
        pytest.param(json.dumps({"paging": {}}).encode(), id="an object of the wrong shape"),
        pytest.param(b"[1, 2]", id="posts that are no objects"),
    ],
)
def test_a_graph_export_with_a_fault(data: bytes) -> None:
    from fokus.importers.graph import parse_graph

    error = check(lambda: parse_graph(data, "feed.json"))
    assert error.path == "feed.json"


def test_an_unknown_time_zone() -> None:
    from fokus.importers.times import zone_named

    check(lambda: zone_named("Mars/Olympus_Mons"))


def test_a_folder_that_holds_no_export(tmp_path: Path) -> None:
    from fokus.importers.reader import read_paths

    folder = tmp_path / "eksport"
    folder.mkdir()
    (folder / ".DS_Store").write_bytes(b"\0")
    (folder / "bilde.png").write_bytes(b"\x89PNG")
    error = check(lambda: read_paths([folder]))
    assert error.path == str(folder)


def test_a_file_that_is_not_there_and_an_unknown_format(tmp_path: Path) -> None:
    from fokus.importers.reader import read_paths

    check(lambda: read_paths([tmp_path / "borte.csv"]))
    check(lambda: read_paths([tmp_path / "borte.csv"], fmt="xml"))


# --- the library, on a project ----------------------------------------------------------------------------------------


def _planted_model(session: Session, data: bytes) -> None:
    """Model 1, kept in the database, whose bytes are ``data`` (with their right digest)."""
    session.add(
        LearnedModel(
            version=1,
            path="model-001.npz",
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            sentences=0,
            target_precision=0.8,
            report={},
        )
    )
    session.flush()


def _discovery_report_without_candidates() -> object:
    from fokus.learn.discovery_report import DiscoveryReport

    return DiscoveryReport(2, "rule", 0, 2, 0, 0, 0, 0, 0, 0, True, 0, 0, [])


def _import_an_orphan(session: Session) -> object:
    from fokus.api.messages import import_messages

    answer = record("k1", "Kari", "Enig!", when=at(1), thread="ukjent-tråd")
    return import_messages(session, [parsed(answer)])


def _cross_validate(session: Session) -> object:
    from fokus.api.suggestion_quality import cross_validated
    from fokus.nlp import load_pipeline

    return cross_validated(session, load_pipeline("fokus-nb"))


def _browse(session: Session, **filters: str) -> object:
    return thread_count(session, ThreadFilter(**filters))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda s: conversation(s, 999), id="no such thread"),
        pytest.param(lambda s: _browse(s, case="Atlantis"), id="threads of a case that is not there"),
        pytest.param(lambda s: _browse(s, status="kanskje"), id="threads of an unknown status"),
        pytest.param(lambda s: _browse(s, code="finnes/ikke"), id="threads of a code that is not there"),
        pytest.param(_import_an_orphan, id="an answer in a thread no one has"),
        pytest.param(lambda s: train_model(s), id="learn with nothing coded"),
        pytest.param(lambda s: train_model(s, target_precision=2), id="learn towards a precision above 1"),
        pytest.param(lambda s: load_model(s, None), id="suggest without a model"),
        pytest.param(lambda s: load_model(s, None, 7), id="a model version not there"),
        pytest.param(_cross_validate, id="evaluate suggestions with nothing coded"),
        pytest.param(lambda s: discover(s), id="discover before tagging"),
        pytest.param(lambda s: discover(s, k=0), id="discover zero themes"),
    ],
)
def test_the_library_refuses_in_the_readers_language(project: Project, action: Callable[[Session], object]) -> None:
    with project.begin() as session:
        check(lambda: action(session))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"Dette er ingen modell", id="not an archive"),
        pytest.param(b"\x80\x04\x95 pickle", id="a pickle"),
        pytest.param(b"PK\x03\x04 ikke en zip likevel", id="a broken zip"),
    ],
)
def test_a_model_that_is_not_a_fokus_model(project: Project, data: bytes) -> None:
    with project.begin() as session:
        _planted_model(session, data)
        check(lambda: load_model(session, None))


def test_a_model_file_that_is_missing(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        _planted_model(session, b"")
        session.query(LearnedModel).update({"data": None})
        check(lambda: load_model(session, None))  # no folder for a model saved as a file
        error = check(lambda: load_model(session, tmp_path / "modeller"))
        assert error.path == str(tmp_path / "modeller" / "model-001.npz")


def test_adopting_a_candidate_that_is_not_there(project: Project) -> None:
    from fokus.learn.adopt import adopt
    from fokus.learn.discovery_report import DiscoveryReport

    report = _discovery_report_without_candidates()
    assert isinstance(report, DiscoveryReport)
    with project.begin() as session:
        check(lambda: adopt(session, report, path="ny", name="Ny", number=3))
        check(lambda: adopt(session, report, path="ny", name="Ny"))


# --- the rules and the spaCy pipeline ---------------------------------------------------------------------------------


def test_a_rule_with_an_invalid_spacy_pattern() -> None:
    from fokus.nlp import load_pipeline
    from fokus.nlp.rules import Rule, RuleSet

    nlp = load_pipeline("fokus-nb")
    rule = Rule.from_spec("krise", {"id": "flom", "pattern": [[{"LOWER": "flom"}, {"SPRÅK": "nb"}]]})
    check(lambda: RuleSet(nlp, [rule]))


def test_a_spacy_pipeline_that_is_not_installed() -> None:
    from fokus.nlp import load_pipeline

    error = check(lambda: load_pipeline("nb_finnes_ikke_lg"))
    assert "'nb_finnes_ikke_lg'" in str(error)


def test_english_is_unchanged(project: Project) -> None:
    """Outside the pseudo-locale the same refusals read as they always have."""
    with project.begin() as session:
        with pytest.raises(FokusError) as no_thread:
            conversation(session, 999)
        with pytest.raises(FokusError) as no_model:
            load_model(session, None, 7)
    assert str(no_thread.value) == "thread 999 does not exist"
    assert str(no_model.value) == "the project has no model version 7 (train one with `fokus learn`)"


# --- what is stored stays English, what is shown follows the language -------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "too few examples (5 positive of 1712; needs 8)",
        "too few distinct sentences (3 positive) for 5-fold cross-validation",
        "cross-validated precision never reaches 0.8",
    ],
)
def test_a_codes_note_is_stored_in_english_and_shown_in_the_readers_language(note: str) -> None:
    """The note is kept in the model and the project in English (CSV reads it so in every language); a table
    shows it translated, with the language's numbers."""
    from fokus.analysis.report import cell
    from fokus.api.learning import note_phrase
    from fokus.i18n import use

    previous = use("qps")
    try:
        phrase = note_phrase(note)
        assert str(phrase) == note
        assert cell(phrase, "note") == "⟦" + note.replace("1712", "1,712") + "⟧"
    finally:
        use(previous)
    assert cell(phrase, "note") == note.replace("1712", "1,712")
    assert note_phrase("a note from another version") == "a note from another version"
