"""Universal Dependencies treebanks in CoNLL-U, read as gold sentences for measuring lemma accuracy.

Only what lemma scoring needs is kept: each syntactic word's form, lemma and UPOS, and whether a space follows it.
Multi-word tokens ("1-2" lines) are skipped in favour of the syntactic words they stand for, and empty nodes
("8.1") are skipped, so the words are those the treebank's lemmas belong to. ``bench/lemmas.py --ud`` reads the
UD Norwegian Bokmål test split with this and scores it with ``fokus.nlp.gold.lemma_accuracy(gold_tokens=True)``.
"""

from __future__ import annotations

from pathlib import Path

from fokus.nlp.gold import GoldSentence


def read_conllu(path: Path) -> list[GoldSentence]:
    """The sentences of a CoNLL-U file, each with its words' (form, lemma, UPOS) and spaces."""
    sentences: list[GoldSentence] = []
    current = GoldSentence("", spaces=[])
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current.tokens:
                sentences.append(current)
            current = GoldSentence("", spaces=[])
        elif line.startswith("# text ="):
            current.text = line.split("=", 1)[1].strip()
        elif not line.startswith("#"):
            columns = line.split("\t")
            if len(columns) < 10 or not columns[0].isdigit():
                continue  # a multi-word token's range or an empty node
            current.tokens.append((columns[1], columns[2], columns[3]))
            assert current.spaces is not None
            current.spaces.append("SpaceAfter=No" not in columns[9].split("|"))
    if current.tokens:
        sentences.append(current)
    return sentences
