"""The statistics behind hypothesis tests: pure functions over counts and values, no database.

Each test returns a small dataclass with the statistic, the p-value and an effect size with a 95% confidence
interval, so a report can say how large an effect is and how sure we are, not only whether p is small.

- :func:`fisher_2x2`: Fisher's exact test of a 2x2 table, one-sided in the direction a hypothesis states
  (``positive``: odds ratio above 1). The effect is the conditional maximum-likelihood odds ratio with its exact
  confidence interval (``scipy.stats.contingency.odds_ratio(kind="conditional")``), which, unlike Woolf's interval,
  needs no continuity correction when a cell is empty: the estimate is then 0 or infinite and the interval is
  open on that side. Its cost grows with the table (seconds at 100,000 units), so above ``EXACT_ODDS_RATIO_LIMIT``
  units the sample odds ratio with Woolf's log interval is used instead (Haldane's 0.5 added to each cell if one is
  empty); at that size the two agree to a fraction of a percent. The interval is always two-sided, even for a
  one-sided test.
- :func:`chi_square`: Pearson's chi-square test of independence for an r x c table (no continuity correction),
  with Cochran's rule for when its approximation holds (no expected count below 1, and at most 20% below 5), and
  Cramér's V with a confidence interval by inverting the noncentral chi-square distribution (Smithson 2003): the
  noncentrality bounds λ give V = sqrt(λ / (N (k - 1))).
- :func:`mann_whitney`: the Mann-Whitney U test of two groups of values (``scipy.stats.mannwhitneyu``), with the
  rank-biserial correlation r = 2 U / (n1 n2) - 1 (positive: the first group tends higher) and Newcombe's score
  interval (2006, method 5) for the probability of superiority U / (n1 n2), mapped to r. The score interval stays
  inside [-1, 1] and is not degenerate when the groups separate completely, where Hanley and McNeil's Wald interval
  collapses to a point.
- :func:`spearman`: Spearman's rho with a Fisher-z interval (z = atanh rho, standard error 1 / sqrt(n - 3)); it
  needs at least four pairs, and is a point at rho = ±1.
- :func:`benjamini_hochberg`: the false-discovery-rate adjusted p-values (``scipy.stats.false_discovery_control``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats
from scipy.stats.contingency import odds_ratio

CONFIDENCE = 0.95
EXACT_ODDS_RATIO_LIMIT = 5000  # above this many units the exact interval takes seconds, and Woolf's agrees with it
ALTERNATIVES = {"positive": "greater", "negative": "less", "two-sided": "two-sided"}


def alternative_of(direction: str) -> str:
    """scipy's ``alternative`` for a hypothesis' direction."""
    return ALTERNATIVES[direction]


@dataclass(frozen=True, slots=True)
class Effect:
    """An effect size with its confidence interval; ``null`` is the value of no effect (1 for an odds ratio)."""

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    null: float
    method: str
    confidence: float = CONFIDENCE

    def points(self, direction: str) -> bool:
        """Whether the estimate lies on the side of no effect that ``direction`` states (any side for two-sided)."""
        if math.isnan(self.estimate):
            return False
        if direction == "positive":
            return self.estimate > self.null
        if direction == "negative":
            return self.estimate < self.null
        return self.estimate != self.null


@dataclass(frozen=True, slots=True)
class FisherResult:
    table: tuple[tuple[int, int], tuple[int, int]]
    alternative: str
    sample_odds_ratio: float  # a d / b c, what scipy.stats.fisher_exact reports as its statistic
    p_value: float
    effect: Effect  # conditional MLE odds ratio


@dataclass(frozen=True, slots=True)
class ChiSquareResult:
    table: tuple[tuple[int, ...], ...]
    statistic: float
    dof: int
    p_value: float
    expected: tuple[tuple[float, ...], ...]
    cochran_ok: bool  # Cochran's rule: no expected count below 1 and at most 20% of them below 5
    effect: Effect  # Cramér's V


@dataclass(frozen=True, slots=True)
class MannWhitneyResult:
    n1: int
    n2: int
    statistic: float  # U of the first group
    alternative: str
    p_value: float
    effect: Effect  # rank-biserial correlation


@dataclass(frozen=True, slots=True)
class SpearmanResult:
    n: int
    statistic: float  # rho
    alternative: str
    p_value: float
    effect: Effect  # rho with a Fisher-z interval


def _z() -> float:
    return float(stats.norm.ppf(0.5 + CONFIDENCE / 2))


def fisher_2x2(table: Sequence[Sequence[int]], direction: str = "two-sided") -> FisherResult:
    """Fisher's exact test; ``table`` is [[a, b], [c, d]], and ``positive`` means an odds ratio a d / b c above 1."""
    cells = np.asarray(table, dtype=np.int64)
    if cells.shape != (2, 2) or (cells < 0).any():
        raise ValueError(f"a 2x2 table of counts, not {table!r}")
    alternative = alternative_of(direction)
    exact = stats.fisher_exact(cells, alternative=alternative)
    p_value = float(exact.pvalue)
    method = "conditional MLE, exact interval"
    if (cells.sum(axis=0) == 0).any() or (cells.sum(axis=1) == 0).any():
        estimate, low, high = math.nan, math.nan, math.nan  # a whole row or column empty: no odds ratio exists
    elif cells.sum() <= EXACT_ODDS_RATIO_LIMIT:
        result = odds_ratio(cells, kind="conditional")
        interval = result.confidence_interval(confidence_level=CONFIDENCE)
        estimate, low, high = float(result.statistic), float(interval.low), float(interval.high)
    else:
        estimate, low, high, method = _woolf(cells)
    effect = Effect("odds ratio", estimate, low, high, 1.0, method)
    a, b, c, d = (int(x) for x in cells.ravel())
    return FisherResult(((a, b), (c, d)), alternative, float(exact.statistic), p_value, effect)


def _woolf(cells: np.ndarray[Any, np.dtype[np.int64]]) -> tuple[float, float, float, str]:
    """The sample odds ratio with Woolf's interval exp(log OR ± z sqrt(1/a + 1/b + 1/c + 1/d)); Haldane's 0.5 is
    added to every cell when one is empty."""
    counts = cells.astype(np.float64)
    method = "sample odds ratio, Woolf interval"
    if (counts == 0).any():
        counts += 0.5
        method += " (Haldane's 0.5 added)"
    (a, b), (c, d) = counts
    log_or = math.log(a * d / (b * c))
    half = _z() * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return math.exp(log_or), math.exp(log_or - half), math.exp(log_or + half), method


def cochran_ok(expected: np.ndarray[Any, np.dtype[np.float64]]) -> bool:
    """Cochran's rule for the chi-square approximation: no expected count below 1, at most 20% below 5."""
    return bool(expected.size) and bool((expected >= 1).all()) and float((expected < 5).mean()) <= 0.2


def chi_square(table: Sequence[Sequence[int]]) -> ChiSquareResult:
    """Pearson's chi-square test of independence (no Yates correction) with Cramér's V; see the module docstring."""
    cells = np.asarray(table, dtype=np.int64)
    if cells.ndim != 2 or min(cells.shape) < 2 or (cells < 0).any():
        raise ValueError("an r x c table of counts with r, c >= 2")
    cells = cells[cells.sum(axis=1) > 0][:, cells.sum(axis=0) > 0]  # empty rows and columns carry no information
    if min(cells.shape) < 2:
        raise ValueError("the table has fewer than two non-empty rows or columns")
    result = stats.chi2_contingency(cells, correction=False)
    statistic, dof = float(result.statistic), int(result.dof)
    n = int(cells.sum())
    k = min(cells.shape) - 1
    low, high = _noncentrality_interval(statistic, dof)
    effect = Effect(
        "Cramér's V",
        math.sqrt(statistic / (n * k)),
        math.sqrt(low / (n * k)),
        min(1.0, math.sqrt(high / (n * k))),
        0.0,
        "noncentral chi-square interval",
    )
    expected = np.asarray(result.expected_freq, dtype=np.float64)
    return ChiSquareResult(
        tuple(tuple(int(x) for x in row) for row in cells),
        statistic,
        dof,
        float(result.pvalue),
        tuple(tuple(float(x) for x in row) for row in expected),
        cochran_ok(expected),
        effect,
    )


def _noncentrality_interval(statistic: float, dof: int) -> tuple[float, float]:
    """The λ with P(X <= statistic | λ) = 1 - α/2 (low) and α/2 (high), X noncentral chi-square(dof, λ)."""
    tail = (1 - CONFIDENCE) / 2

    def cdf(lam: float) -> float:
        return float(stats.chi2.cdf(statistic, dof)) if lam <= 0 else float(stats.ncx2.cdf(statistic, dof, lam))

    def bound(target: float) -> float:
        if cdf(0.0) <= target:
            return 0.0
        upper = max(1.0, statistic)
        while cdf(upper) > target:  # the cdf falls as λ grows
            upper *= 2
        return float(optimize.brentq(lambda lam: cdf(lam) - target, 0.0, upper, xtol=1e-10))

    return bound(1 - tail), bound(tail)


def _newcombe_interval(theta: float, n1: int, n2: int) -> tuple[float, float]:
    """Newcombe's (2006) method 5: the θ solving (θ̂ - θ)² = z² V(θ), V Hanley-McNeil's variance at θ with n1, n2
    both replaced by their mean."""
    z2 = _z() ** 2
    mean_n = (n1 + n2) / 2

    def variance(t: float) -> float:
        return t * (1 - t) / (n1 * n2) * (1 + (mean_n - 1) * ((1 - t) / (2 - t) + t / (1 + t)))

    def gap(t: float) -> float:
        return (theta - t) ** 2 - z2 * variance(t)

    # V vanishes at 0 and 1, so at θ̂ = 1 (or 0) the equation holds at θ̂ itself: bracket just inside it
    inside = min(max(theta, 1e-12), 1 - 1e-12)
    low = 0.0 if theta <= 0 else float(optimize.brentq(gap, 0.0, inside, xtol=1e-12))
    high = 1.0 if theta >= 1 else float(optimize.brentq(gap, inside, 1.0, xtol=1e-12))
    return low, high


def mann_whitney(first: Sequence[float], second: Sequence[float], direction: str = "two-sided") -> MannWhitneyResult:
    """Mann-Whitney U of ``first`` against ``second``; ``positive`` means the first group tends to be higher."""
    x = np.asarray(first, dtype=np.float64)
    y = np.asarray(second, dtype=np.float64)
    if not len(x) or not len(y):
        raise ValueError("both groups need at least one value")
    alternative = alternative_of(direction)
    n1, n2 = len(x), len(y)
    if np.ptp(np.concatenate([x, y])) == 0:  # every value the same: no evidence either way (scipy would divide by 0)
        u, p_value = n1 * n2 / 2, 1.0
    else:
        result = stats.mannwhitneyu(x, y, alternative=alternative, method="auto")
        u, p_value = float(result.statistic), float(result.pvalue)
    theta = u / (n1 * n2)
    low, high = _newcombe_interval(theta, n1, n2)
    effect = Effect("rank-biserial r", 2 * theta - 1, 2 * low - 1, 2 * high - 1, 0.0, "Newcombe score interval")
    return MannWhitneyResult(n1, n2, u, alternative, p_value, effect)


def spearman(x: Sequence[float], y: Sequence[float], direction: str = "two-sided") -> SpearmanResult:
    """Spearman's rho of ``y`` on ``x`` (``positive``: rising) with a Fisher-z interval; needs four pairs."""
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if len(a) != len(b) or len(a) < 4:
        raise ValueError("Spearman's rho with a Fisher-z interval needs at least four pairs")
    alternative = alternative_of(direction)
    if np.ptp(a) == 0 or np.ptp(b) == 0:  # a constant series has no ranks to correlate
        rho, p_value = 0.0, 1.0
    else:
        result = stats.spearmanr(a, b, alternative=alternative)
        rho, p_value = float(result.statistic), float(result.pvalue)
    half = _z() / math.sqrt(len(a) - 3)
    z = math.atanh(max(-1.0, min(1.0, rho))) if abs(rho) < 1 else math.copysign(math.inf, rho)
    low, high = (rho, rho) if math.isinf(z) else (math.tanh(z - half), math.tanh(z + half))
    effect = Effect("Spearman's rho", rho, low, high, 0.0, "Fisher z interval")
    return SpearmanResult(len(a), rho, alternative, p_value, effect)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values, in the order given (an empty list for none)."""
    if not len(p_values):
        return []
    return [float(p) for p in stats.false_discovery_control(np.asarray(p_values, dtype=np.float64), method="bh")]
