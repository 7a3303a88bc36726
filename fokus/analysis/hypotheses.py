"""Testing a hypothesis file against the coded data: the right test, an effect with its interval, a verdict, evidence.

Every hypothesis is a question about units (sentences, messages, threads, participants or cases) in a population
(``coded``: the units any coding in scope falls in; ``all``: every unit; see fokus.analysis.units). A code counts
with its sub-codes (``krise`` takes ``krise/for``...). The tests:

- ``association``: two codes in the same unit. A 2x2 table of the population's units (both / only A / only B /
  neither), Fisher's exact test, one-sided in the stated direction; the effect is the odds ratio.
- ``group-difference``: a code in one group of cases against the rest, the groups from a case attribute (a boolean:
  true against false; ``group: v``: that value against the rest; ``at_least: x``: values >= x against the rest).
  Cases with no value are left out and counted. At case level each case gets one value, the share (or count) of its
  units (``measure_unit``, messages by default) that carry the code, and the two groups are compared by
  Mann-Whitney U (few cases, skewed shares: no normality assumed); the effect is the rank-biserial correlation. At
  the other levels each unit takes its participant's case, and the 2x2 table of group x code is tested as above;
  with neither ``group`` nor ``at_least`` every value of the attribute is a row, and an r x 2 table is tested by
  chi-square when Cochran's rule holds (two values: Fisher).
- ``trend``: the code's share of the units per month (a unit counts in each month it has coded, or with ``all``
  any, messages), Spearman's rho between month order and share; ``positive`` means rising.

The p-values of the hypotheses that could be tested are adjusted together (Benjamini-Hochberg). The verdict is
``supported`` when the adjusted p is below the file's alpha and the effect points the stated way, ``not
supported`` otherwise, and ``too little data`` below the minimum each test states (``MINIMUMS``, written out in
every result; a hypothesis' ``min_n`` replaces the first figure):

- association: 20 units, each code in at least 5 of them and absent from 5 (a code everywhere tests nothing);
- group-difference at case level: 3 cases in each group;
- group-difference at other levels: 20 units, 5 in each group, 5 with the code and 5 without, and for an r x 2
  table Cochran's rule;
- trend: 4 months with at least 5 units each (sparser months are left out and counted), 5 unit-months with the
  code.

The evidence is the coded passages behind the result, so a figure can be read back: for an association the
passages of either code in the units where both occur; for a group difference the focal group's passages with the
code; for a trend the code's passages, latest months first. A span coded by two coders is one passage with both
coding ids; the first ``EVIDENCE_CAP`` are listed with the total.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import select

from fokus.analysis.frame import NONE, CodingFrame, IntArray, Scope, load_frame, month_label, month_of, value_label
from fokus.analysis.hypothesis_report import (
    NOT_SUPPORTED,
    SUPPORTED,
    TOO_LITTLE,
    HypothesesReport,
    HypothesisResult,
    effect_text,
    median,
    p_text,
    share_text,
    share_value,
)
from fokus.analysis.passages import coding_details
from fokus.analysis.report import cell
from fokus.analysis.statistics import (
    benjamini_hochberg,
    chi_square,
    fisher_2x2,
    mann_whitney,
    spearman,
)
from fokus.analysis.units import unit_keys, units_of
from fokus.errors import FokusError
from fokus.files.hypotheses import Hypothesis, HypothesisFile, check_references
from fokus.model import Message, Participant, Unit

EVIDENCE_CAP = 20  # passages in JSON; the Markdown quotes the first MARKDOWN_QUOTES
MINIMUMS: dict[str, dict[str, int]] = {
    "association": {"units": 20, "units_per_code": 5},
    "group-difference": {"per_group": 5, "units": 20, "units_with_code": 5},
    "group-difference/case": {"cases_per_group": 3},
    "trend": {"periods": 4, "units_per_period": 5, "units_with_code": 5},
}
DEFAULT_SCOPE = Scope()
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def check_hypotheses(session: Any, spec: HypothesisFile, *, scope: Scope = DEFAULT_SCOPE) -> HypothesesReport:
    """Test every hypothesis of ``spec`` on the codings in ``scope``; see the module docstring."""
    frame = load_frame(session, scope)
    spec = check_references(spec, list(frame.tree.path.values()), frame.cases.attributes)
    data = _Data(frame)
    results = []
    for h in spec.hypotheses:
        result = HypothesisResult(h, spec.population_of(h))
        {"association": _association, "group-difference": _group_difference, "trend": _trend}[h.test](
            data, h, result, spec
        )
        results.append(result)
    testable = [r for r in results if r.testable]
    for r, adjusted in zip(testable, benjamini_hochberg([r.p_value or 0.0 for r in testable]), strict=True):
        r.p_adjusted = adjusted
    for r in results:
        _verdict(r, spec.alpha)
    data.fill_evidence(results)
    return HypothesesReport(spec, scope, results)


# --- the data, once ----------------------------------------------------------------------------------------------


class _Data:
    """The frame with what several hypotheses ask of it, computed once: unit keys, populations, code rows."""

    def __init__(self, frame: CodingFrame) -> None:
        self.frame = frame
        self.roll_rows, self.roll_codes = frame.rollup()
        self._keys: dict[str, tuple[IntArray, IntArray]] = {}
        self._population: dict[tuple[str, str], IntArray] = {}
        self._unit_cases: dict[tuple[str, str], tuple[IntArray, IntArray]] = {}
        self._messages: tuple[IntArray, IntArray, IntArray, IntArray] | None = None

    def keys(self, level: str) -> tuple[IntArray, IntArray]:
        if level not in self._keys:
            self._keys[level] = unit_keys(self.frame, level)
        return self._keys[level]

    def population(self, level: str, population: str) -> IntArray:
        if (level, population) not in self._population:
            units = units_of(self.frame, level, population)
            self._population[level, population] = units[units != NONE]
        return self._population[level, population]

    def code_rows(self, path: str) -> BoolArray:
        """Which frame rows carry ``path`` or one of its sub-codes."""
        mask = np.zeros(len(self.frame), dtype=bool)
        mask[self.roll_rows[self.roll_codes == self.frame.tree.id_of(path)]] = True
        return mask

    def units_with(self, path: str, level: str) -> IntArray:
        rows, units = self.keys(level)
        return np.unique(units[self.code_rows(path)[rows]])

    def unit_cases(self, level: str, population: str) -> tuple[IntArray, IntArray]:
        """(unit ids, case ids) for every unit of the population at sentence, message or participant level."""
        key = (level, population)
        if key in self._unit_cases:
            return self._unit_cases[key]
        if population == "coded":
            rows, units = self.keys(level)
            cases = self.frame.case[rows]
            width = np.int64(int(cases.max(initial=0)) + 2)  # (unit, case + 1) packed in one int64 for np.unique
            packed = np.unique(units * width + cases + 1)
            found = (packed // width, packed % width - 1)
        else:
            session = self.frame.session
            query: Any = {
                "participant": select(Participant.id, Participant.case_id),
                "message": select(Message.id, Participant.case_id).join(
                    Participant, Message.participant_id == Participant.id
                ),
                "sentence": select(Unit.id, Participant.case_id)
                .join(Message, Unit.message_id == Message.id)
                .join(Participant, Message.participant_id == Participant.id),
            }[level]
            table = np.array([(u, NONE if c is None else c) for u, c in session.execute(query)], dtype=np.int64)
            table = table.reshape(-1, 2)
            order = np.argsort(table[:, 0], kind="stable")
            found = (table[order, 0], table[order, 1])
        self._unit_cases[key] = found
        return found

    def messages(self) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Every message's id, thread, participant and month (for trends over all units)."""
        if self._messages is None:
            query = select(Message.id, Message.thread_id, Message.participant_id, Message.created_at)
            rows = [(m, t, p, month_of(c)) for m, t, p, c in self.frame.session.execute(query)]
            table = np.array(rows, dtype=np.int64).reshape(-1, 4)
            self._messages = (table[:, 0], table[:, 1], table[:, 2], table[:, 3])
        return self._messages

    def fill_evidence(self, results: list[HypothesisResult]) -> None:
        """Look up the text, message, participant and case of the passages shown (one query for all of them)."""
        wanted = sorted({cid for r in results for p in r.evidence for cid in p["coding_ids"]})
        details = {row["coding_id"]: row for row in coding_details(self.frame.session, wanted)}
        for r in results:
            for passage in r.evidence:
                first = details[passage["coding_ids"][0]]
                passage.update(
                    codes=sorted({details[c]["code"] for c in passage["coding_ids"]}),
                    message_id=first["message_id"],
                    created_at=first["created_at"],
                    participant=first["participant"],
                    case=first["case"],
                    text=first["text"],
                )

    def passages(self, rows: IntArray, order: IntArray) -> tuple[int, list[dict[str, Any]]]:
        """The distinct coded spans among frame ``rows`` (two coders' codings of one span are one passage), sorted by
        ``order`` (one key per row; lower first), and the first EVIDENCE_CAP of them with their coding ids."""
        frame = self.frame
        if not len(rows):
            return 0, []
        message, start, end = frame.message[rows], frame.start[rows], frame.end[rows]
        by_span = np.lexsort((end, start, message))
        m, s, e = message[by_span], start[by_span], end[by_span]
        firsts = np.flatnonzero(np.r_[True, (m[1:] != m[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])])
        first_key = np.minimum.reduceat(order[by_span], firsts)
        ranked = np.lexsort((s[firsts], m[firsts], first_key))[:EVIDENCE_CAP]
        bounds = np.r_[firsts, len(rows)]
        shown = []
        for index in ranked.tolist():
            ids = np.unique(frame.id[rows[by_span[bounds[index] : bounds[index + 1]]]])
            span = firsts[index]
            shown.append({"coding_ids": ids.tolist(), "start": int(s[span]), "end": int(e[span])})
        return len(firsts), shown


# --- the tests ---------------------------------------------------------------------------------------------------


def _association(data: _Data, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
    a, b = h.codes
    unit = h.unit
    population = data.population(unit, r.population)
    in_a = np.isin(population, data.units_with(a, unit))
    in_b = np.isin(population, data.units_with(b, unit))
    both, only_a = int((in_a & in_b).sum()), int((in_a & ~in_b).sum())
    only_b, neither = int((~in_a & in_b).sum()), int((~in_a & ~in_b).sum())
    r.n = len(population)
    minimum = dict(MINIMUMS["association"])
    if h.min_n is not None:
        minimum["units"] = h.min_n
    r.minimum = {
        **minimum,
        "text": f"at least {minimum['units']} {unit}s, each code in at least {minimum['units_per_code']} of them"
        f" and absent from {minimum['units_per_code']}",
    }
    r.table = {
        "rows": [a, f"not {a}"],
        "columns": [b, f"not {b}"],
        "cells": [[both, only_a], [only_b, neither]],
        "both": both,
        "only_a": only_a,
        "only_b": only_b,
        "neither": neither,
    }
    r.method = "Fisher's exact test"
    r.why = (
        f"each {unit} either has both codes, one of them or neither: a 2x2 table, which Fisher's test judges exactly"
        " at any sample size"
    )
    units_both = population[in_a & in_b]
    rows, units = data.keys(unit)
    carrying = (data.code_rows(a) | data.code_rows(b))[rows] & np.isin(units, units_both)
    r.evidence_what = f"the passages coded {a} or {b} in the {both} {unit}s where both occur"
    r.evidence_total, r.evidence = data.passages(rows[carrying], units[carrying])
    n_a, n_b = both + only_a, both + only_b
    if r.n < minimum["units"] or min(n_a, n_b, r.n - n_a, r.n - n_b) < minimum["units_per_code"]:
        r.short = (
            f"{r.n} {unit}s, {n_a} with {a} and {n_b} with {b}; the test needs {minimum['units']} {unit}s and each"
            f" code in {minimum['units_per_code']} and absent from {minimum['units_per_code']}"
        )
        return
    test = fisher_2x2([[both, only_a], [only_b, neither]], h.direction)
    _set_fisher(r, test)
    r.result = (
        f"{b} occurs in {share_text(both, n_a)} of the {unit}s with {a} ({both} of {n_a}) and in"
        f" {share_text(only_b, r.n - n_a)} of those without ({only_b} of {r.n - n_a}): {effect_text(test.effect)}."
    )


def _set_fisher(r: HypothesisResult, test: Any) -> None:
    r.alternative = test.alternative
    r.statistic, r.statistic_name = test.sample_odds_ratio, "sample odds ratio"
    r.p_value = test.p_value
    r.effect = test.effect


def _groups(data: _Data, h: Hypothesis, spec: HypothesisFile) -> tuple[dict[int, int], list[str], bool]:
    """Each case's group (an index into the labels; cases with no value have none), the labels, and whether the
    first group is focal (a split by boolean, ``group`` or ``at_least``) rather than one of all the values."""
    assert h.attribute is not None
    cases = data.frame.cases
    kind = cases.attributes[h.attribute]
    present = {cid: v for cid, v in cases.values[h.attribute].items() if v is not None}
    name = h.attribute
    test: Callable[[Any], bool] | None = None
    if h.at_least is not None:
        threshold = h.at_least
        test, labels = (lambda v: float(v) >= threshold), [f"{name} >= {threshold:g}", f"{name} < {threshold:g}"]
    elif h.group is not None:
        wanted = h.group
        matches: Callable[[Any], bool] = (
            (lambda v: str(v).casefold() == str(wanted).casefold()) if kind == "text" else (lambda v: v == wanted)
        )
        if not any(matches(v) for v in present.values()):
            known = ", ".join(sorted({value_label(v) for v in present.values()})[:12]) or "none"
            raise FokusError(
                f"hypothesis {h.id}: no case has {name} = {value_label(wanted)}",
                path=spec.path or None,
                where=f"line {h.line_of('group')}",
                hint=f"the values: {known}",
            )
        rest = (
            f"{name} = {value_label(not wanted)}" if kind == "boolean" else f"{name} other than {value_label(wanted)}"
        )
        test, labels = matches, [f"{name} = {value_label(wanted)}", rest]
    elif kind == "boolean":
        test, labels = (lambda v: v is True), [f"{name} = {value_label(True)}", f"{name} = {value_label(False)}"]
    if test is not None:
        return {cid: 0 if test(v) else 1 for cid, v in present.items()}, labels, True
    ordered: list[Any] = sorted(set(present.values()), key=lambda v: (str(type(v)), v))
    index = {v: i for i, v in enumerate(ordered)}
    return {cid: index[v] for cid, v in present.items()}, [f"{name} = {value_label(v)}" for v in ordered], False


def _group_difference(data: _Data, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
    group_of, labels, split = _groups(data, h, spec)
    if h.unit == "case":
        _case_difference(data, h, r, group_of, labels)
    else:
        _unit_difference(data, h, r, group_of, labels, split)


def _case_group_array(group_of: dict[int, int], cases: IntArray) -> IntArray:
    lookup = np.full(max([*group_of, int(cases.max()) if len(cases) else 0]) + 1, NONE, dtype=np.int64)
    for cid, g in group_of.items():
        lookup[cid] = g
    return np.where(cases >= 0, lookup[np.maximum(cases, 0)], NONE)


def _case_difference(
    data: _Data, h: Hypothesis, r: HypothesisResult, group_of: dict[int, int], labels: list[str]
) -> None:
    frame, level = data.frame, h.measure_unit
    minimum = dict(MINIMUMS["group-difference/case"])
    if h.min_n is not None:
        minimum["cases_per_group"] = h.min_n
    r.minimum = {**minimum, "text": f"at least {minimum['cases_per_group']} cases in each group"}
    cases = data.population("case", r.population)
    units, unit_case = data.unit_cases(level, r.population)
    carrying = np.isin(units, data.units_with(h.code, level))
    size = int(max(cases.max() if len(cases) else 0, unit_case.max() if len(unit_case) else 0)) + 1
    linked = unit_case != NONE
    total = np.bincount(unit_case[linked], minlength=size)
    with_code = np.bincount(unit_case[linked & carrying], minlength=size)
    groups = _case_group_array(group_of, cases)
    no_units = (total[cases] == 0) & (groups != NONE)
    r.excluded["cases_without_value"] = int((groups == NONE).sum())
    r.excluded[f"cases_without_{level}s"] = int(no_units.sum())
    keep = (groups != NONE) & ~no_units
    order = np.lexsort((np.array([frame.cases.name[int(c)] for c in cases]), groups))
    keep = order[keep[order]]
    cases, groups = cases[keep], groups[keep]
    values = with_code[cases] / total[cases] if h.measure == "share" else with_code[cases].astype(np.float64)
    attribute = frame.cases.values[h.attribute or ""]
    r.counts = [
        {
            "case": frame.cases.name[int(c)],
            "group": labels[int(g)],
            "value": value_label(attribute.get(int(c))),
            f"{level}s": int(total[c]),
            f"{level}s_with_code": int(with_code[c]),
            h.measure: float(v),
        }
        for c, g, v in zip(cases.tolist(), groups.tolist(), values.tolist(), strict=True)
    ]
    r.n = len(cases)
    focal, rest = values[groups == 0], values[groups == 1]
    r.method = "Mann-Whitney U test"
    what = f"share of {level}s" if h.measure == "share" else f"number of {level}s"
    r.why = (
        f"each case gives one value (its {what} with {h.code}); with few cases and skewed values, a rank test"
        " compares the groups without assuming a normal distribution"
    )
    r.table = {"groups": labels, "cases": [len(focal), len(rest)], "medians": [median(focal), median(rest)]}
    focal_cases = cases[groups == 0]
    rows = np.flatnonzero(data.code_rows(h.code) & np.isin(frame.case, focal_cases))
    r.evidence_what = f"the passages coded {h.code} in the {len(focal_cases)} cases of {labels[0]}"
    r.evidence_total, r.evidence = data.passages(rows, frame.message[rows])
    if min(len(focal), len(rest)) < minimum["cases_per_group"]:
        r.short = (
            f"{len(focal)} cases with {labels[0]} and {len(rest)} in the rest; the test needs"
            f" {minimum['cases_per_group']} in each"
        )
        return
    test = mann_whitney(focal.tolist(), rest.tolist(), h.direction)
    r.alternative = test.alternative
    r.statistic, r.statistic_name = test.statistic, "U"
    r.p_value, r.effect = test.p_value, test.effect
    medians = [median(focal), median(rest)]
    shown = [share_value(m) if h.measure == "share" else cell(m) for m in medians]
    r.result = (
        f"The median {what} with {h.code} per case is {shown[0]} in the {len(focal)} cases of {labels[0]} and"
        f" {shown[1]} in the {len(rest)} others (U = {test.statistic:g}): {effect_text(test.effect)}."
    )


def _unit_difference(
    data: _Data, h: Hypothesis, r: HypothesisResult, group_of: dict[int, int], labels: list[str], split: bool
) -> None:
    level = h.unit
    units, unit_case = data.unit_cases(level, r.population)
    groups = _case_group_array(group_of, unit_case)
    r.excluded[f"{level}s_without_case"] = int((unit_case == NONE).sum())
    r.excluded[f"{level}s_whose_case_has_no_value"] = int(((unit_case != NONE) & (groups == NONE)).sum())
    keep = groups != NONE
    units, groups = units[keep], groups[keep]
    carrying = np.isin(units, data.units_with(h.code, level))
    with_code = np.bincount(groups[carrying], minlength=len(labels))
    total = np.bincount(groups, minlength=len(labels))
    cells = [[int(w), int(t - w)] for w, t in zip(with_code, total, strict=True)]
    r.n = len(units)
    r.table = {"rows": labels, "columns": [h.code, f"not {h.code}"], "cells": cells}
    minimum = dict(MINIMUMS["group-difference"])
    if h.min_n is not None:
        minimum["per_group"] = h.min_n
    r.minimum = {
        **minimum,
        "text": f"at least {minimum['units']} {level}s, {minimum['per_group']} in each group,"
        f" {minimum['units_with_code']} with the code and {minimum['units_with_code']} without"
        + (
            ""
            if split or len(labels) <= 2
            else "; and Cochran's rule for chi-square (no expected count below 1, at most 20% below 5)"
        ),
    }
    rows, keys = data.keys(level)
    focal_units = units[groups == 0] if split else units
    chosen = data.code_rows(h.code)[rows] & np.isin(keys, focal_units)
    r.evidence_what = f"the passages coded {h.code} in {labels[0]}" if split else f"the passages coded {h.code}"
    r.evidence_total, r.evidence = data.passages(rows[chosen], keys[chosen])
    coded = int(with_code.sum())
    r.method = "Fisher's exact test" if len(labels) == 2 else "chi-square test"
    if len(labels) < 2:
        r.short = f"the cases have {len(labels)} value(s) of {h.attribute}: no groups to compare"
        return
    enough = min(coded, r.n - coded) >= minimum["units_with_code"]
    if r.n < minimum["units"] or int(total.min()) < minimum["per_group"] or not enough:
        r.short = (
            f"{r.n} {level}s ({', '.join(f'{t} in {lab}' for t, lab in zip(total.tolist(), labels, strict=True))}),"
            f" {coded} with {h.code}; the test needs {minimum['units']}, {minimum['per_group']} in each group and"
            f" {minimum['units_with_code']} with the code and {minimum['units_with_code']} without"
        )
        return
    shares = ", ".join(
        f"{share_text(int(w), int(t))} of the {level}s of {lab} ({w} of {t})"
        for w, t, lab in zip(with_code.tolist(), total.tolist(), labels, strict=True)
    )
    if len(labels) == 2:
        test = fisher_2x2(cells, h.direction)
        _set_fisher(r, test)
        r.why = f"each {level} is in a group or not and has the code or not: a 2x2 table, judged exactly"
        r.result = f"{h.code} occurs in {shares}: {effect_text(test.effect)}."
        return
    chi = chi_square(cells)
    r.table["expected"] = [[round(x, 2) for x in row] for row in chi.expected]
    if not chi.cochran_ok:
        r.short = (
            f"the expected counts of the {len(labels)} x 2 table fail Cochran's rule (no expected count below 1,"
            " at most 20% below 5): merge values, or give group: <value>"
        )
        return
    r.why = (
        f"{h.attribute} has {len(labels)} values: an r x 2 table, and its expected counts meet Cochran's rule, so"
        " the chi-square approximation holds"
    )
    r.statistic, r.statistic_name = chi.statistic, f"chi-square ({chi.dof} df)"
    r.p_value, r.effect = chi.p_value, chi.effect
    r.result = f"{h.code} occurs in {shares}: χ²({chi.dof}) = {chi.statistic:.2f}, {effect_text(chi.effect)}."


def _trend(data: _Data, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
    frame, level = data.frame, h.unit
    rows, units = data.keys(level)
    months = frame.month[rows]
    shift = np.int64(1 << 20)  # month (year*12 + m) below 2**20: a unit and its month in one int64
    chosen = data.code_rows(h.code)[rows]
    code_pairs = np.unique(units[chosen] * shift + months[chosen])
    coded = r.population == "coded"
    pairs = np.unique(units * shift + months) if coded else _all_unit_months(data, level, shift)
    all_months = pairs % shift
    first = int(all_months.min()) if len(all_months) else 0
    period_total = np.bincount(all_months - first, minlength=1)
    period_code = np.bincount(code_pairs % shift - first, minlength=len(period_total))
    minimum = dict(MINIMUMS["trend"])
    if h.min_n is not None:
        minimum["periods"] = h.min_n
    r.minimum = {
        **minimum,
        "text": f"at least {minimum['periods']} months with {minimum['units_per_period']}"
        f" {level}s or more each, and {minimum['units_with_code']} {level}-months with the code",
    }
    kept = np.flatnonzero(period_total >= minimum["units_per_period"])
    r.excluded["months_below_minimum"] = int(((period_total > 0) & (period_total < minimum["units_per_period"])).sum())
    shares = period_code[kept] / period_total[kept]
    r.counts = [
        {
            "period": month_label(first + int(m)),
            f"{level}s": int(period_total[m]),
            f"{level}s_with_code": int(period_code[m]),
            "share": float(s),
        }
        for m, s in zip(kept.tolist(), shares.tolist(), strict=True)
    ]
    r.n = len(kept)
    r.method = "Spearman's rank correlation"
    r.why = (
        "the share per month is set against the month's order; a rank correlation asks whether it rises or falls"
        " steadily, without assuming a straight line"
    )
    r.evidence_what = f"the passages coded {h.code}, latest months first"
    r.evidence_total, r.evidence = data.passages(rows[chosen], -months[chosen])
    with_code = int(period_code[kept].sum())
    if r.n < minimum["periods"] or with_code < minimum["units_with_code"]:
        r.short = (
            f"{r.n} months with {minimum['units_per_period']} {level}s or more, {with_code} {level}-months with"
            f" {h.code}; the test needs {minimum['periods']} months and {minimum['units_with_code']} with the code"
        )
        return
    test = spearman((first + kept).tolist(), shares.tolist(), h.direction)
    r.alternative = test.alternative
    r.statistic, r.statistic_name = test.statistic, "rho"
    r.p_value, r.effect = test.p_value, test.effect
    r.result = (
        f"The share of {level}s with {h.code} goes from {share_value(float(shares[0]))} in"
        f" {r.counts[0]['period']} to {share_value(float(shares[-1]))} in {r.counts[-1]['period']} over {r.n}"
        f" months: {effect_text(test.effect)}."
    )


def _all_unit_months(data: _Data, level: str, shift: np.int64) -> IntArray:
    """Every (unit, month) in the project: a unit counts in each month it has a message."""
    ids, threads, participants, months = data.messages()
    if level == "message":
        return np.unique(ids * shift + months)
    if level == "thread":
        return np.unique(threads * shift + months)
    if level == "participant":
        return np.unique(participants * shift + months)
    if level == "case":
        people, cases = data.unit_cases("participant", "all")
        lookup = np.full(int(max(people.max(initial=0), participants.max(initial=0))) + 1, NONE, dtype=np.int64)
        lookup[people] = cases
        case_of = lookup[participants]
        keep = case_of != NONE
        return np.unique(case_of[keep] * shift + months[keep])
    table = np.array(data.frame.session.execute(select(Unit.id, Unit.message_id)).all(), dtype=np.int64)
    table = table.reshape(-1, 2)
    month_of_message = np.zeros(int(ids.max(initial=0)) + 1, dtype=np.int64)
    month_of_message[ids] = months
    return np.unique(table[:, 0] * shift + month_of_message[table[:, 1]])


def _verdict(r: HypothesisResult, alpha: float) -> None:
    h = r.hypothesis
    if not r.testable:
        r.verdict, r.verdict_reason = TOO_LITTLE, f"too little data: {r.short}"
        return
    assert r.p_adjusted is not None
    assert r.effect is not None
    points = r.effect.points(h.direction)
    if r.p_adjusted < alpha and points:
        r.verdict = SUPPORTED
        r.verdict_reason = f"adjusted p = {p_text(r.p_adjusted)} < α = {alpha:g}" + (
            "" if h.direction == "two-sided" else f", and the effect is {h.direction}"
        )
    elif r.p_adjusted < alpha:
        r.verdict, r.verdict_reason = NOT_SUPPORTED, f"the effect points the other way than {h.direction}"
    else:
        r.verdict, r.verdict_reason = NOT_SUPPORTED, f"adjusted p = {p_text(r.p_adjusted)} ≥ α = {alpha:g}"


# --- writing it out ----------------------------------------------------------------------------------------------
