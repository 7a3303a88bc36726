"""The good practices found, as people read them: each practice with its passages, the researchers' summaries,
municipalities and themes, and the report as rows, JSON and Markdown. How they are found is in
:mod:`fokus.analysis.practices`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fokus.analysis.frame import Scope
from fokus.analysis.report import markdown_table
from fokus.domain.passages import Passage


@dataclass(frozen=True)
class Summary:
    """A researcher's summary of a good-practice coding (a memo on the coding)."""

    coding_id: int
    coder: str | None
    text: str


@dataclass(frozen=True)
class PracticePassage(Passage):
    """One passage of a practice (overlapping codings of the practice code, merged): and what the researchers made
    of it."""

    thread: str  # external id
    coding_ids: tuple[int, ...]
    coders: tuple[str, ...]
    themes: tuple[str, ...]  # top-level code paths
    summaries: tuple[Summary, ...]
    lemmas: str  # what the features were computed from

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "participant": self.participant,
            "case": self.case,
            "message": self.message,
            "thread": self.thread,
            "start": self.start,
            "end": self.end,
            "coding_ids": list(self.coding_ids),
            "coders": list(self.coders),
            "themes": list(self.themes),
            "summaries": [{"coding_id": s.coding_id, "coder": s.coder, "text": s.text} for s in self.summaries],
            "lemmas": self.lemmas,
        }


@dataclass(frozen=True)
class Practice:
    """A group of passages that describe the same practice."""

    number: int
    title: str
    words: tuple[tuple[str, float], ...]  # lemma, mean TF-IDF weight in the practice
    themes: tuple[tuple[str, str, int], ...]  # path, name, passages
    cases: tuple[tuple[str, int], ...]  # municipality, passages (by passages, then name)
    passages: tuple[PracticePassage, ...]
    shared: bool

    @property
    def summaries(self) -> list[Summary]:
        return [s for p in self.passages for s in p.summaries]

    def as_json(self) -> dict[str, Any]:
        return {
            "practice": self.number,
            "title": self.title,
            "shared": self.shared,
            "municipalities": [{"case": name, "passages": n} for name, n in self.cases],
            "passages": len(self.passages),
            "words": [{"lemma": w, "weight": round(v, 4)} for w, v in self.words],
            "themes": [{"theme": path, "name": name, "passages": n} for path, name, n in self.themes],
            "quotes": [p.as_json() for p in self.passages],
            "summaries": [{"coding_id": s.coding_id, "coder": s.coder, "text": s.text} for s in self.summaries],
        }


@dataclass
class PracticesReport:
    """The practices found, shared ones first; implements :class:`fokus.analysis.report.Report`.

    ``practices`` holds every practice; the formats show the shared ones, and the others too with
    ``include_unshared``. The counts of what is not shared are always given.
    """

    code: str
    min_cases: int
    threshold: float
    theme_weight: float
    scope: Scope
    practices: list[Practice]
    passages: int
    lemmatised_now: int
    include_unshared: bool = False
    title: str = field(init=False)

    def __post_init__(self) -> None:
        self.title = f"Good practice ({self.code}) shared by at least {self.min_cases} municipalities"

    @property
    def shared(self) -> list[Practice]:
        return [p for p in self.practices if p.shared]

    @property
    def unshared(self) -> list[Practice]:
        return [p for p in self.practices if not p.shared]

    @property
    def listed(self) -> list[Practice]:
        return self.practices if self.include_unshared else self.shared

    def unshared_counts(self) -> dict[str, int]:
        rest = self.unshared
        return {
            "practices": len(rest),
            "passages": sum(len(p.passages) for p in rest),
            "municipalities": len({c for p in rest for c, _ in p.cases}),
        }

    def columns(self) -> list[str]:
        return [
            "practice",
            "title",
            "shared",
            "n_municipalities",
            "n_passages",
            "municipalities",
            "themes",
            "messages",
            "coding_ids",
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "practice": p.number,
                "title": p.title,
                "shared": p.shared,
                "n_municipalities": len(p.cases),
                "n_passages": len(p.passages),
                "municipalities": "; ".join(name for name, _ in p.cases),
                "themes": "; ".join(f"{path} ({n})" for path, _, n in p.themes),
                "messages": " ".join(dict.fromkeys(q.message for q in p.passages)),
                "coding_ids": " ".join(str(c) for q in p.passages for c in q.coding_ids),
            }
            for p in self.listed
        ]

    def as_json(self) -> Any:
        return {
            "title": self.title,
            "code": self.code,
            "min_cases": self.min_cases,
            "threshold": self.threshold,
            "theme_weight": self.theme_weight,
            "scope": {
                "statuses": list(self.scope.statuses),
                "coders": list(self.scope.coders),
                "themes": list(self.scope.codes),
            },
            "passages": self.passages,
            "lemmatised_now": self.lemmatised_now,
            "shared": len(self.shared),
            "unshared": self.unshared_counts(),
            "practices": [p.as_json() for p in self.listed],
        }

    def markdown(self) -> str:
        rest = self.unshared_counts()
        lines = [
            f"# {self.title}",
            "",
            f"{self.passages} passages coded `{self.code}` grouped into {len(self.practices)} practices"
            f" (average linkage on lemma TF-IDF and themes, distance threshold {self.threshold},"
            f" theme weight {self.theme_weight}); {len(self.shared)} are shared by at least {self.min_cases}"
            f" municipalities. Not shared: {rest['passages']} passages from {rest['municipalities']} municipalities"
            f" in {rest['practices']} practices.",
        ]
        if self.lemmatised_now:
            lines += ["", f"{self.lemmatised_now} passages were lemmatised now: their messages are not tagged yet."]
        if not self.listed:
            lines += ["", "No practice is shared by that many municipalities (`--all` lists every practice)."]
        else:
            overview = ["practice", "title", "n_municipalities", "n_passages", "municipalities"]
            lines += ["", markdown_table(self.rows(), overview)]
        for practice in self.listed:
            lines += ["", *_practice_markdown(practice)]
        return "\n".join(lines)


def _practice_markdown(p: Practice) -> list[str]:
    status = "shared" if p.shared else "not shared"
    lines = [
        f"## {p.number}. {p.title}",
        "",
        f"{len(p.cases)} municipalities ({status}), {len(p.passages)} passages.",
        "",
        "- Municipalities: " + (", ".join(f"{name} ({n})" for name, n in p.cases) or "none"),
        "- Themes: " + (", ".join(f"{name} ({n})" for _, name, n in p.themes) or "none"),
        "- Words: " + ", ".join(f"{w} ({v:.2f})" for w, v in p.words),
        "",
    ]
    for q in p.passages:
        ids = ", ".join(str(c) for c in q.coding_ids)
        where = f"{q.participant}, {q.case or '(no municipality)'} (message {q.message}; codings {ids})"
        lines += [f"> {' '.join(q.text.split())}", ">", f"> — {where}", ""]
    if p.summaries:
        lines += ["Summaries:", ""]
        lines += [f"- {' '.join(s.text.split())} ({s.coder or 'unknown'}, coding {s.coding_id})" for s in p.summaries]
        lines.append("")
    return lines
