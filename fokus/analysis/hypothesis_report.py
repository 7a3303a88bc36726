"""The results of a hypothesis file as people read them: one object per hypothesis, the JSON list, the table, and a
Markdown report that reads on its own (statement, test and why, the table, the result in words, the verdict with
its minimum, and quoted evidence). The tests themselves are in :mod:`fokus.analysis.hypotheses`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from fokus.analysis.frame import Scope
from fokus.analysis.report import cell, markdown_table
from fokus.analysis.statistics import (
    CONFIDENCE,
    Effect,
)
from fokus.files.hypotheses import Hypothesis, HypothesisFile

SUPPORTED, NOT_SUPPORTED, TOO_LITTLE = "supported", "not supported", "too little data"
MARKDOWN_QUOTES = 5


@dataclass
class HypothesisResult:
    """One hypothesis tested: the counts, the test, the effect, the verdict and the passages behind it."""

    hypothesis: Hypothesis
    population: str
    method: str = ""
    why: str = ""
    alternative: str = "two-sided"
    n: int = 0
    table: dict[str, Any] | None = None
    counts: list[dict[str, Any]] | None = None
    excluded: dict[str, int] = field(default_factory=dict)
    statistic: float | None = None
    statistic_name: str | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    effect: Effect | None = None
    minimum: dict[str, Any] = field(default_factory=dict)
    short: str | None = None  # why there is too little data
    result: str = ""  # the result in a sentence
    verdict: str = TOO_LITTLE
    verdict_reason: str = ""
    evidence_total: int = 0
    evidence_what: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def testable(self) -> bool:
        return self.short is None and self.p_value is not None


@dataclass
class HypothesesReport:
    """The results of a hypothesis file (implements fokus.analysis.report.Report)."""

    spec: HypothesisFile
    scope: Scope
    results: list[HypothesisResult]

    @property
    def title(self) -> str:
        return self.spec.title or f"Hypotheses in {self.spec.path or 'the file'}"

    def columns(self) -> list[str]:
        return [
            "id",
            "test",
            "method",
            "unit",
            "n",
            "statistic",
            "p_value",
            "p_adjusted",
            "effect",
            "estimate",
            "ci_low",
            "ci_high",
            "verdict",
            "minimum",
            "evidence",
            "statement",
        ]

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for r in self.results:
            effect = r.effect
            rows.append(
                {
                    "id": r.hypothesis.id,
                    "test": r.hypothesis.test,
                    "method": r.method,
                    "unit": r.hypothesis.unit,
                    "n": r.n,
                    "statistic": _finite(r.statistic),
                    "p_value": r.p_value,
                    "p_adjusted": r.p_adjusted,
                    "effect": effect.name if effect else None,
                    "estimate": _finite(effect.estimate) if effect else None,
                    "ci_low": _finite(effect.ci_low) if effect else None,
                    "ci_high": _finite(effect.ci_high) if effect else None,
                    "verdict": r.verdict,
                    "minimum": r.minimum.get("text"),
                    "evidence": r.evidence_total,
                    "statement": r.hypothesis.statement,
                }
            )
        return rows

    def as_json(self) -> Any:
        return [_json(r, self.spec) for r in self.results]

    def brief(self) -> BriefReport:
        """The same results in a few columns that fit a terminal (the CSV keeps every column)."""
        return BriefReport(self)

    def markdown(self) -> str:
        spec = self.spec
        statuses = " and ".join(self.scope.statuses)
        testable = sum(r.testable for r in self.results)
        lines = [f"# {self.title}", ""]
        if spec.description:
            lines += [spec.description, ""]
        lines.append(
            f"{len(self.results)} hypotheses from {spec.path or 'the file'}, tested on {statuses} codings"
            + (f" by {', '.join(self.scope.coders)}" if self.scope.coders else "")
            + f". A code counts with its sub-codes. p-values are adjusted for the {testable}"
            " hypotheses that could be tested (Benjamini-Hochberg); a hypothesis is supported when its adjusted p is"
            f" below α = {spec.alpha:g} and the effect points the stated way. Intervals are {CONFIDENCE:.0%}."
        )
        summary = [
            {
                "id": r.hypothesis.id,
                "statement": r.hypothesis.statement,
                "test": r.method or r.hypothesis.test,
                "n": r.n,
                "p_adjusted": r.p_adjusted,
                "verdict": r.verdict,
            }
            for r in self.results
        ]
        lines += ["", markdown_table(summary, ["id", "statement", "test", "n", "p_adjusted", "verdict"])]
        for r in self.results:
            lines += ["", *_markdown_one(r, spec)]
        return "\n".join(lines)


@dataclass
class BriefReport:
    """A hypotheses report with one short row per hypothesis: the effect and its interval as one text."""

    full: HypothesesReport

    @property
    def title(self) -> str:
        return self.full.title

    def columns(self) -> list[str]:
        return ["id", "test", "unit", "n", "p_adjusted", "effect", "verdict"]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "id": r.hypothesis.id,
                "test": SHORT_METHODS.get(r.method, r.hypothesis.test),
                "unit": r.hypothesis.unit,
                "n": r.n,
                "p_adjusted": r.p_adjusted,
                "effect": effect_text(r.effect, short=True) if r.effect else None,
                "verdict": r.verdict,
            }
            for r in self.full.results
        ]

    def as_json(self) -> Any:
        return self.full.as_json()

    def markdown(self) -> str:
        return self.full.markdown()


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def median(values: np.ndarray[Any, np.dtype[np.float64]]) -> float | None:
    return float(np.median(values)) if len(values) else None


def share_text(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def share_value(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def p_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if math.isnan(value):
        return "undefined"
    return f"{value:.2f}"


SHORT_METHODS = {
    "Fisher's exact test": "Fisher",
    "chi-square test": "chi-square",
    "Mann-Whitney U test": "Mann-Whitney",
    "Spearman's rank correlation": "Spearman",
}
SHORT_NAMES = {"odds ratio": "OR", "Cramér's V": "V", "rank-biserial r": "r", "Spearman's rho": "rho"}


def effect_text(effect: Effect, *, short: bool = False) -> str:
    if short:
        name = SHORT_NAMES.get(effect.name, effect.name)
        return f"{name} {_number(effect.estimate)} [{_number(effect.ci_low)}, {_number(effect.ci_high)}]"
    return (
        f"{effect.name} {_number(effect.estimate)} ({effect.confidence:.0%} CI {_number(effect.ci_low)}"
        f" to {_number(effect.ci_high)})"
    )


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return _finite(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json(r: HypothesisResult, spec: HypothesisFile) -> dict[str, Any]:
    h = r.hypothesis
    effect = None
    if r.effect is not None:
        effect = {
            "name": r.effect.name,
            "estimate": _finite(r.effect.estimate),
            "ci_low": _finite(r.effect.ci_low),
            "ci_high": _finite(r.effect.ci_high),
            "confidence": r.effect.confidence,
            "null": r.effect.null,
            "method": r.effect.method,
            "text": effect_text(r.effect),
        }
    return {
        "id": h.id,
        "statement": h.statement,
        "test": h.test,
        "method": r.method,
        "why": r.why,
        "unit": h.unit,
        "population": r.population,
        "codes": list(h.codes),
        "attribute": h.attribute,
        "group": _json_value(h.group),
        "at_least": h.at_least,
        "measure": f"{h.measure} of {h.measure_unit}s" if h.test == "group-difference" and h.unit == "case" else None,
        "direction": h.direction,
        "alternative": r.alternative,
        "n": r.n,
        "table": r.table,
        "counts": r.counts,
        "excluded": r.excluded,
        "statistic": _finite(r.statistic),
        "statistic_name": r.statistic_name,
        "p_value": r.p_value,
        "p_adjusted": r.p_adjusted,
        "alpha": spec.alpha,
        "effect": effect,
        "result": r.result or None,
        "verdict": r.verdict,
        "verdict_reason": r.verdict_reason,
        "minimum": r.minimum,
        "evidence": {
            "what": r.evidence_what,
            "total": r.evidence_total,
            "shown": len(r.evidence),
            "passages": r.evidence,
        },
        "line": h.line,
    }


def _markdown_one(r: HypothesisResult, spec: HypothesisFile) -> list[str]:
    h = r.hypothesis
    if h.test == "association":
        about = f"{' and '.join(h.codes)} in the same {h.unit}"
    elif h.test == "group-difference":
        about = f"{h.code} by {h.attribute}, per {h.unit}"
        about += f" ({h.measure} of its {h.measure_unit}s)" if h.unit == "case" else ""
    else:
        about = f"{h.code}'s share of {h.unit}s per month"
    lines = [f"## {h.id}: {h.statement}", "", f"**Verdict: {r.verdict}** ({r.verdict_reason}).", ""]
    if h.note:
        lines += [f"*{h.note}*", ""]
    lines.append(
        f"Test: {h.test}, {about}; population: {r.population} units; direction: {h.direction}."
        + (f" {r.method} ({r.alternative}), because {r.why}." if r.method and r.why else "")
    )
    lines += ["", f"Minimum: {r.minimum.get('text')}." + (f" Too little data: {r.short}." if r.short else "")]
    left_out = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in r.excluded.items() if v)
    if left_out:
        lines += ["", f"Left out: {left_out}."]
    lines += ["", *_markdown_counts(r)]
    if r.result:
        lines += [
            "",
            f"Result: {r.result} {r.statistic_name} = {cell(_finite(r.statistic))}, p = {p_text(r.p_value)},"
            f" adjusted p = {p_text(r.p_adjusted)}.",
        ]
    lines += ["", f"Evidence: {r.evidence_total} passages ({r.evidence_what})."]
    if r.evidence_total > MARKDOWN_QUOTES:
        lines[-1] += f" The first {MARKDOWN_QUOTES}:"
    for passage in r.evidence[:MARKDOWN_QUOTES]:
        who = ", ".join(x for x in (passage.get("participant"), passage.get("case")) if x)
        lines += [
            "",
            f"> {' '.join(str(passage.get('text', '')).split())}",
            f"> — {who} (message {passage.get('message_id')}; {', '.join(passage.get('codes', []))})",
        ]
    return lines


def _markdown_counts(r: HypothesisResult) -> list[str]:
    if r.table and "cells" in r.table:
        columns = ["", *r.table["columns"], "total"]
        rows = [
            {"": label, **dict(zip(r.table["columns"], cells, strict=True)), "total": sum(cells)}
            for label, cells in zip(r.table["rows"], r.table["cells"], strict=True)
        ]
        return [markdown_table(rows, columns)]
    if r.counts:
        columns = list(r.counts[0])
        return [markdown_table(r.counts, columns)]
    return []
