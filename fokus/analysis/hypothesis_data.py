"""The coded data a hypothesis file is tested on, read once for all its hypotheses (unit keys, populations, the
rows of each code, the passages shown as evidence), and the minimum of it each test needs; see
:mod:`fokus.analysis.hypotheses`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select

from fokus.analysis.frame import NONE, CodingFrame, IntArray, month_of
from fokus.analysis.hypothesis_report import HypothesisResult
from fokus.analysis.page_metrics import Window, page_metrics
from fokus.analysis.passages import coding_details
from fokus.analysis.units import unit_keys, units_of
from fokus.model import Message, Page, Participant, Unit

EVIDENCE_CAP = 20  # passages in JSON; the Markdown quotes the first MARKDOWN_QUOTES
MINIMUMS: dict[str, dict[str, int]] = {
    "association": {"units": 20, "units_per_code": 5},
    "group-difference": {"per_group": 5, "units": 20, "units_with_code": 5},
    "group-difference/case": {"cases_per_group": 3},
    "trend": {"periods": 4, "units_per_period": 5, "units_with_code": 5},
    "correlation": {"cases": 5},
}
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


class HypothesisData:
    """The frame with what several hypotheses ask of it, computed once: unit keys, populations, code rows."""

    def __init__(self, frame: CodingFrame) -> None:
        self.frame = frame
        self.roll_rows, self.roll_codes = frame.rollup()
        self._keys: dict[str, tuple[IntArray, IntArray]] = {}
        self._population: dict[tuple[str, str], IntArray] = {}
        self._unit_cases: dict[tuple[str, str], tuple[IntArray, IntArray]] = {}
        self._messages: tuple[IntArray, IntArray, IntArray, IntArray] | None = None
        self._page_rows: dict[Window, list[dict[str, Any]]] = {}
        self._page_ids: dict[str, int] | None = None

    def page_ids(self) -> dict[str, int]:
        """Each page's id by its external id (the metrics' ``page``)."""
        if self._page_ids is None:
            self._page_ids = dict(self.frame.session.execute(select(Page.external_id, Page.id)).all())
        return self._page_ids

    def has_pages(self) -> bool:
        return bool(self.page_ids())

    def page_rows(self, window: Window) -> list[dict[str, Any]]:
        """The pages' metrics over ``window`` (fokus.analysis.page_metrics), measured once per window."""
        if window not in self._page_rows:
            self._page_rows[window] = page_metrics(self.frame.session, window).pages
        return self._page_rows[window]

    def keys(self, level: str) -> tuple[IntArray, IntArray]:
        if level not in self._keys:
            self._keys[level] = unit_keys(self.frame, level)
        return self._keys[level]

    def population(self, level: str, population: str) -> IntArray:
        if (level, population) not in self._population:
            units = units_of(self.frame, level, population)
            self._population[level, population] = units[units != NONE]
        return self._population[level, population]

    def code_rows(self, path: str) -> BoolArray:
        """Which frame rows carry ``path`` or one of its sub-codes."""
        mask = np.zeros(len(self.frame), dtype=bool)
        mask[self.roll_rows[self.roll_codes == self.frame.tree.id_of(path)]] = True
        return mask

    def units_with(self, path: str, level: str) -> IntArray:
        rows, units = self.keys(level)
        return np.unique(units[self.code_rows(path)[rows]])

    def unit_cases(self, level: str, population: str) -> tuple[IntArray, IntArray]:
        """(unit ids, case ids) for every unit of the population at sentence, message or participant level."""
        key = (level, population)
        if key in self._unit_cases:
            return self._unit_cases[key]
        if population == "coded":
            rows, units = self.keys(level)
            cases = self.frame.case[rows]
            width = np.int64(int(cases.max(initial=0)) + 2)  # (unit, case + 1) packed in one int64 for np.unique
            packed = np.unique(units * width + cases + 1)
            found = (packed // width, packed % width - 1)
        else:
            session = self.frame.session
            query: Any = {
                "participant": select(Participant.id, Participant.case_id),
                "message": select(Message.id, Participant.case_id).join(
                    Participant, Message.participant_id == Participant.id
                ),
                "sentence": select(Unit.id, Participant.case_id)
                .join(Message, Unit.message_id == Message.id)
                .join(Participant, Message.participant_id == Participant.id),
            }[level]
            table = np.array([(u, NONE if c is None else c) for u, c in session.execute(query)], dtype=np.int64)
            table = table.reshape(-1, 2)
            order = np.argsort(table[:, 0], kind="stable")
            found = (table[order, 0], table[order, 1])
        self._unit_cases[key] = found
        return found

    def messages(self) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Every message's id, thread, participant and month (for trends over all units)."""
        if self._messages is None:
            query = select(Message.id, Message.thread_id, Message.participant_id, Message.created_at)
            rows = [(m, t, p, month_of(c)) for m, t, p, c in self.frame.session.execute(query)]
            table = np.array(rows, dtype=np.int64).reshape(-1, 4)
            self._messages = (table[:, 0], table[:, 1], table[:, 2], table[:, 3])
        return self._messages

    def fill_evidence(self, results: list[HypothesisResult]) -> None:
        """Look up the text, message, participant and case of the passages shown (one query for all of them)."""
        wanted = sorted({cid for r in results for p in r.evidence for cid in p.get("coding_ids", ())})
        details = {row["coding_id"]: row for row in coding_details(self.frame.session, wanted)}
        for r in results:
            for passage in r.evidence:
                if "coding_ids" not in passage:
                    continue  # a post, a question or a value (fokus.analysis.hypothesis_behaviour): complete already
                first = details[passage["coding_ids"][0]]
                passage.update(
                    codes=sorted({details[c]["code"] for c in passage["coding_ids"]}),
                    message_id=first["message_id"],
                    created_at=first["created_at"],
                    participant=first["participant"],
                    case=first["case"],
                    text=first["text"],
                )

    def passages(self, rows: IntArray, order: IntArray) -> tuple[int, list[dict[str, Any]]]:
        """The distinct coded spans among frame ``rows`` (two coders' codings of one span are one passage), sorted by
        ``order`` (one key per row; lower first), and the first EVIDENCE_CAP of them with their coding ids."""
        frame = self.frame
        if not len(rows):
            return 0, []
        message, start, end = frame.message[rows], frame.start[rows], frame.end[rows]
        by_span = np.lexsort((end, start, message))
        m, s, e = message[by_span], start[by_span], end[by_span]
        firsts = np.flatnonzero(np.r_[True, (m[1:] != m[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])])
        first_key = np.minimum.reduceat(order[by_span], firsts)
        ranked = np.lexsort((s[firsts], m[firsts], first_key))[:EVIDENCE_CAP]
        bounds = np.r_[firsts, len(rows)]
        shown = []
        for index in ranked.tolist():
            ids = np.unique(frame.id[rows[by_span[bounds[index] : bounds[index + 1]]]])
            span = firsts[index]
            shown.append({"coding_ids": ids.tolist(), "start": int(s[span]), "end": int(e[span])})
        return len(firsts), shown
