"""Codebook rules compiled to matchers, and applied sentence by sentence.

A rule (under a code in the codebook YAML) fires in a sentence when one of its triggers matches, all its
``requires`` lemmas are there, and none of its ``unless`` lemmas is:

- ``any``: single lemmas, looked up in an index of every token's candidate lemmas and (unless ``compounds: false``)
  its compound parts, so "beredskap" finds "beredskapsplanen" and "kriseberedskap". spaCy's PhraseMatcher cannot do
  this (it compares one attribute value per token), so single lemmas use the index;
- ``phrases``: multi-word lemma sequences, a ``PhraseMatcher`` on ``LEMMA``;
- ``pattern``: spaCy ``Matcher`` token patterns;
- ``near``: a lemma of ``a`` within ``window`` tokens of a lemma of ``b``.

Several rules of one code firing in one sentence make one suggestion whose confidence combines their weights as
independent evidence, 1 - (1 - w1)(1 - w2)...; the strongest rule is its origin, and all of them and the matched
words are kept in its details.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

from fokus.errors import FokusError


@dataclass(frozen=True)
class Rule:
    """One compiled rule; ``rule_id`` is "<code path>:<id>"."""

    rule_id: str
    code: str
    weight: float
    any: frozenset[str]
    compounds: bool
    phrases: tuple[str, ...]
    near: dict[str, Any] | None
    pattern: list[Any] | None
    unless: frozenset[str]
    requires: frozenset[str]
    digest: str

    @classmethod
    def from_spec(cls, code: str, spec: dict[str, Any]) -> Rule:
        canonical = json.dumps({"code": code, **spec}, sort_keys=True, ensure_ascii=False)
        return cls(
            rule_id=f"{code}:{spec['id']}",
            code=code,
            weight=float(spec.get("weight", 0.6)),
            any=frozenset(spec.get("any", ())),
            compounds=bool(spec.get("compounds", True)),
            phrases=tuple(spec.get("phrases", ())),
            near=spec.get("near"),
            pattern=spec.get("pattern"),
            unless=frozenset(spec.get("unless", ())),
            requires=frozenset(spec.get("requires", ())),
            digest=hashlib.sha256(canonical.encode()).hexdigest()[:16],
        )


@dataclass
class Hit:
    """Why a code is suggested for one sentence."""

    code: str
    rules: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    matched: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        remaining = 1.0
        for weight in self.weights:
            remaining *= 1.0 - weight
        return round(min(1.0 - remaining, 0.99), 4)

    @property
    def origin(self) -> str:
        best = max(range(len(self.rules)), key=lambda i: self.weights[i])
        return f"rule:{self.rules[best]}"


class RuleSet:
    """All rules of a codebook, compiled once for a pipeline's vocabulary."""

    def __init__(self, nlp: Language, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.by_lemma: dict[str, list[int]] = defaultdict(list)
        self.by_part: dict[str, list[int]] = defaultdict(list)
        for index, rule in enumerate(self.rules):
            for lemma in rule.any:
                self.by_lemma[lemma].append(index)
                if rule.compounds:
                    self.by_part[lemma].append(index)
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.matcher = Matcher(nlp.vocab)
        for index, rule in enumerate(self.rules):
            if rule.phrases:
                docs = [_lemma_doc(nlp, phrase) for phrase in rule.phrases]
                self.phrase_matcher.add(str(index), docs)
            if rule.pattern:
                try:
                    self.matcher.add(str(index), rule.pattern)
                except (ValueError, KeyError) as exc:
                    raise FokusError(f"rule {rule.rule_id}: the spaCy pattern is not valid: {exc}") from exc
        self.near_rules = [i for i, rule in enumerate(self.rules) if rule.near]
        self.matchers: list[PhraseMatcher | Matcher] = [
            m
            for m in (self.phrase_matcher, self.matcher)
            if len(m)  # an empty matcher only warns
        ]

    @classmethod
    def from_codes(cls, nlp: Language, codes: Iterable[tuple[str, list[dict[str, Any]] | None]]) -> RuleSet:
        """Compile the rules stored with the codes: (path, rules) pairs."""
        return cls(nlp, [Rule.from_spec(path, spec) for path, specs in codes for spec in specs or ()])

    def digests(self) -> dict[str, str]:
        return {rule.rule_id: rule.digest for rule in self.rules}

    def match(self, doc: Doc, spans: Sequence[tuple[int, int]], only: set[str] | None = None) -> list[list[Hit]]:
        """For each sentence (character span) of ``doc``, the codes its rules suggest; ``only`` limits the rules."""
        token_spans = [doc.char_span(start, end, alignment_mode="expand") for start, end in spans]
        fired: list[dict[int, list[Token | tuple[Token, Token]]]] = [defaultdict(list) for _ in spans]
        sentence_of = {}
        for s, span in enumerate(token_spans):
            if span is None:
                continue
            for token in span:
                sentence_of[token.i] = s
        allowed = None if only is None else {i for i, r in enumerate(self.rules) if r.rule_id in only}

        keys: list[set[str]] = [set() for _ in spans]  # every lemma and part in each sentence
        for token in doc:
            where = sentence_of.get(token.i)
            if where is None:
                continue
            lemmas, parts = token._.lemmas or (token.lemma_.lower(),), token._.parts
            keys[where].update(lemmas)
            keys[where].update(parts)
            for lemma in lemmas:
                for index in self.by_lemma.get(lemma, ()):
                    fired[where][index].append(token)
            for part in parts:
                for index in self.by_part.get(part, ()):
                    fired[where][index].append(token)
        for matcher in self.matchers:
            for match_id, start, end in matcher(doc):
                where = sentence_of.get(start)
                if where is not None:
                    fired[where][int(doc.vocab.strings[match_id])].append((doc[start], doc[end - 1]))
        for index in self.near_rules:
            near = self.rules[index].near
            assert near is not None
            self._near(doc, token_spans, index, near, fired)

        results: list[list[Hit]] = []
        for s, by_rule in enumerate(fired):
            hits: dict[str, Hit] = {}
            for index, evidence in sorted(by_rule.items()):
                rule = self.rules[index]
                if allowed is not None and index not in allowed:
                    continue
                if rule.unless & keys[s] or not rule.requires <= keys[s]:
                    continue
                hit = hits.setdefault(rule.code, Hit(rule.code))
                hit.rules.append(rule.rule_id)
                hit.weights.append(rule.weight)
                for item in evidence:
                    first, last = item if isinstance(item, tuple) else (item, item)
                    start, end = first.idx, last.idx + len(last.text)
                    hit.matched.setdefault(
                        (start, end), {"start": start, "end": end, "text": doc.text[start:end], "lemma": first.lemma_}
                    )
            results.append(list(hits.values()))
        return results

    def _near(
        self,
        doc: Doc,
        spans: Sequence[Any],
        index: int,
        near: dict[str, Any],
        fired: list[dict[int, list[Token | tuple[Token, Token]]]],
    ) -> None:
        first, second, window = set(near["a"]), set(near["b"]), int(near["window"])
        for s, span in enumerate(spans):
            if span is None:
                continue
            a_hits = [t for t in span if _keys(t) & first]
            if not a_hits:
                continue
            b_hits = [t for t in span if _keys(t) & second]
            for a in a_hits:
                close = [b for b in b_hits if b.i != a.i and abs(b.i - a.i) <= window]
                if close:
                    fired[s][index].append(a)
                    fired[s][index].append(close[0])


def _keys(token: Token) -> set[str]:
    return {*(token._.lemmas or (token.lemma_.lower(),)), *token._.parts}


def _lemma_doc(nlp: Language, phrase: str) -> Doc:
    words = phrase.split()
    doc = Doc(nlp.vocab, words=words)
    for token, word in zip(doc, words, strict=True):
        token.lemma_ = word
    return doc
