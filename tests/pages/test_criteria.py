"""Criteria files: the study's own file reads, and every mistake is one line naming the file and the line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fokus.analysis.page_metrics import COLUMNS
from fokus.errors import FokusError
from fokus.files.criteria import METRICS, load_criteria

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
title: Suksess
min_posts: 5
normalisation: rank
criteria:
  - metric: E
    weight: 2
  - metric: response_hours
    weight: 0.5
    direction: lower
    note: Raske svar
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kriterier.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file(tmp_path: Path) -> None:
    spec = load_criteria(write(tmp_path, GOOD))
    assert (spec.title, spec.min_posts, spec.normalisation) == ("Suksess", 5, "rank")
    assert [(c.metric, c.weight, c.direction, c.line) for c in spec.criteria] == [
        ("E", 2.0, "higher", 5),
        ("response_hours", 0.5, "lower", 7),
    ]
    assert spec.criteria[1].note == "Raske svar"
    assert spec.text == GOOD
    assert spec.sha256 == hashlib.sha256(GOOD.encode()).hexdigest()


def test_the_defaults(tmp_path: Path) -> None:
    spec = load_criteria(write(tmp_path, "criteria:\n  - {metric: posts_per_week, weight: 1}\n"))
    assert (spec.min_posts, spec.normalisation, spec.criteria[0].direction) == (1, "z", "higher")


def test_the_metrics_are_the_numeric_columns_of_the_metrics() -> None:
    assert set(METRICS) == set(COLUMNS) - {"page", "name", "case"}


def test_the_study_s_criteria_read() -> None:
    spec = load_criteria(REPO / "codebooks" / "kriterier.yaml")
    metrics = [c.metric for c in spec.criteria]
    assert {"E", "C3", "response_rate", "response_hours", "posts_per_week", "dialogue_share"} <= set(metrics)
    assert next(c for c in spec.criteria if c.metric == "response_hours").direction == "lower"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "criteria:\n  - metric: E\n    weight: 1\n  - metric: likes\n    weight: 1\n",
            "line 4: unknown metric 'likes' (one of " + ", ".join(METRICS) + ")",
        ),
        (
            "criteria:\n  - metric: E\n    weight: 0\n",
            "line 3: the weight of E must be a number above 0 and at most 1000000, not 0",
        ),
        (
            "criteria:\n  - metric: E\n    weight: -2\n",
            "line 3: the weight of E must be a number above 0 and at most 1000000, not -2",
        ),
        (
            "criteria:\n  - metric: E\n    weight: tre\n",
            "line 3: the weight of E must be a number above 0 and at most 1000000, not 'tre'",
        ),
        (
            "criteria:\n  - metric: E\n    weight: .nan\n",
            "line 3: the weight of E must be a number above 0 and at most 1000000, not nan",
        ),
        ("criteria:\n  - metric: E\n", "line 2: criterion E has no 'weight'"),
        ("criteria:\n  - weight: 1\n", "line 2: a criterion has no 'metric'"),
        (
            "criteria:\n  - metric: E\n    weight: 1\n    direction: up\n",
            "line 4: unknown direction 'up' (one of higher, lower)",
        ),
        (
            "criteria:\n  - metric: E\n    weigth: 1\n",
            "line 3: unknown key 'weigth' in a criterion (allowed: direction, metric, note, weight)",
        ),
        (
            "criteria:\n  - {metric: E, weight: 1}\n  - {metric: E, weight: 2}\n",
            "line 3: metric 'E' is used twice (first on line 2)",
        ),
        (
            "normalisation: minmax\ncriteria:\n  - {metric: E, weight: 1}\n",
            "line 1: unknown normalisation 'minmax' (one of z, rank)",
        ),
        (
            "min_posts: -1\ncriteria:\n  - {metric: E, weight: 1}\n",
            "line 1: 'min_posts' must be a whole number from 0 to 1000000, not -1",
        ),
        ("criteria: []\n", "line 1: 'criteria' must be a list of at least one criterion"),
        ("title: x\n", "line 1: 'criteria' must be a list of at least one criterion"),
        ("- E\n", "line 1: a criteria file is a mapping with a 'criteria' list"),
        ("criteria:\n  - E\n", "line 2: each criterion must be a mapping with a metric and a weight"),
        (
            "kriterier: []\ncriteria:\n  - {metric: E, weight: 1}\n",
            "line 1: unknown key 'kriterier' in the criteria file (allowed: criteria, description, min_posts,"
            " normalisation, title)",
        ),
    ],
)
def test_bad_files(tmp_path: Path, text: str, error: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FokusError) as caught:
        load_criteria(path)
    assert str(caught.value) == f"{path}:{error}"
