"""Brute-force counts for the analysis tests, read with one plain join per question and Python loops, independent of
fokus's NumPy paths: every figure fokus computes is checked against the obvious, slow way of computing it. The rows
come through SQLAlchemy, so the same oracle reads a SQLite and a PostgreSQL project."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from fokus.model import Case, Code, Coder, Coding, Message, Participant, Thread, Unit
from fokus.store import Project

OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Row:
    coding_id: int
    code: str
    message: str
    thread: str
    participant: str
    case: str | None
    month: str
    coder: str
    status: str
    start: int
    end: int
    text: str


def rows(project: Project, statuses: tuple[str, ...] = ("accepted",)) -> list[Row]:
    query = (
        select(
            Coding.id,
            Code.path,
            Message.external_id,
            Thread.external_id,
            Participant.pseudonym,
            Case.name,
            Message.created_at,
            Coder.name,
            Coding.status,
            Coding.start,
            Coding.end,
            Message.text,
        )
        .join(Code, Code.id == Coding.code_id)
        .join(Message, Message.id == Coding.message_id)
        .join(Thread, Thread.id == Message.thread_id)
        .join(Participant, Participant.id == Message.participant_id)
        .outerjoin(Case, Case.id == Participant.case_id)
        .join(Coder, Coder.id == Coding.coder_id)
    )
    with project.read() as session:
        found = session.execute(query).all()
    out = []
    for cid, code, message, thread, who, case, created, coder, status, start, end, text in found:
        if status not in statuses:
            continue
        assert created.utcoffset() is not None, "an aware time on every backend"
        local = created.astimezone(OSLO)
        out.append(
            Row(cid, code, message, thread, who, case, f"{local:%Y-%m}", coder, status, start, end, text[start:end])
        )
    return out


def ancestors(code: str) -> list[str]:
    parts = code.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))][::-1]


def sentences(project: Project) -> dict[str, list[tuple[int, int, int]]]:
    """Each message's units as (id, start, end)."""
    query = select(Message.external_id, Unit.id, Unit.start, Unit.end).join(Message, Message.id == Unit.message_id)
    with project.read() as session:
        found = session.execute(query).all()
    units: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for message, uid, start, end in found:
        units[message].append((uid, start, end))
    return units


def sentence_of(row: Row, units: dict[str, list[tuple[int, int, int]]]) -> list[int]:
    """The rule in fokus.analysis.units, written plainly."""
    chosen = []
    best, best_overlap = None, 0
    for uid, start, end in units[row.message]:
        overlap = min(end, row.end) - max(start, row.start)
        if overlap <= 0:
            continue
        if overlap * 2 >= min(end - start, row.end - row.start):
            chosen.append(uid)
        if overlap > best_overlap:
            best, best_overlap = uid, overlap
    return chosen or ([best] if best is not None else [])


def unit_of(row: Row, level: str, units: dict[str, list[tuple[int, int, int]]] | None = None) -> list[object]:
    if level == "sentence":
        assert units is not None
        return list(sentence_of(row, units))
    value = {"message": row.message, "thread": row.thread, "participant": row.participant, "case": row.case}[level]
    return [] if value is None else [value]
