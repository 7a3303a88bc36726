"""The good-practice passages of a project: overlapping codings of the practice code merged per message, with
their texts, people, themes, summaries and lemmas (steps 1 and 2 of :mod:`fokus.analysis.practices`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.analysis.frame import NONE, CodingFrame, IntArray
from fokus.analysis.practice_report import PracticePassage, Summary
from fokus.analysis.units import unit_keys
from fokus.domain.chunks import chunks
from fokus.model import Memo, Message, Participant, Thread, Unit
from fokus.privacy import Redactor

_SHIFT = np.int64(1 << 32)  # message id and offset packed in one int64, for sorted searches


@dataclass
class PassageGroups:
    """Good-practice codings (frame rows) grouped into passages: one row per passage, sorted by message and start."""

    rows: IntArray  # frame rows of the practice codings, sorted by (message, start, end)
    group: IntArray  # passage index of each of those rows
    message: IntArray
    start: IntArray
    end: IntArray


def passage_groups(frame: CodingFrame, practice_codes: Sequence[int]) -> PassageGroups:
    """Merge overlapping good-practice codings of a message into one passage (vectorised sweep)."""
    rows = np.flatnonzero(np.isin(frame.code, np.asarray(practice_codes, dtype=np.int64)))
    order = np.lexsort((frame.end[rows], frame.start[rows], frame.message[rows]))
    rows = rows[order]
    message, start, end = frame.message[rows], frame.start[rows], frame.end[rows]
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return PassageGroups(rows, empty, empty, empty, empty)
    reach = np.maximum.accumulate(message * _SHIFT + end)  # the furthest end so far (earlier messages are smaller)
    new = np.r_[True, message[1:] * _SHIFT + start[1:] >= reach[:-1]]
    group = np.cumsum(new) - 1
    firsts = np.flatnonzero(new)
    return PassageGroups(
        rows,
        group,
        message[firsts],
        np.minimum.reduceat(start, firsts),
        np.maximum.reduceat(end, firsts),
    )


def _overlapping(groups: PassageGroups, message: IntArray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """(index into the given spans, passage) pairs for every span that overlaps a passage of its message.

    Passages of a message are disjoint and sorted, so the passages a span overlaps are one contiguous run.
    """
    starts = groups.message * _SHIFT + groups.start
    ends = groups.message * _SHIFT + groups.end
    first = np.searchsorted(ends, message * _SHIFT + start, side="right")
    last = np.searchsorted(starts, message * _SHIFT + end, side="left")
    count = np.maximum(last - first, 0)
    spans = np.repeat(np.arange(len(message), dtype=np.int64), count)
    offsets = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return spans, np.repeat(first, count) + offsets


def read_passages(
    frame: CodingFrame,
    groups: PassageGroups,
    practice_codes: Sequence[int],
    theme_codes: set[int] | None,
    redactor: Redactor,
) -> tuple[list[PracticePassage], int]:
    """The passages with their texts, people, themes, summaries and lemmas; and how many were lemmatised now.

    Texts and summaries are as exports show them (names redacted, see fokus.privacy); lemmas are the stored text's.
    """
    session, tree = frame.session, frame.tree
    count = len(groups.message)
    if not count:
        return [], 0
    # themes: the top-level codes of the other codings overlapping each passage
    other = ~np.isin(frame.code, np.asarray(practice_codes, dtype=np.int64))
    if theme_codes is not None:
        other &= np.isin(frame.code, np.asarray(sorted(theme_codes), dtype=np.int64))
    other_rows = np.flatnonzero(other)
    spans, passage_of = _overlapping(groups, frame.message[other_rows], frame.start[other_rows], frame.end[other_rows])
    themes: list[set[str]] = [set() for _ in range(count)]
    for passage, code_id in set(zip(passage_of.tolist(), frame.code[other_rows[spans]].tolist(), strict=True)):
        themes[passage].add(tree.path[tree.theme(code_id)])

    message_ids = groups.message.tolist()
    message_query = select(Message.id, Message.external_id, Message.text, Message.thread_id, Message.participant_id)
    messages = _by_id(session, message_query, Message.id, message_ids)
    redactor.prepare_texts((mid, row[1]) for mid, row in messages.items())
    threads = dict(_rows(session, select(Thread.id, Thread.external_id), Thread.id, [m[2] for m in messages.values()]))
    pseudonyms = dict(
        _rows(session, select(Participant.id, Participant.pseudonym), Participant.id, [m[3] for m in messages.values()])
    )
    coding_ids = frame.id[groups.rows].tolist()
    summaries: dict[int, list[Summary]] = defaultdict(list)
    memo_query = select(Memo.coding_id, Memo.coder_id, Memo.text, Memo.id)
    for coding_id, coder_id, text, _ in sorted(
        _rows(session, memo_query, Memo.coding_id, coding_ids), key=lambda r: r[3]
    ):
        coder = frame.coders.get(coder_id) if coder_id else None
        summaries[coding_id].append(Summary(coding_id, coder, redactor.free(text) or ""))
    lemmas, lemmatised = _lemmas(frame, groups, messages)

    members: list[list[int]] = [[] for _ in range(count)]
    for row, passage in zip(groups.rows.tolist(), groups.group.tolist(), strict=True):
        members[passage].append(row)
    cases = frame.case[groups.rows]
    first_rows = np.r_[0, np.flatnonzero(np.diff(groups.group)) + 1]
    passages = []
    for index in range(count):
        ext, text, thread_id, participant_id = messages[message_ids[index]]
        rows = members[index]
        case_id = int(cases[first_rows[index]])
        start, end = int(groups.start[index]), int(groups.end[index])
        ids = tuple(sorted(int(frame.id[r]) for r in rows))
        passages.append(
            PracticePassage(
                message=redactor.message_id(message_ids[index], ext),
                thread=redactor.thread_id(thread_id, threads.get(thread_id, "")),
                participant=pseudonyms.get(participant_id, ""),
                case=frame.cases.name.get(case_id) if case_id != NONE else None,
                start=start,
                end=end,
                text=redactor.excerpt(message_ids[index], text, start, end),
                coding_ids=ids,
                coders=tuple(sorted({frame.coders.get(int(frame.coder[r]), "") for r in rows})),
                themes=tuple(sorted(themes[index])),
                summaries=tuple(s for cid in ids for s in summaries.get(cid, ())),
                lemmas=lemmas[index],
            )
        )
    return passages, lemmatised


def _rows(session: Session, query: Any, column: Any, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """``query`` restricted to ``column IN ids``, in chunks (SQLite limits the number of parameters)."""
    found: list[tuple[Any, ...]] = []
    for chunk in chunks(sorted(set(ids))):
        found.extend(tuple(row) for row in session.execute(query.where(column.in_(chunk))))
    return found


def _by_id(session: Session, query: Any, column: Any, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in _rows(session, query, column, ids)}


def _lemmas(frame: CodingFrame, groups: PassageGroups, messages: dict[int, tuple[Any, ...]]) -> tuple[list[str], int]:
    """Each passage's lemmas: those of the sentence units its codings belong to, or lemmatised now if untagged."""
    session = frame.session
    count = len(groups.message)
    tagged = {
        m for (m,) in _rows(session, select(Unit.message_id).distinct(), Unit.message_id, groups.message.tolist())
    }
    passage_of_row = np.full(len(frame), NONE, dtype=np.int64)
    passage_of_row[groups.rows] = groups.group
    mask = np.zeros(len(frame), dtype=bool)
    mask[groups.rows] = np.isin(frame.message[groups.rows], np.asarray(sorted(tagged), dtype=np.int64))
    sub_rows, unit_ids = unit_keys(frame.subset(mask), "sentence")
    passage_units = np.unique(np.c_[passage_of_row[mask][sub_rows], unit_ids], axis=0) if len(sub_rows) else None
    unit_lemmas = dict(_rows(session, select(Unit.id, Unit.lemmas), Unit.id, unit_ids.tolist()))
    lemmas: list[list[str]] = [[] for _ in range(count)]
    if passage_units is not None:
        for passage, unit in passage_units.tolist():
            lemmas[passage].append(unit_lemmas.get(unit, ""))
    untagged = [i for i in range(count) if int(groups.message[i]) not in tagged]
    if untagged:
        texts = [messages[int(groups.message[i])][1][int(groups.start[i]) : int(groups.end[i])] for i in untagged]
        for index, found in zip(untagged, _lemmatise(session, texts), strict=True):
            lemmas[index] = [found]
    return [" ".join(parts) for parts in lemmas], len(untagged)


def _lemmatise(session: Session, texts: Sequence[str]) -> list[str]:
    """Lemmas of texts whose messages were never split, with the pipeline `fokus tag` would use."""
    from fokus.domain.settings import MODEL_SETTING, get_setting
    from fokus.nlp import load_pipeline
    from fokus.nlp.rules import analyse

    nlp = load_pipeline(get_setting(session, MODEL_SETTING))
    found = []
    for doc in nlp.pipe(texts, batch_size=256):
        found.append(" ".join(w for s in analyse(doc, [(0, len(doc.text))]) for w in s.lemmas))
    return found
