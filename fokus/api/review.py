"""The review queue: the machine's open suggestions, one sentence at a time, for a researcher to accept or reject.

A page of the queue is one query with LIMIT/OFFSET over the suggested codings (``ix_codings_code_status``), joined to
the few rows each item needs; the decision itself is made through :mod:`fokus.api.coding_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from fokus.api.browse import code_condition, matched_spans
from fokus.domain.origins import MACHINE_PREFIXES
from fokus.domain.passages import coded_passages
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.model import Case, Code, Coding, CodingStatus, Message, Participant, Thread

ORDERS = ("confidence", "uncertain", "code", "thread")


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One open suggestion: ``sentence`` is the suggested span of ``context``, the whole message."""

    coding_id: int
    message_id: int
    external_id: str
    thread_id: int
    code: str
    name: str
    color: str | None
    start: int
    end: int
    sentence: str
    context: str
    participant: str
    case: str | None
    confidence: float | None
    origin: str
    matched: tuple[tuple[int, int], ...]
    rules: float | None = None  # each source's part of a combined confidence (fokus.api.combining), if any
    model: float | None = None


def review_queue(
    session: Session, *, order: str = "confidence", code: str | None = None, offset: int = 0, limit: int = 50
) -> list[ReviewItem]:
    """A page of the open suggestions.

    ``order`` is ``confidence`` (surest first), ``uncertain`` (closest to 0.5 first, the ones a model learns most
    from), ``code`` (by code path, then surest first) or ``thread`` (in the order the conversation happened).
    Suggestions without a confidence come last in the first three. ``code`` keeps the code and its sub-codes.
    """
    if order not in ORDERS:
        raise FokusError(
            _("unknown review order {order!r}").format(order=order),
            hint=_("use one of: {orders}").format(orders=", ".join(ORDERS)),
        )
    unknown = case((Coding.confidence.is_(None), 1), else_=0)
    in_time = (Thread.created_at, Thread.id, Message.created_at, Message.id, Coding.start, Coding.end, Coding.id)
    sort = {
        "confidence": (unknown, Coding.confidence.desc(), *in_time),
        "uncertain": (unknown, func.abs(Coding.confidence - 0.5), Coding.confidence.desc(), *in_time),
        "code": (Code.path, unknown, Coding.confidence.desc(), *in_time),
        "thread": in_time,
    }[order]
    query = (
        coded_passages(
            Coding.id,
            Message.id,
            Message.external_id,
            Message.thread_id,
            Code.path,
            Code.name,
            Code.color,
            Coding.start,
            Coding.end,
            Message.text,
            Participant.pseudonym,
            Case.name,
            Coding.confidence,
            Coding.origin,
            Coding.details,
        )
        .where(Coding.status == CodingStatus.SUGGESTED.value)
        .order_by(*sort)
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    )
    if code is not None:
        query = query.where(code_condition(session, code))
    items = []
    for row in session.execute(query):
        (coding_id, message_id, external_id, thread_id, path, name, color, start, end, text) = row[:10]
        participant, case_name, confidence, origin, details = row[10:]
        items.append(
            ReviewItem(
                coding_id=coding_id,
                message_id=message_id,
                external_id=external_id,
                thread_id=thread_id,
                code=path,
                name=name,
                color=color,
                start=start,
                end=end,
                sentence=text[start:end],
                context=text,
                participant=participant,
                case=case_name,
                confidence=confidence,
                origin=origin,
                matched=matched_spans(details),
                **_parts(details),
            )
        )
    return items


def _parts(details: dict[str, Any] | None) -> dict[str, float | None]:
    """The rules' and the model's say in a suggestion whose confidence the combiner gave."""
    combined = (details or {}).get("combined")
    if not isinstance(combined, dict):
        return {}
    return {"rules": combined.get("rules") or None, "model": combined.get("model")}


def review_progress(session: Session) -> tuple[int, int]:
    """(open suggestions, machine suggestions already decided: accepted or rejected, origin ``rule:``/``model:``)."""
    decided = and_(Coding.status.in_([CodingStatus.ACCEPTED.value, CodingStatus.REJECTED.value]), _machine_origin())
    query = select(
        func.coalesce(func.sum(case((Coding.status == CodingStatus.SUGGESTED.value, 1), else_=0)), 0),
        func.coalesce(func.sum(case((decided, 1), else_=0)), 0),
    )
    open_count, decided_count = session.execute(query).one()
    return int(open_count), int(decided_count)


def _machine_origin() -> ColumnElement[bool]:
    return or_(*(Coding.origin.startswith(prefix, autoescape=True) for prefix in MACHINE_PREFIXES))
