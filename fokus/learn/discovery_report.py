"""The candidate themes that :func:`fokus.learn.discover.discover` finds, as people read them: each candidate
with its words, quotes and reach, and the report as rows, JSON and Markdown, with the figures of the method it
states (see :mod:`fokus.learn.discover`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fokus.analysis.frame import IntArray
from fokus.analysis.report import markdown_table
from fokus.domain.passages import Passage
from fokus.errors import FokusError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
MIN_WORDS = 2  # lemmas that count, for a sentence to take part
K_SHARE = 5  # the default k is sqrt(n / K_SHARE) ...
K_MAX = 30  # ... at most this
FLOOR = 0.2  # the weight a sentence needs on its strongest topic to belong to it
K_RULE = f"round(sqrt(n / {K_SHARE})), between 2 and {K_MAX}, at most n / min_sentences"


@dataclass(frozen=True)
class CandidateQuote(Passage):
    """One sentence of a candidate, as a quote, with how strongly it belongs to the candidate's topic."""

    unit: int
    message_id: int
    weight: float

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "participant": self.participant,
            "case": self.case,
            "message": self.message,
            "unit": self.unit,
            "start": self.start,
            "end": self.end,
            "weight": round(self.weight, 4),
        }


@dataclass(frozen=True, eq=False)
class Candidate:
    """A candidate theme: one topic of the model with the sentences whose strongest topic it is.

    The sentences are parallel arrays (unit id, message id, span, weight), strongest first.
    """

    number: int
    title: str
    words: tuple[tuple[str, float], ...]  # lemma, weight in the topic's unit vector
    quotes: tuple[CandidateQuote, ...]
    cases: tuple[tuple[str, int], ...]  # municipality, sentences (most first, then by name)
    participants: int
    messages: int
    units: IntArray = field(repr=False)
    unit_messages: IntArray = field(repr=False)
    starts: IntArray = field(repr=False)
    ends: IntArray = field(repr=False)
    weights: FloatArray = field(repr=False)

    @property
    def sentences(self) -> int:
        return len(self.units)

    @property
    def lemmas(self) -> list[str]:
        return [word for word, _ in self.words]

    def as_json(self) -> dict[str, Any]:
        return {
            "candidate": self.number,
            "title": self.title,
            "words": [{"lemma": w, "weight": round(v, 4)} for w, v in self.words],
            "n_municipalities": len(self.cases),
            "n_participants": self.participants,
            "n_messages": self.messages,
            "n_sentences": self.sentences,
            "municipalities": [{"case": name, "sentences": n} for name, n in self.cases],
            "quotes": [q.as_json() for q in self.quotes],
            "units": self.units.tolist(),
        }


@dataclass
class DiscoveryReport:
    """The candidate themes of the open sentences; implements :class:`fokus.analysis.report.Report`."""

    k: int
    k_source: str  # "asked" or "rule"
    seed: int
    min_df: int
    sentences: int  # every stored sentence
    covered: int  # sentences an accepted coding belongs to
    short: int  # open sentences with fewer than MIN_WORDS lemmas that count
    fitted: int  # open sentences the model was fitted to
    vocabulary: int
    iterations: int
    converged: bool
    untagged: int  # messages never split into sentences
    empty_topics: int
    candidates: list[Candidate]
    title: str = "Candidate themes in the sentences no accepted code covers"

    @property
    def uncovered(self) -> int:
        return self.sentences - self.covered

    @property
    def assigned(self) -> int:
        return sum(c.sentences for c in self.candidates)

    def candidate(self, number: int) -> Candidate:
        for found in self.candidates:
            if found.number == number:
                return found
        known = f"1 to {len(self.candidates)}" if self.candidates else "none"
        raise FokusError(f"there is no candidate {number}", hint=f"the candidates: {known} (`fokus discover`)")

    def columns(self) -> list[str]:
        return [
            "candidate",
            "title",
            "n_municipalities",
            "n_participants",
            "n_messages",
            "n_sentences",
            "lemmas",
            "municipalities",
            "quote_messages",
            "quote_units",
        ]

    def terminal_columns(self) -> list[str]:
        return ["candidate", "title", "n_municipalities", "n_sentences", "lemmas"]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "candidate": c.number,
                "title": c.title,
                "n_municipalities": len(c.cases),
                "n_participants": c.participants,
                "n_messages": c.messages,
                "n_sentences": c.sentences,
                "lemmas": ", ".join(c.lemmas),
                "municipalities": "; ".join(f"{name} ({n})" for name, n in c.cases),
                "quote_messages": " ".join(q.message for q in c.quotes),
                "quote_units": " ".join(str(q.unit) for q in c.quotes),
            }
            for c in self.candidates
        ]

    def method(self) -> str:
        how = "as asked" if self.k_source == "asked" else f"by the rule {K_RULE}"
        return (
            f"{self.fitted} of the {self.uncovered} sentences no accepted coding covers (of {self.sentences}) were"
            f" modelled ({self.short} have fewer than {MIN_WORDS} words that count): NMF on lemma TF-IDF"
            f" ({self.vocabulary} lemmas in at least {self.min_df} sentences), k = {self.k} {how}, seed {self.seed}."
            f" {self.assigned} sentences belong to a candidate (weight at least {FLOOR} on their strongest topic)."
        )

    def as_json(self) -> Any:
        return {
            "title": self.title,
            "k": self.k,
            "k_source": self.k_source,
            "k_rule": K_RULE,
            "seed": self.seed,
            "min_df": self.min_df,
            "min_words": MIN_WORDS,
            "floor": FLOOR,
            "sentences": self.sentences,
            "covered": self.covered,
            "uncovered": self.uncovered,
            "short": self.short,
            "fitted": self.fitted,
            "assigned": self.assigned,
            "vocabulary": self.vocabulary,
            "iterations": self.iterations,
            "converged": self.converged,
            "untagged_messages": self.untagged,
            "empty_topics": self.empty_topics,
            "candidates": [c.as_json() for c in self.candidates],
        }

    def markdown(self) -> str:
        lines = [f"# {self.title}", "", self.method()]
        notes = []
        if self.empty_topics:
            notes.append(f"{self.empty_topics} topics have no sentence of their own and are left out.")
        if self.untagged:
            notes.append(f"{self.untagged} messages are not split into sentences yet (`fokus tag`).")
        if not self.converged:
            notes.append(f"The model stopped after {self.iterations} iterations without converging.")
        if notes:
            lines += ["", " ".join(notes)]
        lines += [
            "",
            "Machines only suggest: a candidate becomes a code only when a researcher adopts it"
            " (`fokus discover --adopt N --as PATH --name NAME`), and its quotes are then suggestions to review.",
        ]
        if self.candidates:
            overview = ["candidate", "title", "n_municipalities", "n_participants", "n_sentences", "lemmas"]
            lines += ["", markdown_table(self.rows(), overview)]
        for c in self.candidates:
            lines += [
                "",
                f"## {c.number}. {c.title}",
                "",
                f"{len(c.cases)} municipalities, {c.participants} participants, {c.messages} messages,"
                f" {c.sentences} sentences.",
                "",
                "- Municipalities: " + (", ".join(f"{name} ({n})" for name, n in c.cases) or "none"),
                "- Words: " + ", ".join(f"{w} ({v:.2f})" for w, v in c.words),
                "",
            ]
            for q in c.quotes:
                where = f"{q.participant}, {q.case or '(no municipality)'} (message {q.message}; sentence {q.unit})"
                lines += [f"> {' '.join(q.text.split())}", ">", f"> — {where}", ""]
        return "\n".join(lines).rstrip() + "\n"
