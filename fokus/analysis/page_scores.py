"""Success scores and the selection of the best pages, with how robust the selection is to the weights.

From the metrics per page (:mod:`fokus.analysis.page_metrics`) and a criteria file (:mod:`fokus.files.criteria`):

- pages with fewer posts in the window than the file's ``min_posts`` are not ranked;
- each criterion's metric is normalised over the ranked pages: ``z`` is (value - mean) / standard deviation
  (population; 0 for every page when all are equal), ``rank`` is the average rank centred to run from -1 (lowest)
  to 1 (highest), ties sharing their mean rank; a criterion where lower is better is turned round. A page without a
  value for a metric (no followers known, no question to answer) gets 0 there, the average page, and a note says so;
- the score is the weighted mean of the normalised values (weights divided by their sum);
- ranks run from 1 (the highest score). Equal scores (to nine decimals, so that the order of additions cannot part
  them) are ordered by the page's name in Norwegian alphabetical order, then its id: the same order every run;
- the top N for each N asked (``topp10``, ``topp30``) are the pages ranked N or better.

Sensitivity: the weights are drawn again ``samples`` times from a Dirichlet distribution whose mean is the given
weights (concentration :data:`CONCENTRATION` times the weights' shares, seeded), the pages ranked by the same rule
each time; ``stays_topN`` is the share of the draws in which a page is in the top N. The report names every page
whose place is not settled: in or out of the top N in fewer than 95% of the draws.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from fokus.analysis.page_metrics import PageMetricsReport
from fokus.analysis.report import Figure, Phrase, cell, heading, markdown_table, shown
from fokus.files.criteria import CriteriaFile
from fokus.i18n import N_, _, formats

#: How tightly the drawn weights gather around the given ones: each weight's Dirichlet parameter is this times its
#: share, so four equal weights (0.25) vary with a standard deviation of about 0.09.
CONCENTRATION = 20.0
#: A page in (or out of) the top N in fewer than this share of the draws is named as borderline.
SETTLED = 0.95
TIE_DIGITS = 9
SCORE_HEADINGS = {"rank": N_("rank"), "page": N_("page"), "posts": N_("posts"), "score": N_("score"), "run": N_("run")}


def top_name(n: int) -> str:
    """The case attribute and column of the top N: ``topp10`` (the study's Norwegian name)."""
    return f"topp{n}"


def stays_name(n: int) -> str:
    return f"stays_top{n}"


@dataclass
class ScoreReport:
    """The scores and ranks of every page, how often each stays in each top N, and what the scoring was made of."""

    pages: list[dict[str, Any]]
    tops: tuple[int, ...]
    criteria: list[dict[str, Any]]  # metric, weight (as given), share (of the weights), direction
    criteria_sha256: str
    normalisation: str
    min_posts: int
    window: tuple[date | None, date | None]
    samples: int
    seed: int
    notes: list[Phrase] = field(default_factory=list)
    run: int | None = None  # the ScoreRun once written
    at: datetime | None = None

    @property
    def title(self) -> str:
        """The report's title in the reader's language, naming the score run once it is written."""
        if self.run is None:
            return _("Scores and ranks of the pages")
        return _("Scores and ranks of the pages (score run {run})").format(run=self.run)

    def columns(self) -> list[str]:
        tops = [top_name(n) for n in self.tops] + ([stays_name(n) for n in self.tops] if self.samples else [])
        return ["rank", "page", "name", "case", "posts", "score", *tops, "run", "criteria_sha256"]

    def terminal_columns(self) -> list[str]:
        return [c for c in self.columns() if c not in ("page", "criteria_sha256", "run")]

    def heading(self, column: str) -> str:
        if column in SCORE_HEADINGS:
            return _(SCORE_HEADINGS[column])
        for n in self.tops:
            if column == stays_name(n):
                return _("stays in top {n}").format(n=n)
        return heading(column)

    def rows(self) -> list[dict[str, Any]]:
        return [{**row, "run": self.run, "criteria_sha256": self.criteria_sha256} for row in self.pages]

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "at": self.at.isoformat() if self.at else None,
            "criteria_sha256": self.criteria_sha256,
            "criteria": self.criteria,
            "normalisation": self.normalisation,
            "min_posts": self.min_posts,
            "window": {"from": _iso(self.window[0]), "to": _iso(self.window[1])},
            "tops": list(self.tops),
            "samples": self.samples,
            "seed": self.seed,
            "concentration": CONCENTRATION,
            "pages": self.pages,
            "notes": [str(note) for note in self.notes],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], run: int, at: datetime) -> ScoreReport:
        """A stored run (ScoreRun.results) as a report again; its notes in English, as they were stored."""
        window = data.get("window", {})
        return cls(
            pages=list(data.get("pages", [])),
            tops=tuple(data.get("tops", [])),
            criteria=list(data.get("criteria", [])),
            criteria_sha256=str(data.get("criteria_sha256", "")),
            normalisation=str(data.get("normalisation", "")),
            min_posts=int(data.get("min_posts", 0)),
            window=(_day(window.get("from")), _day(window.get("to"))),
            samples=int(data.get("samples", 0)),
            seed=int(data.get("seed", 0)),
            notes=[Phrase(str(note)) for note in data.get("notes", [])],
            run=run,
            at=at,
        )

    def borderline(self) -> list[Phrase]:
        """A sentence for each page whose place in a top N the weights do not settle."""
        sentences = []
        for n in self.tops:
            for row in self.pages:
                share = row.get(stays_name(n))
                if share is not None and 1 - SETTLED < share < SETTLED:
                    sentences.append(
                        Phrase(
                            N_("{page} (rank {rank}) is in the top {n} in {share} of {samples} weightings."),
                            page=row["name"],
                            rank=row["rank"],
                            n=n,
                            share=Figure(share, "share"),
                            samples=Figure(self.samples, "int"),
                        )
                    )
        return sentences

    def markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        if self.run is not None:
            lines += [_("Score run {run}, criteria file sha256 {sha}.").format(run=self.run, sha=self.criteria_sha256)]
        start, end = self.window
        lines += [
            _("Window: {start} to {end}; pages with at least {min} posts ranked; normalisation: {how}.").format(
                start=formats.date(start) if start else "—",
                end=formats.date(end) if end else "—",
                min=self.min_posts,
                how=self.normalisation,
            ),
            "",
            "| " + " | ".join((_("metric"), _("weight"), _("share"), _("better"))) + " |",
            "|---|---|---|---|",
        ]
        for criterion in self.criteria:
            better = _("higher") if criterion["direction"] == "higher" else _("lower")
            lines.append(
                f"| {criterion['metric']} | {cell(criterion['weight'])} | {cell(criterion['share'])} | {better} |"
            )
        table = markdown_table(self.rows(), self.terminal_columns()).split("\n")
        table[0] = "| " + " | ".join(self.heading(c) for c in self.terminal_columns()) + " |"
        lines += ["", *table]
        if self.samples:
            lines += ["", f"## {_('Sensitivity to the weights')}", ""]
            sentences = self.borderline()
            lines += [f"- {shown(s)}" for s in sentences] or [
                _("Every page is in or out of each top N in at least 95% of {samples} weightings.").format(
                    samples=formats.number(self.samples)
                )
            ]
        if self.notes:
            lines += ["", f"## {_('Notes')}", ""] + [f"- {shown(note)}" for note in self.notes]
        return "\n".join(lines) + "\n"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: Any) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) else None


def normalised(values: list[float | None], method: str) -> list[float]:
    """Each value normalised over the known ones (see the module docstring); 0 for a missing value."""
    known = [v for v in values if v is not None]
    if method == "z":
        if len(known) < 2:
            return [0.0] * len(values)
        mean, sd = statistics.fmean(known), statistics.pstdev(known)
        return [0.0 if v is None or sd == 0 else (v - mean) / sd for v in values]
    ordered = sorted(known)
    m = len(ordered)
    if m < 2:
        return [0.0] * len(values)
    first: dict[float, int] = {}
    last: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
        last[value] = position
    middle, half = (m + 1) / 2, (m - 1) / 2
    return [0.0 if v is None else ((first[v] + last[v]) / 2 - middle) / half for v in values]


def score_pages(
    metrics: PageMetricsReport,
    criteria: CriteriaFile,
    *,
    tops: tuple[int, ...] = (10, 30),
    samples: int = 1000,
    seed: int = 0,
) -> ScoreReport:
    """Score, rank and select the pages (see the module docstring); pages as the metrics list them."""
    ranked = [row for row in metrics.pages if row["posts"] >= criteria.min_posts]
    total = sum(c.weight for c in criteria.criteria)
    shares = [c.weight / total for c in criteria.criteria]
    notes: list[Phrase] = []
    columns = []
    for criterion in criteria.criteria:
        values = [row[criterion.metric] for row in ranked]
        missing = sum(v is None for v in values)
        if missing:
            notes.append(
                Phrase(
                    N_("{count} ranked pages have no {metric}: they count as the average page on it."),
                    count=Figure(missing, "int"),
                    metric=criterion.metric,
                )
            )
        column = normalised(values, criteria.normalisation)
        columns.append([-v for v in column] if criterion.direction == "lower" else column)
    scores = [sum(share * column[i] for share, column in zip(shares, columns, strict=True)) for i in range(len(ranked))]
    order = _ranking(scores)
    rank_of = {index: position + 1 for position, index in enumerate(order)}
    stays = _stays(columns, shares, tops, samples, seed) if ranked and samples else {}
    unranked = len(metrics.pages) - len(ranked)
    if unranked:
        notes.append(
            Phrase(
                N_("{count} pages have fewer than {min} posts in the window and are not ranked."),
                count=Figure(unranked, "int"),
                min=Figure(criteria.min_posts, "int"),
            )
        )
    rows = []
    for index in order:
        row = ranked[index]
        out = {k: row[k] for k in ("page", "name", "case", "posts")}
        out["score"] = round(scores[index], TIE_DIGITS)
        out["rank"] = rank_of[index]
        for n in tops:
            out[top_name(n)] = rank_of[index] <= n
        for n in tops if samples else ():
            out[stays_name(n)] = stays[n][index] if stays else None
        rows.append(out)
    for row in metrics.pages:
        if row["posts"] < criteria.min_posts:
            out = {k: row[k] for k in ("page", "name", "case", "posts")} | {"score": None, "rank": None}
            out |= {top_name(n): False for n in tops} | {stays_name(n): None for n in tops if samples}
            rows.append(out)
    return ScoreReport(
        pages=rows,
        tops=tops,
        criteria=[
            {"metric": c.metric, "weight": c.weight, "share": s, "direction": c.direction}
            for c, s in zip(criteria.criteria, shares, strict=True)
        ],
        criteria_sha256=criteria.sha256,
        normalisation=criteria.normalisation,
        min_posts=criteria.min_posts,
        window=metrics.days or (metrics.window.start, metrics.window.end),
        samples=samples,
        seed=seed,
        notes=metrics.notes + notes,
    )


def _ranking(scores: list[float]) -> list[int]:
    """Indices from the highest score down; equal scores (to TIE_DIGITS) keep the pages' order (by name)."""
    return sorted(range(len(scores)), key=lambda i: -round(scores[i], TIE_DIGITS))


def _stays(
    columns: list[list[float]], shares: list[float], tops: tuple[int, ...], samples: int, seed: int
) -> dict[int, list[float]]:
    """For each N, each ranked page's share of the Dirichlet draws of weights that put it in the top N."""
    import numpy as np

    normalised_values = np.array(columns, dtype=float).T  # pages x criteria
    weights = np.random.default_rng(seed).dirichlet(np.array(shares) * CONCENTRATION, size=samples)
    scores = np.round(normalised_values @ weights.T, TIE_DIGITS)  # pages x draws
    order = np.argsort(-scores, axis=0, kind="stable")  # stable: equal scores keep the pages' order
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(scores.shape[0])[:, None].repeat(samples, axis=1), axis=0)
    return {n: [float(x) for x in (ranks < n).mean(axis=1)] for n in tops}
