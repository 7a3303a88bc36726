"""What each source says about each stored sentence: the rules, the model and the thread (for the combiner).

The combiner (:mod:`fokus.learn.combiner`) is fitted on decided sentences and applied to every sentence, so its
evidence must mean the same in both. The model's part is its probability: out-of-fold for the sentences it was
trained on, its prediction elsewhere. The thread's part is the model's highest probability of the code in the
message's other sentences and in the thread's opening post. The rules' part is read two ways: afresh, with the
pipeline and the current codebook, for sentences a researcher decided on (their stored rule suggestions became
decisions, or never existed where a researcher coded first); and from the stored rule suggestions for the
undecided sentences `fokus suggest` scores, which is what `fokus tag` found there.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.analysis.frame import IntArray
from fokus.domain.chunks import chunks
from fokus.domain.origins import RULE_PREFIX, split_origin
from fokus.learn.combiner import Evidence, FloatArray
from fokus.model import Code, Coding, CodingStatus, Message, Unit

if TYPE_CHECKING:  # spaCy is loaded only when the rules run afresh: `fokus suggest` never needs it
    from spacy.language import Language


@dataclass
class Sentences:
    """Sentence units with where they stand: their message, the thread, and the thread's opening post."""

    ids: IntArray
    messages: IntArray
    threads: IntArray
    posts: IntArray  # the opening post's message id, -1 when the thread has none
    starts: IntArray
    ends: IntArray
    lemmas: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray[Any, Any]) -> Sentences:
        """The sentences at ``rows``, in that order."""
        return Sentences(
            self.ids[rows], self.messages[rows], self.threads[rows], self.posts[rows], self.starts[rows],
            self.ends[rows], [self.lemmas[i] for i in rows.tolist()],
        )  # fmt: skip


def _rows(session: Session, query: Any) -> Sentences:
    rows = session.execute(query).all()
    threads = sorted({row[2] for row in rows})
    post_of: dict[int, int] = {}
    for chunk in chunks(threads):
        posts = select(Message.thread_id, Message.id).where(Message.thread_id.in_(chunk), Message.parent_id.is_(None))
        for thread, mid in session.execute(posts.order_by(Message.created_at, Message.id)):
            post_of.setdefault(thread, mid)

    def ints(i: int) -> IntArray:
        return np.array([row[i] for row in rows], dtype=np.int64)

    return Sentences(
        ints(0),
        ints(1),
        ints(2),
        np.array([post_of.get(row[2], -1) for row in rows], dtype=np.int64),
        ints(3),
        ints(4),
        [row[5] for row in rows],
    )


COLUMNS = (Unit.id, Unit.message_id, Message.thread_id, Unit.start, Unit.end, Unit.lemmas)


def every_sentence(session: Session) -> Sentences:
    """Every sentence unit, in id order."""
    return _rows(session, select(*COLUMNS).join(Message, Message.id == Unit.message_id).order_by(Unit.id))


def around(session: Session, unit_ids: Sequence[int]) -> Sentences:
    """The messages of ``unit_ids`` and their threads' opening posts: every sentence of them, in id order."""
    messages: set[int] = set()
    for chunk in chunks(list(unit_ids)):
        messages.update(session.scalars(select(Unit.message_id).where(Unit.id.in_(chunk))))
    threads: set[int] = set()
    for chunk in chunks(sorted(messages)):
        threads.update(session.scalars(select(Message.thread_id).where(Message.id.in_(chunk))))
    for chunk in chunks(sorted(threads)):
        first = select(Message.id).where(Message.thread_id.in_(chunk), Message.parent_id.is_(None))
        messages.update(session.scalars(first))
    found: list[Sentences] = []
    for chunk in chunks(sorted(messages)):
        query = select(*COLUMNS).join(Message, Message.id == Unit.message_id).where(Unit.message_id.in_(chunk))
        found.append(_rows(session, query.order_by(Unit.id)))
    return _concat(found)


def _concat(parts: list[Sentences]) -> Sentences:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Sentences(empty, empty, empty, empty, empty, empty, [])
    order = np.argsort(np.concatenate([p.ids for p in parts]), kind="stable")

    def cat(name: str) -> IntArray:
        return np.concatenate([getattr(p, name) for p in parts])[order]

    lemmas = [text for p in parts for text in p.lemmas]
    return Sentences(
        cat("ids"), cat("messages"), cat("threads"), cat("posts"), cat("starts"), cat("ends"),
        [lemmas[i] for i in order.tolist()],
    )  # fmt: skip


def context(sentences: Sentences, probabilities: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per sentence and code: the highest probability in the message's other sentences, and in the thread's
    opening post (0 for the post's own sentences); NaN probabilities count as 0."""
    probs = np.nan_to_num(probabilities, nan=0.0)
    codes = probs.shape[1]
    in_message = np.zeros_like(probs)
    in_post = np.zeros_like(probs)
    if not len(sentences) or not codes:
        return in_message, in_post
    order = np.argsort(sentences.messages, kind="stable")
    grouped = sentences.messages[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    message_ids = grouped[starts]
    group_of = np.searchsorted(message_ids, sentences.messages)
    sorted_probs = probs[order]
    best = np.maximum.reduceat(sorted_probs, starts, axis=0)  # (messages, codes)
    # the best of the *other* sentences: the second best where a sentence is its message's best (the first of the
    # message's sentences with the best probability, where several have it)
    group_index = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(grouped)]))
    position = np.arange(len(grouped))[:, None]
    at_best = np.where(sorted_probs == best[group_index], position, len(grouped))
    first_best = np.minimum.reduceat(at_best, starts, axis=0)
    where_best = np.zeros_like(sorted_probs, dtype=bool)
    where_best[first_best, np.arange(codes)[None, :]] = True
    masked = np.where(where_best, -np.inf, sorted_probs)
    second = np.maximum.reduceat(masked, starts, axis=0)
    second[~np.isfinite(second)] = 0.0
    group_sorted = group_of[order]
    other = np.where(where_best, second[group_sorted], best[group_sorted])
    in_message[order] = other
    post_group = np.searchsorted(message_ids, sentences.posts)
    has_post = (sentences.posts >= 0) & (sentences.posts != sentences.messages)
    has_post &= post_group < len(message_ids)
    has_post[has_post] &= message_ids[post_group[has_post]] == sentences.posts[has_post]
    in_post[has_post] = best[post_group[has_post]]
    return in_message, in_post


def model_probabilities(model: Any, sentences: Sentences, codes: list[str]) -> FloatArray:
    """(sentences, codes) probabilities of ``model`` for the combiner's ``codes``; NaN where it has no say."""
    out = np.full((len(sentences), len(codes)), np.nan)
    if not len(sentences) or not model.codes:
        return out
    column = {code: j for j, code in enumerate(codes)}
    mine = [column[c] for c in model.codes if c in column]
    theirs = [j for j, c in enumerate(model.codes) if c in column]
    for start in range(0, len(sentences), 20_000):
        probs = model.probabilities(sentences.lemmas[start : start + 20_000])
        out[start : start + len(probs), mine] = probs[:, theirs]
    return out


def fresh_rule_evidence(
    session: Session, nlp: Language, sentences: Sentences, codes: list[str]
) -> tuple[FloatArray, FloatArray]:
    """The rules run afresh on the sentences' messages: (combined weight, rules fired) per sentence and code."""
    from fokus.nlp.rules import RuleSet, analyse
    from fokus.nlp.sentences import sentence_spans

    weight = np.zeros((len(sentences), len(codes)))
    fired = np.zeros((len(sentences), len(codes)))
    specs = session.execute(select(Code.path, Code.rules).where(Code.codable.is_(True)).order_by(Code.id)).all()
    rules = RuleSet.from_codes(nlp, [(path, spec) for path, spec in specs])
    if not rules.rules or not len(sentences):
        return weight, fired
    column = {code: j for j, code in enumerate(codes)}
    row_of = {
        (m, s, e): i
        for i, (m, s, e) in enumerate(
            zip(sentences.messages.tolist(), sentences.starts.tolist(), sentences.ends.tolist(), strict=True)
        )
    }
    by_message: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for (m, s, e), i in row_of.items():
        by_message[m].append((s, e, i))
    ids = sorted(by_message)
    texts: dict[int, str] = {}
    for chunk in chunks(ids):
        texts.update(session.execute(select(Message.id, Message.text).where(Message.id.in_(chunk))).all())
    for mid, doc in zip(ids, nlp.pipe(texts[mid] for mid in ids), strict=True):
        spans = analyse(doc, sentence_spans(doc))
        for sentence, hits in zip(spans, rules.match(doc, spans), strict=True):
            row = _row_for(by_message[mid], sentence.start, sentence.end)
            for hit in hits:
                j = column.get(hit.code)
                if row is not None and j is not None:
                    weight[row, j] = max(weight[row, j], hit.confidence)
                    fired[row, j] += len(hit.rules)
    return weight, fired


def _row_for(units: list[tuple[int, int, int]], start: int, end: int) -> int | None:
    """The stored sentence a freshly split one is: the same span, else the one it overlaps most (at least half)."""
    best, best_shared = None, 0
    for s, e, i in units:
        if (s, e) == (start, end):
            return i
        shared = min(e, end) - max(s, start)
        if shared * 2 >= min(e - s, end - start) and shared > best_shared:
            best, best_shared = i, shared
    return best


def stored_rule_evidence(session: Session, sentences: Sentences, codes: list[str]) -> tuple[FloatArray, FloatArray]:
    """The rules as `fokus tag` left them: the open rule suggestions' weight and rules, per sentence and code."""
    query = (
        select(Coding.message_id, Coding.start, Coding.end, Code.path, Coding.origin, Coding.confidence, Coding.details)
        .join(Code, Code.id == Coding.code_id)
        .where(Coding.status == CodingStatus.SUGGESTED.value, Coding.origin.like("rule:%"))
    )
    return rule_evidence(session.execute(query), sentences, codes)


def rule_evidence(
    suggestions: Iterable[Sequence[Any]], sentences: Sentences, codes: list[str]
) -> tuple[FloatArray, FloatArray]:
    """The rules' weight and rules per sentence and code from open suggestions given as (message id, start, end,
    code path, origin, confidence, details); suggestions of no rule are passed over."""
    weight = np.zeros((len(sentences), len(codes)))
    fired = np.zeros((len(sentences), len(codes)))
    column = {code: j for j, code in enumerate(codes)}
    row_of = {
        key: i
        for i, key in enumerate(
            zip(sentences.messages.tolist(), sentences.starts.tolist(), sentences.ends.tolist(), strict=True)
        )
    }
    for mid, start, end, path, origin, confidence, details in suggestions:
        i, j = row_of.get((mid, start, end)), column.get(path)
        if i is None or j is None or not origin.startswith(RULE_PREFIX) or split_origin(origin)[0] is None:
            continue
        details = details or {}
        weight[i, j] = float(details.get("rule_confidence", confidence) or 0.0)
        fired[i, j] = float(len(details.get("rules") or (origin,)))
    return weight, fired


def details_of(suggestion: Sequence[Any]) -> dict[str, Any] | None:
    """The details of an open suggestion read with its details as JSON text, last (as
    :func:`fokus.api.suggesting.open_suggestions` reads them), as the JSON column would give them."""
    text = suggestion[-1]
    details: dict[str, Any] | None = None if text is None else json.loads(text)
    return details


def evidence_for(
    sentences: Sentences,
    codes: list[str],
    model_probs: FloatArray,
    rules: tuple[FloatArray, FloatArray],
    rows: np.ndarray[Any, Any] | None = None,
) -> Evidence:
    """The combiner's evidence from its parts (see the module docstring): for every sentence, or for ``rows`` of
    them only, whose ``rules`` are given in that order (the thread's context still reads every sentence)."""
    in_message, in_post = context(sentences, model_probs)
    if rows is None:
        return Evidence(list(codes), rules[0], rules[1], model_probs, in_message, in_post)
    return Evidence(list(codes), rules[0], rules[1], model_probs[rows], in_message[rows], in_post[rows])
