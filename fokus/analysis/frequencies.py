"""Theme frequencies: how often each code comes up, counted five ways, overall or split by case, attribute or month.

A code's frequency depends on what one counts, and researchers need all of it at once: ``codings`` (every coded
passage, by every coder), ``messages``, ``threads``, ``participants`` and ``cases`` (municipalities) with at least one
such coding. With roll-up (the default) a sub-code's codings count for its parent too, and a message coded with two
sub-codes of one theme counts once for the theme. Splits: by ``case``, by ``month`` (of the message, Norwegian time),
or by any case attribute (``fylke``, ``topp10``...). Split rows also give how many messages the group has in all, so
a talkative municipality does not look more interested than it is.

Everything is computed from one :class:`~fokus.analysis.frame.CodingFrame` with ``np.unique`` on packed keys: the cost
is one pass over the codings, whatever the number of codes or groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select

from fokus.analysis.frame import (
    ACCEPTED,
    NONE,
    CodingFrame,
    IntArray,
    Scope,
    load_frame,
    month_label,
    month_of,
    value_label,
)
from fokus.analysis.report import heading, markdown_table
from fokus.i18n import _
from fokus.model import Message, Participant

MEASURES = ("codings", "messages", "threads", "participants", "cases")
NO_CASE = "(ingen kommune)"
BITMAP_CELLS = 64_000_000  # bytes of a bitmap for distinct counting; past it, sort instead


@dataclass
class Grouping:
    """Which group each coding row falls in (an index into ``labels``), and how many messages each group has."""

    name: str
    labels: list[str]
    index: IntArray
    messages: list[int] | None = None


def grouping(frame: CodingFrame, split: str) -> Grouping:
    """The groups of a split: ``case``, ``month`` or a case attribute's name."""
    session = frame.session
    if split == "month":
        months = frame.month
        present = np.unique(months)
        labels = [month_label(int(m)) for m in present]
        per_month: dict[str, int] = {}
        for (created,) in session.execute(select(Message.created_at)):
            label = month_label(month_of(created))
            per_month[label] = per_month.get(label, 0) + 1
        return Grouping("month", labels, np.searchsorted(present, months), [per_month.get(m, 0) for m in labels])
    if split == "case":
        per_case = dict(frame.cases.name)
        keys = frame.case
        # the name itself breaks a tie ("Os" and "OS"): the cases come in the database's order otherwise
        ids = sorted(per_case, key=lambda cid: (per_case[cid].casefold(), per_case[cid]))
        labels = [per_case[cid] for cid in ids] + [NO_CASE]
        lookup = np.full(max([*per_case, 0]) + 2, len(ids), dtype=np.int64)
        for position, cid in enumerate(ids):
            lookup[cid] = position
        counts = _messages_per_case(frame)
        grouped = lookup[np.where(keys == NONE, len(lookup) - 1, keys)]
        return Grouping("case", labels, grouped, [counts.get(cid, 0) for cid in ids] + [counts.get(None, 0)])
    values = frame.cases.attribute(split)
    distinct = sorted({v for v in values.values() if v is not None}, key=lambda v: (str(type(v)), v))
    labels = [value_label(v) for v in distinct] + [value_label(None)]
    slot = {v: i for i, v in enumerate(distinct)}
    table = np.full(max([*frame.cases.name, 0]) + 2, len(distinct), dtype=np.int64)
    for cid, value in values.items():
        if value is not None:
            table[cid] = slot[value]
    cases = frame.case
    messages = [0] * len(labels)
    for case_id, count in _messages_per_case(frame).items():
        value = values.get(case_id) if case_id is not None else None
        messages[slot[value] if value is not None else len(distinct)] += count
    return Grouping(split, labels, table[np.where(cases == NONE, len(table) - 1, cases)], messages)


def _messages_per_case(frame: CodingFrame) -> dict[int | None, int]:
    query = (
        select(Participant.case_id, func.count(Message.id))
        .join(Participant, Message.participant_id == Participant.id)
        .group_by(Participant.case_id)
    )
    return dict(frame.session.execute(query).all())


def distinct_counts(key: IntArray, entity: IntArray, size: int) -> IntArray:
    """For each key in ``range(size)``, how many distinct entities occur with it (entities may be NONE: skipped).

    A bitmap of (key, entity) cells when it is small (one pass, no sort), ``np.unique`` on packed pairs otherwise.
    """
    keep = entity != NONE
    key, entity = key[keep], entity[keep]
    if not len(key):
        return np.zeros(size, dtype=np.int64)
    width = int(entity.max()) + 1
    if size * width <= BITMAP_CELLS:
        seen = np.zeros(size * width, dtype=bool)
        seen[key * width + entity] = True
        counted: IntArray = seen.reshape(size, width).sum(axis=1).astype(np.int64)
        return counted
    pairs = np.unique(key * np.int64(width) + entity)
    unique: IntArray = np.bincount(pairs // width, minlength=size).astype(np.int64)
    return unique


@dataclass
class FrequencyReport:
    """Frequencies per code (and group); ``rows()`` is tidy, one code (and group) per row."""

    scope: Scope
    rollup: bool
    split: str | None
    table: list[dict[str, Any]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # the split's values, in order

    @property
    def title(self) -> str:
        """The table's title in the reader's language."""
        suggested = "suggested" in self.scope.statuses
        if suggested:
            counted = (
                _("accepted and suggested codings, sub-codes rolled up")
                if self.rollup
                else _("accepted and suggested codings")
            )
        else:
            counted = _("accepted codings, sub-codes rolled up") if self.rollup else _("accepted codings")
        if self.split:
            return _("Theme frequencies by {split} ({counted})").format(split=heading(self.split), counted=counted)
        return _("Theme frequencies ({counted})").format(counted=counted)

    def columns(self) -> list[str]:
        head = ["code", "name", "level"]
        if self.split:
            return [*head, self.split, *MEASURES, "group_messages", "share_of_messages"]
        return [*head, *MEASURES]

    def terminal_columns(self) -> list[str]:
        return [c for c in self.columns() if c not in ("name", "level", "group_messages")]

    def rows(self) -> list[dict[str, Any]]:
        return self.table

    def as_json(self) -> Any:
        return {
            "statuses": list(self.scope.statuses),
            "coders": list(self.scope.coders) or None,
            "rollup": self.rollup,
            "split": self.split,
            "rows": self.table,
        }

    def markdown(self) -> str:
        lines = [f"# {self.title}", ""]
        lines.append(
            _(
                "Counted as codings (every coded passage), and as the messages, threads, participants and"
                " municipalities with at least one."
            )
        )
        lines += ["", markdown_table(self.table, self.columns())]
        return "\n".join(lines)


def frequencies(
    session: Any, *, scope: Scope = ACCEPTED, rollup: bool = True, split: str | None = None
) -> FrequencyReport:
    """Theme frequencies; see the module docstring. ``split`` is None, ``case``, ``month`` or an attribute name."""
    frame = load_frame(session, scope)
    return frequencies_of(frame, rollup=rollup, split=split)


def frequencies_of(frame: CodingFrame, *, rollup: bool = True, split: str | None = None) -> FrequencyReport:
    report = FrequencyReport(frame.scope, rollup, split)
    rows, codes = frame.rollup(rollup)
    order = frame.tree.order
    position = np.full(max([*order, 0]) + 1, NONE, dtype=np.int64)
    for index, cid in enumerate(order):
        position[cid] = index
    code_index = position[codes]
    groups = grouping(frame, split) if split else None
    width = len(groups.labels) if groups else 1
    report.groups = groups.labels if groups else []
    key = code_index * width + (groups.index[rows] if groups else 0)
    size = len(order) * width
    entities = {
        "messages": frame.message[rows],
        "threads": frame.thread[rows],
        "participants": frame.participant[rows],
        "cases": frame.case[rows],
    }
    counts = {"codings": np.bincount(key, minlength=size)}
    counts.update({name: distinct_counts(key, values, size) for name, values in entities.items()})
    for index, cid in enumerate(order):
        for g in range(width):
            k = index * width + g
            if split and counts["codings"][k] == 0:
                continue
            row: dict[str, Any] = {
                "code": frame.tree.path[cid],
                "name": frame.tree.name[cid],
                "level": len(frame.tree.ancestors(cid)),
            }
            if groups:
                row[groups.name] = groups.labels[g]
            row.update({name: int(counts[name][k]) for name in MEASURES})
            if groups and groups.messages is not None:
                total = groups.messages[g]
                row["group_messages"] = total
                row["share_of_messages"] = round(row["messages"] / total, 4) if total else None
            elif groups:
                row["group_messages"] = None
                row["share_of_messages"] = None
            report.table.append(row)
    return report
