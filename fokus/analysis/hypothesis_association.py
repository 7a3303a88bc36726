"""The ``association`` test of a hypothesis: two codes in the same unit, a 2x2 table judged by Fisher's exact test;
see :mod:`fokus.analysis.hypotheses`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fokus.analysis.hypothesis_data import MINIMUMS, HypothesisData
from fokus.analysis.hypothesis_report import HypothesisResult, effect_text, share_text
from fokus.analysis.statistics import fisher_2x2
from fokus.files.hypotheses import Hypothesis, HypothesisFile


def association(data: HypothesisData, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
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
    set_fisher(r, test)
    r.result = (
        f"{b} occurs in {share_text(both, n_a)} of the {unit}s with {a} ({both} of {n_a}) and in"
        f" {share_text(only_b, r.n - n_a)} of those without ({only_b} of {r.n - n_a}): {effect_text(test.effect)}."
    )


def set_fisher(r: HypothesisResult, test: Any) -> None:
    r.alternative = test.alternative
    r.statistic, r.statistic_name = test.sample_odds_ratio, "sample odds ratio"
    r.p_value = test.p_value
    r.effect = test.effect
