"""The candidate themes that :func:`fokus.learn.discover.discover` finds, as people read them: each candidate
with its words, quotes and reach, and the report as rows, JSON and Markdown, with the figures of the method it
states (see :mod:`fokus.learn.discover`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fokus.analysis.frame import IntArray
from fokus.analysis.report import decimal, markdown_table
from fokus.analysis.report import heading as analysis_heading
from fokus.domain.passages import Passage
from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
MIN_WORDS = 2  # lemmas that count, for a sentence to take part
K_SHARE = 5  # the default k is sqrt(n / K_SHARE) ...
K_MAX = 30  # ... at most this
FLOOR = 0.2  # the weight a sentence needs on its strongest topic to belong to it
#: How k is chosen when not asked: in JSON in English, in the method's prose in the reader's language.
K_RULE_TEXT = N_("round(sqrt(n / {share})), between 2 and {most}, at most n / min_sentences")
K_RULE = K_RULE_TEXT.format(share=K_SHARE, most=K_MAX)
TITLE = N_("Candidate themes in the sentences no accepted code covers")
#: The report's columns as people read them, beyond those the analyses name (CSV and JSON keep the keys).
HEADINGS = {
    "candidate": N_("candidate"),
    "n_participants": N_("n_participants"),
    "n_messages": N_("n_messages"),
    "n_sentences": N_("n_sentences"),
    "lemmas": N_("lemmas"),
    "quote_messages": N_("quote_messages"),
    "quote_units": N_("quote_units"),
}


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

    @property
    def title(self) -> str:
        """The report's title in the reader's language (JSON keeps the English)."""
        return _(TITLE)

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
        if self.candidates:
            hint = _("the candidates: 1 to {last} (`fokus discover`)").format(last=len(self.candidates))
        else:
            hint = _("the candidates: none (`fokus discover`)")
        raise FokusError(_("there is no candidate {number}").format(number=number), hint=hint)

    def heading(self, column: str) -> str:
        """A column's heading for people, in their language."""
        return _(HEADINGS[column]) if column in HEADINGS else analysis_heading(column)

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
        """How the candidates were found, in the reader's language."""
        if self.k_source == "asked":
            text = _(
                "{fitted} of the {uncovered} sentences no accepted coding covers (of {sentences}) were modelled"
                " ({short} have fewer than {min_words} words that count): NMF on lemma TF-IDF ({vocabulary} lemmas"
                " in at least {min_df} sentences), k = {k} as asked, seed {seed}. {assigned} sentences belong to a"
                " candidate (weight at least {floor} on their strongest topic)."
            )
        else:
            text = _(
                "{fitted} of the {uncovered} sentences no accepted coding covers (of {sentences}) were modelled"
                " ({short} have fewer than {min_words} words that count): NMF on lemma TF-IDF ({vocabulary} lemmas"
                " in at least {min_df} sentences), k = {k} by the rule {rule}, seed {seed}. {assigned} sentences"
                " belong to a candidate (weight at least {floor} on their strongest topic)."
            )
        return text.format(
            fitted=number(self.fitted),
            uncovered=number(self.uncovered),
            sentences=number(self.sentences),
            short=number(self.short),
            min_words=MIN_WORDS,
            vocabulary=number(self.vocabulary),
            min_df=number(self.min_df),
            k=self.k,
            rule=_(K_RULE_TEXT).format(share=K_SHARE, most=K_MAX),
            seed=self.seed,
            assigned=number(self.assigned),
            floor=decimal(str(FLOOR)),
        )

    def as_json(self) -> Any:
        return {
            "title": TITLE,
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
            notes.append(
                ngettext(
                    "{count} topic has no sentence of its own and is left out.",
                    "{count} topics have no sentence of their own and are left out.",
                    self.empty_topics,
                ).format(count=number(self.empty_topics))
            )
        if self.untagged:
            notes.append(
                ngettext(
                    "{count} message is not split into sentences yet (`fokus tag`).",
                    "{count} messages are not split into sentences yet (`fokus tag`).",
                    self.untagged,
                ).format(count=number(self.untagged))
            )
        if not self.converged:
            notes.append(
                _("The model stopped after {iterations} iterations without converging.").format(
                    iterations=number(self.iterations)
                )
            )
        if notes:
            lines += ["", " ".join(notes)]
        lines += [
            "",
            _(
                "Machines only suggest: a candidate becomes a code only when a researcher adopts it"
                " (`fokus discover --adopt N --as PATH --name NAME`), and its quotes are then suggestions to review."
            ),
        ]
        if self.candidates:
            overview = ["candidate", "title", "n_municipalities", "n_participants", "n_sentences", "lemmas"]
            # the headings in the reader's language, as the terminal table shows them
            rows = [{self.heading(key): value for key, value in row.items()} for row in self.rows()]
            lines += ["", markdown_table(rows, [self.heading(c) for c in overview])]
        for c in self.candidates:
            cases = ", ".join(f"{name} ({number(n)})" for name, n in c.cases)
            lines += [
                "",
                f"## {c.number}. {c.title}",
                "",
                _(
                    "{municipalities} municipalities, {participants} participants, {messages} messages,"
                    " {sentences} sentences."
                ).format(
                    municipalities=number(len(c.cases)),
                    participants=number(c.participants),
                    messages=number(c.messages),
                    sentences=number(c.sentences),
                ),
                "",
                "- " + (_("Municipalities: {list}").format(list=cases) if cases else _("Municipalities: none")),
                "- " + _("Words: {list}").format(list=", ".join(f"{w} ({number(v, 2)})" for w, v in c.words)),
                "",
            ]
            for q in c.quotes:
                if q.case:
                    where = _("{participant}, {case} (message {message}; sentence {unit})")
                else:
                    where = _("{participant}, (no municipality) (message {message}; sentence {unit})")
                shown = where.format(participant=q.participant, case=q.case, message=q.message, unit=q.unit)
                lines += [f"> {' '.join(q.text.split())}", ">", f"> — {shown}", ""]
        return "\n".join(lines).rstrip() + "\n"
