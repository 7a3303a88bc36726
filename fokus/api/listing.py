"""Listings for people: participants by pseudonym (the identity table is never read here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.domain.local_time import iso_local
from fokus.model import Case, Message, Participant


def participant_rows(session: Session) -> list[dict[str, Any]]:
    counts = (
        select(
            Message.participant_id,
            func.count().label("n"),
            func.min(Message.created_at).label("first"),
            func.max(Message.created_at).label("last"),
        )
        .group_by(Message.participant_id)
        .subquery()
    )
    query = (
        select(Participant.pseudonym, Case.name, Participant.role, counts.c.n, counts.c.first, counts.c.last)
        .outerjoin(Case, Participant.case_id == Case.id)
        .outerjoin(counts, counts.c.participant_id == Participant.id)
        .order_by(Participant.id)
    )
    rows = []
    for pseudonym, case, role, n, first, last in session.execute(query):
        rows.append(
            {
                "participant": pseudonym,
                "case": case,
                "role": role,
                "messages": n or 0,
                "first": iso_local(first),
                "last": iso_local(last),
            }
        )
    return rows
