"""The ``trend`` test of a hypothesis: the code's share of the units per month, by Spearman's rho; see
:mod:`fokus.analysis.hypotheses`.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from fokus.analysis.frame import NONE, IntArray, month_label
from fokus.analysis.hypothesis_data import MINIMUMS, HypothesisData
from fokus.analysis.hypothesis_report import SPEARMAN, HypothesisResult, effect_text, plural, share_value, singular
from fokus.analysis.report import Figure, Phrase
from fokus.analysis.statistics import spearman
from fokus.files.hypotheses import Hypothesis, HypothesisFile
from fokus.i18n import N_
from fokus.model import Unit


def trend(data: HypothesisData, h: Hypothesis, r: HypothesisResult, spec: HypothesisFile) -> None:
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
    r.minimum_text = Phrase(
        N_(
            "at least {months} months with {per_month} {units} or more each, and {with_code} {unit}-months with the"
            " code"
        ),
        months=Figure(minimum["periods"], "int"),
        per_month=Figure(minimum["units_per_period"], "int"),
        units=plural(level),
        with_code=Figure(minimum["units_with_code"], "int"),
        unit=singular(level),
    )
    r.minimum = {**minimum, "text": str(r.minimum_text)}
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
    r.method = SPEARMAN
    r.why = Phrase(
        N_(
            "the share per month is set against the month's order; a rank correlation asks whether it rises or falls"
            " steadily, without assuming a straight line"
        )
    )
    r.evidence_what = Phrase(N_("the passages coded {code}, latest months first"), code=h.code)
    r.evidence_total, r.evidence = data.passages(rows[chosen], -months[chosen])
    with_code = int(period_code[kept].sum())
    if r.n < minimum["periods"] or with_code < minimum["units_with_code"]:
        r.short = Phrase(
            N_(
                "{n} months with {per_month} {units} or more, {with_code} {unit}-months with {code}; the test needs"
                " {months} months and {needed} with the code"
            ),
            n=Figure(r.n, "int"),
            per_month=Figure(minimum["units_per_period"], "int"),
            units=plural(level),
            with_code=Figure(with_code, "int"),
            unit=singular(level),
            code=h.code,
            months=Figure(minimum["periods"], "int"),
            needed=Figure(minimum["units_with_code"], "int"),
        )
        return
    test = spearman((first + kept).tolist(), shares.tolist(), h.direction)
    r.alternative = test.alternative
    r.statistic, r.statistic_name = test.statistic, N_("rho")
    r.p_value, r.effect = test.p_value, test.effect
    r.result = Phrase(
        N_(
            "The share of {units} with {code} goes from {first} in {start} to {last} in {end} over {n} months:"
            " {effect}."
        ),
        units=plural(level),
        code=h.code,
        first=share_value(float(shares[0])),
        start=r.counts[0]["period"],
        last=share_value(float(shares[-1])),
        end=r.counts[-1]["period"],
        n=Figure(r.n, "int"),
        effect=effect_text(test.effect),
    )


def _all_unit_months(data: HypothesisData, level: str, shift: np.int64) -> IntArray:
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
