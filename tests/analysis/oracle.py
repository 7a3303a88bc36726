"""Brute-force counts for the analysis tests, read with plain sqlite3 and Python loops, independent of fokus's
NumPy paths: every figure fokus computes is checked against the obvious, slow way of computing it."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

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


def rows(db: Path, statuses: tuple[str, ...] = ("accepted",)) -> list[Row]:
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            "SELECT k.id, c.path, m.external_id, t.external_id, p.pseudonym, cs.name, m.created_at, d.name, k.status,"
            ' k.start, k."end", m.text FROM codings k JOIN codes c ON c.id = k.code_id'
            " JOIN messages m ON m.id = k.message_id JOIN threads t ON t.id = m.thread_id"
            " JOIN participants p ON p.id = m.participant_id LEFT JOIN cases cs ON cs.id = p.case_id"
            " JOIN coders d ON d.id = k.coder_id"
        ).fetchall()
    out = []
    for cid, code, message, thread, who, case, created, coder, status, start, end, text in found:
        if status not in statuses:
            continue
        local = datetime.fromisoformat(created).replace(tzinfo=UTC).astimezone(OSLO)
        out.append(
            Row(cid, code, message, thread, who, case, f"{local:%Y-%m}", coder, status, start, end, text[start:end])
        )
    return out


def ancestors(code: str) -> list[str]:
    parts = code.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))][::-1]


def sentences(db: Path) -> dict[str, list[tuple[int, int, int]]]:
    """Each message's units as (id, start, end)."""
    with sqlite3.connect(db) as conn:
        found = conn.execute(
            'SELECT m.external_id, u.id, u.start, u."end" FROM units u JOIN messages m ON m.id = u.message_id'
        ).fetchall()
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
