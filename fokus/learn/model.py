"""A code-suggestion model learnt from the researchers' own decisions, with honest figures for each code.

Features: TF-IDF over each sentence's lemmas, as words and word pairs, and as character n-grams of 4 and 5 within
words, so that Norwegian compounds share evidence with their parts ("beredskapsplanen" with "beredskap"); sublinear
term frequency, terms in at least two sentences.

Per code, a linear support vector machine (one against the rest, squared hinge loss, solved in the dual by
liblinear's coordinate descent with a fixed seed) on the sentences where that code's label is known
(see :mod:`fokus.learn.examples`). Its scores become probabilities by Platt scaling fitted on out-of-fold scores
(5 stratified folds, 3 past 5,000 decided sentences),
exactly as scikit-learn's ``CalibratedClassifierCV(method="sigmoid", ensemble=False)`` does, and the same
out-of-fold probabilities give the code's cross-validated precision, recall and F1 and its threshold: the lowest
probability at which the suggestions above it reach the target precision (0.8 by default), which keeps the most
recall a researcher can trust (placed halfway to the next sentence's probability, so it changes no cross-validated
decision). The threshold is chosen on the predictions it is scored on, so the figures are a
little optimistic; with the few hundred examples a focus group gives, holding out more would cost more than it
tells. Codes with fewer than ``min_examples`` positives are skipped and named; codes whose cross-validated
precision never reaches the target get no threshold and are never suggested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fokus.i18n import N_
from fokus.learn.combiner import Combiner, FloatArray, threshold_for
from fokus.learn.examples import NEGATIVE, POSITIVE, Examples
from fokus.learn.weak import WeakLabels

MIN_EXAMPLES = 8
FOLDS = 5  # below LARGE decided sentences; 3 above, where a third of the data is a large enough test set
LARGE = 5_000


def folds_for(sentences: int, asked: int | None = None) -> int:
    """The cross-validation folds: as asked, or 5 for a focus group's few hundred sentences and 3 past 5,000."""
    return asked if asked is not None else (FOLDS if sentences < LARGE else 3)


TARGET_PRECISION = 0.8
#: Why a code is not learnt or not suggested: stored in English (the model file and the project keep the note), and
#: shown in the reader's language by :func:`note_phrase`, which reads the values back out of the English.
TOO_FEW_EXAMPLES = N_("too few examples ({positives} positive of {known}; needs {needed})")
TOO_FEW_DISTINCT = N_("too few distinct sentences ({positives} positive) for {folds}-fold cross-validation")
NEVER_PRECISE = N_("cross-validated precision never reaches {target}")
NOTES = (TOO_FEW_EXAMPLES, TOO_FEW_DISTINCT, NEVER_PRECISE)
#: the dual solver's stopping tolerance and its iteration cap (never reached on bench/learn.py's 20,000 sentences:
#: at most a few hundred); it finds the same optimum the primal one did (decision values within 1e-3), 10-20x faster
TOLERANCE = 1e-5
MAX_ITER = 100_000


@dataclass
class CodeScore:
    code: str
    examples: int  # sentences with a known label
    positives: int
    threshold: float | None = None
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    skipped: str | None = None  # why the code is not learnt or not suggested

    def row(self) -> dict[str, Any]:
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "code": self.code,
            "examples": self.examples,
            "positives": self.positives,
            "precision": r(self.precision),
            "recall": r(self.recall),
            "f1": r(self.f1),
            "threshold": r(self.threshold),
            "note": self.skipped,
        }


@dataclass
class TrainedModel:
    """What `fokus suggest` needs: the features, per code a weight vector, a Platt scaling and a threshold."""

    features: Any  # a fitted sklearn FeatureUnion
    codes: list[str]  # the codes with a weight vector (learnt)
    weights: Any  # sparse (codes, features)
    intercepts: FloatArray
    platt: FloatArray  # (codes, 2): probability = 1 / (1 + exp(a * score + b))
    thresholds: FloatArray  # NaN where the target precision was never reached
    scores: list[CodeScore] = field(default_factory=list)
    target_precision: float = TARGET_PRECISION
    sentences: int = 0
    folds: int = FOLDS
    #: (training sentences, codes) out-of-fold probabilities, NaN where a label is unknown; not saved, only what
    #: the combiner is fitted on right after training
    oof: FloatArray | None = None
    #: how the model's probability, the rules and the thread make one confidence; None in models saved before it
    combiner: Combiner | None = None

    def probabilities(self, texts: list[str]) -> FloatArray:
        """(sentences, codes) calibrated probabilities."""
        if not self.codes or not texts:
            return np.zeros((len(texts), len(self.codes)))
        from fokus.learn.features import transform

        x = transform(self.features, texts)  # features.transform's matrix, bit for bit, faster
        raw = np.asarray((x @ self.weights.T).todense()) + self.intercepts
        return _sigmoid(raw, self.platt)

    def micro_f1(self, *, every_code: bool = False) -> float | None:
        """F1 over the suggested codes' cross-validated decisions pooled (at their thresholds); with
        ``every_code``, the coded sentences of codes it cannot suggest count as missed too."""
        tp = fp = fn = 0.0
        for s in self.scores:
            if s.precision is None or s.recall is None or not s.positives:
                fn += s.positives if every_code else 0
                continue
            hits = s.recall * s.positives
            tp += hits
            fn += s.positives - hits
            fp += hits / s.precision - hits if s.precision else 0.0
        return 2 * tp / (2 * tp + fp + fn) if tp else None


def _sigmoid(scores: FloatArray, platt: FloatArray) -> FloatArray:
    z = scores * platt[:, 0] + platt[:, 1]
    return 1.0 / (1.0 + np.exp(np.clip(z, -500, 500)))


class CharGrams:
    """Character n-grams of 4 and 5 within each word, padded by a space at both ends (scikit-learn's ``char_wb``),
    worked out once per distinct word: a sentence's words repeat across a project, and the n-grams are most of the
    time spent on features."""

    def __init__(self, low: int = 4, high: int = 5) -> None:
        self.low, self.high = low, high
        self._cache: dict[str, list[str]] = {}

    def grams(self, word: str) -> list[str]:
        found = self._cache.get(word)
        if found is None:
            padded = f" {word} "
            found = []
            for n in range(self.low, self.high + 1):
                if len(padded) <= n:
                    found.append(padded)  # a word no longer than n counts once, whole
                    break
                found.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
            if len(self._cache) < 500_000:
                self._cache[word] = found
        return found

    def __call__(self, text: str) -> list[str]:
        return [gram for word in text.lower().split() for gram in self.grams(word)]


#: How sentences become features; saved with every model, and a saved model whose settings differ is refused
#: (see :mod:`fokus.learn.storage`).
FEATURES: dict[str, Any] = {
    "words": {"token_pattern": r"\S+", "ngram_range": [1, 2]},
    "chars": {"char_wb": [4, 5]},
    "min_df": 2,
    "sublinear_tf": True,
    "norm": "l2",
    "dtype": "float32",
}


def make_features(fitted: list[tuple[list[str], Any]] | None = None) -> Any:
    """The features to fit; or, given each part's (vocabulary in column order, idf) as :func:`fitted_parts` gives
    them, the features of a saved model (:class:`SavedFeatures`, no scikit-learn)."""
    if fitted is not None:
        return SavedFeatures.of(fitted)
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    words = FEATURES["words"]
    common = {"sublinear_tf": FEATURES["sublinear_tf"], "norm": FEATURES["norm"], "dtype": np.dtype(FEATURES["dtype"])}
    parts: list[tuple[str, dict[str, Any]]] = [
        ("words", {"token_pattern": words["token_pattern"], "ngram_range": tuple(words["ngram_range"])}),
        ("chars", {"analyzer": CharGrams(*FEATURES["chars"]["char_wb"])}),
    ]
    return FeatureUnion([(name, TfidfVectorizer(min_df=FEATURES["min_df"], **kw, **common)) for name, kw in parts])


SAVED_DTYPE = np.dtype(FEATURES["dtype"])


@dataclass
class SavedPart:
    """One part of a saved model's features as :func:`fokus.learn.features.transform` reads it: what a fitted
    ``TfidfVectorizer`` holds, without scikit-learn (whose import took most of loading a model for `fokus suggest`)."""

    vocabulary_: dict[str, int]
    idf_: Any
    analyzer: Any  # CharGrams for the character part, None for words
    sublinear_tf: bool = FEATURES["sublinear_tf"]
    norm: str = FEATURES["norm"]
    dtype: Any = SAVED_DTYPE


@dataclass
class SavedFeatures:
    """A saved model's features, given each part's (vocabulary in column order, idf) as :func:`fitted_parts` gives
    them: they transform (:func:`fokus.learn.features.transform`) exactly as the ones that were fitted."""

    transformer_list: list[tuple[str, SavedPart]]

    @classmethod
    def of(cls, fitted: list[tuple[list[str], Any]]) -> SavedFeatures:
        (word_terms, word_idf), (char_terms, char_idf) = fitted
        grams = CharGrams(*FEATURES["chars"]["char_wb"])
        return cls(
            [
                ("words", SavedPart({term: i for i, term in enumerate(word_terms)}, word_idf, None)),
                ("chars", SavedPart({term: i for i, term in enumerate(char_terms)}, char_idf, grams)),
            ]
        )

    def transform(self, texts: list[str]) -> Any:
        from fokus.learn.features import transform

        return transform(self, texts)


def fitted_parts(features: Any) -> list[tuple[list[str], Any]]:
    """Each part's vocabulary (its terms in column order) and idf: what the features learnt."""
    return [
        (sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__), vectorizer.idf_)
        for _name, vectorizer in features.transformer_list
    ]


def train(
    examples: Examples,
    *,
    target_precision: float = TARGET_PRECISION,
    min_examples: int = MIN_EXAMPLES,
    folds: int | None = None,
    seed: int = 0,
    n_jobs: int = 1,
    weak: WeakLabels | None = None,
) -> TrainedModel:
    """Fit the features on the training sentences and one calibrated linear model per code; see the module. With
    ``weak`` (:mod:`fokus.learn.weak`), the sentences the rules labelled train too, but are never scored.
    ``n_jobs`` is accepted as before and no longer used: the codes are fitted one after another (see
    :func:`_fit_all`), which is faster with the dual solver than the primal one was in threads."""
    from scipy import sparse

    folds = folds_for(len(examples), folds)
    features = make_features()
    extra = weak.texts if weak is not None else []
    x_all = features.fit_transform([*examples.texts, *extra]).tocsr() if len(examples) else None
    if x_all is not None:  # liblinear solves in float64: converted once here, not again in each of the fits
        x_all = x_all.astype(np.float64)
    x = x_all[: len(examples)] if x_all is not None else None
    x_weak = x_all[len(examples) :] if x_all is not None and weak is not None else None
    row_ids = _row_ids(x) if x is not None else None
    scores: list[CodeScore] = []
    jobs = []
    for j, code in enumerate(examples.codes):
        column = examples.labels[:, j]
        known = np.flatnonzero(column != -1)
        y = (column[known] == POSITIVE).astype(np.int8)
        score = CodeScore(code, len(known), int(y.sum()))
        scores.append(score)
        if score.positives < min_examples:
            score.skipped = TOO_FEW_EXAMPLES.format(positives=score.positives, known=len(known), needed=min_examples)
            continue
        first = _distinct_rows(row_ids[known], y)[0] if row_ids is not None else known[:0]
        positives = int(y[first].sum())
        if min(positives, len(first) - positives) < folds:  # each fold needs a yes and a no
            score.skipped = TOO_FEW_DISTINCT.format(positives=positives, folds=folds)
            continue
        jobs.append((score, known, y))
    extras: list[tuple[Any, FloatArray] | None] = []
    for score, _known, _y in jobs:
        if weak is None or x_weak is None:
            extras.append(None)
            continue
        weak_weights = weak.weights[:, examples.codes.index(score.code)]
        weak_rows = np.flatnonzero(weak_weights > 0)
        extras.append((x_weak[weak_rows], weak_weights[weak_rows]) if len(weak_rows) else None)
    fitted = _fit_all(x, row_ids, jobs, folds, seed, extras)
    learnt_codes, rows, intercepts, platt, thresholds = [], [], [], [], []
    out_of_fold = np.full((len(examples), len(jobs)), np.nan)
    for learnt, ((score, rows_known, y), (weights, intercept, oof)) in enumerate(zip(jobs, fitted, strict=True)):
        ab = _platt(oof, y)
        probability = _sigmoid(oof[:, None], ab[None, :])[:, 0]
        out_of_fold[rows_known, learnt] = probability
        threshold = threshold_for(probability, y, target_precision)
        if threshold is None:
            score.skipped = NEVER_PRECISE.format(target=f"{target_precision:g}")
        else:
            picked = probability >= threshold
            tp = int((picked & (y == 1)).sum())
            score.threshold = threshold
            score.precision = tp / int(picked.sum())
            score.recall = tp / int(y.sum())
            score.f1 = 2 * score.precision * score.recall / (score.precision + score.recall) if tp else 0.0
        learnt_codes.append(score.code)
        rows.append(weights)
        intercepts.append(intercept)
        platt.append(ab)
        thresholds.append(np.nan if threshold is None else threshold)
    width = x.shape[1] if x is not None else 0
    matrix = sparse.csr_matrix(np.vstack(rows)) if rows else sparse.csr_matrix((0, width))
    return TrainedModel(
        features,
        learnt_codes,
        matrix,
        np.array(intercepts, dtype=np.float64),
        np.array(platt, dtype=np.float64).reshape(-1, 2),
        np.array(thresholds, dtype=np.float64),
        scores,
        target_precision,
        len(examples),
        folds,
        out_of_fold,
    )


def _fit_all(
    x: Any,
    row_ids: Any,
    jobs: list[tuple[CodeScore, np.ndarray[Any, Any], np.ndarray[Any, Any]]],
    folds: int,
    seed: int,
    extras: list[tuple[Any, FloatArray] | None],
) -> list[tuple[FloatArray, float, FloatArray]]:
    """One code after another. liblinear's dual solver visits the examples in an order drawn from one random
    generator shared by the whole process (seeded at each fit), so fits in threads side by side would draw each
    other's numbers and the model would change from run to run; one at a time, each fit is the same every time."""
    return [
        _fit_code(x, known, row_ids[known], y, folds, seed, extra)
        for (_score, known, y), extra in zip(jobs, extras, strict=True)
    ]


def _fit_code(
    x: Any,
    known: np.ndarray[Any, Any],
    row_ids: np.ndarray[Any, Any],
    y: np.ndarray[Any, Any],
    folds: int,
    seed: int,
    extra: tuple[Any, FloatArray] | None = None,
) -> tuple[FloatArray, float, FloatArray]:
    """Out-of-fold scores, then the model on every example: the rows ``known`` of ``x`` (numbered ``row_ids`` by
    :func:`_row_ids`) with labels ``y``.

    Identical sentences with the same label are first made one example with a weight: the same objective with
    fewer rows to solve (greetings and thanks repeat), and no sentence is scored by a model that saw its copy, which
    would flatter the figures. The folds are stratified by label; every copy gets its sentence's out-of-fold score.
    ``extra`` (weakly labelled yes rows and their weights) joins every fold's training and the final fit, and is
    never scored.
    """
    from scipy import sparse
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    first, inverse, weights = _distinct_rows(row_ids, y)
    xd, yd = x[known[first]], y[first]

    def fit(rows: Any, labels: Any, sample_weight: FloatArray) -> Any:
        if extra is not None:
            rows = sparse.vstack([rows, extra[0]]).tocsr()
            labels = np.concatenate([labels, np.ones(extra[0].shape[0], dtype=labels.dtype)])
            sample_weight = np.concatenate([sample_weight, extra[1]])
        svm = LinearSVC(C=0.5, class_weight="balanced", dual=True, tol=TOLERANCE, max_iter=MAX_ITER, random_state=seed)
        return svm.fit(rows, labels, sample_weight=sample_weight)

    oof = np.zeros(len(first), dtype=np.float64)
    for train_rows, test_rows in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(yd)), yd):
        model = fit(xd[train_rows], yd[train_rows], weights[train_rows])
        oof[test_rows] = model.decision_function(xd[test_rows])
    final = fit(xd, yd, weights)
    return np.asarray(final.coef_, dtype=np.float64)[0], float(final.intercept_[0]), oof[inverse]


def _distinct(x: Any, y: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], FloatArray]:
    """One row per distinct (features, label): the first of each, in the order they first appear (so that the
    folds, and the model, are the same whatever Python's hash seed), every row's distinct row, and the counts."""
    return _distinct_rows(_row_ids(x), y)


def _row_ids(x: Any) -> np.ndarray[Any, Any]:
    """A number per row, the same for rows with the same features: worked out once for all codes, where each code
    hashed its rows again (twice)."""
    x = x.tocsr()
    keys = np.array(
        [
            hash((x.indices[a:b].tobytes(), x.data[a:b].tobytes()))
            for a, b in zip(x.indptr[:-1], x.indptr[1:], strict=True)
        ],
        dtype=np.int64,
    )
    return np.unique(keys, return_inverse=True)[1].reshape(-1).astype(np.int64)


def _distinct_rows(
    row_ids: np.ndarray[Any, Any], y: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], FloatArray]:
    """:func:`_distinct` of the rows numbered ``row_ids`` (:func:`_row_ids`) with labels ``y`` (0 or 1)."""
    keys = row_ids * 2 + (np.asarray(y) != 0)
    _keys, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.reshape(-1)], counts[order].astype(np.float64)


def _platt(scores: FloatArray, y: np.ndarray[Any, Any]) -> FloatArray:
    """Platt's sigmoid (a, b) for P(y=1 | score) = 1 / (1 + exp(a score + b)), fitted to his smoothed targets
    ((N+ + 1) / (N+ + 2) for a positive, 1 / (N- + 2) for a negative), so that perfectly separated training scores
    do not give probabilities of exactly 0 and 1."""
    from scipy.optimize import minimize

    positives = float(y.sum())
    negatives = float(len(y) - positives)
    target = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(ab: FloatArray) -> tuple[float, FloatArray]:
        z = ab[0] * scores + ab[1]
        # -log P = log(1 + e^z), -log(1 - P) = log(1 + e^-z)
        value = float(np.sum(target * np.logaddexp(0, z) + (1 - target) * np.logaddexp(0, -z)))
        p = 1.0 / (1.0 + np.exp(np.clip(z, -500, 500)))
        residual = target - p  # d loss / d z
        return value, np.array([np.sum(residual * scores), np.sum(residual)])

    start = np.array([0.0, float(np.log((negatives + 1) / (positives + 1)))])
    fitted = minimize(loss, start, jac=True, method="L-BFGS-B")
    return np.asarray(fitted.x, dtype=np.float64)


__all__ = ["NEGATIVE", "POSITIVE", "CodeScore", "TrainedModel", "train"]
