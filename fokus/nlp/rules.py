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

import functools
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.nlp.forms import text_of
from fokus.nlp.lemmatizer import LEMMAS, PARTS
from fokus.nlp.patterns import TokenPatterns, Words, compile_patterns


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
        self.matcher = Matcher(nlp.vocab)  # patterns that must be tried on every text
        # Patterns whose first token names its words get a matcher of their own, run only on texts holding a word.
        self.anchored: list[tuple[Anchor, Matcher]] = []
        # and those anchored patterns that compile to tests on word hashes (fokus.nlp.patterns), by rule
        self.compiled: dict[int, tuple[int, TokenPatterns]] = {}
        # One-token patterns ({LOWER: {IN: [...]}} or {LOWER: {REGEX: ...}}) are looked up in each sentence's words
        # directly: the Matcher would walk every token of every text for them.
        self.single: list[
            tuple[int, frozenset[str], frozenset[str], re.Pattern[str] | None, re.Pattern[str] | None]
        ] = []
        for index, rule in enumerate(self.rules):
            if rule.phrases:
                docs = [_lemma_doc(nlp, phrase) for phrase in rule.phrases]
                self.phrase_matcher.add(str(index), docs)
            if rule.pattern and (simple := _single_tokens(rule.pattern)) is not None:
                self.single.append((index, *simple))
            elif rule.pattern:
                anchors = _anchors(rule.pattern)
                target = self.matcher if anchors is None else Matcher(nlp.vocab)
                try:
                    target.add(str(index), rule.pattern)
                except (ValueError, KeyError) as exc:
                    raise FokusError(
                        _("rule {rule}: the spaCy pattern is not valid: {reason}").format(rule=rule.rule_id, reason=exc)
                    ) from exc
                if anchors is not None:
                    if (compiled := compile_patterns(nlp.vocab, rule.pattern)) is not None:
                        self.compiled[len(self.anchored)] = (index, compiled)
                    self.anchored.append((anchors, target))
        self.near_rules = [
            (i, frozenset(rule.near["a"]), frozenset(rule.near["b"]), int(rule.near["window"]))
            for i, rule in enumerate(self.rules)
            if rule.near
        ]
        self.near_by_word: dict[str, list[int]] = defaultdict(list)  # a first word -> its near rules' positions
        for near, (_rule, first, _second, _window) in enumerate(self.near_rules):
            for word in first:
                self.near_by_word[word].append(near)
        # their words are looked up per sentence word, like single lemmas; only their regexes are tried per rule
        self.single_forms: dict[str, list[int]] = defaultdict(list)
        self.single_lemmas: dict[str, list[int]] = defaultdict(list)
        for index, form_words, lemma_words, _form_rx, _lemma_rx in self.single:
            for word in form_words:
                self.single_forms[word].append(index)
            for word in lemma_words:
                self.single_lemmas[word].append(index)
        self.single_regexes = [
            (i, form_rx, lemma_rx) for i, _f, _l, form_rx, lemma_rx in self.single if form_rx or lemma_rx
        ]
        regexes = [r.pattern for _, _, _, form_rx, lemma_rx in self.single for r in (form_rx, lemma_rx) if r]
        regexes += [r.pattern for anchor, _ in self.anchored for r in anchor.regexes]
        self.any_regex = re.compile("|".join(f"(?:{r})" for r in regexes)) if regexes else None
        self.regex_words: dict[str, bool] = {}  # whether any_regex finds something in a word
        # the anchored matchers by the words of which a text must hold one (Anchor.any_word); the rest always tried
        self.anchored_by_word: dict[str, list[int]] = defaultdict(list)
        self.unindexed: list[int] = []
        for index, (anchor, _matcher) in enumerate(self.anchored):
            if anchor.any_word is None:
                self.unindexed.append(index)
            for word in anchor.any_word or ():
                self.anchored_by_word[word].append(index)
        self.matchers: list[PhraseMatcher | Matcher] = [
            m
            for m in (self.phrase_matcher, self.matcher)
            if len(m)  # an empty matcher only warns
        ]

    def _anchored_in(self, words: set[str], regex_words: set[str]) -> list[int]:
        """The anchored patterns whose anchor the text holds: only those one of whose first words it has are tried."""
        candidates = set(self.unindexed)
        for word in words & self.anchored_by_word.keys():
            candidates.update(self.anchored_by_word[word])
        return [index for index in sorted(candidates) if self.anchored[index][0].found_in(words, regex_words)]

    @classmethod
    def from_codes(cls, nlp: Language, codes: Iterable[tuple[str, list[dict[str, Any]] | None]]) -> RuleSet:
        """Compile the rules stored with the codes: (path, rules) pairs."""
        return cls(nlp, [Rule.from_spec(path, spec) for path, specs in codes for spec in specs or ()])

    def match(self, doc: Doc, sentences: Sequence[Sentence]) -> list[list[Hit]]:
        """For each sentence of ``doc`` (from ``analyse``), the codes its rules suggest."""
        count = len(sentences)
        offsets = sentences[0].offsets if sentences else []
        # evidence per sentence and rule: (first token, last token) index pairs
        fired: list[dict[int, list[tuple[int, int]]]] = [defaultdict(list) for _ in range(count)]
        words: set[str] = set()
        for sentence in sentences:
            words |= sentence.keys
            words |= sentence.form_index.keys()
        # one combined regex tells whether any regex-anchored rule can fire in this text at all (once per word)
        regex_words: set[str] = set()
        if self.any_regex is not None:
            known = self.regex_words
            for word in words:
                holds = known.get(word)
                if holds is None:
                    holds = known[word] = bool(self.any_regex.search(word))
                if holds:
                    regex_words.add(word)
        for where, sentence in enumerate(sentences):
            _by_word(fired[where], self.by_lemma, sentence.lemma_index)
            _by_word(fired[where], self.by_part, sentence.part_index)
            named = sentence.keys & self.near_by_word.keys()  # the few near rules whose first words occur
            for near in sorted({near for word in named for near in self.near_by_word[word]}):
                index, first, second, window = self.near_rules[near]
                if not second.isdisjoint(sentence.keys):
                    close = _near(sentence.lemma_index, sentence.part_index, first, second, window)
                    if close:
                        fired[where][index].extend(close)
            _by_word(fired[where], self.single_forms, sentence.form_index)
            _by_word(fired[where], self.single_lemmas, sentence.lemma_index)
            # the regexes are tried only in a sentence holding a word that one of them finds something in
            if regex_words and not (
                regex_words.isdisjoint(sentence.form_index) and regex_words.isdisjoint(sentence.lemma_index)
            ):
                for index, form_rx, lemma_rx in self.single_regexes:
                    found = _single_regex(sentence, form_rx, lemma_rx, regex_words)
                    if found:
                        fired[where][index].extend((i, i) for i in found)
        anchored = self._anchored_in(words, regex_words)
        if self.matchers or anchored:
            matches: list[tuple[int, int, int]] = []  # rule, start, end
            matchers = [*self.matchers, *(self.anchored[a][1] for a in anchored if a not in self.compiled)]
            for matcher in matchers:
                matches.extend((int(doc.vocab.strings[key]), start, end) for key, start, end in matcher(doc))
            doc_words: Words | None = None  # read once, when a compiled pattern is to be tried
            for a in anchored:
                if a in self.compiled:
                    doc_words = doc_words or Words(doc)
                    index, patterns = self.compiled[a]
                    matches.extend((index, start, end) for start, end in patterns.find(doc_words))
            # few texts have a match: which sentence a token is in is worked out for those only
            sentence_of = {i: where for where, s in enumerate(sentences) for i in s.tokens} if matches else {}
            for index, start, end in matches:
                where_match = sentence_of.get(start)
                if where_match is not None:
                    fired[where_match][index].append((start, end - 1))

        text = text_of(doc) if any(fired) else ""
        lemmas_of = doc.user_data.get(LEMMAS) or []
        results: list[list[Hit]] = []
        for where, by_rule in enumerate(fired):
            keys = sentences[where].keys
            hits: dict[str, Hit] = {}
            for index, evidence in sorted(by_rule.items()):
                rule = self.rules[index]
                if rule.unless & keys or not rule.requires <= keys:
                    continue
                hit = hits.setdefault(rule.code, Hit(rule.code))
                hit.rules.append(rule.rule_id)
                hit.weights.append(rule.weight)
                for first_token, last_token in evidence:
                    start, end = offsets[first_token][0], offsets[last_token][1]
                    if (start, end) not in hit.matched:
                        names = lemmas_of[first_token]
                        words_matched, lemma = text[start:end], names[0] if names else text[start:end]
                        hit.matched[(start, end)] = {"start": start, "end": end, "text": words_matched, "lemma": lemma}
            results.append(list(hits.values()))
        return results


def _by_word(
    fired: dict[int, list[tuple[int, int]]], rules_of: Mapping[str, list[int]], words: Mapping[str, list[int]]
) -> None:
    """Every rule that ``rules_of`` names for a word of the sentence fires at that word's positions."""
    named = words.keys() & rules_of.keys()  # in C, and empty for most sentences
    if not named:
        return
    for word, positions in words.items():  # in the sentence's order, as the evidence has always been
        if word in named:
            for index in rules_of[word]:
                fired[index].extend((i, i) for i in positions)


def _near(
    lemmas: dict[str, list[int]],
    parts: dict[str, list[int]],
    first: frozenset[str],
    second: frozenset[str],
    window: int,
) -> list[tuple[int, int]]:
    """Evidence pairs of token positions (a, b) within the window in one sentence."""
    a_positions = sorted({i for word in first for i in (*lemmas.get(word, ()), *parts.get(word, ()))})
    b_positions = sorted({i for word in second for i in (*lemmas.get(word, ()), *parts.get(word, ()))})
    found: list[tuple[int, int]] = []
    for a in a_positions:
        close = [b for b in b_positions if b != a and abs(b - a) <= window]
        if close:
            found.extend(((a, a), (close[0], close[0])))
    return found


@dataclass(frozen=True)
class Anchor:
    """What a text must hold for a rule's token patterns to be worth running.

    For each pattern, every token that is not optional and names its words (a word, an IN list or a REGEX on
    LOWER, LEMMA or NORM) must find one of them in the text; spaCy's Matcher walks every token of every text, so
    checking a few set intersections first saves most of its work.
    """

    patterns: tuple[tuple[frozenset[str] | re.Pattern[str], ...], ...]

    @property
    def regexes(self) -> list[re.Pattern[str]]:
        return [need for pattern in self.patterns for need in pattern if isinstance(need, re.Pattern)]

    @functools.cached_property
    def any_word(self) -> frozenset[str] | None:
        """Words of which a text must hold one for any pattern to match (each pattern's first word list), or None
        when a pattern names no word list; most texts hold none, and one set test then says so."""
        firsts = [next((n for n in pattern if isinstance(n, frozenset)), None) for pattern in self.patterns]
        if any(first is None for first in firsts):
            return None
        return frozenset().union(*(first for first in firsts if first is not None))

    def found_in(self, words: set[str], regex_words: set[str]) -> bool:
        """``regex_words``: the words of the text that some regex of the rule set matches (few or none)."""
        quick = self.any_word
        if quick is not None and quick.isdisjoint(words):
            return False
        for pattern in self.patterns:
            if all(
                (need & words) if isinstance(need, frozenset) else any(need.search(w) for w in regex_words)
                for need in pattern
            ):
                return True
        return False


def _anchors(patterns: list[Any]) -> Anchor | None:
    """The anchor of a rule's token patterns; None when a pattern names no words it needs."""
    needs: list[tuple[frozenset[str] | re.Pattern[str], ...]] = []
    for pattern in patterns:
        required: list[frozenset[str] | re.Pattern[str]] = []
        for token in pattern:
            if token.get("OP") in ("?", "*"):
                continue
            for key in ("LEMMA", "LOWER", "NORM"):
                value = token.get(key)
                if isinstance(value, str):
                    required.append(frozenset({value.lower()}))
                elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                    required.append(frozenset(str(v).lower() for v in value["IN"]))
                elif isinstance(value, dict) and isinstance(value.get("REGEX"), str):
                    required.append(re.compile(value["REGEX"]))
                else:
                    continue
                break
        if not required:
            return None
        needs.append(tuple(required))
    return Anchor(tuple(needs))


SINGLE_KEYS = {"LOWER": "form", "LEMMA": "lemma"}


def _single_tokens(
    patterns: list[Any],
) -> tuple[frozenset[str], frozenset[str], re.Pattern[str] | None, re.Pattern[str] | None] | None:
    """A rule whose every pattern is one token with one LOWER or LEMMA test, as (form words, lemma words, form
    regex, lemma regex); None for anything else."""
    words: dict[str, set[str]] = {"form": set(), "lemma": set()}
    regexes: dict[str, list[str]] = {"form": [], "lemma": []}
    for pattern in patterns:
        if len(pattern) != 1 or len(pattern[0]) != 1:
            return None
        ((key, value),) = pattern[0].items()
        kind = SINGLE_KEYS.get(key)
        if kind is None:
            return None
        if isinstance(value, str):
            words[kind].add(value.lower())
        elif isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list):
            words[kind].update(str(v).lower() for v in value["IN"])
        elif isinstance(value, dict) and list(value) == ["REGEX"] and isinstance(value["REGEX"], str):
            regexes[kind].append(value["REGEX"])
        else:
            return None

    def joined(found: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{r})" for r in found)) if found else None

    return frozenset(words["form"]), frozenset(words["lemma"]), joined(regexes["form"]), joined(regexes["lemma"])


def _single_regex(
    sentence: Sentence, form_rx: re.Pattern[str] | None, lemma_rx: re.Pattern[str] | None, regex_words: set[str]
) -> list[int]:
    """Token positions in a sentence that a one-token rule's regexes match."""
    found: list[int] = []
    if form_rx is not None:
        for word, positions in sentence.form_index.items():
            if word in regex_words and form_rx.search(word):
                found.extend(positions)
    if lemma_rx is not None:
        for word, positions in sentence.lemma_index.items():
            if word in regex_words and lemma_rx.search(word):
                found.extend(positions)
    return found


@dataclass
class Sentence:
    """One sentence of a doc as rules and coding units need it, computed in one pass over the tokens."""

    start: int
    end: int
    tokens: list[int] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)  # the chosen lemma of each word, in order
    keys: set[str] = field(default_factory=set)  # every candidate lemma and compound part
    form_index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # lowercased words
    lemma_index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    part_index: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    offsets: list[tuple[int, int]] = field(default_factory=list)  # shared by all sentences of a doc


def analyse(doc: Doc, spans: Sequence[tuple[int, int]]) -> list[Sentence]:
    """Split the lemmas fokus's lemmatizer stored on ``doc`` into the given sentences (character spans)."""
    all_lemmas = doc.user_data.get(LEMMAS)
    all_parts = doc.user_data.get(PARTS)
    if all_lemmas is None or all_parts is None:
        raise FokusError(_("the pipeline has no fokus lemmatizer"), hint=_("load it with fokus.nlp.load_pipeline"))
    table = doc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]).tolist()
    text = text_of(doc)
    offsets = [(start, start + length) for start, length, _, _ in table]
    sentences = [Sentence(start, end, offsets=offsets) for start, end in spans]
    if not sentences:
        return sentences
    position, last = 0, len(sentences) - 1
    sentence = sentences[0]
    bounds, tokens, lemmas = sentence.end, sentence.tokens, sentence.lemmas
    forms, lemma_index, part_index = sentence.form_index, sentence.lemma_index, sentence.part_index
    for i, (start, length, space, punct) in enumerate(table):
        if start >= bounds:
            while position <= last and start >= sentences[position].end:
                position += 1
            if position > last:
                break
            sentence = sentences[position]
            bounds, tokens, lemmas = sentence.end, sentence.tokens, sentence.lemmas
            forms, lemma_index, part_index = sentence.form_index, sentence.lemma_index, sentence.part_index
        if start < sentence.start or space:
            continue
        tokens.append(i)
        # every word form, lemma or not ("24/7", "-"): token patterns and form rules name them
        forms[text[start : start + length].lower()].append(i)
        names = all_lemmas[i]
        if not names:
            continue
        if not punct:
            lemmas.append(names[0])
        for name in names:
            lemma_index[name].append(i)
        for part in all_parts[i]:
            part_index[part].append(i)
    for sentence in sentences:
        sentence.keys = set(sentence.lemma_index) | set(sentence.part_index)
    return sentences


def _lemma_doc(nlp: Language, phrase: str) -> Doc:
    words = phrase.split()
    doc = Doc(nlp.vocab, words=words)
    for token, word in zip(doc, words, strict=True):
        token.lemma_ = word
    return doc
