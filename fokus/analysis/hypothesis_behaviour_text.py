"""The words of behaviour hypotheses (fokus.analysis.hypothesis_behaviour) as people read them: a case-level
variable's name, and the posts, questions and answers behind a figure quoted in the Markdown report. Apart from
fokus.analysis.hypothesis_report, which calls it, so that the report of codings stays one concept; below the
behaviour tests, which name their variables with it.

JSON keeps each evidence item's fields as they are (external ids, times in UTC, hours as numbers); the Markdown
gives the day in Norwegian time in the reader's form. No commenter is named, only "a member of the public".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fokus.analysis.page_metrics import PAGE_HEADINGS
from fokus.analysis.report import Figure, Phrase
from fokus.analysis.units import UNIT_PLURALS
from fokus.domain.local_time import local_time
from fokus.files.hypotheses import Hypothesis
from fokus.files.hypothesis_variables import Variable
from fokus.i18n import N_, _, formats, ngettext


def variable_phrase(v: Variable) -> Phrase:
    """``response time (hours)``, ``score``, ``share of messages with krise``: English in JSON, translated shown."""
    if v.kind == "metric":
        return Phrase(PAGE_HEADINGS[v.name]) if v.name in PAGE_HEADINGS else Phrase("{name}", name=v.name)
    if v.kind == "value":
        return Phrase("{name}", name=v.name)  # an attribute's name is the researchers' word, never translated
    units = Phrase(UNIT_PLURALS.get(v.measure_unit, v.measure_unit + "s"))
    if v.measure == "share":
        return Phrase(N_("share of {units} with {code}"), units=units, code=v.name)
    return Phrase(N_("number of {units} with {code}"), units=units, code=v.name)


def about(h: Hypothesis) -> str:
    """What a behaviour hypothesis tests, in the sentence that opens its section."""
    if h.test == "correlation":
        x, y = (variable_phrase(v).shown() for v in h.variables)
        return _("{y} against {x}, per case").format(x=x, y=y)
    return _("{variable} by {attribute}, per case").format(
        variable=variable_phrase(h.variables[0]).shown(), attribute=h.attribute
    )


def evidence_heading(unit: str, total: int) -> str:
    """The evidence's first line, counted in its unit: posts, questions or values."""
    if unit == "post":
        return ngettext("Evidence: {n} post ({what}).", "Evidence: {n} posts ({what}).", total)
    if unit == "question":
        return ngettext("Evidence: {n} question ({what}).", "Evidence: {n} questions ({what}).", total)
    if unit == "value":
        return ngettext("Evidence: {n} value ({what}).", "Evidence: {n} values ({what}).", total)
    return ngettext("Evidence: {n} passage ({what}).", "Evidence: {n} passages ({what}).", total)


def _day(iso: str | None) -> str:
    return formats.date(local_time(datetime.fromisoformat(iso)).date()) if iso else ""


def _quote(text: str | None) -> str:
    return " ".join(str(text or "").split())


def quoted(item: dict[str, Any]) -> list[str]:
    """One evidence item of a behaviour hypothesis as Markdown lines (a passage's are the report's own)."""
    kind = item.get("kind")
    if kind == "value":
        return [f"- {item['case']}: {item['attribute']} = {item['value']}"]
    if kind == "post":
        by = _("{page} ({case}), {day}: likes: {likes}, comments: {comments}, shares: {shares}").format(
            page=item["page"],
            case=item["case"],
            day=_day(item["created_at"]),
            **{key: Figure(item[key], "int").shown() for key in ("likes", "comments", "shares")},
        )
        return [f"> {_quote(item['text'])}", f"> — {by}"]
    asked = _("a member of the public, under a post by {page} ({case}), {day}").format(
        page=item["page"], case=item["case"], day=_day(item["created_at"])
    )
    lines = [f"> {_quote(item['text'])}", f"> — {asked}"]
    if item.get("answer") is None:
        return [*lines, ">", "> " + _("Not answered by the page.")]
    answered = _("The page answered after {hours} hours:").format(hours=Figure(item["hours"], "2f").shown())
    return [*lines, ">", f"> {answered} {_quote(item['answer'])}"]
