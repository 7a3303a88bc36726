"""Criteria files: which page metrics make a page successful, how much each counts, and how they are put together.

```yaml
title: Suksesskriterier                # optional
min_posts: 10                          # a page with fewer posts in the window is not ranked (default 1)
normalisation: z                       # z (z-score, the default) | rank (centred rank, -1 to 1)
criteria:
  - metric: E                          # a column of `fokus pages metrics`
    weight: 3                          # a positive number; weights are divided by their sum
    direction: higher                  # higher (the default) | lower is better (response_hours)
    note: Engasjement per 1000 følgere # optional, free text
```

One normalisation for the whole file, not one per criterion: a z-score and a rank lie on different scales, and a
weight only says what it seems to say when every criterion is on the same one. Validation is strict, as for
hypothesis files: an unknown key, an unknown metric, a metric twice, a weight that is not a positive number are
errors naming the file and the line. The file's text is kept whole (``text``, ``sha256``) as the provenance of the
scores written from it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.located_yaml import LocatedDict, LocatedList, load_located_yaml

#: The metrics a criterion may name, in the order fokus.analysis.page_metrics reports them (its columns after the
#: page's own): defined here, below the analysis, so that a criteria file is checked without measuring anything.
METRICS = (
    "followers",
    "posts",
    "posts_per_week",
    "P1",
    "P2",
    "P3",
    "C1",
    "C2",
    "C3",
    "V1",
    "V2",
    "V3",
    "E",
    "engagement_rate",
    "dialogue_share",
    "questions",
    "answered",
    "response_rate",
    "response_hours",
    "follower_growth",
    "reach_per_capita",
)
DIRECTIONS = ("higher", "lower")
NORMALISATIONS = ("z", "rank")
TOP_KEYS = frozenset({"title", "description", "min_posts", "normalisation", "criteria"})
CRITERION_KEYS = frozenset({"metric", "weight", "direction", "note"})
MAX_WEIGHT = 1e6


@dataclass(frozen=True, slots=True)
class Criterion:
    """One criterion; ``line`` is where it starts in the file."""

    metric: str
    weight: float
    direction: str  # higher | lower (is better)
    note: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class CriteriaFile:
    """A whole criteria file, criteria in file order, with its text and the text's sha256 (the provenance)."""

    path: str
    title: str | None
    min_posts: int
    normalisation: str
    criteria: tuple[Criterion, ...]
    text: str
    sha256: str


def load_criteria(path: Path) -> CriteriaFile:
    """Read and validate a criteria file; every error names the file and the line."""
    display = str(path)
    data = load_located_yaml(path)
    raw = path.read_bytes()
    try:
        return parse_criteria(data, raw.decode("utf-8-sig"), display)
    except FokusError as exc:
        raise exc.located(display) from None


def _fail(reason: str, line: int, hint: str | None = None) -> FokusError:
    return FokusError(reason, where=f"line {line}", hint=hint)


def _one_of(mapping: LocatedDict, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = mapping.get(key, default)
    if not isinstance(value, str) or value not in allowed:
        raise _fail(
            _("unknown {key} {value!r}").format(key=key, value=value),
            mapping.line_of(key),
            _("one of {choices}").format(choices=", ".join(allowed)),
        )
    return value


def _unknown_keys(mapping: LocatedDict, allowed: frozenset[str], what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise _fail(
                _("unknown key {key!r} in {what}").format(key=key, what=what),
                mapping.line_of(key),
                _("allowed: {keys}").format(keys=", ".join(sorted(allowed))),
            )


def _text(mapping: LocatedDict, key: str) -> str | None:
    value = mapping.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail(_("{key!r} must be text").format(key=key), mapping.line_of(key))
    return " ".join(str(value).split()) or None


def parse_criteria(data: Any, text: str, display: str = "") -> CriteriaFile:
    """Validate the parsed YAML of a criteria file (see the module docstring)."""
    if not isinstance(data, LocatedDict):
        raise _fail(_("a criteria file is a mapping with a 'criteria' list"), getattr(data, "line", 1))
    _unknown_keys(data, TOP_KEYS, _("the criteria file"))
    min_posts = data.get("min_posts", 1)
    if isinstance(min_posts, bool) or not isinstance(min_posts, int) or not 0 <= min_posts <= 1_000_000:
        raise _fail(
            _("'min_posts' must be a whole number from 0 to 1000000, not {value!r}").format(value=min_posts),
            data.line_of("min_posts"),
        )
    normalisation = _one_of(data, "normalisation", NORMALISATIONS, "z")
    items = data.get("criteria")
    if not isinstance(items, LocatedList) or not items:
        line = data.line_of("criteria") if "criteria" in data else data.line
        raise _fail(_("'criteria' must be a list of at least one criterion"), line)
    seen: dict[str, int] = {}
    criteria = []
    for index, item in enumerate(items):
        criterion = _criterion(item, items.line_of(index))
        if criterion.metric in seen:
            raise _fail(
                _("metric {metric!r} is used twice (first on line {seen})").format(
                    metric=criterion.metric, seen=seen[criterion.metric]
                ),
                criterion.line,
            )
        seen[criterion.metric] = criterion.line
        criteria.append(criterion)
    _text(data, "description")
    return CriteriaFile(
        path=display,
        title=_text(data, "title"),
        min_posts=min_posts,
        normalisation=normalisation,
        criteria=tuple(criteria),
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _criterion(item: Any, line: int) -> Criterion:
    if not isinstance(item, LocatedDict):
        raise _fail(_("each criterion must be a mapping with a metric and a weight"), line)
    _unknown_keys(item, CRITERION_KEYS, _("a criterion"))
    metric = item.get("metric")
    if metric is None:
        raise _fail(_("a criterion has no 'metric'"), item.line)
    if not isinstance(metric, str) or metric not in METRICS:
        raise _fail(
            _("unknown metric {metric!r}").format(metric=metric),
            item.line_of("metric"),
            _("one of {choices}").format(choices=", ".join(METRICS)),
        )
    weight = item.get("weight")
    if weight is None:
        raise _fail(_("criterion {metric} has no 'weight'").format(metric=metric), item.line)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, (int, float))
        or not math.isfinite(weight)
        or not 0 < weight <= MAX_WEIGHT
    ):
        raise _fail(
            _("the weight of {metric} must be a number above 0 and at most 1000000, not {weight!r}").format(
                metric=metric, weight=weight
            ),
            item.line_of("weight"),
        )
    direction = _one_of(item, "direction", DIRECTIONS, "higher")
    return Criterion(metric=metric, weight=float(weight), direction=direction, note=_text(item, "note"), line=item.line)
