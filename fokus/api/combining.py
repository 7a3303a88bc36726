"""The combiner in use: fitted with each model on the researchers' decisions, applied when the model suggests.

`fokus learn` fits it right after the model (:func:`fit_combiner`): the model's out-of-fold probabilities, the rules
run afresh and the thread's context, on every decided sentence. `fokus suggest` (and `fokus tag`, once a model
exists) then scores every sentence and code with it (:func:`combined_wanted`): every suggestion shows that one
confidence, and the review queue ranks by it. The rules' suggestions all stay (the codebook's rules are the
researchers' own instructions; a doubtful one is ranked last, not hidden), and the combiner adds what reaches the
code's threshold for the target precision, whichever source found it: the model, or the model with the thread.
On the demo's coding, cross-validated by thread, hiding rule suggestions below the threshold cost more recall than
it gained precision (theme F1 0.63 against 0.72 for keeping them), since most of them are right at the theme level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.api.evidence import (
    Sentences,
    details_of,
    every_sentence,
    evidence_for,
    model_probabilities,
    rule_evidence,
    stored_rule_evidence,
)
from fokus.domain.origins import RULE_PREFIX
from fokus.learn.combiner import Combiner, FloatArray, fit
from fokus.learn.examples import Examples
from fokus.learn.model import TrainedModel
from fokus.learn.weak import WeakLabels, confirmation_rates, weak_labels
from fokus.model import Code


def fit_combiner(
    examples: Examples,
    model: TrainedModel,
    sentences: Sentences,
    rules: tuple[FloatArray, FloatArray],
    *,
    folds: int = 5,
) -> tuple[Combiner, FloatArray]:
    """The combiner for ``model`` and its out-of-fold probabilities on the examples, given the sentences around
    them (:func:`fokus.api.evidence.around`) and the rules' evidence on them (in the examples' order)."""
    probabilities = model_probabilities(model, sentences, examples.codes)
    rows = np.searchsorted(sentences.ids, examples.unit_ids)
    if model.oof is not None:  # the decided sentences' own probabilities are out-of-fold, as on new sentences
        column = {code: j for j, code in enumerate(examples.codes)}
        for k, code in enumerate(model.codes):
            known = ~np.isnan(model.oof[:, k])
            probabilities[rows[known], column[code]] = model.oof[known, k]
    evidence = evidence_for(sentences, examples.codes, probabilities, rules, rows)
    groups = sentences.threads[rows]
    return fit(evidence, examples.labels, groups, target_precision=model.target_precision, folds=folds)


def undecided_rule_hits(
    session: Session, codes: list[str], decided_ids: np.ndarray[Any, Any]
) -> tuple[list[str], np.ndarray[Any, Any]]:
    """The sentences nobody decided on (none of ``decided_ids``) where `fokus tag` stored a rule suggestion: their
    lemmas and, per code, whether its rules fired (read once, however many folds weigh them)."""
    every = every_sentence(session)
    undecided = every.take(np.flatnonzero(~np.isin(every.ids, decided_ids)))
    weight, _count = stored_rule_evidence(session, undecided, codes)
    hit = np.flatnonzero((weight > 0).any(axis=1))
    return [undecided.lemmas[i] for i in hit.tolist()], weight[hit] > 0


def weak_supervision(
    examples: Examples, fired: np.ndarray[Any, Any], hits: tuple[list[str], np.ndarray[Any, Any]]
) -> WeakLabels:
    """The rules' labels on the undecided sentences (:func:`undecided_rule_hits`), weighted by how often the
    researchers confirmed each code's rules where ``fired`` on ``examples`` (:mod:`fokus.learn.weak`)."""
    return weak_labels(hits[0], hits[1], confirmation_rates(fired, examples.labels))


@dataclass
class Scored:
    """Every sentence's combined probability per code, with the model's own and the rules' parts."""

    sentences: Sentences
    codes: list[str]
    combined: FloatArray
    model: FloatArray
    rule: FloatArray


def score_everything(
    session: Session, model: TrainedModel, suggestions: Iterable[Sequence[Any]] | None = None
) -> Scored:
    """The combiner on every stored sentence (the rules' part as `fokus tag` stored it: read from the open
    ``suggestions``, :func:`fokus.api.suggesting.open_suggestions`, when they are given)."""
    assert model.combiner is not None
    codes = model.combiner.codes
    sentences = every_sentence(session)
    probabilities = model_probabilities(model, sentences, codes)
    if suggestions is None:
        rules = stored_rule_evidence(session, sentences, codes)
    else:
        path_of = {cid: path for path, cid in session.execute(select(Code.path, Code.id))}
        found = (
            (row[1], row[4], row[5], path_of.get(row[2]), row[7], row[8], details_of(row))
            for row in suggestions
            if row[7].startswith(RULE_PREFIX)  # what rule_evidence reads; no other suggestion's details are parsed
        )
        rules = rule_evidence(found, sentences, codes)
    evidence = evidence_for(sentences, codes, probabilities, rules)
    return Scored(sentences, codes, model.combiner.probabilities(evidence), probabilities, rules[0])


def combined_wanted(
    session: Session,
    version: int,
    model: TrainedModel,
    code_ids: dict[str, int],
    suggestions: Iterable[Sequence[Any]] | None = None,
) -> tuple[dict[tuple[int, int, int, int], tuple[float | None, float, dict[str, Any] | None]], list[str], int]:
    """What `fokus suggest` should show: per (message, code id, start, end) the model's part (its probability when
    it reaches the model's own threshold, or when it is what found the sentence), the combined confidence and the
    combiner's record; the codes the combiner adds suggestions for; the sentences scored.

    Wanted are every rule suggestion (the rules are the researchers' own instructions: the combiner ranks them, it
    does not hide them) and every sentence whose combined probability reaches its code's threshold."""
    assert model.combiner is not None
    scored = score_everything(session, model, suggestions)
    own = dict(zip(model.codes, model.thresholds.tolist(), strict=True))
    wanted: dict[tuple[int, int, int, int], tuple[float | None, float, dict[str, Any] | None]] = {}
    adding: list[str] = []
    s = scored.sentences
    for j, code in enumerate(scored.codes):
        if code not in code_ids:
            continue
        threshold = float(model.combiner.thresholds[j])
        reaches = scored.combined[:, j] >= threshold if not np.isnan(threshold) else np.zeros(len(s), dtype=bool)
        if reaches.any():
            adding.append(code)
        own_threshold = own.get(code, float("nan"))
        for i in np.flatnonzero(reaches | (scored.rule[:, j] > 0)).tolist():
            probability = float(scored.model[i, j])
            rule = float(scored.rule[i, j])
            says = not np.isnan(probability) and (rule == 0 or probability >= own_threshold)
            record = {
                "version": version,
                "confidence": round(float(scored.combined[i, j]), 4),
                "threshold": None if np.isnan(threshold) else round(threshold, 4),
                "rules": round(rule, 4),
                "model": None if np.isnan(probability) else round(probability, 4),
            }
            key = (int(s.messages[i]), code_ids[code], int(s.starts[i]), int(s.ends[i]))
            wanted[key] = (probability if says else None, float(scored.combined[i, j]), record)
    return wanted, adding, len(s)
