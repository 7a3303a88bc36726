"""The ``correlation`` test of a hypothesis: Spearman's rho between two case-level variables (a page metric, a number
attribute, a code's share), with its Fisher-z interval; see :mod:`fokus.analysis.hypotheses` and, for the
variables, :mod:`fokus.analysis.hypothesis_behaviour`.

A rank correlation, because the variables are rates, medians, scores and Likert items: skewed, bounded, ordinal, and
their relation need not be a straight line. Only the cases with both values count; the others are left out and
counted per variable. ``positive`` means the two rise together. It needs five cases (``min_n`` replaces it).
"""

from __future__ import annotations

from fokus.analysis.hypothesis_behaviour import NO_PAGES, case_values, fill_evidence, take
from fokus.analysis.hypothesis_behaviour_text import variable_phrase
from fokus.analysis.hypothesis_data import MINIMUMS, HypothesisData
from fokus.analysis.hypothesis_report import SPEARMAN, HypothesisResult, effect_text
from fokus.analysis.report import Figure, Phrase
from fokus.analysis.statistics import spearman
from fokus.files.hypotheses import Hypothesis, HypothesisFile
from fokus.i18n import N_


def correlation(data: HypothesisData, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
    x, y = h.variables
    minimum = dict(MINIMUMS["correlation"])
    if h.min_n is not None:
        minimum["cases"] = max(h.min_n, 4)  # Spearman's interval needs four
    needed = minimum["cases"]
    r.minimum_text = Phrase(N_("at least {n} cases with both values"), n=Figure(needed, "int"))
    r.minimum = {**minimum, "text": str(r.minimum_text)}
    r.method = SPEARMAN
    x_what, y_what = variable_phrase(x), variable_phrase(y)
    r.why = Phrase(
        N_(
            "each case gives one value of {x} and one of {y}; a rank correlation asks whether one rises with the"
            " other without assuming a straight line or normal values"
        ),
        x=x_what,
        y=y_what,
    )
    if h.needs_pages and not data.has_pages():
        r.short = NO_PAGES
        return
    xs, ys = case_values(data, h, x, r.population), case_values(data, h, y, r.population)
    names = data.frame.cases.name
    r.excluded[f"cases_without_{x.name}"] = sum(cid not in xs for cid in names)
    if y.name != x.name:
        r.excluded[f"cases_without_{y.name}"] = sum(cid not in ys for cid in names)
    both = sorted((cid for cid in xs if cid in ys), key=lambda cid: (-xs[cid], names[cid], cid))
    r.counts = [{"case": names[cid], x.label: xs[cid], y.label: ys[cid]} for cid in both]
    r.n = len(both)
    fill_evidence(
        data,
        h,
        r,
        x if x.kind != "value" or y.kind == "value" else y,
        both,
        Phrase(N_("the cases highest on {x}"), x=x_what),
    )
    if r.n < needed:
        r.short = Phrase(
            N_("{n} cases with both {x} and {y}; the test needs {needed}"),
            n=Figure(r.n, "int"),
            x=x_what,
            y=y_what,
            needed=Figure(needed, "int"),
        )
        return
    test = spearman([xs[cid] for cid in both], [ys[cid] for cid in both], h.direction)
    take(r, test, N_("rho"))
    r.result = Phrase(
        N_("Over {n} cases, {y} set against {x}: {effect}."),
        n=Figure(r.n, "int"),
        x=x_what,
        y=y_what,
        effect=effect_text(test.effect),
    )
