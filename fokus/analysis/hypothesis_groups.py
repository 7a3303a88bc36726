"""The ``group-difference`` test of a hypothesis: a code in one group of cases against the rest, by Mann-Whitney U
at case level and by a 2x2 or r x 2 table at the other levels; see :mod:`fokus.analysis.hypotheses`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fokus.analysis.frame import NONE, IntArray, value_label
from fokus.analysis.hypothesis_association import set_fisher
from fokus.analysis.hypothesis_data import MINIMUMS, HypothesisData
from fokus.analysis.hypothesis_report import (
    CHI_SQUARE,
    FISHER,
    MANN_WHITNEY,
    HypothesisResult,
    effect_text,
    median,
    plural,
    share_text,
    share_value,
    singular,
)
from fokus.analysis.report import Figure, Joined, Phrase
from fokus.analysis.statistics import chi_square, fisher_2x2, mann_whitney
from fokus.errors import FokusError
from fokus.files.hypotheses import Hypothesis, HypothesisFile
from fokus.i18n import N_, _


def case_groups(data: HypothesisData, h: Hypothesis, spec: HypothesisFile) -> tuple[dict[int, int], list[str], bool]:
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
            known = ", ".join(sorted({value_label(v) for v in present.values()})[:12]) or _("none")
            raise FokusError(
                _("hypothesis {id}: no case has {attribute} = {value}").format(
                    id=h.id, attribute=name, value=value_label(wanted)
                ),
                path=spec.path or None,
                where=f"line {h.line_of('group')}",
                hint=_("the values: {values}").format(values=known),
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


def group_difference(data: HypothesisData, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
    group_of, labels, split = case_groups(data, h, spec)
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
    data: HypothesisData, h: Hypothesis, r: HypothesisResult, group_of: dict[int, int], labels: list[str]
) -> None:
    frame, level = data.frame, h.measure_unit
    minimum = dict(MINIMUMS["group-difference/case"])
    if h.min_n is not None:
        minimum["cases_per_group"] = h.min_n
    r.minimum_text = Phrase(N_("at least {n} cases in each group"), n=Figure(minimum["cases_per_group"], "int"))
    r.minimum = {**minimum, "text": str(r.minimum_text)}
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
    r.method = MANN_WHITNEY
    what = Phrase(N_("share of {units}") if h.measure == "share" else N_("number of {units}"), units=plural(level))
    r.why = Phrase(
        N_(
            "each case gives one value (its {what} with {code}); with few cases and skewed values, a rank test"
            " compares the groups without assuming a normal distribution"
        ),
        what=what,
        code=h.code,
    )
    r.table = {"groups": labels, "cases": [len(focal), len(rest)], "medians": [median(focal), median(rest)]}
    focal_cases = cases[groups == 0]
    rows = np.flatnonzero(data.code_rows(h.code) & np.isin(frame.case, focal_cases))
    r.evidence_what = Phrase(
        N_("the passages coded {code} in the {n} cases of {group}"),
        code=h.code,
        n=Figure(len(focal_cases), "int"),
        group=labels[0],
    )
    r.evidence_total, r.evidence = data.passages(rows, frame.message[rows])
    if min(len(focal), len(rest)) < minimum["cases_per_group"]:
        r.short = Phrase(
            N_("{focal} cases with {group} and {rest} in the rest; the test needs {needed} in each"),
            focal=Figure(len(focal), "int"),
            group=labels[0],
            rest=Figure(len(rest), "int"),
            needed=Figure(minimum["cases_per_group"], "int"),
        )
        return
    test = mann_whitney(focal.tolist(), rest.tolist(), h.direction)
    r.alternative = test.alternative
    r.statistic, r.statistic_name = test.statistic, N_("U")
    r.p_value, r.effect = test.p_value, test.effect
    medians = [median(focal), median(rest)]
    shown = [share_value(m) if h.measure == "share" else Figure(m, "cell") for m in medians]
    r.result = Phrase(
        N_(
            "The median {what} with {code} per case is {focal_median} in the {focal} cases of {group} and"
            " {rest_median} in the {rest} others (U = {u}): {effect}."
        ),
        what=what,
        code=h.code,
        focal_median=shown[0],
        focal=Figure(len(focal), "int"),
        group=labels[0],
        rest_median=shown[1],
        rest=Figure(len(rest), "int"),
        u=Figure(test.statistic, "g"),
        effect=effect_text(test.effect),
    )


def _unit_difference(
    data: HypothesisData, h: Hypothesis, r: HypothesisResult, group_of: dict[int, int], labels: list[str], split: bool
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
    r.minimum_text = Phrase(
        N_("at least {n} {units}, {per_group} in each group, {with_code} with the code and {with_code} without")
        if split or len(labels) <= 2
        else N_(
            "at least {n} {units}, {per_group} in each group, {with_code} with the code and {with_code} without;"
            " and Cochran's rule for chi-square (no expected count below 1, at most 20% below 5)"
        ),
        n=Figure(minimum["units"], "int"),
        units=plural(level),
        per_group=Figure(minimum["per_group"], "int"),
        with_code=Figure(minimum["units_with_code"], "int"),
    )
    r.minimum = {**minimum, "text": str(r.minimum_text)}
    rows, keys = data.keys(level)
    focal_units = units[groups == 0] if split else units
    chosen = data.code_rows(h.code)[rows] & np.isin(keys, focal_units)
    r.evidence_what = (
        Phrase(N_("the passages coded {code} in {group}"), code=h.code, group=labels[0])
        if split
        else Phrase(N_("the passages coded {code}"), code=h.code)
    )
    r.evidence_total, r.evidence = data.passages(rows[chosen], keys[chosen])
    coded = int(with_code.sum())
    r.method = FISHER if len(labels) == 2 else CHI_SQUARE
    if len(labels) < 2:
        r.short = Phrase(
            N_("the cases have {n} value(s) of {attribute}: no groups to compare"),
            n=Figure(len(labels), "int"),
            attribute=h.attribute,
        )
        return
    enough = min(coded, r.n - coded) >= minimum["units_with_code"]
    if r.n < minimum["units"] or int(total.min()) < minimum["per_group"] or not enough:
        groups_n = Joined(
            [
                Phrase(N_("{n} in {group}"), n=Figure(t, "int"), group=lab)
                for t, lab in zip(total.tolist(), labels, strict=True)
            ]
        )
        r.short = Phrase(
            N_(
                "{n} {units} ({groups}), {coded} with {code}; the test needs {needed}, {per_group} in each group and"
                " {with_code} with the code and {with_code} without"
            ),
            n=Figure(r.n, "int"),
            units=plural(level),
            groups=groups_n,
            coded=Figure(coded, "int"),
            code=h.code,
            needed=Figure(minimum["units"], "int"),
            per_group=Figure(minimum["per_group"], "int"),
            with_code=Figure(minimum["units_with_code"], "int"),
        )
        return
    shares = Joined(
        [
            Phrase(
                N_("{share} of the {units} of {group} ({part} of {whole})"),
                share=share_text(int(w), int(t)),
                units=plural(level),
                group=lab,
                part=Figure(w, "int"),
                whole=Figure(t, "int"),
            )
            for w, t, lab in zip(with_code.tolist(), total.tolist(), labels, strict=True)
        ]
    )
    if len(labels) == 2:
        test = fisher_2x2(cells, h.direction)
        set_fisher(r, test)
        r.why = Phrase(
            N_("each {unit} is in a group or not and has the code or not: a 2x2 table, judged exactly"),
            unit=singular(level),
        )
        r.result = Phrase(
            N_("{code} occurs in {shares}: {effect}."), code=h.code, shares=shares, effect=effect_text(test.effect)
        )
        return
    chi = chi_square(cells)
    r.table["expected"] = [[round(x, 2) for x in row] for row in chi.expected]
    if not chi.cochran_ok:
        r.short = Phrase(
            N_(
                "the expected counts of the {rows} x 2 table fail Cochran's rule (no expected count below 1, at most"
                " 20% below 5): merge values, or give group: <value>"
            ),
            rows=Figure(len(labels), "int"),
        )
        return
    r.why = Phrase(
        N_(
            "{attribute} has {n} values: an r x 2 table, and its expected counts meet Cochran's rule, so the"
            " chi-square approximation holds"
        ),
        attribute=h.attribute,
        n=Figure(len(labels), "int"),
    )
    r.statistic, r.statistic_name = chi.statistic, f"chi-square ({chi.dof} df)"
    r.p_value, r.effect = chi.p_value, chi.effect
    r.result = Phrase(
        N_("{code} occurs in {shares}: χ²({dof}) = {statistic}, {effect}."),
        code=h.code,
        shares=shares,
        dof=chi.dof,
        statistic=Figure(chi.statistic, "2f"),
        effect=effect_text(chi.effect),
    )
