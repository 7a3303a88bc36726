"""Trigger words a code's rules lack, mined from the sentences the researchers decided on.

The researchers' decisions (:mod:`fokus.learn.examples`) say, per code, which sentences are about it (positive) and
which are not (negative). A candidate trigger is a lemma or compound part of a sentence (what a rule's ``any``
finds), or two or three lemmas in a row (a ``phrases`` entry). For each candidate and code this module counts

- ``positives``: the code's positive sentences it fires in;
- ``new``: those of them the code's existing rules miss (what it adds to the rules' recall);
- ``negatives``: the code's negative sentences it fires in (what it would suggest wrongly);

and keeps the candidates with at least ``min_support`` new sentences and a precision (positives over positives and
negatives) of at least ``min_precision``. They are ranked by the lower bound of the 95 % Wilson interval of their
precision times their new sentences: a word right 4 times out of 4 ranks below one right 30 times out of 32. Left
out as triggers: stop words and the codebook's ubiquitous lemmas (a rule's ``any`` refuses them; a phrase may hold
them between two other words), numbers and one-letter words, and the lemmas the code's rules name already. A
candidate whose new sentences are all among those of a better-ranked one, without a higher precision, adds
nothing and is dropped ("hente svar" below "svar"). Everything is counted, sorted and tie-broken by the words
themselves: the same decisions always give the same proposals.

The module is pure: sentences in (as lemma sequences and key sets), proposals out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

LEMMA, COMPOUND, PHRASE = "lemma", "compound", "phrase"
PHRASE_LENGTHS = (2, 3)
Z = 1.96  # the Wilson interval's 95 %
MIN_PART = 4  # letters of a compound part taken as a trigger of its own
MIN_REST = 3  # letters a compound has besides that part
WORD = re.compile(r"[^\W\d_][\w-]*")


@dataclass(frozen=True)
class Proposal:
    """One trigger proposed for a code's rules, with its figures on the decided sentences."""

    code: str
    kind: str  # LEMMA, COMPOUND (found as a part of compound words) or PHRASE
    trigger: str  # a lemma, or a phrase's lemmas separated by spaces
    positives: int
    negatives: int
    new: int
    lower: float  # the Wilson lower bound of the precision
    examples: tuple[str, ...] = ()  # for a compound part: the compounds it was found in, most frequent first
    threads: int = 0  # the threads its new sentences come from: one thread's talk may not carry over to others

    @property
    def precision(self) -> float:
        return self.positives / (self.positives + self.negatives)

    @property
    def score(self) -> float:
        return self.lower * self.new

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "trigger": self.trigger,
            "precision": round(self.precision, 3),
            "new": self.new,
            "positives": self.positives,
            "wrong": self.negatives,
            "threads": self.threads,
            "score": round(self.score, 2),
            "found_in": ", ".join(self.examples),
        }


@dataclass
class DecidedSentences:
    """The sentences the mining counts on: each one's chosen lemmas in order and its keys (every candidate lemma
    and compound part, what a rule's ``any`` looks up)."""

    lemmas: list[list[str]]
    keys: list[frozenset[str]]
    threads: list[int] | None = None  # each sentence's thread, to count how many threads a trigger's finds span


def wilson_lower(successes: int, trials: int, z: float = Z) -> float:
    """The lower bound of the Wilson score interval of a proportion (0 for no trials)."""
    if trials == 0:
        return 0.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z * z / trials))


def smoothed_precision(positives: int, negatives: int) -> float:
    """Laplace-smoothed precision, (positives + 1) / (positives + negatives + 2): what a rule's weight is made of."""
    return (positives + 1) / (positives + negatives + 2)


def _part_of(part: str, word: str) -> bool:
    """Whether ``part`` can be a compound part of ``word``: inside it, with a word's worth of letters besides
    ("vakt" of "beredskapsvakt", not "sjekk" of "sjekke", which is another reading of the same word)."""
    return part in word and len(word) - len(part) >= MIN_REST


def _word(lemma: str) -> bool:
    """A lemma that can be a trigger: two letters or more, a letter first, no punctuation ("kl.") but a hyphen."""
    return len(lemma) > 1 and WORD.fullmatch(lemma) is not None


class FeatureMatrix:
    """Which candidate triggers fire in which sentence, as a sparse sentences x candidates matrix (built once for
    every code)."""

    def __init__(self, sentences: DecidedSentences, stop: frozenset[str], ubiquitous: frozenset[str]) -> None:
        self.sentences = sentences
        banned = stop | ubiquitous
        rows: list[int] = []
        names: dict[tuple[str, str], int] = {}
        columns: list[int] = []
        vocabulary = {lemma for lemmas in sentences.lemmas for lemma in lemmas}
        # the single triggers worth trying: the sentences' own lemmas, and compound parts that are words of their own
        # somewhere (not the splitter's "kris" of "krise"); each fires wherever a rule's ``any`` would find it, in
        # any sentence whose keys hold it (another reading of a word included, as the rules' matcher does)
        triggers: set[str] = set()
        for lemmas, keys in zip(sentences.lemmas, sentences.keys, strict=True):
            words = {lemma for lemma in lemmas if _word(lemma)}
            triggers |= words
            triggers |= {
                key
                for key in keys - words
                if len(key) >= MIN_PART and key in vocabulary and any(_part_of(key, w) for w in words) and _word(key)
            }
        triggers -= banned
        for i, (lemmas, keys) in enumerate(zip(sentences.lemmas, sentences.keys, strict=True)):
            found = {("any", key) for key in keys & triggers}
            for n in PHRASE_LENGTHS:
                for start in range(len(lemmas) - n + 1):
                    run = lemmas[start : start + n]
                    if (
                        _word(run[0])
                        and _word(run[-1])
                        and run[0] not in stop
                        and run[-1] not in stop
                        and any(w not in banned for w in run)
                    ):
                        found.add(("phrase", " ".join(run)))
            for feature in found:
                rows.append(i)
                columns.append(names.setdefault(feature, len(names)))
        order = sorted(names, key=lambda f: (f[1], f[0]))  # by the words: a stable column order
        position = np.empty(len(names), dtype=np.int64)
        for new_index, feature in enumerate(order):
            position[names[feature]] = new_index
        self.features = order
        self.column = {feature: j for j, feature in enumerate(order)}
        data = np.ones(len(rows), dtype=np.int32)
        cols = position[np.asarray(columns, dtype=np.int64)] if columns else np.zeros(0, dtype=np.int64)
        shape = (len(sentences.lemmas), len(order))
        self.matrix = sparse.csc_array((data, (np.asarray(rows, dtype=np.int64), cols)), shape=shape)

    def mine(
        self,
        code: str,
        positive: np.ndarray[Any, np.dtype[np.bool_]],
        negative: np.ndarray[Any, np.dtype[np.bool_]],
        caught: np.ndarray[Any, np.dtype[np.bool_]],
        *,
        known: frozenset[str] = frozenset(),
        top: int = 10,
        min_support: int = 3,
        min_precision: float = 0.6,
    ) -> list[Proposal]:
        """The best ``top`` proposals for one code; see the module docstring. ``positive``, ``negative`` and
        ``caught`` (the code's existing rules fire) are per sentence; ``known``: the lemmas and phrases the code's
        rules name already."""
        fresh = positive & ~caught
        pos = self.matrix.T @ positive.astype(np.int32)
        neg = self.matrix.T @ negative.astype(np.int32)
        new = self.matrix.T @ fresh.astype(np.int32)
        candidates: list[tuple[float, int, str, int]] = []
        for j in np.flatnonzero(new >= max(1, min_support)).tolist():
            kind, trigger = self.features[j]
            p, n = int(pos[j]), int(neg[j])
            if trigger in known or p / (p + n) < min_precision:
                continue
            lower = wilson_lower(p, p + n)
            candidates.append((-lower * int(new[j]), -int(new[j]), trigger, j))
        candidates.sort()
        chosen: list[tuple[Proposal, frozenset[int]]] = []
        for _score, _new, _trigger, j in candidates:
            if len(chosen) >= top:
                break
            kind, trigger = self.features[j]
            rows = self.matrix.indices[self.matrix.indptr[j] : self.matrix.indptr[j + 1]]
            covered = frozenset(int(r) for r in rows if fresh[r])
            p, n = int(pos[j]), int(neg[j])
            precision = p / (p + n)
            if any(covered <= other and precision <= best.precision for best, other in chosen):
                continue
            examples: tuple[str, ...] = ()
            if kind == "any":
                kind, examples = self._kind(trigger, [int(r) for r in rows if positive[r]])
            else:
                kind = PHRASE
            threads = self.sentences.threads
            spread = len({threads[r] for r in covered}) if threads is not None else 0
            proposal = Proposal(code, kind, trigger, p, n, int(new[j]), wilson_lower(p, p + n), examples, spread)
            chosen.append((proposal, covered))
        return [proposal for proposal, _ in chosen]

    def fires(self, proposals: Sequence[Proposal]) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Per sentence, whether any of the proposals fires in it (what one rule of them all would catch)."""
        columns = [self.column[("phrase" if p.kind == PHRASE else "any", p.trigger)] for p in proposals]
        if not columns:
            return np.zeros(self.matrix.shape[0], dtype=bool)
        return np.asarray(self.matrix[:, columns].sum(axis=1)).ravel() > 0

    def _kind(self, trigger: str, rows: Sequence[int]) -> tuple[str, tuple[str, ...]]:
        """LEMMA when the trigger is a sentence's own lemma in most of the sentences it fires in, else COMPOUND
        when it is found inside longer lemmas (with the three most frequent), else LEMMA (another reading)."""
        own = sum(1 for r in rows if trigger in self.sentences.lemmas[r])
        if own * 2 >= len(rows):
            return LEMMA, ()
        words: Counter[str] = Counter()
        for r in rows:
            words.update({w for w in self.sentences.lemmas[r] if _part_of(trigger, w)})
        if not words:
            return LEMMA, ()
        return COMPOUND, tuple(w for w, _ in sorted(words.items(), key=lambda item: (-item[1], item[0]))[:3])


def rule_words(specs: Sequence[dict[str, Any]] | None) -> frozenset[str]:
    """Every lemma and phrase a code's rules name (in any, phrases, near, requires): proposing them again is no
    news."""
    found: set[str] = set()
    for spec in specs or ():
        for key in ("any", "phrases", "requires"):
            found.update(spec.get(key) or ())
        near = spec.get("near") or {}
        found.update(near.get("a") or ())
        found.update(near.get("b") or ())
    return frozenset(found)


def rule_weight(positives: int, negatives: int) -> float:
    """A new rule's weight: its smoothed precision on the decided sentences, in [0.05, 0.95], two decimals."""
    return round(min(0.95, max(0.05, smoothed_precision(positives, negatives))), 2)
