"""The cases and variables of a REFI-QDA project as the project's cases and typed attributes, and the participants
they link; see :mod:`fokus.exchange.project_import`.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fokus.api.cases import CasesReport, import_cases
from fokus.exchange.guids import Guids
from fokus.exchange.qdpx_read import QdpxProject
from fokus.files.cases import AttributeSpec, CaseRow, CaseTable
from fokus.importers.limits import MAX_INTEGER
from fokus.model import Attribute, AttributeType, Case, Message, Participant

TYPES = {
    "text": AttributeType.TEXT,
    "integer": AttributeType.INTEGER,
    "float": AttributeType.FLOAT,
    "boolean": AttributeType.BOOLEAN,
    "date": AttributeType.DATE,
    "datetime": AttributeType.TEXT,
}


def import_qdpx_cases(
    session: Session,
    project: QdpxProject,
    guids: Guids,
    message_ids: dict[str, int],
    message_guids: dict[str, str],
) -> CasesReport | None:
    if not project.cases:
        return None
    attributes = [
        AttributeSpec(name, TYPES.get(kind.lower(), AttributeType.TEXT), position)
        for position, (name, kind) in enumerate(project.variables.values())
    ]
    by_guid = dict(zip(project.variables, attributes, strict=True))
    rows = []
    for case in project.cases:
        values: dict[str, Any] = {}
        for guid, raw in case.values.items():
            spec = by_guid.get(guid)
            if spec is not None:
                values[spec.name] = _typed(raw, spec.type)
        rows.append(CaseRow(case.name, values, 0))
    report = import_cases(session, CaseTable(attributes, rows), project.path)
    attribute_ids = dict(session.execute(select(Attribute.name, Attribute.id)).all())
    for guid, spec in by_guid.items():
        guids.remember("attribute", attribute_ids[spec.name], guid)
    case_ids = {name.casefold(): cid for cid, name in session.execute(select(Case.id, Case.name))}
    author_of = dict(session.execute(select(Message.id, Message.participant_id)).all())
    case_of = dict(session.execute(select(Participant.id, Participant.case_id)).all())
    links: dict[int, int] = {}  # participant -> case, for participants without one
    for case in project.cases:
        case_id = case_ids[" ".join(case.name.split()).casefold()]
        guids.remember("case", case_id, case.guid)
        for ref in case.selections:
            ext = message_guids.get(ref)
            participant = author_of.get(message_ids[ext]) if ext is not None else None
            if participant is not None and case_of.get(participant) is None:
                links.setdefault(participant, case_id)
    for participant, case_id in links.items():
        session.execute(update(Participant).where(Participant.id == participant).values(case_id=case_id))
    return report


def _typed(raw: str, kind: AttributeType) -> Any:
    """A variable's value in its type; None when it is not one (nor one a database holds: a whole number beyond 64
    bits, a float that is not finite, which SQLite would store as NULL and PostgreSQL as NaN)."""
    try:
        if kind is AttributeType.INTEGER:
            number = int(raw) if len(raw) <= 25 else None
            return number if number is not None and -MAX_INTEGER - 1 <= number <= MAX_INTEGER else None
        if kind is AttributeType.FLOAT:
            value = float(raw)
            return value if math.isfinite(value) else None
        if kind is AttributeType.BOOLEAN:
            return raw.strip().lower() in ("true", "1")
        if kind is AttributeType.DATE:
            return date.fromisoformat(raw[:10])
    except ValueError:
        return None
    return raw
