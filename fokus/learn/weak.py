"""Weak supervision: the rules label the sentences nobody decided on, and the model learns from those labels too.

A focus group gives a model a few hundred decided sentences; the rules fire on thousands more. Each sentence a
code's rules fire on, where no researcher decided, becomes an extra *yes* for that code, weighted by how often the
researchers confirmed that code's rule suggestions on the sentences they did decide (smoothed: (confirmed + 1) /
(fired + 2)), times :data:`SCALE`, so a rule the team keeps rejecting teaches the model little. These rows only
train: the model's out-of-fold figures, its calibration and its thresholds come from the researchers' decisions
alone, and its vocabulary grows with the words of the sentences the rules found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fokus.learn.combiner import FloatArray

SCALE = 0.5  # a rule's label counts at most half as much as a researcher's


@dataclass
class WeakLabels:
    """Sentences the rules labelled: their lemmas and, per code, the weight of a yes (0 where no rule fired)."""

    texts: list[str]
    weights: FloatArray  # (sentences, codes)

    def __len__(self) -> int:
        return len(self.texts)


def confirmation_rates(fired: np.ndarray[Any, Any], labels: np.ndarray[Any, Any]) -> FloatArray:
    """Per code: of the decided sentences its rules fired on, the smoothed share a researcher coded with it."""
    known = labels >= 0
    hits = fired & known
    confirmed = (hits & (labels == 1)).sum(axis=0)
    return np.asarray((confirmed + 1.0) / (hits.sum(axis=0) + 2.0), dtype=np.float64)


def weak_labels(texts: list[str], fired: np.ndarray[Any, Any], rates: FloatArray, scale: float = SCALE) -> WeakLabels:
    """The sentences where at least one code's rules fired, each fired code weighted by its confirmation rate."""
    rows = np.flatnonzero(fired.any(axis=1))
    weights = np.where(fired[rows], rates[None, :] * scale, 0.0)
    return WeakLabels([texts[i] for i in rows.tolist()], np.asarray(weights, dtype=np.float64))
