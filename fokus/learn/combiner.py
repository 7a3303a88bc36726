"""One calibrated confidence per (sentence, code) from every source of evidence, fitted on the researchers' decisions.

The rules and the model used to be added, not combined: a sentence either fired a rule or passed the model's
threshold, and the review queue showed the union, less precise than the rules alone. The combiner instead reads, for
each sentence and code, what every source says (:class:`Evidence`):

- the rules: their combined weight (``1 - (1 - w1)(1 - w2)...``), whether any fired and how many;
- the model: its calibrated probability, as a log-odds, and whether it has a say on that code at all;
- the thread: the model's highest probability for the same code in the message's other sentences and in the
  thread's opening post (a reply in a thread about a flood is likelier about crisis than the same words elsewhere).

and turns them into one probability with a logistic regression: per code where the code has enough decided
sentences (:data:`PER_CODE` yes and no), else one fitted on every code's rows pooled. Logistic regression is
calibrated by construction on the rows it is fitted on; it is fitted on the model's *out-of-fold* probabilities, so
on new sentences the model's probabilities look as they did in fitting. The threshold of each code is the lowest
probability above which the out-of-fold combined probabilities reach the target precision (folds by thread), or the
pooled one for a code with too few decisions of its own; a code where neither reaches it gets no threshold.
Everything is deterministic: folds are assigned to threads in a fixed order and the solver (Newton's method) has
no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

FEATURES = ("rule", "rule_fired", "rules_fired", "model", "model_known", "context_message", "context_post")
PER_CODE = 15  # decided sentences of each kind a code needs for a combiner of its own
C = 1.0  # inverse L2 strength: the features are few and on similar scales
CLIP = 1e-3  # model probabilities are clipped before the log-odds


@dataclass
class Evidence:
    """What each source says about each (sentence, code): arrays of shape (sentences, codes)."""

    codes: list[str]
    rule: FloatArray  # the fired rules' combined weight; 0 where none fired
    rules_fired: FloatArray  # how many of the code's rules fired
    model: FloatArray  # the model's probability; NaN where the model has no say on the code
    context_message: FloatArray  # the model's highest probability of the code in the message's other sentences
    context_post: FloatArray  # ... in the thread's opening post (0 for the post's own sentences)

    def matrix(self, column: int) -> FloatArray:
        """The feature rows of one code, in the order of :data:`FEATURES`."""
        model = self.model[:, column]
        known = ~np.isnan(model)
        clipped = np.clip(np.where(known, model, 0.5), CLIP, 1 - CLIP)
        return np.column_stack(
            [
                self.rule[:, column],
                (self.rules_fired[:, column] > 0).astype(np.float64),
                np.minimum(self.rules_fired[:, column], 3.0),
                np.where(known, np.log(clipped / (1 - clipped)), 0.0),
                known.astype(np.float64),
                self.context_message[:, column],
                self.context_post[:, column],
            ]
        )


@dataclass
class Combiner:
    """Per code: the weights (one row of :data:`FEATURES`), the intercept and the threshold (NaN: never suggested)."""

    codes: list[str]
    weights: FloatArray  # (codes, features)
    intercepts: FloatArray  # (codes,)
    thresholds: FloatArray  # (codes,)
    pooled: np.ndarray[Any, np.dtype[np.bool_]]  # which codes use the pooled fit

    def probabilities(self, evidence: Evidence) -> FloatArray:
        """(sentences, codes) combined probabilities; the evidence's codes must be the combiner's."""
        if evidence.codes != self.codes:
            raise ValueError("the evidence is for other codes than the combiner's")
        out = np.zeros(evidence.rule.shape, dtype=np.float64)
        for j in range(len(self.codes)):
            out[:, j] = _sigmoid(evidence.matrix(j) @ self.weights[j] + self.intercepts[j])
        return out


def _sigmoid(z: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def thread_folds(groups: np.ndarray[Any, Any], folds: int) -> np.ndarray[Any, Any]:
    """A fold number per row, every row of a thread in the same fold: each thread, largest first (ties by where it
    first appears), goes to the fold with the fewest rows so far, so folds are of similar size and the same data
    always gives the same folds."""
    threads, first, counts = np.unique(groups, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    sizes = np.zeros(max(min(folds, len(threads)), 1), dtype=np.int64)
    fold_of = np.empty(len(threads), dtype=np.int64)
    for thread in order.tolist():
        smallest = int(np.argmin(sizes))
        fold_of[thread] = smallest
        sizes[smallest] += counts[thread]
    return fold_of[np.searchsorted(threads, groups)]


def _fit(x: FloatArray, y: np.ndarray[Any, Any]) -> tuple[FloatArray, float]:
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():  # one kind only: a constant at its (smoothed) rate
        rate = (y.sum() + 0.5) / (len(y) + 1.0)
        return np.zeros(x.shape[1]), float(np.log(rate / (1 - rate)))
    fitted = LogisticRegression(C=C, solver="newton-cholesky", max_iter=200).fit(x, y)
    return np.asarray(fitted.coef_[0], dtype=np.float64), float(fitted.intercept_[0])


def _fit_codes(
    evidence: Evidence, labels: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]
) -> tuple[FloatArray, FloatArray, np.ndarray[Any, Any]]:
    """Weights and intercepts per code fitted on ``rows``; codes with too few decisions there share a pooled fit."""
    codes = len(evidence.codes)
    weights = np.zeros((codes, len(FEATURES)))
    intercepts = np.zeros(codes)
    pooled = np.zeros(codes, dtype=bool)
    pool_x, pool_y = [], []
    for j in range(codes):
        column = labels[rows, j]
        known = column >= 0
        x, y = evidence.matrix(j)[rows][known], column[known].astype(np.int8)
        pool_x.append(x)
        pool_y.append(y)
        if min(int(y.sum()), int(len(y) - y.sum())) >= PER_CODE:
            weights[j], intercepts[j] = _fit(x, y)
        else:
            pooled[j] = True
    if pooled.any():
        all_x, all_y = np.vstack(pool_x), np.concatenate(pool_y)
        shared = _fit(all_x, all_y) if len(all_y) else (np.zeros(len(FEATURES)), -5.0)
        weights[pooled], intercepts[pooled] = shared
    return weights, intercepts, pooled


def fit(
    evidence: Evidence,
    labels: np.ndarray[Any, Any],
    groups: np.ndarray[Any, Any],
    *,
    target_precision: float,
    folds: int = 5,
) -> tuple[Combiner, FloatArray]:
    """The combiner on every decided row, and the out-of-fold probabilities (folds by thread) that chose its
    thresholds; ``labels`` is (sentences, codes) of 1 yes, 0 no and -1 unknown."""
    fold = thread_folds(groups, folds)
    oof = np.full(labels.shape, np.nan)
    for k in np.unique(fold):
        train_rows, test_rows = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        weights, intercepts, _pooled = _fit_codes(evidence, labels, train_rows)
        for j in range(len(evidence.codes)):
            oof[test_rows, j] = _sigmoid(evidence.matrix(j)[test_rows] @ weights[j] + intercepts[j])
    weights, intercepts, pooled = _fit_codes(evidence, labels, np.arange(len(labels)))
    thresholds = choose_thresholds(oof, labels, pooled, target_precision)
    return Combiner(list(evidence.codes), weights, intercepts, thresholds, pooled), oof


def choose_thresholds(
    probabilities: FloatArray, labels: np.ndarray[Any, Any], pooled: np.ndarray[Any, Any], target: float
) -> FloatArray:
    """Each code's threshold for ``target`` precision on its own decided rows; pooled codes share one threshold
    chosen on their rows together."""
    thresholds = np.full(labels.shape[1], np.nan)
    for j in np.flatnonzero(~pooled):
        known = labels[:, j] >= 0
        found = threshold_for(probabilities[known, j], labels[known, j], target)
        thresholds[j] = np.nan if found is None else found
    if pooled.any():
        known = labels[:, pooled] >= 0
        found = threshold_for(probabilities[:, pooled][known], labels[:, pooled][known], target)
        thresholds[pooled] = np.nan if found is None else found
    return thresholds


def reliability(probabilities: FloatArray, outcomes: np.ndarray[Any, Any], bins: int = 10) -> list[dict[str, Any]]:
    """Calibration by decile of predicted probability: per bin the rows, the mean prediction and the observed rate."""
    order = np.argsort(probabilities, kind="stable")
    rows = []
    for part in np.array_split(order, bins):
        if len(part):
            rows.append(
                {
                    "rows": len(part),
                    "predicted": float(probabilities[part].mean()),
                    "observed": float(outcomes[part].mean()),
                }
            )
    return rows


def threshold_for(probability: FloatArray, y: np.ndarray[Any, Any], target: float, least: int = 3) -> float | None:
    """The lowest probability above which at least ``least`` suggestions reach ``target`` precision."""
    order = np.argsort(-probability, kind="stable")
    hits = np.cumsum(y[order] == 1)
    counted = np.arange(1, len(order) + 1)
    precision = hits / counted
    ok = np.flatnonzero((precision >= target) & (counted >= least) & (y[order] == 1))
    if not len(ok):
        return None
    ranked = probability[order]
    last = ok[-1]
    # halfway to the next sentence down: no cross-validated decision changes, and a new sentence a little less
    # sure than every training example still gets its suggestion
    return float((ranked[last] + ranked[last + 1]) / 2) if last + 1 < len(ranked) else float(ranked[last])
