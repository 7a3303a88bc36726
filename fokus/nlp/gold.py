"""Gold-standard lemmas in a small TSV format, and lemma accuracy measured against them.

The format (one token per line: form, lemma, UPOS; ``# text:`` gives each sentence) is used by the test data in
``tests/nlp/data/gold_lemmas.tsv`` and by ``bench/lemmas.py``; accuracy counts tokens whose lemma matches,
case-insensitively, after aligning the pipeline's tokens to the gold tokens by their text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language


@dataclass
class GoldSentence:
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)  # (form, lemma, upos)
    nynorsk: bool = False


def read_gold(path: Path) -> list[GoldSentence]:
    sentences: list[GoldSentence] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent"):
            sentences.append(GoldSentence("", nynorsk="(nn)" in line))
        elif line.startswith("# text:"):
            sentences[-1].text = line.split(":", 1)[1].strip()
        elif line.strip() and not line.startswith("#"):
            form, lemma, upos = line.split("\t")[:3]
            sentences[-1].tokens.append((form, lemma, upos))
    return sentences


@dataclass
class LemmaScore:
    tokens: int = 0
    correct: int = 0
    by_pos: Counter[str] = field(default_factory=Counter)
    correct_by_pos: Counter[str] = field(default_factory=Counter)
    misaligned: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (form, gold, predicted)

    @property
    def accuracy(self) -> float:
        return self.correct / self.tokens if self.tokens else 0.0


def lemma_accuracy(nlp: Language, sentences: list[GoldSentence], *, skip_punct: bool = True) -> LemmaScore:
    """Score the pipeline's ``lemma_`` against the gold lemmas."""
    score = LemmaScore()
    for sentence, doc in zip(sentences, nlp.pipe(s.text for s in sentences), strict=True):
        predicted = [t for t in doc if not t.is_space]
        if [t.text for t in predicted] != [form for form, _, _ in sentence.tokens]:
            score.misaligned += 1
            continue
        for token, (form, lemma, upos) in zip(predicted, sentence.tokens, strict=True):
            if skip_punct and upos in ("PUNCT", "SYM", "NUM", "X"):
                continue
            score.tokens += 1
            score.by_pos[upos] += 1
            if token.lemma_.lower() == lemma.lower():
                score.correct += 1
                score.correct_by_pos[upos] += 1
            else:
                score.errors.append((form, lemma, token.lemma_))
    return score
