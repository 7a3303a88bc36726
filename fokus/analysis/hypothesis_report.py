"""The results of a hypothesis file as people read them: one object per hypothesis, the JSON list, the table, and a
Markdown report that reads on its own (statement, test and why, the table, the result in words, the verdict with
its minimum, and quoted evidence). The tests themselves are in :mod:`fokus.analysis.hypotheses`.

A file may give its title, description, statements and notes in several languages (fokus.files.hypotheses): the
Markdown and the terminal table show the reader's language when the file has it, else the one text given; JSON and
CSV keep the stable text (the Norwegian when given, else the one text), so machine output does not change with the
reader's language.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from fokus.analysis import hypothesis_behaviour_text as behaviour
from fokus.analysis.frame import Scope
from fokus.analysis.report import VALUES, Figure, Phrase, cell, markdown_table, shown
from fokus.analysis.statistics import (
    CONFIDENCE,
    Effect,
)
from fokus.analysis.units import UNIT_NAMES, UNIT_PLURALS
from fokus.files.hypotheses import Hypothesis, HypothesisFile
from fokus.i18n import N_, _, formats, ngettext

SUPPORTED, NOT_SUPPORTED, TOO_LITTLE = "supported", "not supported", "too little data"  # keys: JSON and CSV
MARKDOWN_QUOTES = 5
# The names of the tests, effects and statistics stay English in JSON and CSV; people read them translated.
FISHER, CHI_SQUARE, MANN_WHITNEY, SPEARMAN = (
    N_("Fisher's exact test"),
    N_("chi-square test"),
    N_("Mann-Whitney U test"),
    N_("Spearman's rank correlation"),
)
NAMES = (N_("odds ratio"), N_("Cramér's V"), N_("rank-biserial r"), N_("Spearman's rho"), N_("rho"), N_("U"))
TESTS = {
    "association": N_("association"),
    "group-difference": N_("group-difference"),
    "trend": N_("trend"),
    "correlation": N_("correlation"),
}
DIRECTIONS = {"positive": N_("positive"), "negative": N_("negative"), "two-sided": N_("two-sided")}
ALTERNATIVES = {"greater": N_("greater"), "less": N_("less"), "two-sided": N_("two-sided")}


@dataclass
class HypothesisResult:
    """One hypothesis tested: the counts, the test, the effect, the verdict and the passages behind it."""

    hypothesis: Hypothesis
    population: str
    method: str = ""  # the test's English name (FISHER...): JSON's, translated where shown
    why: Phrase = field(default_factory=lambda: Phrase(""))
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
    minimum: dict[str, Any] = field(default_factory=dict)  # the figures, and "text": the English of minimum_text
    minimum_text: Phrase = field(default_factory=lambda: Phrase(""))
    short: Phrase | None = None  # why there is too little data
    result: Phrase = field(default_factory=lambda: Phrase(""))  # the result in a sentence
    verdict: str = TOO_LITTLE
    verdict_reason: Phrase = field(default_factory=lambda: Phrase(""))
    evidence_total: int = 0
    evidence_what: Phrase = field(default_factory=lambda: Phrase(""))
    evidence: list[dict[str, Any]] = field(default_factory=list)
    evidence_unit: str = "passage"  # or a behaviour hypothesis' post, question or value

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
        title = self.spec.shown("title")
        if title:
            return title
        return _("Hypotheses in {file}").format(file=self.spec.path) if self.spec.path else _("Hypotheses")

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
        testable = sum(r.testable for r in self.results)
        lines = [f"# {self.title}", ""]
        description = spec.shown("description")
        if description:
            lines += [description, ""]
        counted = _("accepted and suggested codings") if "suggested" in self.scope.statuses else _("accepted codings")
        if self.scope.coders:
            counted = _("{codings} by {coders}").format(codings=counted, coders=", ".join(self.scope.coders))
        lines.append(
            ngettext(
                "{n} hypothesis from {file}, tested on {codings}.",
                "{n} hypotheses from {file}, tested on {codings}.",
                len(self.results),
            ).format(n=formats.number(len(self.results)), file=spec.path or _("the file"), codings=counted)
            + " "
            + _(
                "A code counts with its sub-codes. p-values are adjusted for the {testable} hypotheses that could be"
                " tested (Benjamini-Hochberg); a hypothesis is supported when its adjusted p is below α = {alpha} and"
                " the effect points the stated way. Intervals are {confidence}."
            ).format(
                testable=formats.number(testable),
                alpha=shown(Figure(spec.alpha, "g")),
                confidence=formats.percent(CONFIDENCE),
            )
        )
        summary = [
            {
                "id": r.hypothesis.id,
                "statement": r.hypothesis.shown("statement"),
                "test": _(r.method) if r.method else _(TESTS.get(r.hypothesis.test, r.hypothesis.test)),
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
                "test": _(SHORT_METHODS[r.method]) if r.method in SHORT_METHODS else r.hypothesis.test,
                "unit": _(UNIT_NAMES.get(r.hypothesis.unit, r.hypothesis.unit)),
                "n": r.n,
                "p_adjusted": r.p_adjusted,
                "effect": effect_text(r.effect, short=True).shown() if r.effect else None,
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


def share_text(part: int, whole: int) -> Figure:
    return Figure(part / whole if whole else None, "share")


def share_value(value: float | None) -> Figure:
    return Figure(value, "share")


def p_text(value: float | None) -> Figure:
    return Figure(value, "p")


def singular(unit: str) -> Phrase:
    """A unit's name (``message``), English in JSON, translated where shown."""
    return Phrase(UNIT_NAMES.get(unit, unit))


def plural(unit: str) -> Phrase:
    """A unit's name for several (``messages``), English in JSON, translated where shown."""
    return Phrase(UNIT_PLURALS.get(unit, unit + "s"))


SHORT_METHODS = {
    FISHER: N_("Fisher"),
    CHI_SQUARE: N_("chi-square"),
    MANN_WHITNEY: N_("Mann-Whitney"),
    SPEARMAN: N_("Spearman"),
}
SHORT_NAMES = {"odds ratio": "OR", "Cramér's V": "V", "rank-biserial r": "r", "Spearman's rho": "rho"}


def effect_text(effect: Effect, *, short: bool = False) -> Phrase:
    estimate, low, high = (Figure(v, "2f") for v in (effect.estimate, effect.ci_low, effect.ci_high))
    if short:
        name = SHORT_NAMES.get(effect.name, effect.name)
        return Phrase(N_("{name} {estimate} [{low}, {high}]"), name=name, estimate=estimate, low=low, high=high)
    return Phrase(
        N_("{name} {estimate} ({confidence} CI {low} to {high})"),
        name=Phrase(effect.name),
        estimate=estimate,
        confidence=Figure(effect.confidence, "share"),
        low=low,
        high=high,
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
            "text": str(effect_text(r.effect)),
        }
    return {
        "id": h.id,
        "statement": h.statement,
        "test": h.test,
        "method": r.method,
        "why": str(r.why),
        "unit": h.unit,
        "population": r.population,
        "codes": list(h.codes),
        "attribute": h.attribute,
        "group": _json_value(h.group),
        "at_least": h.at_least,
        "measure": (
            f"{h.measure} of {h.measure_unit}s"
            if h.test == "group-difference" and not h.behaviour and h.unit == "case"
            else None
        ),
        "variables": [v.as_json() for v in h.variables] or None,
        "window": {"from": _json_value(h.window[0]), "to": _json_value(h.window[1])} if h.window else None,
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
        "result": str(r.result) or None,
        "verdict": r.verdict,
        "verdict_reason": str(r.verdict_reason),
        "minimum": r.minimum,
        "evidence": {
            "unit": r.evidence_unit,
            "what": str(r.evidence_what),
            "total": r.evidence_total,
            "shown": len(r.evidence),
            "passages": r.evidence,
        },
        "line": h.line,
    }


def _markdown_one(r: HypothesisResult, spec: HypothesisFile) -> list[str]:
    h = r.hypothesis
    if h.behaviour:
        about = behaviour.about(h)
    elif h.test == "association":
        a, b = h.codes
        about = _("{a} and {b} in the same {unit}").format(a=a, b=b, unit=_(UNIT_NAMES[h.unit]))
    elif h.test == "group-difference" and h.unit == "case":
        measure = _(MEASURES.get(h.measure, h.measure))
        about = _("{code} by {attribute}, per case ({measure} of its {units})").format(
            code=h.code, attribute=h.attribute, measure=measure, units=_(UNIT_PLURALS[h.measure_unit])
        )
    elif h.test == "group-difference":
        about = _("{code} by {attribute}, per {unit}").format(
            code=h.code, attribute=h.attribute, unit=_(UNIT_NAMES[h.unit])
        )
    else:
        about = _("{code}'s share of {units} per month").format(code=h.code, units=_(UNIT_PLURALS[h.unit]))
    verdict = _(VERDICTS.get(r.verdict, r.verdict))
    lines = [
        f"## {h.id}: {h.shown('statement')}",
        "",
        _("**Verdict: {verdict}** ({reason}).").format(verdict=verdict, reason=r.verdict_reason.shown()),
        "",
    ]
    note = h.shown("note")
    if note:
        lines += [f"*{note}*", ""]
    test = (
        _("Test: {test}, {about}; direction: {direction}.")  # cases, whatever was coded
        if h.behaviour and not h.codes
        else _("Test: {test}, {about}; population: {population} units; direction: {direction}.")
    ).format(
        test=_(TESTS.get(h.test, h.test)),
        about=about,
        population=_(POPULATIONS.get(r.population, r.population)),
        direction=_(DIRECTIONS.get(h.direction, h.direction)),
    )
    if r.method and r.why:
        test += " " + _("{method} ({alternative}), because {why}.").format(
            method=_(r.method), alternative=_(ALTERNATIVES.get(r.alternative, r.alternative)), why=r.why.shown()
        )
    lines.append(test)
    minimum = _("Minimum: {minimum}.").format(minimum=r.minimum_text.shown())
    if r.short:
        minimum += " " + _("Too little data: {reason}.").format(reason=r.short.shown())
    lines += ["", minimum]
    left_out = ", ".join(f"{formats.number(v)} {_excluded(k)}" for k, v in r.excluded.items() if v)
    if left_out:
        lines += ["", _("Left out: {what}.").format(what=left_out)]
    lines += ["", *_markdown_counts(r)]
    if r.result:
        lines += [
            "",
            _("Result: {result} {statistic} = {value}, p = {p}, adjusted p = {adjusted}.").format(
                result=r.result.shown(),
                statistic=_statistic_name(r.statistic_name),
                value=cell(_finite(r.statistic)),
                p=p_text(r.p_value).shown(),
                adjusted=p_text(r.p_adjusted).shown(),
            ),
        ]
    evidence = behaviour.evidence_heading(r.evidence_unit, r.evidence_total)
    lines += ["", evidence.format(n=formats.number(r.evidence_total), what=r.evidence_what.shown())]
    if r.evidence_total > MARKDOWN_QUOTES:
        lines[-1] += " " + _("The first {n}:").format(n=formats.number(MARKDOWN_QUOTES))
    for passage in r.evidence[:MARKDOWN_QUOTES]:
        if "coding_ids" not in passage:
            lines += ["", *behaviour.quoted(passage)]
            continue
        who = ", ".join(x for x in (passage.get("participant"), passage.get("case")) if x)
        lines += [
            "",
            f"> {' '.join(str(passage.get('text', '')).split())}",
            "> — "
            + _("{who} (message {message}; {codes})").format(
                who=who, message=passage.get("message_id"), codes=", ".join(passage.get("codes", []))
            ),
        ]
    return lines


VERDICTS = VALUES["verdict"]
POPULATIONS = {"coded": N_("coded"), "all": N_("all")}
MEASURES = {"share": N_("share"), "count": N_("count")}


def _excluded(key: str) -> str:
    """What a count of ``excluded`` (a JSON key such as ``messages_without_case``) left out, in words."""
    if key == "cases_without_value":
        return _("cases without value")
    if key == "months_below_minimum":
        return _("months below minimum")
    for level, units in UNIT_PLURALS.items():
        if key == f"cases_without_{level}s":
            return _("cases without {units}").format(units=_(units))
        if key == f"{level}s_without_case":
            return _("{units} without case").format(units=_(units))
        if key == f"{level}s_whose_case_has_no_value":
            return _("{units} whose case has no value").format(units=_(units))
    if key.startswith("cases_without_"):  # a behaviour variable's: cases_without_response_hours
        return _("cases without {variable}").format(variable=key.removeprefix("cases_without_"))
    return key.replace("_", " ")


def _markdown_counts(r: HypothesisResult) -> list[str]:
    if r.table and "cells" in r.table:
        columns = ["", *(_label(c) for c in r.table["columns"]), "total"]
        rows = [
            {"": _label(label), **dict(zip(columns[1:-1], cells, strict=True)), "total": sum(cells)}
            for label, cells in zip(r.table["rows"], r.table["cells"], strict=True)
        ]
        return [markdown_table(rows, columns)]
    if r.counts:
        columns = list(r.counts[0])
        rows = [{**row, "group": _label(row["group"])} if "group" in row else row for row in r.counts]
        return [markdown_table(rows, columns)]
    return []


def _statistic_name(name: str | None) -> str:
    """The statistic's name (``rho``, ``chi-square (2 df)``) as people read it."""
    chi = re.fullmatch(r"chi-square \((\d+) df\)", name or "")
    if chi:
        return _("chi-square ({dof} df)").format(dof=chi[1])
    return _(name) if name else ""


def _label(label: str) -> str:
    """A row or column of a hypothesis' table as people read it: ``not krise`` in the reader's language."""
    if label.startswith("not "):
        return _("not {code}").format(code=label[4:])
    other = re.fullmatch(r"(.+) other than (.+)", label)
    return _("{attribute} other than {value}").format(attribute=other[1], value=other[2]) if other else label
