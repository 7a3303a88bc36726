"""Gold-standard lemmas in a small TSV format, and lemma accuracy measured against them.

The format (one token per line: form, lemma, UPOS; ``# text:`` gives each sentence) is used by the test data in
``tests/nlp/data/gold_lemmas.tsv`` and by ``bench/lemmas.py``; accuracy counts tokens whose lemma matches,
case-insensitively, after aligning the pipeline's tokens to the gold tokens by their text. With ``gold_tokens`` the
pipeline's tokenizer and sentence splitter are bypassed: each sentence's gold words become one ``Doc`` (as for a
treebank, see ``fokus.nlp.ud``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from fokus.nlp.sentences import COMPONENT as SOCIAL_MEDIA_SENTENCES

SENTENCE_SPLITTERS = frozenset(("senter", "sentencizer", SOCIAL_MEDIA_SENTENCES))


@dataclass
class GoldSentence:
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)  # (form, lemma, upos)
    nynorsk: bool = False
    spaces: list[bool] | None = None  # whether each gold token is followed by a space, when known


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


SKIPPED = frozenset(("PUNCT", "SYM", "NUM", "X"))


def lemma_accuracy(
    nlp: Language, sentences: list[GoldSentence], *, skip_punct: bool = True, gold_tokens: bool = False
) -> LemmaScore:
    """Score the pipeline's ``lemma_`` against the gold lemmas (punctuation, symbols, numbers and X not counted)."""
    score = LemmaScore()
    docs = _docs_of_words(nlp, sentences) if gold_tokens else nlp.pipe(s.text for s in sentences)
    for sentence, doc in zip(sentences, docs, strict=True):
        predicted = [t for t in doc if not t.is_space]
        if [t.text for t in predicted] != [form for form, _, _ in sentence.tokens]:
            score.misaligned += 1
            continue
        for token, (form, lemma, upos) in zip(predicted, sentence.tokens, strict=True):
            if skip_punct and upos in SKIPPED:
                continue
            score.tokens += 1
            score.by_pos[upos] += 1
            if token.lemma_.lower() == lemma.lower():
                score.correct += 1
                score.correct_by_pos[upos] += 1
            else:
                score.errors.append((form, lemma, token.lemma_))
    return score


def _docs_of_words(nlp: Language, sentences: list[GoldSentence]) -> Iterator[Doc]:
    """One ``Doc`` per sentence from its gold words, run through every component but the tokenizer (and any
    sentence splitter: the sentence is given)."""
    docs: Iterator[Doc] = (
        Doc(nlp.vocab, words=[form for form, _, _ in s.tokens], spaces=s.spaces, sent_starts=_starts(len(s.tokens)))
        for s in sentences
    )
    for name, component in nlp.pipeline:
        if name in SENTENCE_SPLITTERS:
            continue
        docs = component.pipe(docs) if hasattr(component, "pipe") else map(component, docs)
    yield from docs


def _starts(length: int) -> list[bool | int | None]:
    """The first word starts the sentence, no other does."""
    starts: list[bool | int | None] = [False] * length
    if starts:
        starts[0] = True
    return starts
