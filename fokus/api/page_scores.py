"""Scoring the pages into the cases: ``score``, ``rank`` and ``topp10``/``topp30`` as typed case attributes, with the
scoring run that wrote them kept as their provenance.

A score run owns the attributes it writes: each run clears them on every case and writes them again for the cases
of the ranked pages (``topp10`` false, and no score or rank, for a page not ranked), so no value of an older run is
left behind. An attribute of the same name that no score run wrote is the researchers' own: it is never overwritten
unless they say so (``replace``), and one of another type never is. The ``ScoreRun`` row keeps the criteria file's
text and sha256, the window, and every page's score, rank and share of the draws in each top N.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from fokus.analysis.page_metrics import Window, page_metrics
from fokus.analysis.page_scores import ScoreReport, score_pages, top_name
from fokus.analysis.report import Phrase
from fokus.errors import FokusError
from fokus.files.criteria import CriteriaFile
from fokus.i18n import N_, _
from fokus.model import Attribute, AttributeType, CaseValue, Page, ScoreRun

MAX_TOP = 10_000
MAX_SAMPLES = 100_000
COLUMNS = {AttributeType.FLOAT: "value_float", AttributeType.INTEGER: "value_int", AttributeType.BOOLEAN: "value_bool"}


def attribute_types(tops: tuple[int, ...]) -> dict[str, AttributeType]:
    """The case attributes a score run writes, with their types."""
    types = {"score": AttributeType.FLOAT, "rank": AttributeType.INTEGER}
    return types | {top_name(n): AttributeType.BOOLEAN for n in tops}


def check_options(tops: tuple[int, ...], samples: int, seed: int = 0) -> None:
    """Refuse a top N or a number of draws that cannot be meant (a user's typo must not run for an hour)."""
    if not tops or any(not 1 <= n <= MAX_TOP for n in tops):
        raise FokusError(
            _("--top takes whole numbers from 1 to {max}, as 10,30").format(max=MAX_TOP),
            hint=_("for example --top 10,30"),
        )
    if not 0 <= samples <= MAX_SAMPLES:
        raise FokusError(_("--samples takes a whole number from 0 to {max}").format(max=MAX_SAMPLES))
    if not 0 <= seed < 2**63:
        raise FokusError(_("--seed takes a whole number of at least 0"))


def score_into_cases(
    session: Session,
    criteria: CriteriaFile,
    window: Window | None = None,
    *,
    tops: tuple[int, ...] = (10, 30),
    samples: int = 1000,
    seed: int = 0,
    replace: bool = False,
    dry_run: bool = False,
) -> ScoreReport:
    """Score the pages over ``window`` and write the result to their cases (nothing written when ``dry_run``)."""
    check_options(tops, samples, seed)
    report = score_pages(page_metrics(session, window or Window()), criteria, tops=tops, samples=samples, seed=seed)
    if not report.pages:
        raise FokusError(_("the project has no pages to score"), hint=_("import page data with fokus pages import"))
    types = attribute_types(tops)
    _refuse_others(session, types, replace)
    if dry_run:
        return report
    stale = _remove_stale(session, types)
    if stale:
        report.notes.append(
            Phrase(
                N_("Removed {names} from the cases: an earlier score run wrote them, this one does not."),
                names=", ".join(stale),
            )
        )
    attributes = _attributes(session, types)
    session.execute(delete(CaseValue).where(CaseValue.attribute_id.in_([a.id for a in attributes.values()])))
    case_of = dict(session.execute(select(Page.external_id, Page.case_id)).all())
    caseless = [row["name"] for row in report.pages if case_of.get(row["page"]) is None]
    if caseless:
        report.notes.append(
            Phrase(N_("No case to write to for {pages}: link the page to its municipality."), pages=", ".join(caseless))
        )
    for row in report.pages:
        case_id = case_of.get(row["page"])
        if case_id is None:
            continue
        values = {"score": row["score"], "rank": row["rank"]} | {top_name(n): row[top_name(n)] for n in tops}
        for name, value in values.items():
            if value is not None:
                column = COLUMNS[types[name]]
                session.add(CaseValue(case_id=case_id, attribute_id=attributes[name].id, **{column: value}))
    results = report.as_json() | {"attributes": list(types)}
    run = ScoreRun(
        criteria_sha256=criteria.sha256,
        criteria=criteria.text,
        window_from=report.window[0],
        window_to=report.window[1],
        results=results,
    )
    session.add(run)
    session.flush()
    report.run = run.id
    report.at = run.at
    return report


def _refuse_others(session: Session, types: dict[str, AttributeType], replace: bool) -> None:
    """Refuse an attribute of another type, or a researcher's own one (no score run wrote it) unless ``replace``."""
    owned = _owned(session)
    existing = {a.name: a for a in session.scalars(select(Attribute).where(Attribute.name.in_(list(types))))}
    for name, kind in types.items():
        attribute = existing.get(name)
        if attribute is None:
            continue
        if attribute.type != kind.value:
            raise FokusError(
                _("the project has an attribute {name!r} of type {stored}; a score run writes it as {kind}").format(
                    name=name, stored=attribute.type, kind=kind.value
                ),
                hint=_("rename the project's attribute first; nothing was written"),
            )
        if name not in owned and not replace:
            raise FokusError(
                _("the project has its own attribute {name!r}, not written by a score run").format(name=name),
                hint=_("give --replace to overwrite it; nothing was written"),
            )


def _owned(session: Session) -> set[str]:
    """The attributes score runs have written."""
    owned: set[str] = set()
    for results in session.scalars(select(ScoreRun.results)):
        owned.update(results.get("attributes", []))
    return owned


def _remove_stale(session: Session, types: dict[str, AttributeType]) -> list[str]:
    """Remove the attributes an earlier score run wrote and this one does not (``topp30`` after ``--top 10``), so
    that no case keeps a selection the current scores do not make; their names, sorted."""
    stale = sorted(_owned(session) - set(types))
    attributes = list(session.scalars(select(Attribute).where(Attribute.name.in_(stale))))
    if attributes:
        ids = [a.id for a in attributes]
        session.execute(delete(CaseValue).where(CaseValue.attribute_id.in_(ids)))
        session.execute(delete(Attribute).where(Attribute.id.in_(ids)))
    return sorted(a.name for a in attributes)


def _attributes(session: Session, types: dict[str, AttributeType]) -> dict[str, Attribute]:
    """The attributes to write, made where missing."""
    existing = {a.name: a for a in session.scalars(select(Attribute).where(Attribute.name.in_(list(types))))}
    position = session.scalar(select(func.max(Attribute.position))) or 0
    for name, kind in types.items():
        if name not in existing:
            position += 1
            existing[name] = Attribute(name=name, type=kind.value, position=position)
            session.add(existing[name])
    session.flush()
    return existing


def latest_run(session: Session) -> ScoreReport | None:
    """The last score run as a report (what ``fokus pages score --show`` shows), or None before the first."""
    run = session.scalars(select(ScoreRun).order_by(ScoreRun.id.desc()).limit(1)).first()
    if run is None:
        return None
    return ScoreReport.from_json(run.results, run.id, run.at)
