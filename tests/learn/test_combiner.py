"""The combiner: one calibrated confidence per sentence and code from the rules, the model and the thread, honest
cross-validation by thread, reproducible learning, and decisions that no suggestion ever overrides."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fokus.api.coding_actions import decide
from fokus.api.learning import load_model, save_model, suggest, train_model
from fokus.api.messages import import_messages
from fokus.api.review import review_queue
from fokus.api.suggestion_quality import cross_validated, quality
from fokus.api.tagging import tag_messages
from fokus.cli import main
from fokus.domain.coders import CoderRegistry
from fokus.learn.combiner import Combiner, Evidence, fit, reliability, thread_folds
from fokus.learn.examples import training_examples
from fokus.learn.model import fitted_parts, train
from fokus.learn.storage import UnreadableModel, from_bytes, to_bytes
from fokus.learn.weak import confirmation_rates, weak_labels
from fokus.model import Code, CoderKind, Coding, Message
from fokus.nlp import load_pipeline
from fokus.store import Project
from tests.conftest import at, parsed, record
from tests.learn.test_learning import builds, nlp, project, suggestions

__all__ = ["builds", "nlp", "project", "suggestions"]


def test_thread_folds_keep_every_thread_in_one_fold_and_are_balanced() -> None:
    groups = np.array([7, 7, 3, 9, 9, 9, 3, 1, 5, 5, 2, 8])
    folds = thread_folds(groups, 3)
    for thread in np.unique(groups):
        assert len(set(folds[groups == thread].tolist())) == 1
    sizes = np.bincount(folds)
    assert len(sizes) == 3
    assert sizes.max() - sizes.min() <= 1
    assert (thread_folds(groups, 3) == folds).all()  # the same data, the same folds


def synthetic(rows: int, seed: int) -> tuple[Evidence, np.ndarray, np.ndarray]:
    """Evidence whose labels follow a known logistic law of the rule and the model, in 60 threads."""
    rng = np.random.default_rng(seed)
    fired = rng.random((rows, 2)) < 0.3
    model = rng.random((rows, 2))
    logit = -2.5 + 2.5 * fired + 3.0 * (model - 0.5)
    labels = (rng.random((rows, 2)) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    zeros = np.zeros((rows, 2))
    evidence = Evidence(["a", "b/c"], 0.6 * fired, fired.astype(float), model, zeros, zeros)
    return evidence, labels, rng.integers(0, 60, rows)


def test_the_combined_confidence_is_calibrated_on_held_out_folds() -> None:
    evidence, labels, groups = synthetic(4000, seed=1)
    combiner, oof = fit(evidence, labels, groups, target_precision=0.8, folds=5)
    for row in reliability(oof.ravel(), labels.ravel().astype(float)):
        assert abs(row["predicted"] - row["observed"]) <= 0.1, row
    assert not combiner.pooled.any()  # both codes have enough decisions of their own
    assert (combiner.weights[:, 0] > 0).all()  # the rules count
    assert (combiner.weights[:, 3] > 0).all()  # and so does the model


def test_a_code_with_few_decisions_uses_the_pooled_fit() -> None:
    evidence, labels, groups = synthetic(600, seed=2)
    labels[:, 1] = -1
    labels[:5, 1] = 1  # five decisions: too few for a fit of its own
    combiner, _oof = fit(evidence, labels, groups, target_precision=0.8)
    assert combiner.pooled.tolist() == [False, True]


@pytest.mark.usefixtures("backend")
def test_on_the_demo_combined_beats_either_source_and_is_calibrated(demo: Project) -> None:
    """The demo's hand coding, cross-validated by thread: the combined confidence is calibrated per decile, and
    what the review queue shows (the rules' suggestions and what the combiner adds) beats rules and model alone."""
    nlp = load_pipeline("fokus-nb")
    with demo.read() as session:
        predictions = cross_validated(session, nlp)
    known = predictions.labels >= 0
    for row in reliability(predictions.combined[known], (predictions.labels[known] == 1).astype(float)):
        assert abs(row["predicted"] - row["observed"]) <= 0.1, row
    for level in ("theme", "code"):
        summary = {row["source"]: row for row in quality(predictions, level=level).summary}
        assert summary["combined"]["f1"] >= max(summary["rules"]["f1"], summary["model"]["f1"]), (level, summary)
    # no thread is both trained and tested on: each thread's sentences fall in one fold
    folds = thread_folds(predictions.groups, 5)
    for thread in np.unique(predictions.groups):
        assert len(set(folds[predictions.groups == thread].tolist())) == 1


def test_learning_twice_gives_the_same_model_byte_for_byte(project: Project) -> None:
    """The dual solver's order of visits and the folds are seeded, the codes are fitted one after another whatever
    ``n_jobs`` asks (liblinear's random generator is one per process), and the archive has no clock."""
    with project.read() as session:
        examples = training_examples(session)
    first, second = train(examples, n_jobs=1), train(examples, n_jobs=2)
    assert to_bytes(first) == to_bytes(second)
    with project.read() as session:
        a, b = train_model(session, n_jobs=2), train_model(session, n_jobs=2)
    assert to_bytes(a.model) == to_bytes(b.model)
    assert a.model.combiner is not None


def test_the_combiner_is_saved_with_the_model_and_checked_on_reading(project: Project) -> None:
    with project.read() as session:
        model = train_model(session).model
    assert model.combiner is not None
    again = from_bytes(to_bytes(model))
    assert isinstance(again.combiner, Combiner)
    assert again.combiner.codes == model.combiner.codes
    assert np.array_equal(again.combiner.weights, model.combiner.weights)
    assert np.array_equal(again.combiner.thresholds, model.combiner.thresholds, equal_nan=True)
    model.combiner.weights = model.combiner.weights[:, :3]  # a combiner of other features
    with pytest.raises(UnreadableModel, match="combiner_weights has the wrong type or shape"):
        from_bytes(to_bytes(model))
    model.combiner = None  # a model without one (as saved before the combiner) still reads
    assert from_bytes(to_bytes(model)).combiner is None


def test_a_rejected_suggestion_is_never_offered_again_and_no_decision_is_overwritten(
    project: Project, tmp_path: object, nlp: object
) -> None:
    folder = None
    with project.begin() as session:
        # forget some decisions so that the model and the rules have sentences to suggest on
        ids = session.scalars(select(Message.id).where(Message.external_id.in_([f"m{i}" for i in range(1, 80, 4)])))
        for coding in session.scalars(
            select(Coding).where(Coding.message_id.in_(list(ids)), Coding.status == "accepted")
        ):
            session.delete(coding)
    with project.begin() as session:
        report = save_model(session, folder, train_model(session))
        suggest(session, report.version, report.model)
    offered = suggestions(project)
    assert offered
    undecided = {f"m{i}" for i in range(1, 80, 4)} | {f"m{i}" for i in range(0, 80, 10)}
    shown = {key: d for key, (_o, _c, d) in offered.items() if key[0] in undecided}
    assert shown
    assert [key for key, d in shown.items() if not isinstance(d, dict) or "combined" not in d] == []
    with project.read() as session:  # the queue shows each source's part of the one confidence
        queue = review_queue(session, limit=500)
    assert any(item.model is not None for item in queue)
    assert any(item.rules for item in queue)
    assert [item.confidence for item in queue] == sorted((item.confidence or 0 for item in queue), reverse=True)
    rejected_key, accepted_key = sorted(shown)[:2]
    with project.begin() as session:
        coder = CoderRegistry(session).get_or_create("ingrid", CoderKind.HUMAN)
        by_key = {
            (m, c): cid
            for cid, m, c in session.execute(
                select(Coding.id, Message.external_id, Code.path)
                .join(Message, Coding.message_id == Message.id)
                .join(Code, Coding.code_id == Code.id)
                .where(Coding.status == "suggested")
            )
        }
        decide(session, by_key[rejected_key], False, coder)
        decide(session, by_key[accepted_key], True, coder)
    with project.read() as session:
        decided_before = sorted(
            session.execute(select(Coding.id, Coding.status, Coding.origin, Coding.confidence, Coding.start, Coding.end)
                            .where(Coding.status != "suggested")).all()
        )  # fmt: skip
    # learning again from the new decisions, suggesting and tagging again: the rejection holds, decisions stay
    with project.begin() as session:
        report = save_model(session, folder, train_model(session))
        version, model = load_model(session, folder)
        suggest(session, version, model)
        tag_messages(session, load_pipeline("fokus-nb"))
        suggest(session, version, model)
    after = suggestions(project)
    assert rejected_key not in after
    assert accepted_key not in after
    with project.read() as session:
        decided_after = sorted(
            session.execute(select(Coding.id, Coding.status, Coding.origin, Coding.confidence, Coding.start, Coding.end)
                            .where(Coding.status != "suggested")).all()
        )  # fmt: skip
    assert decided_after == decided_before


def test_evaluate_cross_validates_by_source(project: Project) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["--db", project.display, "evaluate", "--cross-validate", "--folds", "3", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    import json

    figures = json.loads(result.output)
    assert [row["source"] for row in figures["summary"]] == ["rules", "model", "combined"]
    assert figures["folds"] == 3
    assert figures["sentences"] > 0
    assert len(figures["calibration"]) == 10
    bad = runner.invoke(main, ["--db", project.display, "evaluate", "--cross-validate", "--folds", "1"])
    assert bad.exit_code == 2
    assert "--folds must be at least 2" in bad.output
    alone = runner.invoke(main, ["--db", project.display, "evaluate", "--curve", "-o", "x.md"])
    assert alone.exit_code == 2
    assert "--curve, -o goes with --cross-validate" in alone.output


def test_confirmation_rates_and_weak_labels_by_hand() -> None:
    fired = np.array([[1, 0], [1, 1], [1, 0], [0, 1]], dtype=bool)
    labels = np.array([[1, 0], [0, -1], [1, 0], [0, 0]], dtype=np.int8)
    # code 0: fired on 3 decided rows, confirmed on 2 -> (2 + 1) / (3 + 2); code 1: fired on 1 known row, 0 confirmed
    assert confirmation_rates(fired, labels).tolist() == pytest.approx([0.6, 1 / 3])
    weak = weak_labels(["a", "b", "c"], np.array([[0, 0], [1, 0], [1, 1]], dtype=bool), np.array([0.6, 0.2]))
    assert weak.texts == ["b", "c"]  # a sentence no rule fired on teaches nothing
    assert weak.weights.ravel().tolist() == pytest.approx([0.3, 0.0, 0.3, 0.1])


def test_learning_weakly_adds_the_rules_sentences_but_scores_only_the_decisions(project: Project) -> None:
    nlp = load_pipeline("fokus-nb")
    texts = ["Elva flommet over kulverten i Zyxdal.", "Vannet i elva sto høyt i Zyxdal i går."]
    records = [record(f"w{i}", "Person 9", text, when=at(28, 9, i)) for i, text in enumerate(texts)]
    with project.begin() as session:
        import_messages(session, [parsed(*records)])
        tag_messages(session, nlp)
    with project.read() as session:
        plain = train_model(session, nlp=nlp)
        weakly = train_model(session, nlp=nlp, weakly=True)
    words = lambda model: fitted_parts(model.features)[0][0]  # noqa: E731
    assert "zyxdal" not in words(plain.model)
    assert "zyxdal" in words(weakly.model)  # learnt from the rules' sentences nobody decided on
    assert weakly.model.sentences == plain.model.sentences  # ... which are never scored
    assert [s.examples for s in weakly.model.scores] == [s.examples for s in plain.model.scores]


def test_tagging_after_learning_ranks_the_new_rule_suggestions_with_the_combiner(project: Project) -> None:
    runner = CliRunner()
    db = project.display
    for args in (["learn"], ["suggest"]):
        assert runner.invoke(main, ["--db", db, *args], catch_exceptions=False).exit_code == 0
    record_ = record("ny", "Person 8", "Elva gikk over breddene ved brua i natt.", when=at(28, 10, 5))
    with project.begin() as session:
        import_messages(session, [parsed(record_)])
    tagged = runner.invoke(main, ["--db", db, "tag"], catch_exceptions=False)
    assert "Ranked with model 1's combined confidence" in tagged.output
    origin, confidence, details = suggestions(project)[("ny", "krise/flom")]
    assert origin.startswith("rule:krise/flom:elv")
    assert isinstance(details, dict)
    assert confidence == details["combined"]["confidence"]  # type: ignore[index]
    again = runner.invoke(main, ["--db", db, "tag"], catch_exceptions=False)
    assert "Nothing new or affected" in again.output
    assert "Ranked with" not in again.output  # nothing changed: nothing to rank again
