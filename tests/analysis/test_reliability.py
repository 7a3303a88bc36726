"""Reliability coefficients against the published worked example and independent implementations.

The oracles: Krippendorff's own worked example (2011), the `krippendorff` package (GPL, a test dependency only) and
scikit-learn's Cohen's kappa.
"""

from __future__ import annotations

import math
from typing import Any

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from fokus.analysis.reliability import (
    cohen_kappa,
    coincidence_matrix,
    nominal_alpha,
    percent_agreement,
    tally_binary,
    value_counts,
)

nan = math.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders x 12 units, "." missing
WORKED = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    "C": [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
}


def units_by_coders(by_coder: dict[str, list[float]]) -> np.ndarray[Any, Any]:
    return np.array(list(by_coder.values()), dtype=float).T


def oracle_alpha(matrix: np.ndarray[Any, Any]) -> float:
    return float(krippendorff.alpha(reliability_data=matrix.T, level_of_measurement="nominal"))


def random_matrix(seed: int, units: int, coders: int, values: int, missing: float) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    matrix = rng.integers(1, values + 1, size=(units, coders)).astype(float)
    matrix[rng.random(matrix.shape) < missing] = nan
    return matrix


def test_the_worked_example_gives_the_published_alpha() -> None:
    matrix = units_by_coders(WORKED)
    alpha = nominal_alpha(matrix)
    assert alpha is not None
    assert round(alpha, 3) == 0.743
    assert alpha == pytest.approx(oracle_alpha(matrix), abs=1e-12)


def test_the_worked_example_coincidences_are_the_published_ones() -> None:
    values, counts = value_counts(units_by_coders(WORKED))
    coincidences = coincidence_matrix(counts)
    assert values.tolist() == [1, 2, 3, 4, 5]
    # the paper's margins: n_c = 9, 13, 10, 5, 3 of n = 40 pairable values (unit 12 has one value and drops out)
    assert coincidences.sum(axis=1).tolist() == pytest.approx([9, 13, 10, 5, 3])
    assert coincidences.sum() == pytest.approx(40)
    assert coincidences[0, 0] == pytest.approx(7)
    assert coincidences[0, 1] == pytest.approx(4 / 3)
    assert np.allclose(coincidences, coincidences.T)


@pytest.mark.parametrize("seed", range(12))
def test_alpha_with_missing_values_matches_the_krippendorff_package(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    matrix = random_matrix(
        seed, units=int(rng.integers(5, 80)), coders=int(rng.integers(2, 7)), values=int(rng.integers(2, 6)),
        missing=float(rng.uniform(0, 0.5)),
    )  # fmt: skip
    ours = nominal_alpha(matrix)
    assert ours is not None
    assert ours == pytest.approx(oracle_alpha(matrix), abs=1e-9)


def test_alpha_accepts_none_for_missing_and_any_coding_of_the_values() -> None:
    matrix = units_by_coders(WORKED)
    with_none = [[None if math.isnan(v) else v for v in row] for row in matrix.tolist()]
    relabelled = np.where(np.isnan(matrix), nan, matrix * 10 - 3)  # nominal: only equality matters
    assert nominal_alpha(with_none) == nominal_alpha(matrix)
    assert nominal_alpha(relabelled) == pytest.approx(nominal_alpha(matrix))


def test_alpha_is_undefined_without_variation_or_without_pairs() -> None:
    assert nominal_alpha([[1, 1], [1, 1], [1, nan]]) is None  # every value the same: 0/0
    assert nominal_alpha([[1, nan], [nan, 2]]) is None  # no unit with two values
    assert nominal_alpha(np.zeros((0, 2))) is None
    assert nominal_alpha([[1, 1], [2, 2]]) == 1.0
    with pytest.raises(ValueError, match="units x coders"):
        nominal_alpha([1, 2, 3])


def test_percent_agreement_by_hand() -> None:
    # unit 1: one pair, agreeing; unit 2: three pairs, one agreeing (the two 0s); unit 3: one value, no pair
    data = [[1, 1, nan], [1, 0, 0], [0, nan, nan]]
    assert percent_agreement(data) == pytest.approx(2 / 4)
    assert percent_agreement([[1, 0], [0, 0]]) == pytest.approx(1 / 2)
    assert percent_agreement([[1, nan]]) is None


@pytest.mark.parametrize("seed", range(10))
def test_kappa_matches_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size, values = int(rng.integers(5, 60)), int(rng.integers(2, 5))
    first = rng.integers(0, values, size)
    second = np.where(rng.random(size) < 0.6, first, rng.integers(0, values, size))
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)


def test_kappa_leaves_out_units_either_coder_missed() -> None:
    first = [1, 0, 1, nan, 1, 0, 0]
    second = [1, 0, 0, 1, nan, 0, 1]
    both = [0, 1, 2, 5, 6]
    expected = cohen_kappa_score([first[i] for i in both], [second[i] for i in both])
    assert cohen_kappa(first, second) == pytest.approx(expected)
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) is None  # chance agreement 1: 0/0
    assert cohen_kappa([1, 1], [0, 0]) == pytest.approx(cohen_kappa_score([1, 1], [0, 0]))
    assert cohen_kappa([nan], [1]) is None


def binary_data(seed: int, units: int, coders: int, variables: int) -> tuple[Any, Any]:
    """Shared presence (units x coders) and, per variable, a 0/1/NaN units x coders matrix."""
    rng = np.random.default_rng(seed)
    present = rng.random((units, coders)) < 0.75
    rates = rng.uniform(0.02, 0.6, variables)
    ones = rng.random((variables, units, coders)) < rates[:, None, None]
    matrices = np.where(present[None], ones.astype(float), nan)
    return present, matrices


def tallies_of(present: Any, matrices: Any) -> Any:
    var, unit, coder = np.nonzero(matrices == 1)
    # repeat some of the 1s: a coder who applied a code twice in a unit applied it once
    return tally_binary(present, np.r_[var, var[::3]], np.r_[unit, unit[::3]], np.r_[coder, coder[::3]], len(matrices))


@pytest.mark.parametrize(("seed", "coders"), [(1, 2), (2, 2), (3, 3), (4, 5), (5, 2)])
def test_binary_tallies_match_the_dense_oracles(seed: int, coders: int) -> None:
    present, matrices = binary_data(seed, units=60, coders=coders, variables=6)
    tallies = tallies_of(present, matrices)
    alpha, agreement, kappa = tallies.alpha(), tallies.percent_agreement(), tallies.kappa()
    pairable = int((present.sum(axis=1) >= 2).sum())
    for index, matrix in enumerate(matrices):
        assert alpha[index] == pytest.approx(oracle_alpha(matrix), abs=1e-9)
        assert agreement[index] == pytest.approx(percent_agreement(matrix), abs=1e-12)
        assert tallies.units[index] == pairable
        if coders == 2:
            both = ~np.isnan(matrix).any(axis=1)
            assert kappa[index] == pytest.approx(cohen_kappa_score(matrix[both, 0], matrix[both, 1]), abs=1e-9)
        else:
            assert np.isnan(kappa[index])


@pytest.mark.parametrize("coders", [2, 4])
def test_pooled_tallies_treat_every_unit_and_variable_as_one_decision(coders: int) -> None:
    present, matrices = binary_data(7, units=40, coders=coders, variables=5)
    pooled = tallies_of(present, matrices).pooled()
    stacked = matrices.reshape(-1, coders)  # every (variable, unit) a row
    assert pooled.alpha()[0] == pytest.approx(oracle_alpha(stacked), abs=1e-9)
    assert pooled.percent_agreement()[0] == pytest.approx(percent_agreement(stacked), abs=1e-12)
    assert pooled.units[0] == int(((~np.isnan(stacked)).sum(axis=1) >= 2).sum())
    if coders == 2:
        both = ~np.isnan(stacked).any(axis=1)
        assert pooled.kappa()[0] == pytest.approx(cohen_kappa_score(stacked[both, 0], stacked[both, 1]), abs=1e-9)


def test_binary_variables_without_variation_are_undefined() -> None:
    present = np.ones((4, 2), dtype=bool)
    # variable 0 applied by nobody, variable 1 by both coders everywhere, variable 2 by one coder once
    var = [1] * 8 + [2]
    unit = [0, 0, 1, 1, 2, 2, 3, 3, 0]
    coder = [0, 1] * 4 + [0]
    tallies = tally_binary(present, var, unit, coder, 3)
    alpha, kappa, agreement = tallies.alpha(), tallies.kappa(), tallies.percent_agreement()
    assert np.isnan(alpha[:2]).all()
    assert np.isnan(kappa[:2]).all()
    assert agreement[0] == agreement[1] == 1.0
    assert agreement[2] == pytest.approx(3 / 4)
    assert alpha[2] == pytest.approx(oracle_alpha(np.array([[1, 0], [0, 0], [0, 0], [0, 0]], dtype=float)))


def test_a_one_from_an_absent_coder_is_refused() -> None:
    present = np.array([[True, False], [True, True]])
    with pytest.raises(ValueError, match="absent"):
        tally_binary(present, [0], [0], [1], 1)
