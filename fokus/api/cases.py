"""Cases (municipalities), their typed attributes, and which participant speaks for which case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.domain.collation import norwegian
from fokus.domain.participants import CaseRegistry, ParticipantRegistry
from fokus.errors import FokusError
from fokus.files.cases import CaseTable, Value
from fokus.i18n import N_, _
from fokus.importers.limits import MAX_LABEL_CHARS, MAX_NAME_CHARS, check_length
from fokus.model import Attribute, AttributeType, Case, CaseValue, Message, Participant

_COLUMN = {
    AttributeType.TEXT: "value_text",
    AttributeType.INTEGER: "value_int",
    AttributeType.FLOAT: "value_float",
    AttributeType.BOOLEAN: "value_bool",
    AttributeType.DATE: "value_date",
}


@dataclass
class CasesReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    attributes_added: list[str] = field(default_factory=list)


def import_cases(session: Session, table: CaseTable, display: str) -> CasesReport:
    """Add or update cases and their attribute values from a case table."""
    report = CasesReport()
    attributes = {a.name: a for a in session.scalars(select(Attribute))}
    position = len(attributes)
    for spec in table.attributes:
        attribute = attributes.get(spec.name)
        if attribute is None:
            attribute = Attribute(name=spec.name, type=spec.type.value, position=position)
            position += 1
            session.add(attribute)
            attributes[spec.name] = attribute
            report.attributes_added.append(spec.name)
        elif attribute.type != spec.type.value:
            raise FokusError(
                _("column {column!r} reads as {type}, but the project has it as {stored}").format(
                    column=spec.name, type=spec.type.value, stored=attribute.type
                ),
                path=display,
                where="line 1",
                hint=_("force the type in the header: {column}:{type}").format(column=spec.name, type=attribute.type),
            )
    session.flush()
    registry = CaseRegistry(session)
    for row in table.rows:
        before = len(registry.ids)
        case_id = registry.get_or_create(row.name)
        is_new = len(registry.ids) > before
        stored = {v.attribute_id: v for v in session.scalars(select(CaseValue).where(CaseValue.case_id == case_id))}
        changed = False
        for name, value in row.values.items():
            attribute = attributes[name]
            column = _COLUMN[AttributeType(attribute.type)]
            current = stored.get(attribute.id)
            if value is None:
                if current is not None:
                    session.delete(current)
                    changed = True
                continue
            if current is None:
                session.add(CaseValue(case_id=case_id, attribute_id=attribute.id, **{column: value}))
                changed = True
            elif getattr(current, column) != value:
                setattr(current, column, value)
                changed = True
        if is_new:
            report.added += 1
        elif changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def case_value(value: CaseValue, attribute: Attribute) -> Value | None:
    result: Value | None = getattr(value, _COLUMN[AttributeType(attribute.type)])
    return result


def case_rows(session: Session) -> tuple[list[Attribute], list[dict[str, Any]]]:
    """Every case with its attribute values and how many participants and messages it has."""
    attributes = list(session.scalars(select(Attribute).order_by(Attribute.position, Attribute.name)))
    by_id = {a.id: a for a in attributes}
    people = dict(session.execute(select(Participant.case_id, func.count()).group_by(Participant.case_id)).all())
    messages = dict(
        session.execute(
            select(Participant.case_id, func.count(Message.id))
            .join(Message, Message.participant_id == Participant.id)
            .group_by(Participant.case_id)
        ).all()
    )
    values: dict[int, dict[str, Any]] = {}
    for value in session.scalars(select(CaseValue)):
        attribute = by_id[value.attribute_id]
        values.setdefault(value.case_id, {})[attribute.name] = case_value(value, attribute)
    rows = []
    for case in sorted(session.scalars(select(Case)), key=lambda c: norwegian(c.name)):
        row: dict[str, Any] = {"case": case.name}
        for attribute in attributes:
            raw = values.get(case.id, {}).get(attribute.name)
            row[attribute.name] = raw.isoformat() if isinstance(raw, date) else raw
        row["participants"] = people.get(case.id, 0)
        row["messages"] = messages.get(case.id, 0)
        rows.append(row)
    return attributes, rows


@dataclass
class LinkReport:
    linked: int = 0
    unchanged: int = 0
    changed: int = 0
    not_in_project: list[str] = field(default_factory=list)
    cases_added: int = 0


def link_participants(session: Session, path: Path) -> LinkReport:
    """Link participants to cases from a mapping file (columns: name/navn/author, case/kommune, optional role/rolle).

    Names not yet in the project are listed, not created: a mapping file must not invent participants.
    """
    import csv
    import io

    display = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FokusError(_("cannot read as UTF-8 text: {reason}").format(reason=exc), path=display) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FokusError(_("NUL byte: this is not a text CSV file"), path=display, where=f"line {line}")
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = {h.strip().casefold(): h for h in reader.fieldnames or []}
    name_col = next((header[c] for c in ("name", "navn", "author", "deltaker") if c in header), None)
    case_col = next((header[c] for c in ("case", "kommune") if c in header), None)
    role_col = next((header[c] for c in ("role", "rolle") if c in header), None)
    if name_col is None or case_col is None:
        raise FokusError(
            _("needs a name column (name, navn or author) and a case column (case or kommune)"),
            path=display,
            where="line 1",
        )
    report = LinkReport()
    people = ParticipantRegistry(session)
    cases = CaseRegistry(session)
    for record in reader:
        name = (record.get(name_col) or "").strip()
        if not name:
            continue
        pid = people.find(name)
        if pid is None:
            report.not_in_project.append(name)
            continue
        participant = session.get(Participant, pid)
        assert participant is not None
        where = f"line {reader.line_num}"  # what the columns hold (PostgreSQL holds them to it; SQLite took more)
        case_name = check_length((record.get(case_col) or "").strip(), MAX_NAME_CHARS, N_("case name"), where, display)
        case_id = cases.get_or_create(case_name) if case_name else None
        role = (record.get(role_col) or "").strip() or None if role_col else participant.role
        if role is not None:
            check_length(role, MAX_LABEL_CHARS, N_("role"), where, display)
        if participant.case_id == case_id and participant.role == role:
            report.unchanged += 1
            continue
        if participant.case_id is None:
            report.linked += 1
        else:
            report.changed += 1
        participant.case_id = case_id
        participant.role = role
    report.cases_added = cases.created
    return report
