"""Reliability coefficients: Krippendorff's alpha (nominal), Cohen's kappa and percent agreement, as pure functions.

Two shapes of input, one set of definitions:

- a dense *units x coders* matrix of nominal values, ``NaN`` (or ``None``) where a coder gave no value
  (:func:`nominal_alpha`, :func:`percent_agreement`, :func:`cohen_kappa`): the textbook form, used by tests and
  scripts;
- many *binary* variables at once (:class:`BinaryTallies`, built by :func:`tally_binary`): each code is one variable,
  1 where a coder applied it to a unit, 0 where the coder was present but did not, missing where the coder was absent.
  Only the 1s are given (as sparse triples), so a million codings over hundreds of thousands of sentences stay a few
  ``np.bincount`` calls. The tallies are sums over units, so pooling variables (the "overall" figure) is adding them.

Definitions (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"):

- A unit is *pairable* when it has at least two values; the others carry no information about agreement and are
  dropped. With ``m_u`` values in unit ``u`` and ``n_uc`` of them equal to ``c``, the coincidence matrix is
  ``o_ck = sum_u n_uc (n_uk - [c == k]) / (m_u - 1)``; ``n_c`` its margins, ``n`` the number of pairable values.
  Nominal alpha is ``1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k``.
- Alpha is *undefined* (``None``) when the expected disagreement is 0: every pairable value is the same (nobody applied
  the code, or everyone applied it everywhere), or there is no pairable unit. It is 0/0, not 1: data without variation
  cannot show that coders tell cases apart.
- Percent agreement is over pairs of values within a unit: of all pairs of coders who both gave a value to the same
  unit, the share that gave the same value. For two coders it is the share of pairable units they agree on.
- Cohen's kappa (two coders, units both coded): ``(p_o - p_e) / (1 - p_e)`` with chance agreement ``p_e`` from each
  coder's own marginals, as ``sklearn.metrics.cohen_kappa_score``; ``None`` when ``p_e == 1`` (both coders gave one
  and the same value throughout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def _matrix(data: ArrayLike) -> FloatArray:
    """Units x coders as floats, NaN for missing (None becomes NaN)."""
    matrix = np.asarray(data, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError(f"expected a units x coders matrix, got {matrix.ndim} dimension(s)")
    return matrix


def value_counts(data: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The distinct values and, per unit, how many coders gave each: (values, units x values counts)."""
    matrix = _matrix(data)
    given = ~np.isnan(matrix)
    values, inverse = np.unique(matrix[given], return_inverse=True)
    counts = np.zeros((matrix.shape[0], len(values)), dtype=np.float64)
    np.add.at(counts, (np.nonzero(given)[0], inverse.reshape(-1)), 1.0)
    return values, counts


def coincidence_matrix(counts: FloatArray) -> FloatArray:
    """Krippendorff's coincidences ``o_ck`` from per-unit value counts (units x values); unpairable units dropped."""
    m = counts.sum(axis=1)
    pairable = counts[m >= 2]
    weights = 1.0 / (m[m >= 2] - 1.0)
    weighted = pairable * weights[:, None]
    coincidences: FloatArray = weighted.T @ pairable - np.diag(weighted.sum(axis=0))
    return coincidences


def nominal_alpha(data: ArrayLike) -> float | None:
    """Krippendorff's alpha for nominal data, units x coders, NaN/None missing; None when undefined."""
    _values, counts = value_counts(data)
    coincidences = coincidence_matrix(counts)
    margins = coincidences.sum(axis=1)
    n = float(margins.sum())
    observed = n - float(np.trace(coincidences))  # sum of the off-diagonal cells
    expected = n * n - float((margins**2).sum())
    if n < 2 or expected <= 0:
        return None
    return 1.0 - (n - 1.0) * observed / expected


def percent_agreement(data: ArrayLike) -> float | None:
    """The share of agreeing pairs among all pairs of values given to the same unit; None without a pair."""
    _values, counts = value_counts(data)
    m = counts.sum(axis=1)
    pairs = float((m * (m - 1)).sum())
    if pairs == 0:
        return None
    return float((counts * (counts - 1)).sum()) / pairs


def cohen_kappa(first: ArrayLike, second: ArrayLike) -> float | None:
    """Cohen's kappa of two coders over the units both coded (NaN/None elsewhere); None when undefined."""
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("cohen_kappa takes two value vectors of the same length")
    both = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[both], b[both]
    if not len(a):
        return None
    values, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inverse[: len(a)], inverse[len(a) :]
    k = len(values)
    table = np.bincount(ia * k + ib, minlength=k * k).reshape(k, k).astype(np.float64) / len(a)
    observed = float(np.trace(table))
    chance = float(table.sum(axis=1) @ table.sum(axis=0))
    if chance >= 1.0:
        return None
    return (observed - chance) / (1.0 - chance)


@dataclass(frozen=True)
class BinaryTallies:
    """Sufficient statistics of binary variables over pairable units, one entry per variable.

    Every field is a sum over units, so variables pool by addition (:meth:`pooled`). ``applied_by`` is per variable
    and coder (over the units that coder shares with at least one other), and ``both`` counts the units where every
    one of exactly two coders applied the variable; the kappa needs both, and only for two coders.
    """

    coders: int
    units: IntArray  # pairable units
    values: IntArray  # pairable values: sum of m_u
    pairs: IntArray  # pairs of values within units: sum of m_u (m_u - 1) / 2
    applied: IntArray  # pairable values that are 1
    disagreeing_pairs: IntArray  # sum of o_u (m_u - o_u), o_u the 1s in unit u
    off_diagonal: FloatArray  # sum_{c != k} o_ck: sum of 2 o_u (m_u - o_u) / (m_u - 1)
    applied_by: IntArray  # variables x coders
    both: IntArray

    def __len__(self) -> int:
        return len(self.units)

    def alpha(self) -> FloatArray:
        """Nominal alpha per variable; NaN where undefined (no variation)."""
        n = self.values.astype(np.float64)
        ones = self.applied.astype(np.float64)
        expected = 2.0 * ones * (n - ones)  # sum_{c != k} n_c n_k for two values
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = 1.0 - (n - 1.0) * self.off_diagonal / expected
        return np.where(expected > 0, alpha, np.nan)

    def percent_agreement(self) -> FloatArray:
        pairs = self.pairs.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            agreement = 1.0 - self.disagreeing_pairs / pairs
        return np.where(pairs > 0, agreement, np.nan)

    def kappa(self) -> FloatArray:
        """Cohen's kappa per variable when there are exactly two coders, else NaN throughout."""
        if self.coders != 2:
            return np.full(len(self), np.nan)
        n = self.units.astype(np.float64)
        a = self.applied_by[:, 0].astype(np.float64)
        b = self.applied_by[:, 1].astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            observed = (n - a - b + 2.0 * self.both) / n
            chance = (a * b + (n - a) * (n - b)) / (n * n)
            kappa = (observed - chance) / (1.0 - chance)
        return np.where((n > 0) & (chance < 1.0), kappa, np.nan)

    def pooled(self) -> BinaryTallies:
        """All variables as one: every (unit, variable) decision is a unit of its own."""

        def total(values: Any) -> Any:
            return np.asarray(values).sum(axis=0, keepdims=True)

        return BinaryTallies(
            self.coders,
            total(self.units),
            total(self.values),
            total(self.pairs),
            total(self.applied),
            total(self.disagreeing_pairs),
            total(self.off_diagonal),
            total(self.applied_by),
            total(self.both),
        )


def tally_binary(
    present: ArrayLike, variable: ArrayLike, unit: ArrayLike, coder: ArrayLike, variables: int
) -> BinaryTallies:
    """Tally binary variables over units from the 1s alone.

    ``present`` is units x coders: True where the coder gave values to the unit (0 or 1), False where missing.
    ``variable``, ``unit`` and ``coder`` are parallel indices of the 1s (repeats count once); a 1 from an absent coder
    is an error. ``variables`` is how many variables there are (a variable without any 1 still has its 0s).
    """
    shown = np.asarray(present, dtype=bool)
    if shown.ndim != 2:
        raise ValueError("present must be units x coders")
    n_units, n_coders = shown.shape
    var = np.asarray(variable, dtype=np.int64)
    uid = np.asarray(unit, dtype=np.int64)
    cid = np.asarray(coder, dtype=np.int64)
    if len(var) and not shown[uid, cid].all():
        raise ValueError("a coder applied a variable to a unit they are marked absent from")
    m = shown.sum(axis=1).astype(np.int64)
    pairable = m >= 2
    n_pairable = int(pairable.sum())
    values = int(m[pairable].sum())
    pairs = int((m[pairable] * (m[pairable] - 1) // 2).sum())

    # the distinct 1s in pairable units
    keep = pairable[uid] if len(uid) else np.zeros(0, dtype=bool)
    key = np.unique((var[keep] * n_units + uid[keep]) * n_coders + cid[keep])
    var_unit, one_coder = np.divmod(key, n_coders)
    one_var = var_unit // n_units
    applied_by = np.bincount(one_var * n_coders + one_coder, minlength=variables * n_coders).reshape(
        variables, n_coders
    )
    # per (variable, unit) with at least one 1: how many 1s
    cells, ones = np.unique(var_unit, return_counts=True)
    cell_var, cell_unit = np.divmod(cells, n_units)
    cell_m = m[cell_unit]
    disagreeing = ones * (cell_m - ones)
    off_diagonal = np.bincount(cell_var, weights=2.0 * disagreeing / (cell_m - 1.0), minlength=variables)
    all_ones = (ones == cell_m) & (cell_m == 2) if n_coders == 2 else np.zeros(len(cells), dtype=bool)
    return BinaryTallies(
        coders=n_coders,
        units=np.full(variables, n_pairable, dtype=np.int64),
        values=np.full(variables, values, dtype=np.int64),
        pairs=np.full(variables, pairs, dtype=np.int64),
        applied=applied_by.sum(axis=1).astype(np.int64),
        disagreeing_pairs=np.bincount(cell_var, weights=disagreeing, minlength=variables).astype(np.int64),
        off_diagonal=off_diagonal.astype(np.float64),
        applied_by=applied_by.astype(np.int64),
        both=np.bincount(cell_var[all_ones], minlength=variables).astype(np.int64),
    )
