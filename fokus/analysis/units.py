"""Units of analysis: which sentence, message, thread, participant or case each coding belongs to.

Message, thread, participant and case follow from the coded message. A sentence is one of the stored coding units
(``fokus tag`` splits every message once); a coding belongs to each sentence it covers at least half of, or that
covers at least half of it (the rule the rules' evaluation uses), and a coding that meets neither (a few words
across a sentence boundary) belongs to the sentence it overlaps most. Codings in messages that were never split
make sentence-level analysis refuse to run rather than count them nowhere.

Which units make up the population, for tests and rates, is a choice the researcher states: ``coded`` (the default)
takes the units in which any coding in scope falls, since a unit nobody coded is not evidence either way; ``all``
takes every unit of the project.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import func, select

from fokus.analysis.frame import NONE, CodingFrame, IntArray, flat_ints
from fokus.domain.chunks import chunks
from fokus.errors import FokusError
from fokus.i18n import N_, _, formats, ngettext
from fokus.model import Case, Message, Participant, Thread, Unit

LEVELS = ("sentence", "message", "thread", "participant", "case")
POPULATIONS = ("coded", "all")
# The levels as people read them, one unit and several (Norwegian nouns do not simply take an "s").
UNIT_NAMES = {
    "sentence": N_("sentence"),
    "message": N_("message"),
    "thread": N_("thread"),
    "participant": N_("participant"),
    "case": N_("case"),
}
UNIT_PLURALS = {
    "sentence": N_("sentences"),
    "message": N_("messages"),
    "thread": N_("threads"),
    "participant": N_("participants"),
    "case": N_("cases"),
}
_SHIFT = np.int64(1 << 32)  # message id and offset packed in one int64, for sorted searches


def check_level(level: str, *, allowed: tuple[str, ...] = LEVELS) -> str:
    if level not in allowed:
        raise FokusError(
            _("unknown unit {unit!r}").format(unit=level), hint=_("one of {choices}").format(choices=", ".join(allowed))
        )
    return level


def unit_keys(frame: CodingFrame, level: str) -> tuple[IntArray, IntArray]:
    """(row index, unit id) pairs: which unit each coding of the frame falls in.

    Rows whose unit is unknown (a participant with no case, at case level) are left out.
    """
    check_level(level)
    rows = np.arange(len(frame), dtype=np.int64)
    if level == "sentence":
        return _sentence_pairs(frame)
    keys = {"message": frame.message, "thread": frame.thread, "participant": frame.participant, "case": frame.case}[
        level
    ]
    keep = keys != NONE
    return rows[keep], keys[keep]


def units_of(frame: CodingFrame, level: str, population: str = "coded") -> IntArray:
    """The sorted ids of the units that make up the population at ``level``; see the module docstring."""
    if population not in POPULATIONS:
        raise FokusError(
            _("unknown population {population!r}").format(population=population),
            hint=_("one of {choices}").format(choices=", ".join(POPULATIONS)),
        )
    if population == "coded":
        return np.unique(unit_keys(frame, level)[1])
    table: Any = {"sentence": Unit, "message": Message, "thread": Thread, "participant": Participant, "case": Case}[
        check_level(level)
    ]
    ids = frame.session.scalars(select(table.id)).all()
    return np.array(sorted(ids), dtype=np.int64)


def unit_count(frame: CodingFrame, level: str) -> int:
    table: Any = {"sentence": Unit, "message": Message, "thread": Thread, "participant": Participant, "case": Case}[
        check_level(level)
    ]
    return int(frame.session.scalar(select(func.count()).select_from(table)) or 0)


def _sentence_pairs(frame: CodingFrame) -> tuple[IntArray, IntArray]:
    if not len(frame):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    messages = np.unique(frame.message)
    connection = frame.session.connection()
    query = select(Unit.message_id, Unit.start, Unit.end, Unit.id)
    if len(messages) * 2 > frame.message_count:  # most messages are coded: read every unit in one pass
        table = flat_ints(connection.execute(query.execution_options(yield_per=20_000)), 4)
        table = table[np.isin(table[:, 0], messages)]
    else:
        parts = [
            flat_ints(connection.execute(query.where(Unit.message_id.in_(chunk))), 4)
            for chunk in chunks(messages.tolist())
        ]
        table = np.concatenate(parts) if parts else np.zeros((0, 4), dtype=np.int64)
    unsplit = len(messages) - len(np.unique(table[:, 0]))
    if unsplit:
        raise FokusError(
            ngettext(
                "{n} coded message is not split into sentences yet",
                "{n} coded messages are not split into sentences yet",
                unsplit,
            ).format(n=formats.number(unsplit)),
            hint=_("run `fokus tag` first, or count by message"),
        )
    order = np.lexsort((table[:, 1], table[:, 0]))
    table = table[order]
    unit_start = table[:, 0] * _SHIFT + table[:, 1]
    unit_end = table[:, 0] * _SHIFT + table[:, 2]
    coding_start = frame.message * _SHIFT + frame.start
    coding_end = frame.message * _SHIFT + frame.end
    first = np.searchsorted(unit_end, coding_start, side="right")  # first unit ending after the coding starts
    last = np.searchsorted(unit_start, coding_end, side="left")  # units starting before the coding ends
    count = np.maximum(last - first, 0)
    rows = np.repeat(np.arange(len(frame), dtype=np.int64), count)
    offsets = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    candidates = np.repeat(first, count) + offsets
    overlap = np.minimum(unit_end[candidates], coding_end[rows])
    overlap -= np.maximum(unit_start[candidates], coding_start[rows])
    shorter = np.minimum(unit_end[candidates] - unit_start[candidates], coding_end[rows] - coding_start[rows])
    keep = overlap * 2 >= shorter
    covered = np.zeros(len(frame), dtype=bool)
    covered[rows[keep]] = True
    # the rest: each coding's candidate with the largest overlap
    rest = ~covered[rows] & (overlap > 0)
    if rest.any():
        r_rows, r_overlap, r_units = rows[rest], overlap[rest], candidates[rest]
        order = np.lexsort((-r_overlap, r_rows))
        r_rows, r_units = r_rows[order], r_units[order]
        firsts = np.r_[True, r_rows[1:] != r_rows[:-1]]
        rows = np.concatenate([rows[keep], r_rows[firsts]])
        candidates = np.concatenate([candidates[keep], r_units[firsts]])
    else:
        rows, candidates = rows[keep], candidates[keep]
    return rows, table[candidates, 3]
