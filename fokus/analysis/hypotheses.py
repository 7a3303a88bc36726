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
- ``group-difference`` on a case-level variable (``metric:`` a page metric, ``value:`` a number attribute such as
  a survey's Likert item): one value per case, compared by Mann-Whitney U as above
  (:mod:`~fokus.analysis.hypothesis_behaviour`, which says how a case with several pages is measured);
- ``correlation``: Spearman's rho between two case-level variables (a metric, a value or a code's share), with a
  Fisher-z interval; ``positive`` means rising together (:mod:`~fokus.analysis.hypothesis_correlation`);
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
- correlation: 5 cases with both values;
- a hypothesis on page metrics in a project with no pages: never enough (no page data), so a file with behaviour
  hypotheses still checks its coding hypotheses before the pages are imported;
- trend: 4 months with at least 5 units each (sparser months are left out and counted), 5 unit-months with the
  code.

The evidence is the coded passages behind the result, so a figure can be read back: for an association the
passages of either code in the units where both occur; for a group difference the focal group's passages with the
code; for a trend the code's passages, latest months first; for a behaviour hypothesis the posts, questions and answers
behind the figure (fokus.analysis.hypothesis_behaviour). A span coded by two coders is one passage with both
coding ids; the first ``EVIDENCE_CAP`` are listed with the total.

The data is read once in :mod:`fokus.analysis.hypothesis_data`; each test has its module
(:mod:`~fokus.analysis.hypothesis_association`, :mod:`~fokus.analysis.hypothesis_groups`,
:mod:`~fokus.analysis.hypothesis_trend`), and :mod:`fokus.analysis.hypothesis_report` writes the results out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fokus.analysis.frame import Scope, load_frame
from fokus.analysis.hypothesis_association import association
from fokus.analysis.hypothesis_behaviour import behaviour_difference
from fokus.analysis.hypothesis_correlation import correlation
from fokus.analysis.hypothesis_data import HypothesisData
from fokus.analysis.hypothesis_groups import group_difference
from fokus.analysis.hypothesis_report import (
    DIRECTIONS,
    NOT_SUPPORTED,
    SUPPORTED,
    TOO_LITTLE,
    HypothesesReport,
    HypothesisResult,
    p_text,
)
from fokus.analysis.hypothesis_trend import trend
from fokus.analysis.report import Figure, Phrase
from fokus.analysis.statistics import benjamini_hochberg
from fokus.files.hypotheses import Hypothesis, HypothesisFile, check_references
from fokus.i18n import N_

DEFAULT_SCOPE = Scope()
TESTS: dict[str, Callable[[HypothesisData, Hypothesis, HypothesisResult, HypothesisFile], None]] = {
    "association": association,
    "group-difference": group_difference,
    "trend": trend,
    "correlation": correlation,
}


def check_hypotheses(session: Any, spec: HypothesisFile, *, scope: Scope = DEFAULT_SCOPE) -> HypothesesReport:
    """Test every hypothesis of ``spec`` on the codings in ``scope``; see the module docstring."""
    frame = load_frame(session, scope)
    data = HypothesisData(frame)
    spec = check_references(spec, list(frame.tree.path.values()), frame.cases.attributes, pages=data.has_pages())
    results = []
    for h in spec.hypotheses:
        result = HypothesisResult(h, spec.population_of(h))
        test = TESTS[h.test]
        if h.behaviour and h.test == "group-difference":
            test = behaviour_difference
        test(data, h, result, spec)
        results.append(result)
    testable = [r for r in results if r.testable]
    for r, adjusted in zip(testable, benjamini_hochberg([r.p_value or 0.0 for r in testable]), strict=True):
        r.p_adjusted = adjusted
    for r in results:
        _verdict(r, spec.alpha)
    data.fill_evidence(results)
    return HypothesesReport(spec, scope, results)


def _verdict(r: HypothesisResult, alpha: float) -> None:
    h = r.hypothesis
    if not r.testable:
        r.verdict, r.verdict_reason = TOO_LITTLE, Phrase(N_("too little data: {reason}"), reason=r.short)
        return
    assert r.p_adjusted is not None
    assert r.effect is not None
    points = r.effect.points(h.direction)
    if r.p_adjusted < alpha and points:
        r.verdict = SUPPORTED
        if h.direction == "two-sided":
            r.verdict_reason = Phrase(
                N_("adjusted p = {p} < α = {alpha}"), p=p_text(r.p_adjusted), alpha=Figure(alpha, "g")
            )
        else:
            r.verdict_reason = Phrase(
                N_("adjusted p = {p} < α = {alpha}, and the effect is {direction}"),
                p=p_text(r.p_adjusted),
                alpha=Figure(alpha, "g"),
                direction=Phrase(DIRECTIONS[h.direction]),
            )
    elif r.p_adjusted < alpha:
        r.verdict, r.verdict_reason = (
            NOT_SUPPORTED,
            Phrase(N_("the effect points the other way than {direction}"), direction=Phrase(DIRECTIONS[h.direction])),
        )
    else:
        r.verdict, r.verdict_reason = (
            NOT_SUPPORTED,
            Phrase(N_("adjusted p = {p} ≥ α = {alpha}"), p=p_text(r.p_adjusted), alpha=Figure(alpha, "g")),
        )
