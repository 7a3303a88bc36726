"""Loading a codebook into a project and reading it back.

Loading reconciles by code id: new codes are added, changed fields are updated, a code the file has under another
parent (the same id, one code of that id in the project and none in the file's place) is moved there with its
codings and sub-codes, and codes that the file no longer has are kept (with their codings) and reported, never
dropped. Renaming, merging and deleting codes are deliberate commands of their own (fokus.api.codebook_edit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.api.events import new_batch
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
    moved: list[str] = field(default_factory=list)  # "old -> new"


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
    in_file = {c.path for c in spec.codes}
    batch = new_batch()
    for code_spec in spec.codes:
        values = _values(code_spec)
        if not with_rules:
            del values["rules"]
        parent_id = existing[code_spec.parent].id if code_spec.parent else None
        code = existing.get(code_spec.path) or _moved(
            session, existing, in_file, code_spec.path, parent_id, batch, report
        )
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
    report.kept = sorted(path for path in existing if path not in in_file)
    if with_rules or get_setting(session, CODEBOOK_SETTING) is None:
        set_setting(session, CODEBOOK_SETTING, spec.name)
    if with_rules:
        set_setting(session, UBIQUITOUS_SETTING, json.dumps(list(spec.ubiquitous), ensure_ascii=False))
    return report


def _moved(
    session: Session,
    existing: dict[str, Code],
    in_file: set[str],
    path: str,
    parent_id: int | None,
    batch: str,
    report: CodebookReport,
) -> Code | None:
    """The project's code that the file has moved to ``path``: the only one with that id that the file lacks."""
    from fokus.api.codebook_edit import repath

    leaf = path.rsplit("/", 1)[-1]
    candidates = [c for p, c in existing.items() if p.rsplit("/", 1)[-1] == leaf and p not in in_file]
    if len(candidates) != 1:
        return None
    code = candidates[0]
    old = code.path
    repath(session, code, path, parent_id, batch, None)
    existing.clear()  # the subtree's paths changed with it
    existing.update({c.path: c for c in session.scalars(select(Code))})
    report.moved.append(f"{old} -> {path}")
    return code


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
