"""The ``association`` test of a hypothesis: two codes in the same unit, a 2x2 table judged by Fisher's exact test;
see :mod:`fokus.analysis.hypotheses`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fokus.analysis.hypothesis_data import MINIMUMS, HypothesisData
from fokus.analysis.hypothesis_report import FISHER, HypothesisResult, effect_text, plural, share_text, singular
from fokus.analysis.report import Figure, Phrase
from fokus.analysis.statistics import fisher_2x2
from fokus.files.hypotheses import Hypothesis, HypothesisFile
from fokus.i18n import N_


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
    r.minimum_text = Phrase(
        N_("at least {n} {units}, each code in at least {per_code} of them and absent from {per_code}"),
        n=Figure(minimum["units"], "int"),
        units=plural(unit),
        per_code=Figure(minimum["units_per_code"], "int"),
    )
    r.minimum = {**minimum, "text": str(r.minimum_text)}
    r.table = {
        "rows": [a, f"not {a}"],  # JSON's labels; Markdown shows them in the reader's language
        "columns": [b, f"not {b}"],
        "cells": [[both, only_a], [only_b, neither]],
        "both": both,
        "only_a": only_a,
        "only_b": only_b,
        "neither": neither,
    }
    r.method = FISHER
    r.why = Phrase(
        N_(
            "each {unit} either has both codes, one of them or neither: a 2x2 table, which Fisher's test judges"
            " exactly at any sample size"
        ),
        unit=singular(unit),
    )
    units_both = population[in_a & in_b]
    rows, units = data.keys(unit)
    carrying = (data.code_rows(a) | data.code_rows(b))[rows] & np.isin(units, units_both)
    r.evidence_what = Phrase(
        N_("the passages coded {a} or {b} in the {both} {units} where both occur"),
        a=a,
        b=b,
        both=Figure(both, "int"),
        units=plural(unit),
    )
    r.evidence_total, r.evidence = data.passages(rows[carrying], units[carrying])
    n_a, n_b = both + only_a, both + only_b
    if r.n < minimum["units"] or min(n_a, n_b, r.n - n_a, r.n - n_b) < minimum["units_per_code"]:
        r.short = Phrase(
            N_(
                "{n} {units}, {n_a} with {a} and {n_b} with {b}; the test needs {needed} {units} and each code in"
                " {per_code} and absent from {per_code}"
            ),
            n=Figure(r.n, "int"),
            units=plural(unit),
            n_a=Figure(n_a, "int"),
            a=a,
            n_b=Figure(n_b, "int"),
            b=b,
            needed=Figure(minimum["units"], "int"),
            per_code=Figure(minimum["units_per_code"], "int"),
        )
        return
    test = fisher_2x2([[both, only_a], [only_b, neither]], h.direction)
    set_fisher(r, test)
    r.result = Phrase(
        N_(
            "{b} occurs in {share} of the {units} with {a} ({both} of {n_a}) and in {share_without} of those without"
            " ({only_b} of {without}): {effect}."
        ),
        b=b,
        share=share_text(both, n_a),
        units=plural(unit),
        a=a,
        both=Figure(both, "int"),
        n_a=Figure(n_a, "int"),
        share_without=share_text(only_b, r.n - n_a),
        only_b=Figure(only_b, "int"),
        without=Figure(r.n - n_a, "int"),
        effect=effect_text(test.effect),
    )


def set_fisher(r: HypothesisResult, test: Any) -> None:
    r.alternative = test.alternative
    r.statistic, r.statistic_name = test.sample_odds_ratio, N_("sample odds ratio")
    r.p_value = test.p_value
    r.effect = test.effect
