"""The good practices found, as people read them: each practice with its passages, the researchers' summaries,
municipalities and themes, and the report as rows, JSON and Markdown. How they are found is in
:mod:`fokus.analysis.practices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fokus.analysis.frame import Scope
from fokus.analysis.report import Figure, Phrase, markdown_table
from fokus.domain.passages import Passage
from fokus.i18n import N_, _, formats, ngettext


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

    @property
    def label(self) -> Phrase:
        """The title: English in JSON, the reader's language where people read it."""
        return Phrase(
            N_("Good practice ({code}) shared by at least {n} municipalities"),
            code=self.code,
            n=Figure(self.min_cases, "int"),
        )

    @property
    def title(self) -> str:
        return self.label.shown()

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
            "municipalities": len({c for p in rest for c, _n in p.cases}),
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
                "municipalities": "; ".join(name for name, _n in p.cases),
                "themes": "; ".join(f"{path} ({n})" for path, _, n in p.themes),
                "messages": " ".join(dict.fromkeys(q.message for q in p.passages)),
                "coding_ids": " ".join(str(c) for q in p.passages for c in q.coding_ids),
            }
            for p in self.listed
        ]

    def as_json(self) -> Any:
        return {
            "title": str(self.label),
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
            _(
                "{passages} passages coded `{code}` grouped into {practices} practices (average linkage on lemma"
                " TF-IDF and themes, distance threshold {threshold}, theme weight {weight}); {shared} are shared by"
                " at least {min_cases} municipalities. Not shared: {rest_passages} passages from {rest_cases}"
                " municipalities in {rest_practices} practices."
            ).format(
                passages=formats.number(self.passages),
                code=self.code,
                practices=formats.number(len(self.practices)),
                threshold=formats.number(self.threshold),
                weight=formats.number(self.theme_weight),
                shared=formats.number(len(self.shared)),
                min_cases=formats.number(self.min_cases),
                rest_passages=formats.number(rest["passages"]),
                rest_cases=formats.number(rest["municipalities"]),
                rest_practices=formats.number(rest["practices"]),
            ),
        ]
        if self.lemmatised_now:
            lines += [
                "",
                ngettext(
                    "{n} passage was lemmatised now: its message is not tagged yet.",
                    "{n} passages were lemmatised now: their messages are not tagged yet.",
                    self.lemmatised_now,
                ).format(n=formats.number(self.lemmatised_now)),
            ]
        if not self.listed:
            lines += ["", _("No practice is shared by that many municipalities (`--all` lists every practice).")]
        else:
            overview = ["practice", "title", "n_municipalities", "n_passages", "municipalities"]
            lines += ["", markdown_table(self.rows(), overview)]
        for practice in self.listed:
            lines += ["", *_practice_markdown(practice)]
        return "\n".join(lines)


def _practice_markdown(p: Practice) -> list[str]:
    status = _("shared") if p.shared else _("not shared")
    none = _("none")
    lines = [
        f"## {p.number}. {p.title}",
        "",
        _("{cases} municipalities ({status}), {passages} passages.").format(
            cases=formats.number(len(p.cases)), status=status, passages=formats.number(len(p.passages))
        ),
        "",
        "- " + _("Municipalities: {list}").format(list=", ".join(f"{name} ({n})" for name, n in p.cases) or none),
        "- " + _("Themes: {list}").format(list=", ".join(f"{name} ({n})" for _p, name, n in p.themes) or none),
        "- " + _("Words: {list}").format(list=", ".join(f"{w} ({Figure(v, '2f').shown()})" for w, v in p.words)),
        "",
    ]
    for q in p.passages:
        ids = ", ".join(str(c) for c in q.coding_ids)
        where = _("{participant}, {case} (message {message}; codings {ids})").format(
            participant=q.participant, case=q.case or _("(no municipality)"), message=q.message, ids=ids
        )
        lines += [f"> {' '.join(q.text.split())}", ">", f"> — {where}", ""]
    if p.summaries:
        lines += [_("Summaries:"), ""]
        lines += [
            "- "
            + _("{summary} ({coder}, coding {id})").format(
                summary=" ".join(s.text.split()), coder=s.coder or _("unknown"), id=s.coding_id
            )
            for s in p.summaries
        ]
        lines.append("")
    return lines
