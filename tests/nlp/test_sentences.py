"""Sentence boundaries for Facebook talk, checked on cases written for it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from spacy.language import Language

from fokus.nlp.sentences import sentence_spans

CASES = yaml.safe_load((Path(__file__).parent / "data" / "sentences.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c.get("note", c["text"])[:60] for c in CASES])
def test_sentences(nlp: Language, case: dict[str, object]) -> None:
    doc = nlp(str(case["text"]))
    assert [doc.text[start:end] for start, end in sentence_spans(doc)] == case["sentences"]


def test_offsets_are_code_points_into_the_text(nlp: Language) -> None:
    text = "Så bra 😊😊 Vi prøver også!\n\nOg du? 👍"
    spans = sentence_spans(nlp(text))
    assert [text[a:b] for a, b in spans] == ["Så bra 😊😊", "Vi prøver også!", "Og du? 👍"]
    assert spans[1][0] == text.index("Vi")
