"""Learning from the researchers: examples from their decisions, honest cross-validated figures, versioned models,
and suggestions that never touch a decision and share one coding with the rules' on the same sentence."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from spacy.language import Language
from sqlalchemy import func, select

from fokus.api.codebook import load_codebook
from fokus.api.codings import import_codings
from fokus.api.learning import learning_curve, load_model, save_model, suggest, train_model
from fokus.api.messages import import_messages
from fokus.api.tagging import tag_messages
from fokus.cli import main
from fokus.errors import FokusError
from fokus.files.codebook import load_codebook as read_codebook
from fokus.files.codings import CodingRow
from fokus.learn.examples import NEGATIVE, POSITIVE, UNKNOWN, training_examples
from fokus.model import Code, Coding, CodingStatus, Event, LearnedModel, Message, ModelExample, Unit
from fokus.nlp import load_pipeline
from fokus.store import Project, open_project
from tests.analysis.backends import Builds
from tests.conftest import at, parsed, record

CODEBOOK = """\
codes:
  - id: krise
    name: Krise
    children:
      - id: flom
        name: Flom
        rules:
          - id: elv
            any: [elv]
            weight: 0.6
  - id: dialog
    name: Dialog
  - id: sjelden
    name: Sjelden
"""
FLOOD = ["Flommen stengte veien", "Vannet steg over elva", "Vi varslet om flom og stengte veier", "Elva gikk over"]
DIALOG = ["Vi svarer på spørsmål fra innbyggerne", "Innbyggerne spør om brøyting", "Vi svarte på meldinger"]
OTHER = ["Været var fint i går", "Kaffen var god", "Møtet ble flyttet til torsdag"]
TAIL = ["i natt.", "i helga.", "på mandag.", "ved rådhuset.", "i sentrum.", "igjen."]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_pipeline("fokus-nb")


def coded(message: str, code: str) -> CodingRow:
    return CodingRow(message, code, None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, message)


def build(target: str, folder: Path, nlp: Language, *, seed: int = 3) -> Project:
    """Eighty messages of one sentence each; flood and dialogue sentences coded, a few other ones left uncoded."""
    rng = random.Random(seed)
    (folder / "kodebok.yaml").write_text(CODEBOOK, encoding="utf-8")
    project = open_project(target, create=True)
    records, rows = [], []
    for i in range(80):
        topic = ("krise/flom", FLOOD) if i % 2 else ("dialog", DIALOG)
        if i % 10 == 0:
            topic = ("", OTHER)
        text = f"{rng.choice(topic[1])} {rng.choice(TAIL)}"
        records.append(record(f"m{i}", f"Person {i % 7}", text, when=at(1 + i % 27, 8 + i % 10, i % 60)))
        if topic[0]:
            rows.append(
                CodingRow(
                    f"m{i}", topic[0], None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, str(i)
                )
            )
    rows.append(CodingRow("m1", "sjelden", None, None, None, CodingStatus.ACCEPTED, "human", None, "ingrid", None, "x"))
    with project.begin() as session:
        load_codebook(session, read_codebook(folder / "kodebok.yaml"))
        import_messages(session, [parsed(*records)])
        tag_messages(session, nlp)
        import_codings(session, rows, display="test")
    return project


@pytest.fixture(scope="module")
def builds(nlp: Language) -> Iterator[Builds]:
    made = Builds("learning", lambda target, folder: build(target, folder, nlp))
    yield made
    made.close()


@pytest.fixture
def project(builds: Builds, backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Project]:
    """A copy of the module's project on its backend, for one test to change."""
    with builds.copy(backend, request, tmp_path) as target:
        project = open_project(target)
        yield project
        project.close()


def test_examples_are_what_the_researchers_decided(project: Project) -> None:
    with project.begin() as session:
        # a rejected suggestion on an uncoded sentence: a "no" for that code, unknown for the others
        mid = session.scalar(select(Message.id).where(Message.external_id == "m0"))
        unit = session.scalars(select(Unit).where(Unit.message_id == mid)).first()
        assert unit is not None
        suggestion = session.scalars(
            select(Coding).join(Code).where(Coding.message_id == mid, Code.path == "krise/flom")
        ).first()
        if suggestion is None:  # "Været var fint" has no rule hit: make the rejection by hand
            import_codings(
                session,
                [
                    CodingRow(
                        "m0",
                        "krise/flom",
                        unit.start,
                        unit.end,
                        None,
                        CodingStatus.REJECTED,
                        "rule:flom:elv",
                        0.6,
                        None,
                        None,
                        "r",
                    )
                ],
                display="test",
            )
        else:
            suggestion.status = CodingStatus.REJECTED.value
    with project.read() as session:
        examples = training_examples(session)
        units = dict(session.execute(select(Unit.id, Message.external_id).join(Message)).all())
    col = {code: j for j, code in enumerate(examples.codes)}
    by_message = {units[int(u)]: i for i, u in enumerate(examples.unit_ids)}
    assert set(by_message) == {f"m{i}" for i in range(80) if i % 10} | {"m0"}  # m10, m20... nobody decided on
    m1, m2, m0 = by_message["m1"], by_message["m2"], by_message["m0"]
    assert examples.labels[m1, col["krise/flom"]] == POSITIVE
    assert examples.labels[m1, col["sjelden"]] == POSITIVE
    assert examples.labels[m1, col["dialog"]] == NEGATIVE
    assert examples.labels[m2, col["dialog"]] == POSITIVE
    assert examples.labels[m2, col["krise/flom"]] == NEGATIVE
    assert examples.labels[m0, col["krise/flom"]] == NEGATIVE
    assert examples.labels[m0, col["dialog"]] == UNKNOWN
    assert "krise" in col  # codable parents are learnt as themselves, never rolled up
    assert (examples.labels[:, col["krise"]] != POSITIVE).all()
    assert len(examples.negative_codings) == 1


def test_training_reports_honest_figures_and_names_what_it_skips(project: Project) -> None:
    with project.read() as session:
        trained = train_model(session, target_precision=0.8)
    scores = {s.code: s for s in trained.model.scores}
    for code in ("krise/flom", "dialog"):
        s = scores[code]
        assert s.threshold is not None
        assert s.precision is not None
        assert s.precision >= 0.8
        assert s.recall is not None
        assert s.recall > 0.5  # the two themes share no words: most of each is found
        assert s.positives == sum(1 for i in range(80) if i % 10 and (i % 2 == (code == "krise/flom")))
    assert scores["sjelden"].skipped is not None
    assert "too few examples" in scores["sjelden"].skipped
    assert "sjelden" not in trained.model.codes
    f1 = trained.model.micro_f1()
    assert f1 is not None
    assert 0.5 < f1 <= 1.0
    probabilities = trained.model.probabilities(["flom stenge vei", "svare innbygger spørsmål"])
    flood, dialog = trained.model.codes.index("krise/flom"), trained.model.codes.index("dialog")
    assert probabilities[0, flood] > probabilities[0, dialog]
    assert probabilities[1, dialog] > probabilities[1, flood]
    assert ((probabilities >= 0) & (probabilities <= 1)).all()


def test_a_saved_model_is_versioned_recorded_and_checked(project: Project, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    with project.read() as session:
        trained = train_model(session)
    with project.begin() as session:
        first = save_model(session, folder, trained)
        second = save_model(session, folder, trained)
    assert (first.version, second.version) == (1, 2)
    with project.read() as session:
        recorded = session.scalars(select(ModelExample).where(ModelExample.model_id == 1)).all()
        accepted = session.scalars(select(Coding.id).where(Coding.status == "accepted")).all()
        assert {e.coding_id for e in recorded if e.label == "positive"} == set(accepted)
        assert session.scalar(select(func.count()).select_from(LearnedModel)) == 2
        version, model = load_model(session, folder)
        assert version == 2
        assert model.codes == trained.model.codes
    (folder / "model-002.npz").write_bytes(b"not a model")
    with project.read() as session, pytest.raises(FokusError, match="not the one fokus wrote"):
        load_model(session, folder)
    with project.read() as session, pytest.raises(FokusError, match="no model version 7"):
        load_model(session, folder, 7)


def suggestions(project: Project) -> dict[tuple[str, str], tuple[str, float | None, dict[str, object] | None]]:
    with project.read() as session:
        rows = session.execute(
            select(Message.external_id, Code.path, Coding.origin, Coding.confidence, Coding.details)
            .join(Message, Coding.message_id == Message.id)
            .join(Code, Coding.code_id == Code.id)
            .where(Coding.status == "suggested")
        ).all()
    return {(m, c): (o, conf, d) for m, c, o, conf, d in rows}


def test_suggestions_never_touch_a_decision_and_join_the_rules(project: Project, tmp_path: Path, nlp: Language) -> None:
    folder = tmp_path / "models"
    with project.begin() as session:
        # forget the researcher's decisions on half the flood sentences, so the model has something to suggest
        forgotten = [f"m{i}" for i in range(1, 80, 4)]
        ids = session.scalars(select(Message.id).where(Message.external_id.in_(forgotten))).all()
        for coding in session.scalars(select(Coding).where(Coding.message_id.in_(ids), Coding.status == "accepted")):
            session.delete(coding)
    with project.read() as session:
        trained = train_model(session)
    rules_before = suggestions(project)
    with project.begin() as session:
        save_model(session, folder, trained)
        version, model = load_model(session, folder)
        report = suggest(session, version, model)
    after = suggestions(project)
    assert report.suggested + report.merged > 0
    decided = {f"m{i}" for i in range(80) if i % 10} - set(forgotten)
    for (message, code), (origin, confidence, details) in after.items():
        assert details is not None
        if "model:1" in origin:
            assert message not in decided or code not in ("krise/flom", "dialog")
            # one number, the combiner's, is shown; the model's own probability is kept beside it
            assert confidence == details["combined"]["confidence"]  # type: ignore[index]
            assert 0 <= details["model"]["probability"] <= 1  # type: ignore[index]
    joined = [key for key, (origin, _c, _d) in after.items() if origin.startswith("rule:") and "+model:1" in origin]
    assert joined, "a flood sentence with 'elv' has the rule's and the model's suggestion in one coding"
    for key in joined:
        assert key in rules_before
        assert after[key][2]["rule_confidence"] == rules_before[key][1]  # type: ignore[index]
    with project.read() as session:
        events = session.scalar(select(func.count()).select_from(Event).where(Event.action == "coding.suggest"))
    assert events
    assert events >= report.suggested
    # again: nothing changes; tagging again keeps the model's part
    with project.begin() as session:
        again = suggest(session, version, model)
        tag_messages(session, nlp)
    assert (again.suggested, again.merged, again.updated, again.withdrawn) == (0, 0, 0, 0)
    assert suggestions(project) == after


def test_when_the_rules_stop_the_models_part_stays_and_the_other_way_round(
    project: Project, tmp_path: Path, nlp: Language
) -> None:
    folder = tmp_path / "models"
    with project.begin() as session:
        flood = session.scalars(select(Message.id).where(Message.text.like("%Elva gikk over%"))).all()
        for coding in session.scalars(select(Coding).where(Coding.message_id.in_(flood), Coding.status == "accepted")):
            session.delete(coding)
    with project.read() as session:
        trained = train_model(session)
    with project.begin() as session:
        save_model(session, folder, trained)
        version, model = load_model(session, folder)
        suggest(session, version, model)
    joined = {k: v for k, v in suggestions(project).items() if "+model:" in v[0]}
    assert joined
    # the rule goes: the suggestion stays, as the model's alone
    (tmp_path / "kodebok.yaml").write_text(CODEBOOK.replace("any: [elv]", "any: [tsunami]"), encoding="utf-8")
    with project.begin() as session:
        load_codebook(session, read_codebook(tmp_path / "kodebok.yaml"))
        tag_messages(session, nlp)
    now = suggestions(project)
    for key in joined:
        assert now[key][0] == f"model:{version}"
        assert now[key][1] == joined[key][2]["model"]["probability"]  # type: ignore[index]


def test_the_commands(project: Project) -> None:
    db = project.display
    runner = CliRunner()
    learnt = runner.invoke(main, ["--db", db, "learn", "--format", "json"], catch_exceptions=False)
    assert learnt.exit_code == 0, learnt.output
    data = json.loads(learnt.output)
    assert data["version"] == 1
    assert {c["code"] for c in data["codes"]} >= {"krise/flom", "dialog", "sjelden"}
    with project.read() as session:
        saved = session.scalars(select(LearnedModel)).one()
        if project.sqlite_path is None:  # on a server the model is kept in the database, for the whole team
            assert saved.data is not None
            assert data["file"] == "model-001.npz"
        else:
            assert saved.data is None
            assert (Path(db + ".models") / "model-001.npz").is_file()
    done = runner.invoke(main, ["--db", db, "suggest"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "Model 1 read 80 sentences" in done.output
    curve = runner.invoke(main, ["--db", db, "learn", "--curve", "--format", "json"], catch_exceptions=False)
    points = json.loads(curve.output)
    sizes = [p["sentences"] for p in points]
    assert sizes == sorted(sizes)
    assert sizes[-1] == data["sentences"]
    bad = runner.invoke(main, ["--db", db, "learn", "--target-precision", "1.5"])
    assert bad.exit_code == 1
    assert "not between 0 and 1" in bad.output


def test_learning_curve_points_grow(project: Project) -> None:
    with project.read() as session:
        points = learning_curve(session, steps=4)
    assert [p["sentences"] for p in points] == sorted({p["sentences"] for p in points})
    assert all(p["f1"] is None or 0 <= p["f1"] <= 1 for p in points)
    assert points[-1]["codes_suggested"] >= points[0]["codes_suggested"]


def test_each_code_is_the_same_optimum_the_primal_solver_found(project: Project) -> None:
    """The dual solver replaced the primal one for speed: same objective (squared hinge, balanced classes, C 0.5,
    one row per distinct sentence weighted by its copies), so the same scores to well within a thousandth."""
    from sklearn.svm import LinearSVC

    from fokus.learn.model import _distinct, _fit_code, _row_ids, make_features

    with project.read() as session:
        examples = training_examples(session)
    x = make_features().fit_transform(examples.texts).tocsr().astype(np.float64)
    for j, _code in enumerate(examples.codes):
        known = np.flatnonzero(examples.labels[:, j] != UNKNOWN)
        y = (examples.labels[known, j] == POSITIVE).astype(np.int8)
        if y.sum() < 8:
            continue
        weights, intercept, oof = _fit_code(x, known, _row_ids(x)[known], y, 3, 0)
        first, _inverse, counts = _distinct(x[known], y)
        primal = LinearSVC(C=0.5, class_weight="balanced", dual=False, tol=1e-8).fit(
            x[known][first], y[first], sample_weight=counts
        )
        ours = x[known] @ weights + intercept
        assert np.abs(ours - primal.decision_function(x[known])).max() < 1e-3
        assert oof.shape == y.shape


def test_character_ngrams_are_scikit_learns_char_wb() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from fokus.learn.model import CharGrams

    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5)).build_analyzer()
    ours = CharGrams(4, 5)
    rng = random.Random(1)
    for _ in range(500):
        words = ("".join(rng.choice("abeksøæå") for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(1, 6)))
        text = " ".join(words)
        assert sorted(ours(text)) == sorted(reference(text))


# --- the same model on both backends ---------------------------------------------------------------------------------


def learnt(project: Project) -> tuple[object, ...]:
    """What training reads and what it makes of it, on one backend."""
    with project.read() as session:
        examples = training_examples(session)
        trained = train_model(session)
        points = learning_curve(session, steps=3)
    model = trained.model
    probabilities = model.probabilities(["flom stenge vei", "svare innbygger spørsmål", "kaffe god"]).tolist()
    examples_seen = (examples.codes, examples.unit_ids.tolist(), examples.labels.tolist(), examples.texts)
    positives = (sorted(examples.positive_codings), sorted(examples.negative_codings))
    return examples_seen, positives, [s.row() for s in model.scores], model.micro_f1(), probabilities, points


@pytest.mark.postgresql
def test_both_backends_learn_the_same_model(builds: Builds, request: pytest.FixtureRequest) -> None:
    sqlite, postgresql = (learnt(builds.get(backend, request)) for backend in ("sqlite", "postgresql"))
    assert sqlite == postgresql


def test_codes_are_learnt_in_path_order_whatever_the_database_collation(collated_db: str, tmp_path: Path) -> None:
    """A Norwegian-collated PostgreSQL database sorts "krise_tiltak" before "krise/flom"; the model's codes (and so
    its report) still come in SQLite's order, by code point."""
    (tmp_path / "kodebok.yaml").write_text(CODEBOOK + "  - id: krise_tiltak\n    name: Tiltak\n", encoding="utf-8")
    project = open_project(collated_db, create=True)
    try:
        with project.begin() as session:
            load_codebook(session, read_codebook(tmp_path / "kodebok.yaml"))
        with project.read() as session:
            codes = training_examples(session).codes
    finally:
        project.close()
    assert codes == sorted(codes) == ["dialog", "krise", "krise/flom", "krise_tiltak", "sjelden"]
