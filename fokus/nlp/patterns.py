"""Codebook token patterns matched on the hashes of a doc's words, for the patterns simple enough to compile.

spaCy's ``Matcher`` walks every token of a text, makes a ``Token`` object for each and evaluates its ``IN``
predicates in Python: most of the cost of the rules. Codebook patterns are short and name their words, so here a
pattern is compiled to tests on integer hashes (ORTH and LOWER) and the few flags a codebook uses, and is tried only
at the positions where its first word occurs. The matches are spaCy's: every (start, end) that the pattern can
match, with and without each optional token (``"OP": "?"``) and with any number of a repeated one (``"*"``).
Tests on ORTH, TEXT and LOWER (a string, ``IN`` or ``REGEX``) and on the flags IS_ALPHA, LIKE_NUM, IS_PUNCT and
IS_SENT_START compile; anything else (other attributes, other operators, a
pattern that starts with an optional token) is left to spaCy's ``Matcher``: :func:`compile_patterns` returns None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spacy.attrs import IS_ALPHA, IS_PUNCT, LIKE_NUM, LOWER, ORTH, SENT_START
from spacy.tokens import Doc
from spacy.vocab import Vocab

COLUMNS = {"ORTH": 0, "TEXT": 0, "LOWER": 1}  # the attribute of a word test -> its column in ``Words``
FLAGS = {"IS_ALPHA": 2, "LIKE_NUM": 3, "IS_PUNCT": 4, "IS_SENT_START": 5}  # flag tests -> their columns
READ = [ORTH, LOWER, IS_ALPHA, LIKE_NUM, IS_PUNCT, SENT_START]


class Words:
    """A doc's words as hashes and flags (``Doc.to_array``), each read once when needed, and where each form occurs."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.strings = doc.vocab.strings
        self.count = len(doc)
        self._columns: list[list[Any] | None] = [None] * len(READ)
        self._where: list[dict[int, list[int]] | None] = [None, None]

    def column(self, column: int) -> list[Any]:
        """One attribute of each token (ORTH, LOWER or a flag), read the first time a test needs it."""
        found = self._columns[column]
        if found is None:
            found = self.doc.to_array(READ[column]).tolist() if self.count else []
            if READ[column] == SENT_START:  # 1 a start, -1 not, 0 not known: as a flag, whether it is one
                found = [value == 1 for value in found]
            self._columns[column] = found
        return found

    def where(self, column: int) -> dict[int, list[int]]:
        """Positions of each hash in a column (ORTH or LOWER), worked out the first time it is asked for."""
        found = self._where[column]
        if found is None:
            found = {}
            for i, value in enumerate(self.column(column)):
                found.setdefault(value, []).append(i)
            self._where[column] = found
        return found


Test = Callable[[Words, int], bool]


@dataclass(frozen=True)
class Step:
    """One token of a pattern: the test its word must pass, whether it may be left out or repeated, and, when it
    names its words by equality or ``IN``, those words (where to look for the pattern)."""

    holds: Test
    optional: bool  # "?" or "*"
    repeats: bool  # "*"
    words: tuple[int, frozenset[int]] | None  # (column, hashes)


class TokenPatterns:
    """One rule's patterns, compiled (see the module docstring)."""

    def __init__(self, patterns: list[list[Step]]) -> None:
        # each pattern with the step to look its words up by: the first that names words, at a fixed offset
        self.patterns = [(steps, _anchor(steps)) for steps in patterns]

    def find(self, words: Words) -> list[tuple[int, int]]:
        """Every (start, end) token span of the doc that a pattern matches, as spaCy's ``Matcher`` gives them."""
        found: list[tuple[int, int]] = []
        for steps, offset in self.patterns:
            anchor = steps[offset].words
            if anchor is not None:
                # the pattern can only start ``offset`` tokens before one of its anchor's words
                column, hashes = anchor
                where = words.where(column)
                starts = sorted(i - offset for value in hashes & where.keys() for i in where[value] if i >= offset)
            else:
                starts = list(range(words.count))
            holds = steps[0].holds
            for start in starts:
                if holds(words, start):
                    found.extend((start, end) for end in sorted(_ends(steps, words, start)))
        return found


def _ends(steps: list[Step], words: Words, start: int) -> set[int]:
    """Where a pattern whose first token matched at ``start`` can end, taking and leaving each optional token."""
    ends: set[int] = set()
    todo = [(1, start + 1)]
    last = len(steps)
    while todo:
        k, i = todo.pop()
        if k == last:
            ends.add(i)
            continue
        step = steps[k]
        if step.optional:
            todo.append((k + 1, i))
        if i < words.count and step.holds(words, i):
            todo.append((k if step.repeats else k + 1, i + 1))
    return ends


def _anchor(steps: list[Step]) -> int:
    """The first step that names its words with only required, single steps before it (0 when there is none)."""
    for offset, step in enumerate(steps):
        if step.optional:
            break
        if step.words is not None:
            return offset
    return 0


def compile_patterns(vocab: Vocab, patterns: Any) -> TokenPatterns | None:
    """A rule's spaCy token patterns compiled, or None when one of them needs spaCy's own ``Matcher``."""
    if not isinstance(patterns, list) or not patterns:
        return None
    compiled = []
    for pattern in patterns:
        if not isinstance(pattern, list) or not pattern:
            return None
        steps = [_step(vocab, token) for token in pattern]
        if any(step is None for step in steps):
            return None
        ready = [step for step in steps if step is not None]
        if ready[0].optional:
            return None
        compiled.append(ready)
    return TokenPatterns(compiled)


def _step(vocab: Vocab, token: Any) -> Step | None:
    if not isinstance(token, dict) or not token:
        return None
    optional = repeats = False
    tests: list[Test] = []
    words: tuple[int, frozenset[int]] | None = None
    for key, value in token.items():
        if key == "OP":
            if value not in ("?", "*"):
                return None
            optional, repeats = True, value == "*"
        elif key in COLUMNS:
            found = _word_test(vocab, COLUMNS[key], value)
            if found is None:
                return None
            test, hashes = found
            tests.append(test)
            if hashes is not None and words is None:
                words = (COLUMNS[key], hashes)
        elif key in FLAGS and isinstance(value, bool):
            tests.append(_flag_test(FLAGS[key], value))
        else:
            return None
    if not tests:
        return None
    return Step(_all(tests), optional, repeats, words)


def _all(tests: list[Test]) -> Test:
    if len(tests) == 1:
        return tests[0]

    def every(words: Words, i: int) -> bool:
        return all(test(words, i) for test in tests)

    return every


def _word_test(vocab: Vocab, column: int, value: Any) -> tuple[Test, frozenset[int] | None] | None:
    """A test on a word column: equal to a string, ``IN`` a list of strings, or a ``REGEX``; and the hashes it
    names (None for a regex)."""
    if isinstance(value, str):
        hashes = frozenset({vocab.strings.add(value)})
    elif isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list):
        if not all(isinstance(v, str) for v in value["IN"]):
            return None
        hashes = frozenset(vocab.strings.add(v) for v in value["IN"])
    elif isinstance(value, dict) and list(value) == ["REGEX"] and isinstance(value["REGEX"], str):
        return _regex_test(column, re.compile(value["REGEX"])), None
    else:
        return None

    def member(words: Words, i: int) -> bool:
        return words.column(column)[i] in hashes

    return member, hashes


def _regex_test(column: int, regex: re.Pattern[str]) -> Test:
    known: dict[int, bool] = {}  # by hash: a form is searched once

    def search(words: Words, i: int) -> bool:
        value = words.column(column)[i]
        found = known.get(value)
        if found is None:
            found = known[value] = regex.search(words.strings[value]) is not None
        return found

    return search


def _flag_test(column: int, wanted: bool) -> Test:
    def flag(words: Words, i: int) -> bool:
        return bool(words.column(column)[i]) == wanted

    return flag
