"""How good are the codebook's rules? Precision, recall and F1 per theme against the researchers' own coding.

The rules are run afresh on the messages researchers coded, with the current pipeline and codebook, rather than
read from the stored suggestions: those hold back what a researcher has already decided (so a sentence coded by
hand is never suggested again), which would hide exactly the agreements this measures.

Which sentences count: the sentences that a human coder coded with any code, because only there do we know what the
researchers think; a sentence nobody coded is not evidence either way. Human codings count for a sentence when they
overlap at least half of it (or it at least half of them, for codings shorter than the sentence). With several
coders, the gold standard is their union: a sentence is about a theme when any researcher said so. Themes are the
top-level codes with their sub-codes rolled up (``level="theme"``), or every code as it is (``level="code"``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.model import Code, Coder, CoderKind, Coding, Message
from fokus.nlp.pipeline import describe
from fokus.nlp.rules import RuleSet, analyse
from fokus.nlp.sentences import sentence_spans


@dataclass
class Score:
    label: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float | None:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else None

    @property
    def recall(self) -> float | None:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    def row(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "theme": self.label,
            "precision": rounded(self.precision),
            "recall": rounded(self.recall),
            "f1": rounded(self.f1),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "support": self.true_positives + self.false_negatives,
        }


def _overlaps(unit: tuple[int, int], coding: tuple[int, int]) -> bool:
    shared = min(unit[1], coding[1]) - max(unit[0], coding[0])
    if shared <= 0:
        return False
    return shared * 2 >= min(unit[1] - unit[0], coding[1] - coding[0])


def evaluate(session: Session, nlp: Language, *, level: str = "theme") -> dict[str, Any]:
    """Scores per theme (or code), and their micro and macro averages; see the module docstring."""
    paths = dict(session.execute(select(Code.id, Code.path)).all())

    def label(path: str) -> str:
        return path.split("/")[0] if level == "theme" else path

    codes = session.execute(select(Code.path, Code.rules).where(Code.codable.is_(True)).order_by(Code.id)).all()
    rules = RuleSet.from_codes(nlp, [(path, specs) for path, specs in codes])
    human: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    query = (
        select(Coding.message_id, Coding.code_id, Coding.start, Coding.end)
        .join(Coder)
        .where(Coder.kind == CoderKind.HUMAN.value, Coding.status == "accepted")
    )
    for mid, code_id, start, end in session.execute(query):
        human[mid].append((start, end, label(paths[code_id])))
    ids = sorted(human)
    texts = dict(session.execute(select(Message.id, Message.text).where(Message.id.in_(ids))).all()) if ids else {}
    gold: list[set[str]] = []
    predicted: list[set[str]] = []
    for mid, doc in zip(ids, nlp.pipe(texts[mid] for mid in ids), strict=True):
        sentences = analyse(doc, sentence_spans(doc))
        for sentence, hits in zip(sentences, rules.match(doc, sentences), strict=True):
            truth = {name for start, end, name in human[mid] if _overlaps((sentence.start, sentence.end), (start, end))}
            if truth:  # only sentences a researcher coded count
                gold.append(truth)
                predicted.append({label(hit.code) for hit in hits})
    scores: dict[str, Score] = {}
    for truth, guessed in zip(gold, predicted, strict=True):
        for name in truth | guessed:
            score = scores.setdefault(name, Score(name))
            if name in truth and name in guessed:
                score.true_positives += 1
            elif name in guessed:
                score.false_positives += 1
            else:
                score.false_negatives += 1
    ordered = [scores[name] for name in sorted(scores)]
    micro = Score("micro")
    for score in ordered:
        micro.true_positives += score.true_positives
        micro.false_positives += score.false_positives
        micro.false_negatives += score.false_negatives
    measured = [s.f1 for s in ordered if s.f1 is not None]
    return {
        "level": level,
        "pipeline": describe(nlp),
        "rules": len(rules.rules),
        "units": len(gold),
        "rows": [s.row() for s in ordered],
        "micro": micro.row(),
        "macro_f1": round(sum(measured) / len(measured), 3) if measured else None,
    }
