"""Token patterns compiled to tests on word hashes (fokus.nlp.patterns) find exactly what spaCy's Matcher finds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from fokus.nlp.patterns import Words, compile_patterns

ROOT = Path(__file__).resolve().parents[2]


def spacy_spans(nlp: Language, patterns: list[Any], doc: Doc) -> list[tuple[int, int]]:
    matcher = Matcher(nlp.vocab)
    matcher.add("rule", patterns)
    return sorted({(start, end) for _, start, end in matcher(doc)})


def compiled_spans(nlp: Language, patterns: list[Any], doc: Doc) -> list[tuple[int, int]]:
    compiled = compile_patterns(nlp.vocab, patterns)
    assert compiled is not None
    return sorted(set(compiled.find(Words(doc))))


def codebook_patterns() -> list[tuple[str, list[Any]]]:
    found = []

    def walk(codes: list[dict[str, Any]], parent: str) -> None:
        for code in codes:
            for rule in code.get("rules", ()):
                if rule.get("pattern"):
                    found.append((f"{parent}{code['id']}:{rule['id']}", rule["pattern"]))
            walk(code.get("children", []), f"{parent}{code['id']}/")

    book = yaml.safe_load((ROOT / "codebooks" / "kommune-sosiale-medier.yaml").read_text(encoding="utf-8"))
    walk(book["codes"], "")
    return found


def corpus_texts() -> list[str]:
    texts = []
    for page in sorted((ROOT / "corpus" / "graph").glob("*.json")):
        for post in json.loads(page.read_text(encoding="utf-8"))["data"]:
            texts.append(post.get("message", ""))
            for comment in post.get("comments", {}).get("data", []):
                texts.append(comment.get("message", ""))
    return [text for text in texts if text]


def test_every_pattern_of_the_default_codebook_compiles_and_finds_what_spacy_finds(nlp: Language) -> None:
    docs = list(nlp.pipe(corpus_texts()))
    docs.append(nlp("Bare, liker! Den fikk 300 likes, og vi fikk mange likes. Skriv kort og enkelt. 17. mai kom."))
    docs.append(nlp("Vi lot det stå. Vi klikker på , liker-knappen. Stopper ved likes. Ros-analyse og du - form"))
    patterns = codebook_patterns()
    assert len(patterns) > 20
    found = 0
    for rule, pattern in patterns:
        for doc in docs:
            expected = spacy_spans(nlp, pattern, doc)
            assert compiled_spans(nlp, pattern, doc) == expected, (rule, doc.text)
            found += len(expected)
    assert found > 50  # the corpus exercises the patterns, not only their absence


@pytest.mark.parametrize(
    "pattern",
    [
        [[{"LOWER": "a", "OP": "+"}]],
        [[{"LOWER": "a", "OP": "?"}, {"LOWER": "b"}]],
        [[{"POS": "NOUN"}]],
        [[{"LOWER": {"NOT_IN": ["a"]}}]],
        [[{"LENGTH": 3}]],
        [[{"LOWER": {"IN": ["a", 1]}}]],
        [[{"IS_ALPHA": 1}]],
        [[]],
        [],
    ],
)
def test_a_pattern_that_needs_spacys_matcher_is_not_compiled(nlp: Language, pattern: list[Any]) -> None:
    assert compile_patterns(nlp.vocab, pattern) is None


WORDS = ["a", "A", "b", "bare", "liker", ",", "!", ".", "300", "to", "😊", "\n", "B"]
TOKEN = st.one_of(
    st.builds(lambda w: {"LOWER": w}, st.sampled_from(["a", "b", "liker", ",", "300"])),
    st.builds(lambda ws: {"LOWER": {"IN": ws}}, st.lists(st.sampled_from(["a", "b", "bare", "to", "!"]), min_size=1)),
    st.builds(lambda w: {"ORTH": w}, st.sampled_from(["A", "a", "B", "."])),
    st.builds(lambda rx: {"TEXT": {"REGEX": rx}}, st.sampled_from(["^[A-Z]", "^\\d+$", "a|b"])),
    st.builds(lambda rx: {"LOWER": {"REGEX": rx}}, st.sampled_from(["^b", "ker$"])),
    st.builds(lambda flag, value: {flag: value}, st.sampled_from(["IS_ALPHA", "LIKE_NUM", "IS_PUNCT"]), st.booleans()),
    st.builds(lambda value: {"IS_SENT_START": value, "IS_ALPHA": True}, st.booleans()),
)
OPTIONAL = st.builds(lambda token, op: {**token, "OP": op}, TOKEN, st.sampled_from(["?", "*"]))
PATTERN = st.builds(lambda first, rest: [first, *rest], TOKEN, st.lists(st.one_of(TOKEN, OPTIONAL), max_size=4))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patterns=st.lists(PATTERN, min_size=1, max_size=3), words=st.lists(st.sampled_from(WORDS), max_size=14))
def test_compiled_patterns_find_every_span_spacys_matcher_finds(
    nlp: Language, patterns: list[Any], words: list[str]
) -> None:
    doc = nlp(" ".join(words))
    assert compiled_spans(nlp, patterns, doc) == spacy_spans(nlp, patterns, doc)


@pytest.mark.parametrize("text", ["17. mai", "den 17 . mai", "17 mai", "fra 1. til 17. mai"])
def test_a_pattern_is_looked_for_by_its_first_required_word_not_an_optional_one(nlp: Language, text: str) -> None:
    patterns = [[{"TEXT": {"REGEX": "^17\\.?$"}}, {"ORTH": ".", "OP": "?"}, {"LOWER": "mai"}]]
    doc = nlp(text)
    expected = spacy_spans(nlp, patterns, doc)
    assert expected  # every text holds the date
    assert compiled_spans(nlp, patterns, doc) == expected
