"""Lemma accuracy of the built-in Norwegian pipeline on hand-lemmatised text, beside a plain spaCy pipeline.

The gold standard is tests/nlp/data/gold_lemmas.tsv: 49 sentences (602 tokens, 8 in Nynorsk) of municipal
Facebook talk, written and lemmatised for fokus following the Universal Dependencies conventions. The reference is
spacy.blank("nb") with spaCy's lookup lemmatizer over the same spacy-lookups-data tables. Punctuation, symbols and
numbers are not counted.

    python bench/lemmas.py
"""

from __future__ import annotations

from pathlib import Path

import spacy

from fokus.nlp import describe, load_pipeline
from fokus.nlp.gold import lemma_accuracy, read_gold

GOLD = Path(__file__).resolve().parents[1] / "tests" / "nlp" / "data" / "gold_lemmas.tsv"


def main() -> None:
    gold = read_gold(GOLD)
    bokmal = [s for s in gold if not s.nynorsk]
    plain = spacy.blank("nb")
    plain.add_pipe("lemmatizer", config={"mode": "lookup"})
    plain.initialize()
    fokus = load_pipeline("fokus-nb")
    print(f"{'pipeline':34} {'all':>6} {'bokmål':>7} tokens")
    for name, nlp in ((describe(fokus), fokus), ("blank nb + lookup lemmatizer", plain)):
        every, nb = lemma_accuracy(nlp, gold), lemma_accuracy(nlp, bokmal)
        print(f"{name:34} {every.accuracy:6.3f} {nb.accuracy:7.3f} {every.tokens}")
    score = lemma_accuracy(fokus, gold)
    by_pos = ", ".join(f"{pos} {score.correct_by_pos[pos]}/{n}" for pos, n in score.by_pos.most_common())
    print(f"fokus by part of speech: {by_pos}")


if __name__ == "__main__":
    main()
