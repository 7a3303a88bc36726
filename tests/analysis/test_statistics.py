"""The statistics behind hypothesis tests, checked against scipy directly and against small cases worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.stats.contingency import association, odds_ratio

from fokus.analysis.statistics import (
    EXACT_ODDS_RATIO_LIMIT,
    Effect,
    alternative_of,
    benjamini_hochberg,
    chi_square,
    cochran_ok,
    fisher_2x2,
    mann_whitney,
    spearman,
)

Z = stats.norm.ppf(0.975)


@pytest.mark.parametrize("direction", ["positive", "negative", "two-sided"])
@pytest.mark.parametrize("table", [[[8, 4], [4, 24]], [[2, 9], [7, 3]], [[0, 5], [6, 2]], [[12, 0], [3, 20]]])
def test_fisher_matches_scipy_in_every_direction(table: list[list[int]], direction: str) -> None:
    result = fisher_2x2(table, direction)
    expected = stats.fisher_exact(table, alternative=alternative_of(direction))
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.sample_odds_ratio == pytest.approx(expected.statistic)
    conditional = odds_ratio(table, kind="conditional")
    interval = conditional.confidence_interval(confidence_level=0.95)
    assert result.effect.estimate == pytest.approx(conditional.statistic)
    assert (result.effect.ci_low, result.effect.ci_high) == pytest.approx((interval.low, interval.high))
    assert result.effect.ci_low <= result.effect.estimate <= result.effect.ci_high


def test_fisher_by_hand() -> None:
    # [[3, 0], [0, 3]]: of the C(6, 3) = 20 ways to pick the first row's three, one puts all in the first column
    perfect = fisher_2x2([[3, 0], [0, 3]], "positive")
    assert perfect.p_value == pytest.approx(1 / 20)
    assert perfect.effect.estimate == math.inf  # an empty cell: the estimate is infinite, the interval open above
    assert perfect.effect.ci_high == math.inf
    assert 0 < perfect.effect.ci_low < math.inf
    assert perfect.effect.points("positive")
    assert not perfect.effect.points("negative")
    assert fisher_2x2([[3, 0], [0, 3]], "negative").p_value == pytest.approx(1.0)
    # two-sided: both extreme tables, 2/20
    assert fisher_2x2([[3, 0], [0, 3]]).p_value == pytest.approx(2 / 20)
    even = fisher_2x2([[1, 1], [1, 1]])
    assert even.p_value == pytest.approx(1.0)
    assert even.effect.estimate == pytest.approx(1.0)
    assert not even.effect.points("two-sided")


def test_fisher_with_an_empty_row_has_no_odds_ratio() -> None:
    result = fisher_2x2([[0, 0], [3, 4]], "positive")
    assert result.p_value == pytest.approx(1.0)
    assert math.isnan(result.effect.estimate)
    assert not result.effect.points("positive")
    assert not result.effect.points("two-sided")


def test_large_tables_use_woolfs_interval_which_agrees_with_the_exact_one() -> None:
    table = [[700, 1300], [1500, 2600]]  # 6,100 units: above the limit for the exact interval
    assert sum(map(sum, table)) > EXACT_ODDS_RATIO_LIMIT
    result = fisher_2x2(table, "negative")
    assert result.p_value == pytest.approx(stats.fisher_exact(table, alternative="less").pvalue)
    (a, b), (c, d) = table
    half = Z * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert result.effect.estimate == pytest.approx(a * d / (b * c))
    assert result.effect.ci_low == pytest.approx(math.exp(math.log(a * d / (b * c)) - half))
    assert result.effect.ci_high == pytest.approx(math.exp(math.log(a * d / (b * c)) + half))
    assert "Woolf" in result.effect.method
    exact = odds_ratio(table).confidence_interval()
    assert (result.effect.ci_low, result.effect.ci_high) == pytest.approx((exact.low, exact.high), rel=0.005)
    # an empty cell: Haldane's 0.5 in every cell keeps the estimate finite
    empty = fisher_2x2([[0, 3000], [200, 2800]], "negative")
    assert empty.effect.estimate == pytest.approx(0.5 * 2800.5 / (3000.5 * 200.5))
    assert "Haldane" in empty.effect.method


def test_fisher_refuses_what_is_not_a_2x2_table() -> None:
    with pytest.raises(ValueError, match="2x2"):
        fisher_2x2([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="2x2"):
        fisher_2x2([[1, -2], [3, 4]])


@pytest.mark.parametrize(
    "table", [[[20, 30], [25, 25], [40, 10]], [[12, 8, 10], [5, 15, 10]], [[30, 10], [10, 30]], [[9, 11], [10, 10]]]
)
def test_chi_square_matches_scipy(table: list[list[int]]) -> None:
    result = chi_square(table)
    expected = stats.chi2_contingency(table, correction=False)
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.dof == expected.dof
    assert np.allclose(result.expected, expected.expected_freq)
    assert result.effect.estimate == pytest.approx(association(table, method="cramer", correction=False))


def test_cramers_v_interval_inverts_the_noncentral_chi_square() -> None:
    table = [[30, 10], [10, 30]]
    result = chi_square(table)
    n, k = 80, 1
    low_lambda = result.effect.ci_low**2 * n * k
    high_lambda = result.effect.ci_high**2 * n * k
    # at the bounds the observed statistic sits at the 97.5th and 2.5th percentiles
    assert stats.ncx2.cdf(result.statistic, result.dof, low_lambda) == pytest.approx(0.975, abs=1e-6)
    assert stats.ncx2.cdf(result.statistic, result.dof, high_lambda) == pytest.approx(0.025, abs=1e-6)
    assert result.effect.ci_low < result.effect.estimate < result.effect.ci_high
    # a table with no association: the interval reaches zero
    flat = chi_square([[10, 10], [10, 10]])
    assert flat.effect.estimate == pytest.approx(0.0)
    assert flat.effect.ci_low == 0.0
    assert flat.p_value == pytest.approx(1.0)


def test_chi_square_by_hand() -> None:
    # [[30, 10], [10, 30]]: every expected count is 20, so chi-square = 4 * 10² / 20 = 20, V = sqrt(20 / 80)
    result = chi_square([[30, 10], [10, 30]])
    assert result.statistic == pytest.approx(20.0)
    assert result.effect.estimate == pytest.approx(0.5)
    assert result.expected == ((20.0, 20.0), (20.0, 20.0))


def test_cochrans_rule() -> None:
    assert cochran_ok(np.array([[5.0, 5.0], [5.0, 5.0]]))
    assert not cochran_ok(np.array([[0.9, 9.0], [9.0, 9.0]]))  # an expected count below 1
    assert cochran_ok(np.array([[4.0, 9.0, 9.0, 9.0, 9.0], [9.0, 9.0, 9.0, 9.0, 9.0]]))  # 1 of 10 below 5
    assert not cochran_ok(np.array([[4.0, 4.0, 4.0, 9.0, 9.0], [9.0, 9.0, 9.0, 9.0, 9.0]]))  # 3 of 10
    assert not chi_square([[1, 0], [0, 1]]).cochran_ok


def test_chi_square_drops_empty_rows() -> None:
    result = chi_square([[10, 20], [0, 0], [20, 10]])
    assert result.table == ((10, 20), (20, 10))
    assert result.dof == 1


@pytest.mark.parametrize("direction", ["positive", "negative", "two-sided"])
def test_mann_whitney_matches_scipy(direction: str) -> None:
    first = [0.5, 0.4, 0.45, 0.3, 0.2, 0.6]
    second = [0.1, 0.2, 0.05, 0.3, 0.0, 0.0, 0.15]
    result = mann_whitney(first, second, direction)
    expected = stats.mannwhitneyu(first, second, alternative=alternative_of(direction))
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.effect.estimate == pytest.approx(2 * expected.statistic / (6 * 7) - 1)


def test_rank_biserial_by_hand() -> None:
    # every value of the first group above every value of the second: U = n1 n2, r = 1
    result = mann_whitney([3, 4, 5], [1, 2], "positive")
    assert result.statistic == 6
    assert result.effect.estimate == pytest.approx(1.0)
    # the exact one-sided p: 1 of the C(5, 2) = 10 ways to rank
    assert result.p_value == pytest.approx(1 / 10)
    # the score interval is not a point, and stays inside [-1, 1]
    assert result.effect.ci_high == pytest.approx(1.0)
    assert -1 < result.effect.ci_low < 0.9
    # [1, 2] against [0, 3]: 1 > 0 and 2 > 0 win, both lose to 3: U = 2 of 4 pairs, r = 0
    assert mann_whitney([1, 2], [0, 3]).statistic == pytest.approx(2.0)
    assert mann_whitney([1, 2], [0, 3]).effect.estimate == pytest.approx(0.0)
    # a tie counts half: [1, 2] against [1, 0]: 1 = 1 (0.5), 1 > 0, 2 > 1, 2 > 0: U = 3.5
    assert mann_whitney([1, 2], [1, 0]).statistic == pytest.approx(3.5)


def test_mann_whitney_with_all_values_equal_finds_nothing() -> None:
    result = mann_whitney([0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], "positive")
    assert result.p_value == 1.0
    assert result.effect.estimate == 0.0
    assert result.effect.ci_low < 0 < result.effect.ci_high


def _hanley_mcneil(theta: float, n1: int, n2: int) -> float:
    q1, q2 = theta / (2 - theta), 2 * theta**2 / (1 + theta)
    return (theta * (1 - theta) + (n1 - 1) * (q1 - theta**2) + (n2 - 1) * (q2 - theta**2)) / (n1 * n2)


@pytest.mark.parametrize(("first", "second"), [([3, 5, 6, 9, 10], [1, 2, 4, 7, 8]), ([1, 2, 8, 9], [3, 4, 5, 6])])
def test_newcombe_interval_solves_the_score_equation(first: list[int], second: list[int]) -> None:
    # with equal groups Newcombe's variance is Hanley and McNeil's at θ: each bound solves (θ̂ - θ)² = z² V(θ)
    result = mann_whitney(first, second)
    n1, n2 = len(first), len(second)
    theta = result.statistic / (n1 * n2)
    for r in (result.effect.ci_low, result.effect.ci_high):
        bound = (r + 1) / 2
        assert (theta - bound) ** 2 == pytest.approx(Z**2 * _hanley_mcneil(bound, n1, n2), abs=1e-9)
    assert result.effect.ci_low < result.effect.estimate < result.effect.ci_high


def test_newcombe_interval_is_near_the_wald_interval_for_many_cases() -> None:
    rng = np.random.default_rng(3)
    first, second = rng.normal(0.4, 1, 60).tolist(), rng.normal(0, 1, 60).tolist()
    result = mann_whitney(first, second)
    theta = result.statistic / 3600
    se = math.sqrt(_hanley_mcneil(theta, 60, 60))
    assert (result.effect.ci_high - result.effect.ci_low) / 2 == pytest.approx(2 * Z * se, rel=0.05)


def test_newcombe_interval_narrows_with_more_cases() -> None:
    small = mann_whitney([2, 3, 5], [1, 2, 4])
    large = mann_whitney([2, 3, 5] * 10, [1, 2, 4] * 10)
    assert small.effect.estimate == pytest.approx(large.effect.estimate)
    assert large.effect.ci_high - large.effect.ci_low < small.effect.ci_high - small.effect.ci_low


@pytest.mark.parametrize("direction", ["positive", "negative", "two-sided"])
def test_spearman_matches_scipy_with_a_fisher_z_interval(direction: str) -> None:
    months = [1, 2, 3, 4, 5, 6, 7]
    shares = [0.1, 0.15, 0.12, 0.3, 0.25, 0.4, 0.38]
    result = spearman(months, shares, direction)
    expected = stats.spearmanr(months, shares, alternative=alternative_of(direction))
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    z = math.atanh(expected.statistic)
    assert result.effect.ci_low == pytest.approx(math.tanh(z - Z / math.sqrt(7 - 3)))
    assert result.effect.ci_high == pytest.approx(math.tanh(z + Z / math.sqrt(7 - 3)))


def test_spearman_by_hand() -> None:
    # ranks 1..4 against 1, 3, 2, 4: d² = 0 + 1 + 1 + 0 = 2, rho = 1 - 6 * 2 / (4 * 15) = 0.8
    assert spearman([1, 2, 3, 4], [10, 30, 20, 40]).statistic == pytest.approx(0.8)
    falling = spearman([1, 2, 3, 4], [4, 3, 2, 1], "positive")
    assert falling.statistic == pytest.approx(-1.0)
    assert not falling.effect.points("positive")
    assert falling.effect.points("negative")
    flat = spearman([1, 2, 3, 4], [0.2, 0.2, 0.2, 0.2])
    assert (flat.statistic, flat.p_value) == (0.0, 1.0)
    with pytest.raises(ValueError, match="four"):
        spearman([1, 2, 3], [1, 2, 3])


def test_benjamini_hochberg_by_hand_and_against_scipy() -> None:
    # sorted 0.01, 0.03, 0.04, 0.20: 0.2 * 4/4 = 0.2; 0.04 * 4/3; 0.03 * 4/2 = 0.06 > 0.0533, so 0.0533; 0.01 * 4
    p = [0.01, 0.04, 0.03, 0.20]
    assert benjamini_hochberg(p) == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])
    rng = np.random.default_rng(7)
    many = rng.uniform(0, 0.2, size=25).tolist()
    assert benjamini_hochberg(many) == pytest.approx(stats.false_discovery_control(many, method="bh").tolist())
    assert benjamini_hochberg([]) == []


def test_effect_points_the_stated_way() -> None:
    effect = Effect("odds ratio", 2.0, 1.1, 3.0, 1.0, "test")
    assert effect.points("positive")
    assert not effect.points("negative")
    assert effect.points("two-sided")
    assert Effect("r", -0.4, -0.7, -0.1, 0.0, "test").points("negative")
