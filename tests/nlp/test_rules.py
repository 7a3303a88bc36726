"""Codebook rules: compiled from the YAML, matched on lemmas, compounds, phrases, patterns and proximity."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from fokus.errors import FokusError
from fokus.files.codebook import load_codebook
from fokus.nlp.rules import RuleSet, analyse
from fokus.nlp.sentences import sentence_spans

CODEBOOK = """\
ubiquitous: [facebook, kommune]
codes:
  - id: krise
    name: Krise
    rules:
      - id: beredskap
        any: [beredskap, flom]
        unless: [øvelse]
        weight: 0.8
      - id: ras
        any: [ras]
        requires: [vei]
        weight: 0.7
      - id: kokevarsel
        phrases: ["koke vann"]
        weight: 0.9
  - id: dialog
    name: Dialog
    rules:
      - id: svare-innbygger
        near: {a: [svare], b: [innbygger, spørsmål], window: 4}
        weight: 0.6
      - id: raskt
        pattern: [[{LEMMA: svare}, {LOWER: {IN: [raskt, fort]}}]]
        weight: 0.5
  - id: plattform
    name: Plattform
    rules:
      - id: facebook-side
        near: {a: [facebook], b: [rekkevidde, algoritme], window: 6}
        compounds: false
"""


@pytest.fixture(scope="module")
def rules(nlp: Language, tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    path = tmp_path_factory.mktemp("cb") / "cb.yaml"
    path.write_text(CODEBOOK, encoding="utf-8")
    spec = load_codebook(path)
    return RuleSet.from_codes(nlp, [(code.path, code.rules) for code in spec.codes])


def suggest(nlp: Language, rules: RuleSet, text: str) -> list[dict[str, object]]:
    doc = nlp(text)
    spans = sentence_spans(doc)
    found = []
    for (start, end), hits in zip(spans, rules.match(doc, analyse(doc, spans)), strict=True):
        for hit in hits:
            found.append(
                {
                    "sentence": text[start:end],
                    "code": hit.code,
                    "rules": hit.rules,
                    "confidence": hit.confidence,
                    "origin": hit.origin,
                    "matched": [m["text"] for m in hit.matched.values()],
                }
            )
    return found


def test_a_lemma_rule_finds_compounds_and_inflections(nlp: Language, rules: RuleSet) -> None:
    found = suggest(nlp, rules, "Beredskapsplanen ble oppdatert. Vi snakket om kriseberedskap. Flommen kom.")
    assert [(f["code"], f["matched"]) for f in found] == [
        ("krise", ["Beredskapsplanen"]),
        ("krise", ["kriseberedskap"]),
        ("krise", ["Flommen"]),
    ]
    assert found[0]["origin"] == "rule:krise:beredskap"
    assert found[0]["confidence"] == 0.8


def test_no_bare_substring_matches(nlp: Language, rules: RuleSet) -> None:
    assert suggest(nlp, rules, "Det var en rasjonell beslutning om veien.") == []


def test_exclusions_and_requirements(nlp: Language, rules: RuleSet) -> None:
    assert suggest(nlp, rules, "Vi hadde beredskapsøvelse i går.") == []
    assert suggest(nlp, rules, "Et ras i fjellet.") == []  # ras needs a road
    (found,) = suggest(nlp, rules, "Et ras stengte veien.")
    assert found["rules"] == ["krise:ras"]


def test_phrases_patterns_and_proximity(nlp: Language, rules: RuleSet) -> None:
    (boil,) = suggest(nlp, rules, "Husk å koke vannet før bruk.")
    assert boil["rules"] == ["krise:kokevarsel"]
    (near,) = suggest(nlp, rules, "Vi svarer alle innbyggerne samme dag.")
    assert near["rules"] == ["dialog:svare-innbygger"]
    assert suggest(nlp, rules, "Vi svarer på e-post, men det tar lang tid før vi kommer til innbyggerne.") == []
    (both,) = suggest(nlp, rules, "Vi svarte raskt på spørsmålet.")
    assert both["rules"] == ["dialog:svare-innbygger", "dialog:raskt"]
    assert both["confidence"] == pytest.approx(1 - 0.4 * 0.5)
    assert both["origin"] == "rule:dialog:svare-innbygger"


def test_a_ubiquitous_word_never_triggers_alone(nlp: Language, rules: RuleSet) -> None:
    assert suggest(nlp, rules, "Vi la det ut på Facebook i går, sa kommunen.") == []
    (found,) = suggest(nlp, rules, "Rekkevidden på Facebook har falt etter den nye algoritmen.")
    assert found["code"] == "plattform"


def test_the_loader_refuses_a_ubiquitous_trigger(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "ubiquitous: [facebook]\ncodes:\n  - id: p\n    name: P\n    rules:\n      - any: [Facebook]\n",
        encoding="utf-8",
    )
    with pytest.raises(FokusError, match=r"line 6: rule p:r1: 'facebook' is in nearly every message"):
        load_codebook(path)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("{id: x}", "nothing to match"),
        ("{any: [a], weight: 2}", "'weight' must be"),
        ("{any: [a], colour: red}", "unknown key 'colour'"),
        ("{any: ['to ord']}", "put 'to ord' under 'phrases'"),
        ("{near: {a: [x], b: [y], window: 0}}", "'window' must be"),
        ("{pattern: [{LOWER: x}]}", "spaCy token patterns"),
    ],
)
def test_bad_rules_name_their_line(tmp_path: Path, rule: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"codes:\n  - id: p\n    name: P\n    rules:\n      - {rule}\n", encoding="utf-8")
    with pytest.raises(FokusError, match=words) as err:
        load_codebook(path)
    assert f"{path}:line " in str(err.value)


PATTERN_WORDS = """\
codes:
  - id: apent
    name: Åpent
    rules:
      - id: dognet
        pattern: [[{LOWER: {IN: ['24/7', '24-7']}}]]
  - id: tone
    name: Tone
    rules:
      - id: du-form
        pattern: [[{LOWER: du}, {LOWER: '-'}, {LOWER: form}]]
"""


def test_a_pattern_of_words_without_lemmas_fires(nlp: Language, tmp_path: Path) -> None:
    """Numbers, signs and punctuation have no lemma, but a token pattern may name them (the default codebook's
    `24/7` and `du - form`): the check of which words a text holds must see them too."""
    path = tmp_path / "cb.yaml"
    path.write_text(PATTERN_WORDS, encoding="utf-8")
    rules = RuleSet.from_codes(nlp, [(code.path, code.rules) for code in load_codebook(path).codes])
    assert [(h["code"], h["matched"]) for h in suggest(nlp, rules, "Vi svarer 24/7 på Messenger.")] == [
        ("apent", ["24/7"])
    ]
    assert [(h["code"], h["matched"]) for h in suggest(nlp, rules, "Skriv alltid i du - form.")] == [
        ("tone", ["du - form"])
    ]
    assert suggest(nlp, rules, "Vi svarer 24 timer i døgnet.") == []
