"""How good are the suggestions? The rules, the model and the two combined, cross-validated by thread.

Every decided sentence (see :mod:`fokus.learn.examples`) is scored by a model and a combiner that never saw its
thread: the threads are dealt into folds (:func:`fokus.learn.combiner.thread_folds`), and for each fold the model
and the combiner are trained on the other folds exactly as `fokus learn` trains them (the model's own inner
cross-validation, Platt scaling and thresholds included). Then per source, per code and pooled (micro), and per
theme (sub-codes rolled up to their top-level code):

- the rules: a code's rules fired on the sentence (run afresh with the pipeline and the current codebook);
- the model: its probability reached the code's threshold;
- combined: what `fokus suggest` then shows: the rules' suggestions and whatever else reached the combiner's
  threshold.

Only known labels count: a sentence's code is a yes when a researcher coded it there, a no when they coded the
sentence otherwise or rejected the suggestion. The rules are not trained, so their figures need no folds; the same
sentences are scored for all three so the rows compare. A learning curve retrains on growing shares of the threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.language import Language
from sqlalchemy.orm import Session

from fokus.api.combining import fit_combiner, undecided_rule_hits, weak_supervision
from fokus.api.evidence import around, evidence_for, fresh_rule_evidence, model_probabilities
from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.i18n.formats import number
from fokus.learn.combiner import FloatArray, reliability, thread_folds
from fokus.learn.model import TARGET_PRECISION, train

SOURCES = ("rules", "model", "combined")
#: The sources and the pooled row's label as people read them (CSV and JSON keep the keys).
SHOWN = {"rules": N_("rules"), "model": N_("model"), "combined": N_("combined"), "micro": N_("micro")}
#: The report's columns as people read them, beyond those the analyses name.
HEADINGS = {
    "label": N_("label"),
    "source": N_("source"),
    "precision": N_("precision"),
    "recall": N_("recall"),
    "f1": N_("f1"),
    "macro_f1": N_("macro_f1"),
    "support": N_("support"),
    "rows": N_("rows"),
    "predicted": N_("predicted"),
    "observed": N_("observed"),
    "share_of_threads": N_("share_of_threads"),
    "rules_f1": N_("rules_f1"),
    "model_f1": N_("model_f1"),
    "combined_f1": N_("combined_f1"),
}


def _shown(value: Any) -> Any:
    """A source's key, or the pooled row's, as a Phrase: its key in CSV, a word in the reader's language in tables."""
    from fokus.analysis.report import Phrase

    return Phrase(SHOWN[value]) if isinstance(value, str) and value in SHOWN else value


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: np.ndarray[Any, Any], truth: np.ndarray[Any, Any]) -> None:
        self.tp += int((predicted & truth).sum())
        self.fp += int((predicted & ~truth).sum())
        self.fn += int((~predicted & truth).sum())

    def figures(self) -> dict[str, float | None]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else (0.0 if p is not None else None)
        return {"precision": _r(p), "recall": _r(r), "f1": _r(f)}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass
class Predictions:
    """Out-of-fold decisions of each source on the decided sentences: (sentences, codes) booleans."""

    codes: list[str]
    labels: np.ndarray[Any, Any]
    by_source: dict[str, np.ndarray[Any, Any]]
    combined: FloatArray  # the combined probability, out of fold
    groups: np.ndarray[Any, Any]
    folds: int


@dataclass
class Quality:
    """The figures of :func:`quality`, shaped as a report (title, columns, rows, JSON, Markdown)."""

    level: str
    sentences: int
    threads: int
    folds: int
    target_precision: float
    rows_by_label: list[dict[str, Any]] = field(default_factory=list)  # per code or theme and source
    summary: list[dict[str, Any]] = field(default_factory=list)  # micro and macro per source
    calibration: list[dict[str, Any]] = field(default_factory=list)
    curve: list[dict[str, Any]] = field(default_factory=list)

    # the report protocol of fokus.analysis.report, for the CLI's table, CSV, JSON and Markdown
    @property
    def title(self) -> str:
        from fokus.analysis.report import decimal

        if self.level == "code":
            title = _(
                "Suggestions against the hand coding of {sentences} sentences in {threads} threads, cross-validated"
                " by thread ({folds} folds, target precision {target}), per code"
            )
        else:
            title = _(
                "Suggestions against the hand coding of {sentences} sentences in {threads} threads, cross-validated"
                " by thread ({folds} folds, target precision {target}), per theme"
            )
        return title.format(
            sentences=number(self.sentences),
            threads=number(self.threads),
            folds=self.folds,
            target=decimal(f"{self.target_precision:g}"),
        )

    def heading(self, column: str) -> str:
        """A column's heading for people, in their language."""
        from fokus.analysis.report import heading

        return _(HEADINGS[column]) if column in HEADINGS else heading(column)

    def columns(self) -> list[str]:
        return ["label", "source", "precision", "recall", "f1", "support"]

    def rows(self) -> list[dict[str, Any]]:
        summary = [
            {"label": _shown("micro"), **row, "source": _shown(row["source"]), "support": None} for row in self.summary
        ]
        return [*({**row, "source": _shown(row["source"])} for row in self.rows_by_label), *summary]

    def as_json(self) -> Any:
        return {
            "level": self.level,
            "sentences": self.sentences,
            "threads": self.threads,
            "folds": self.folds,
            "target_precision": self.target_precision,
            "summary": self.summary,
            "rows": self.rows_by_label,
            "calibration": self.calibration,
            "curve": self.curve,
        }

    def markdown(self) -> str:
        from fokus.analysis.report import markdown_table

        def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
            # the headings in the reader's language, as the terminal table shows them
            shown = [{self.heading(key): _shown(value) for key, value in row.items()} for row in rows]
            return markdown_table(shown, [self.heading(c) for c in columns])

        parts = [
            f"# {self.title}",
            "",
            table(self.summary, ["source", "precision", "recall", "f1", "macro_f1"]),
            "",
            "## " + _("Calibration of the combined confidence (held-out folds, by decile)"),
            "",
            table(self.calibration, ["rows", "predicted", "observed"]),
            "",
            "## " + (_("Per code") if self.level == "code" else _("Per theme")),
            "",
            table(self.rows_by_label, self.columns()),
        ]
        if self.curve:
            parts += ["", "## " + _("Learning curve"), "", table(self.curve, list(self.curve[0]))]
        return "\n".join(parts)


def cross_validated(
    session: Session,
    nlp: Language,
    *,
    folds: int = 5,
    target_precision: float = TARGET_PRECISION,
    seed: int = 0,
    share: float = 1.0,
    weakly: bool = False,
) -> Predictions:
    """Every source's out-of-fold decisions on every decided sentence (see the module docstring); with ``share``
    below 1, each fold trains on that share of its training threads only (a seeded choice, the same for every
    share, so a larger share holds the smaller one's threads); ``weakly`` trains each fold's model on the rules'
    labels too, as `fokus learn --weak` does."""
    from fokus.learn.examples import training_examples

    examples = training_examples(session)
    if not len(examples):
        raise FokusError(
            _("nothing to evaluate: no sentence is coded yet"), hint=_("code some sentences, run `fokus tag`")
        )
    sentences = around(session, examples.unit_ids.tolist())
    rows = np.searchsorted(sentences.ids, examples.unit_ids)
    groups = sentences.threads[rows]
    if len(np.unique(groups)) < folds:
        raise FokusError(
            _("cross-validation by thread needs at least {folds} coded threads").format(folds=folds),
            hint=_("lower --folds"),
        )
    decided = sentences.take(rows)
    rule_weight, rule_count = fresh_rule_evidence(session, nlp, decided, examples.codes)
    labels = examples.labels
    shape = labels.shape
    model_pick = np.zeros(shape, dtype=bool)
    combined = np.zeros(shape)
    combined_pick = np.zeros(shape, dtype=bool)
    hits = undecided_rule_hits(session, examples.codes, examples.unit_ids) if weakly else None
    fold = thread_folds(groups, folds)
    threads = np.unique(groups)
    rank = np.empty(len(threads), dtype=np.int64)
    rank[np.random.default_rng(seed).permutation(len(threads))] = np.arange(len(threads))
    thread_rank = rank[np.searchsorted(threads, groups)]
    for k in range(folds):
        train_rows, test_rows = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        if share < 1.0:
            kept = np.sort(np.unique(thread_rank[train_rows]))[
                : max(round(share * len(np.unique(groups[train_rows]))), 1)
            ]
            train_rows = train_rows[np.isin(thread_rank[train_rows], kept)]
        subset = examples.subset(train_rows)
        fired = rule_weight[train_rows] > 0
        weak = weak_supervision(subset, fired, hits) if hits is not None else None
        model = train(subset, target_precision=target_precision, seed=seed, weak=weak)
        combiner, _oof = fit_combiner(
            subset, model, sentences, (rule_weight[train_rows], rule_count[train_rows]), folds=folds
        )
        probabilities = model_probabilities(model, sentences, examples.codes)
        test = rows[test_rows]
        tested = (rule_weight[test_rows], rule_count[test_rows])
        combined[test_rows] = combiner.probabilities(
            evidence_for(sentences, examples.codes, probabilities, tested, test)
        )
        thresholds = np.full(len(examples.codes), np.inf)
        column = {code: j for j, code in enumerate(examples.codes)}
        for j, code in enumerate(model.codes):
            if not np.isnan(model.thresholds[j]):
                thresholds[column[code]] = model.thresholds[j]
        model_pick[test_rows] = np.nan_to_num(probabilities[test], nan=0.0) >= thresholds
        reaches = combined[test_rows] >= np.where(np.isnan(combiner.thresholds), np.inf, combiner.thresholds)
        combined_pick[test_rows] = reaches | (rule_weight[test_rows] > 0)
    by_source = {"rules": rule_weight > 0, "model": model_pick, "combined": combined_pick}
    return Predictions(list(examples.codes), labels, by_source, combined, groups, folds)


def _themes(codes: list[str]) -> tuple[list[str], np.ndarray[Any, Any]]:
    themes = sorted({code.split("/")[0] for code in codes})
    return themes, np.array([themes.index(code.split("/")[0]) for code in codes])


def _roll_up(values: np.ndarray[Any, Any], index: np.ndarray[Any, Any], count: int, labels: bool) -> Any:
    """Per theme: a yes when any of its codes is; for labels, unknown (-1) only when every code is unknown."""
    out = np.full((values.shape[0], count), -1 if labels else 0, dtype=values.dtype)
    for t in range(count):
        part = values[:, index == t]
        out[:, t] = part.max(axis=1)
    return out


def quality(
    predictions: Predictions,
    *,
    level: str = "theme",
    target_precision: float = TARGET_PRECISION,
    sources: tuple[str, ...] = SOURCES,
) -> Quality:
    """Per code (or theme) and source, micro and macro: precision, recall and F1 on the known labels."""
    names, labels, picks = predictions.codes, predictions.labels, predictions.by_source
    if level == "theme":
        names, index = _themes(predictions.codes)
        labels = _roll_up(labels, index, len(names), labels=True)
        picks = {s: _roll_up(p, index, len(names), labels=False) for s, p in picks.items()}
    result = Quality(
        level,
        len(labels),
        len(np.unique(predictions.groups)),
        predictions.folds,
        target_precision,
    )
    for source in sources:
        micro, f1s = Tally(), []
        for j, name in enumerate(names):
            known = labels[:, j] >= 0
            tally = Tally()
            tally.add(picks[source][known, j], labels[known, j] == 1)
            micro.add(picks[source][known, j], labels[known, j] == 1)
            figures = tally.figures()
            support = tally.tp + tally.fn
            if support:
                f1s.append(figures["f1"] or 0.0)
                result.rows_by_label.append({"label": name, "source": source, **figures, "support": support})
        result.summary.append(
            {"source": source, **micro.figures(), "macro_f1": _r(sum(f1s) / len(f1s)) if f1s else None}
        )
    known = predictions.labels >= 0
    result.calibration = [
        {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}
        for row in reliability(predictions.combined[known], (predictions.labels[known] == 1).astype(float))
    ]
    return result


def learning_curve(
    session: Session, nlp: Language, *, folds: int = 5, steps: int = 5, level: str = "theme", **options: Any
) -> list[dict[str, Any]]:
    """Micro F1 per source against the share of training threads each fold learns from."""
    points = []
    for share in np.linspace(1.0 / steps, 1.0, steps).tolist():
        figures = quality(cross_validated(session, nlp, folds=folds, share=share, **options), level=level)
        point: dict[str, Any] = {"share_of_threads": round(share, 2)}
        for row in figures.summary:
            point[f"{row['source']}_f1"] = row["f1"]
        points.append(point)
    return points
