"""The analysis screen's hypotheses tab (fokus.tui.screens.analysis): each hypothesis with its statement in the
reader's language beside its verdict, and ``enter`` on one: the coded passages behind a hypothesis on the coding, or,
for one on behaviour (page metrics, survey items), a notification naming the posts, questions or values its figure
rests on, since those have no thread to open."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from rich.markup import escape
from sqlalchemy.orm import Session
from textual.app import App

from fokus.analysis.frame import Scope
from fokus.analysis.report import cell
from fokus.i18n import _, ngettext
from fokus.tui.screens.passages import PassagesScreen, Quote
from fokus.tui.screens.report_table import Column, Shown, clip, column_label, fit, give_way, plain, room, unit_word


class Settings(Protocol):
    """What this tab reads of the analysis screen's settings (fokus.tui.screens.analysis.Settings)."""

    hypotheses: Path | None

    @property
    def scope(self) -> Scope: ...


class AnalysisScreen(Protocol):
    """What this tab uses of the analysis screen: its computed reports, the app, notifications (a protocol, since
    the screen imports this module)."""

    reports: dict[str, Any]

    @property
    def app(self) -> App[Any]: ...

    def notify(self, message: str, *, timeout: float | None = None) -> None: ...


def hypotheses_report(session: Session, s: Settings) -> Any:
    from fokus.analysis.hypotheses import check_hypotheses
    from fokus.files.hypotheses import load_hypotheses
    from fokus.resources import default_hypotheses

    return check_hypotheses(session, load_hypotheses(s.hypotheses or default_hypotheses()), scope=s.scope).brief()


def shape_hypotheses(brief: Any, s: Settings, width: int) -> Shown:
    """The brief report with each hypothesis's statement beside its id (as much as the width holds), and in full,
    with its codes, in the pane under the table."""
    shown = plain(brief, s, width)
    results = brief.full.results
    units = [unit_word(r.hypothesis.unit) for r in results]
    at = [c.label for c in shown.columns].index(column_label("unit"))
    for cells, unit in zip(shown.cells, units, strict=True):
        cells[at] = unit
    shown.columns[at] = fit(column_label("unit"), shown.cells, at)
    statements = [" ".join((r.hypothesis.shown("statement") or r.hypothesis.statement).split()) for r in results]
    give_way(width, shown.columns, shown.cells, (column_label("test"), column_label("unit")))  # the pane names both
    left = max(room(width, shown.columns), 10)
    label = column_label("statement")
    column = Column(label, min(left, max([len(label), *map(len, statements)])))
    shown.columns.insert(1, column)
    for cells, statement in zip(shown.cells, statements, strict=True):
        cells.insert(1, clip_at_word(statement, column.width))
    shown.details = [
        f"[b]{escape(r.hypothesis.id)}[/] {escape(statement)}\n[dim]{escape(', '.join(r.hypothesis.codes))}"
        f" · {escape(row['test'])} · {escape(unit)} · {escape(cell(r.verdict, 'verdict'))}[/]"
        for r, row, statement, unit in zip(results, brief.rows(), statements, units, strict=True)
    ]
    return shown


def clip_at_word(text: str, width: int) -> str:
    """``text`` clipped to ``width`` as :func:`clip` does, but at the end of a word where one ends in its second half
    (a statement reads "... strategy and…", not "... guid…")."""
    clipped = clip(text, width)
    if not clipped.endswith("…") or clipped == " ".join(text.split()):
        return clipped
    space = clipped.rfind(" ")
    return clipped[:space].rstrip() + "…" if space > width // 2 else clipped


def open_hypothesis(screen: AnalysisScreen, row: dict[str, Any]) -> None:
    brief = screen.reports["hypotheses"]
    result = next(r for r in brief.full.results if r.hypothesis.id == row["id"])
    if result.evidence_unit != "passage" or not all("message_id" in p for p in result.evidence):
        _notify_evidence(screen, result)  # a behaviour hypothesis' posts, questions or values: no passages to open
        return
    quotes = [Quote.from_row(p, code=", ".join(p.get("codes", ()))) for p in result.evidence]
    title = ngettext(
        "{id} ({verdict}): {count} passage, {what}", "{id} ({verdict}): {count} passages, {what}", result.evidence_total
    ).format(
        id=result.hypothesis.id,
        verdict=cell(result.verdict, "verdict"),
        count=cell(result.evidence_total),
        what=result.evidence_what.shown(),
    )
    screen.app.push_screen(PassagesScreen(quotes=(title, quotes)))


EVIDENCE_NOTIFIED = 3  # a behaviour hypothesis' evidence items the notification quotes


def _notify_evidence(screen: AnalysisScreen, result: Any) -> None:
    """What a behaviour hypothesis' figure rests on, in a notification: its evidence counted in its unit (posts,
    questions or values) and the first few items (day, page and municipality, text), since the passages screen holds
    only coded passages."""
    from fokus.analysis.hypothesis_behaviour_text import evidence_heading

    heading = evidence_heading(result.evidence_unit, result.evidence_total).format(
        n=cell(result.evidence_total), what=result.evidence_what.shown()
    )
    lines = [escape(f"{result.hypothesis.id}: {heading}")]
    for item in result.evidence[:EVIDENCE_NOTIFIED]:
        lines.append("· " + escape(_evidence_line(item)))
    screen.notify("\n".join(lines), timeout=12)


def _evidence_line(item: dict[str, Any]) -> str:
    """One evidence item in a line: a value as ``case: attribute = value``, a post or question as its day, page
    (municipality) and text, clipped at a word."""
    from fokus.domain.excerpts import excerpt
    from fokus.tui.widgets.codes_panel import quoted

    if item.get("kind") == "value":
        return f"{item.get('case', '')}: {item.get('attribute', '')} = {item.get('value', '')}"
    day = (item.get("created_at") or "")[:10]
    where = _("{page} ({case})").format(page=item.get("page", ""), case=item.get("case", ""))
    text = excerpt(str(item.get("text") or ""), 60)
    return " · ".join(part for part in (day, where, quoted(text) if text else "") if part)
