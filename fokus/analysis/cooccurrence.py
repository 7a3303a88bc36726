"""Which codes occur together: pairs of codes in the same sentence, message, thread or case, and NVivo's matrix.

For a unit level, the coded units form a binary incidence matrix X (units x codes) built from the distinct
(unit, code) pairs; ``X.T @ X`` (one sparse product) holds, for every pair of codes at once, ``n_ab``: the units where
both occur, and on its diagonal ``n_a``: the units where each occurs. From these:

- ``jaccard`` = n_ab / (n_a + n_b - n_ab): of the units with either code, the share that has both;
- ``c``, ATLAS.ti's code co-occurrence coefficient, the same formula with ATLAS.ti's frequencies: n_a and n_b count
  the code's codings (its quotations, every coder's), n_ab the units where the two co-occur. Codes applied many times
  to few units get a lower c than Jaccard; like ATLAS.ti's, it carries no p-value (a hypothesis file does the test);
- ``expected`` = n_a n_b / N, the co-occurrences chance alone would give among the N coded units, and ``lift`` =
  n_ab / expected.

The matrix coding query (``matrix``) crosses codes with the values of a case attribute: each cell counts the units
coded with the code in the cases that have the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from fokus.analysis.frame import ACCEPTED, NONE, CodingFrame, Scope, load_frame
from fokus.analysis.frequencies import MEASURES, frequencies_of
from fokus.analysis.report import heading, markdown_table
from fokus.analysis.units import UNIT_NAMES, UNIT_PLURALS, check_level, unit_keys
from fokus.i18n import _, formats, ngettext

COOC_LEVELS = ("sentence", "message", "thread", "case")


@dataclass
class CooccurrenceReport:
    scope: Scope
    level: str
    rollup: bool
    units: int  # N: coded units at the level
    codes: list[str]
    n: dict[str, int]  # units per code
    codings: dict[str, int]
    pairs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return ngettext(
            "Code co-occurrence by {unit} ({n} coded unit)",
            "Code co-occurrence by {unit} ({n} coded units)",
            self.units,
        ).format(unit=_(UNIT_NAMES[self.level]), n=formats.number(self.units))

    def columns(self) -> list[str]:
        return ["code_a", "code_b", "n_a", "n_b", "n_ab", "expected", "lift", "jaccard", "c"]

    def rows(self) -> list[dict[str, Any]]:
        return self.pairs

    def as_json(self) -> Any:
        return {
            "level": self.level,
            "rollup": self.rollup,
            "statuses": list(self.scope.statuses),
            "units": self.units,
            "codes": [{"code": c, "units": self.n[c], "codings": self.codings[c]} for c in self.codes],
            "pairs": self.pairs,
        }

    def markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        lines.append(
            _(
                "n_ab: {units} where both codes occur; jaccard = n_ab / (n_a + n_b - n_ab); c: ATLAS.ti's"
                " coefficient with the codes' codings as n_a and n_b; lift = n_ab / expected under independence."
            ).format(units=_(UNIT_PLURALS[self.level]))
        )
        lines += ["", markdown_table(self.pairs, self.columns())]
        return "\n".join(lines)

    def matrix(self, value: str = "n_ab") -> tuple[list[str], np.ndarray[Any, np.dtype[np.float64]]]:
        """The codes and a symmetric matrix of one figure (for the heatmap); the diagonal holds n_a for counts."""
        index = {c: i for i, c in enumerate(self.codes)}
        grid = np.zeros((len(self.codes), len(self.codes)))
        for pair in self.pairs:
            a, b = index[pair["code_a"]], index[pair["code_b"]]
            grid[a, b] = grid[b, a] = pair[value] or 0
        if value == "n_ab":
            for code, i in index.items():
                grid[i, i] = self.n[code]
        return self.codes, grid


def cooccurrence(
    session: Any,
    *,
    scope: Scope = ACCEPTED,
    level: str = "message",
    rollup: bool = False,
    min_count: int = 1,
) -> CooccurrenceReport:
    """Every pair of codes that co-occurs in at least ``min_count`` units; see the module docstring."""
    return cooccurrence_of(load_frame(session, scope), level=level, rollup=rollup, min_count=min_count)


def cooccurrence_of(
    frame: CodingFrame, *, level: str = "message", rollup: bool = False, min_count: int = 1
) -> CooccurrenceReport:
    check_level(level, allowed=COOC_LEVELS)
    rows, codes = frame.rollup(rollup)
    unit_rows, unit_ids = unit_keys(frame, level)
    # a coding row may fall in several sentences: join (row -> unit) with (row -> code)
    per_row = np.full(len(frame), NONE, dtype=np.int64)
    if level != "sentence":
        per_row[unit_rows] = unit_ids
        unit_of_pair, code_of_pair = per_row[rows], codes
        keep = unit_of_pair != NONE
        unit_of_pair, code_of_pair = unit_of_pair[keep], code_of_pair[keep]
    else:
        order = np.argsort(unit_rows, kind="stable")
        unit_rows, unit_ids = unit_rows[order], unit_ids[order]
        starts = np.searchsorted(unit_rows, rows, side="left")
        ends = np.searchsorted(unit_rows, rows, side="right")
        count = ends - starts
        offsets = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        unit_of_pair = unit_ids[np.repeat(starts, count) + offsets]
        code_of_pair = np.repeat(codes, count)
    ordered = list(frame.tree.order)
    column = np.full(max([*ordered, 0]) + 1, NONE, dtype=np.int64)
    for index, cid in enumerate(ordered):
        column[cid] = index
    code_col = column[code_of_pair]
    units, unit_row = np.unique(unit_of_pair, return_inverse=True)
    incidence = sparse.coo_matrix(
        (np.ones(len(unit_row), dtype=np.int64), (unit_row, code_col)), shape=(len(units), len(ordered))
    ).tocsr()
    incidence.sum_duplicates()
    incidence.data[:] = 1  # presence: several codings of a code in one unit count once
    product = (incidence.T @ incidence).tocoo()
    n_units = np.asarray(incidence.sum(axis=0)).ravel()
    codings_per_code = np.bincount(column[codes], minlength=len(ordered))
    paths = [frame.tree.path[cid] for cid in ordered]
    used = [i for i in range(len(ordered)) if n_units[i] > 0]
    report = CooccurrenceReport(
        frame.scope,
        level,
        rollup,
        len(units),
        [paths[i] for i in used],
        {paths[i]: int(n_units[i]) for i in used},
        {paths[i]: int(codings_per_code[i]) for i in used},
    )
    total = len(units)
    keep_pairs = (product.row < product.col) & (product.data >= min_count)
    a_index, b_index, both = product.row[keep_pairs], product.col[keep_pairs], product.data[keep_pairs]
    order = np.lexsort((b_index, a_index))
    for a, b, n_ab in zip(a_index[order].tolist(), b_index[order].tolist(), both[order].tolist(), strict=True):
        n_a, n_b = int(n_units[a]), int(n_units[b])
        g_a, g_b = int(codings_per_code[a]), int(codings_per_code[b])
        expected = n_a * n_b / total if total else 0.0
        report.pairs.append(
            {
                "code_a": paths[a],
                "code_b": paths[b],
                "n_a": n_a,
                "n_b": n_b,
                "n_ab": int(n_ab),
                "expected": round(expected, 3),
                "lift": round(n_ab / expected, 3) if expected else None,
                "jaccard": round(n_ab / (n_a + n_b - n_ab), 4),
                "c": round(n_ab / (g_a + g_b - n_ab), 4),
            }
        )
    return report


@dataclass
class MatrixReport:
    """NVivo's matrix coding query: codes (rows) by the values of a case attribute (columns)."""

    attribute: str
    measure: str
    values: list[str]
    cells: dict[str, dict[str, int]]  # code -> value -> count
    names: dict[str, str]
    group_messages: dict[str, int | None]

    @property
    def title(self) -> str:
        return _("Codes by {attribute} ({measure})").format(
            attribute=heading(self.attribute), measure=heading(self.measure)
        )

    def columns(self) -> list[str]:
        return ["code", "name", *self.values]

    def rows(self) -> list[dict[str, Any]]:
        return [{"code": code, "name": self.names[code], **cells} for code, cells in self.cells.items()]

    def tidy(self) -> list[dict[str, Any]]:
        return [
            {"code": code, self.attribute: value, self.measure: count}
            for code, cells in self.cells.items()
            for value, count in cells.items()
        ]

    def as_json(self) -> Any:
        return {
            "attribute": self.attribute,
            "measure": self.measure,
            "values": self.values,
            "group_messages": self.group_messages,
            "rows": [{"code": code, "counts": cells} for code, cells in self.cells.items()],
        }

    def markdown(self) -> str:
        return "\n".join(
            [
                f"# {self.title}",
                "",
                _(
                    "Each cell: the {measure} coded with the code among the municipalities with that {attribute}."
                ).format(measure=heading(self.measure), attribute=heading(self.attribute)),
                "",
                markdown_table(self.rows(), self.columns()),
            ]
        )


def matrix(
    session: Any, attribute: str, *, scope: Scope = ACCEPTED, measure: str = "messages", rollup: bool = True
) -> MatrixReport:
    """Codes by the values of a case attribute (or ``case`` itself), counted as one of the frequency measures."""
    if measure not in MEASURES:
        from fokus.errors import FokusError

        raise FokusError(
            _("unknown measure {measure!r}").format(measure=measure),
            hint=_("one of {choices}").format(choices=", ".join(MEASURES)),
        )
    frame = load_frame(session, scope)
    report = frequencies_of(frame, rollup=rollup, split=attribute)
    split = report.split or attribute
    present = {row[split] for row in report.table}
    values = [label for label in report.groups if label in present]
    cells: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    totals: dict[str, int | None] = {}
    for cid in frame.tree.order:
        path = frame.tree.path[cid]
        cells[path] = {}
        names[path] = frame.tree.name[cid]
    for row in report.table:
        value = row[split]
        cells[row["code"]][value] = row[measure]
        totals[value] = row["group_messages"]
    for path in cells:
        cells[path] = {value: cells[path].get(value, 0) for value in values}
    return MatrixReport(attribute, measure, values, cells, names, totals)
