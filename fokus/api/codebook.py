"""Loading a codebook into a project and reading it back.

Loading reconciles by code path: new codes are added, changed fields are updated, and codes that the file no longer
has are kept (with their codings) and reported, never dropped. Renaming, moving and merging codes are deliberate
commands of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.api.settings import get_setting, set_setting
from fokus.files.codebook import CodebookSpec, CodeSpec
from fokus.model import Code, Coding, utcnow

CODEBOOK_SETTING = "codebook"
UBIQUITOUS_SETTING = "codebook.ubiquitous"
FIELDS = ("name", "description", "include_note", "exclude_note", "examples", "color", "codable", "rules", "position")


@dataclass
class CodebookReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)


def _values(spec: CodeSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "include_note": spec.include,
        "exclude_note": spec.exclude,
        "examples": list(spec.examples),
        "color": spec.color,
        "codable": spec.codable,
        "rules": spec.rules,
        "position": spec.position,
    }


def load_codebook(session: Session, spec: CodebookSpec, *, with_rules: bool = True) -> CodebookReport:
    """Bring the project's codebook in line with ``spec`` (see the module docstring).

    ``with_rules=False`` is for codebooks from REFI-QDA files, which cannot hold auto-coding rules: the project's
    rules, its list of ubiquitous words and its codebook name stay as they are.
    """
    report = CodebookReport()
    existing = {code.path: code for code in session.scalars(select(Code))}
    now = utcnow()
    for code_spec in spec.codes:
        values = _values(code_spec)
        if not with_rules:
            del values["rules"]
        parent_id = existing[code_spec.parent].id if code_spec.parent else None
        code = existing.get(code_spec.path)
        if code is None:
            code = Code(path=code_spec.path, parent_id=parent_id, created_at=now, updated_at=now, **values)
            session.add(code)
            session.flush()
            existing[code.path] = code
            report.added.append(code.path)
            continue
        changed = {k: v for k, v in values.items() if getattr(code, k) != v}
        if code.parent_id != parent_id:
            changed["parent_id"] = parent_id
        if changed.keys() - {"position"}:
            report.updated.append(code.path)
        else:
            report.unchanged += 1
        for key, value in changed.items():
            setattr(code, key, value)
        if changed:
            code.updated_at = now
    in_file = {c.path for c in spec.codes}
    report.kept = sorted(path for path in existing if path not in in_file)
    if with_rules or get_setting(session, CODEBOOK_SETTING) is None:
        set_setting(session, CODEBOOK_SETTING, spec.name)
    if with_rules:
        set_setting(session, UBIQUITOUS_SETTING, json.dumps(list(spec.ubiquitous), ensure_ascii=False))
    return report


def codebook_rows(session: Session) -> list[dict[str, Any]]:
    """The codebook as rows (id = path), in codebook order, with how often each code is used."""
    counts = dict(session.execute(select(Coding.code_id, func.count()).group_by(Coding.code_id)).all())
    parents = dict(session.execute(select(Code.id, Code.path)).all())
    rows = []
    for code in session.scalars(select(Code).order_by(Code.position, Code.path)):
        rows.append(
            {
                "id": code.path,
                "name": code.name,
                "parent": parents.get(code.parent_id) if code.parent_id else None,
                "description": code.description,
                "include": code.include_note,
                "exclude": code.exclude_note,
                "examples": list(code.examples or []),
                "color": code.color,
                "codable": code.codable,
                "codings": counts.get(code.id, 0),
            }
        )
    return rows
