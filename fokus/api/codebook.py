"""Loading a codebook into a project and reading it back.

Loading reconciles by code id: new codes are added, changed fields are updated, a code the file has under another
parent (the same id, one code of that id in the project and none in the file's place) is moved there with its
codings and sub-codes, and codes that the file no longer has are kept (with their codings) and reported, never
dropped. Renaming, merging and deleting codes are deliberate commands of their own (fokus.api.codebook_edit).

:func:`plan_codebook` says what a load would do without writing anything: a typo in a parent's id (``kirse`` for
``krise``) reads as a new parent that takes over every child of the old one, so a plan that moves codes is for the
researcher to confirm (:attr:`CodebookPlan.moves`). :func:`load_codebook` carries a plan out; given a coder, it logs
every change (codes added, moved and updated, as ``code.add`` and ``code.change`` events) in one batch, one step
that `fokus undo` takes back exactly: the moved codes go back under their old parents, the added ones are removed.
The codebook's name and its list of ubiquitous words are settings, not codes, and stay as the load left them.
A code's names and notes in other languages (``translations``) are updated like its other fields; a REFI-QDA
codebook, which has none, leaves them as they are.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.domain.codes import shown_name, shown_text
from fokus.domain.events import log_events, new_batch
from fokus.domain.settings import CODEBOOK_SETTING, UBIQUITOUS_SETTING, get_setting, set_setting
from fokus.files.codebook import CodebookSpec, CodeSpec
from fokus.i18n import ngettext
from fokus.model import Code, Coding, Memo, utcnow

FIELDS = ("name", "description", "include_note", "exclude_note", "examples", "color", "codable", "rules", "position")


@dataclass
class CodebookReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # "old -> new"
    batch: str | None = None  # the load's events, when it logged any (one undoable step)


@dataclass(frozen=True)
class _Step:
    """One change of a load, in the order it is made: ``add`` a code, ``move`` one (to ``spec.path``), ``update``
    one's fields (``values``: the changed ones)."""

    kind: str
    spec: CodeSpec
    code: Code | None = None
    old_path: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class CodebookPlan(CodebookReport):
    """What loading a codebook would do (a :class:`CodebookReport` before the fact), and the steps to do it."""

    steps: list[_Step] = field(default_factory=list)

    @property
    def moves(self) -> bool:
        """Whether the load moves existing codes (under another parent, perhaps a new one): for a person to confirm."""
        return bool(self.moved)

    def takeovers(self) -> dict[str, list[str]]:
        """Codes the load adds, with the existing codes it moves under them (old paths): a typo's signature."""
        added = set(self.added)
        found: dict[str, list[str]] = defaultdict(list)
        for step in self.steps:
            if step.kind == "move" and step.spec.parent in added and step.old_path is not None:
                found[step.spec.parent].append(step.old_path)
        return dict(found)

    def lines(self) -> list[str]:
        """The plan in words, one line per kind of change (nothing when the load changes nothing)."""
        out = []
        for parent, codes in self.takeovers().items():
            out.append(
                ngettext(
                    "New code {parent} takes over {count} code that exists: {codes}",
                    "New code {parent} takes over {count} codes that exist: {codes}",
                    len(codes),
                ).format(parent=parent, count=len(codes), codes=", ".join(codes))
            )
        if self.moved:
            said = ngettext("Moves {count} code: {codes}", "Moves {count} codes: {codes}", len(self.moved))
            out.append(said.format(count=len(self.moved), codes=", ".join(self.moved)))
        if self.added:
            said = ngettext("Adds {count} code: {codes}", "Adds {count} codes: {codes}", len(self.added))
            out.append(said.format(count=len(self.added), codes=", ".join(self.added)))
        if self.updated:
            said = ngettext("Updates {count} code: {codes}", "Updates {count} codes: {codes}", len(self.updated))
            out.append(said.format(count=len(self.updated), codes=", ".join(self.updated)))
        if self.kept:
            out.append(
                ngettext(
                    "Keeps {count} code the file does not have, with its codings: {codes}",
                    "Keeps {count} codes the file does not have, with their codings: {codes}",
                    len(self.kept),
                ).format(count=len(self.kept), codes=", ".join(self.kept))
            )
        return out


def _values(spec: CodeSpec, with_rules: bool) -> dict[str, Any]:
    values = {
        "name": spec.name,
        "description": spec.description,
        "include_note": spec.include,
        "exclude_note": spec.exclude,
        "examples": list(spec.examples),
        "color": spec.color,
        "codable": spec.codable,
        "rules": spec.rules,
        "position": spec.position,
        "translations": spec.translations,
    }
    if not with_rules:  # a REFI-QDA codebook holds neither rules nor other languages' texts: the project's stay
        del values["rules"], values["translations"]
    return values


def _leaf(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def plan_codebook(session: Session, spec: CodebookSpec, *, with_rules: bool = True) -> CodebookPlan:
    """What :func:`load_codebook` would do with ``spec``; nothing is written.

    Codes are taken in file order (parents first). A code whose path the project lacks is the project's only code of
    that id that the file lacks (moved there, with its sub-codes), else a new one.
    """
    plan = CodebookPlan()
    at: dict[str, Code | None] = {code.path: code for code in session.scalars(select(Code))}  # as the load goes
    in_file = {c.path for c in spec.codes}
    for code_spec in spec.codes:
        values = _values(code_spec, with_rules)
        code = at.get(code_spec.path)
        moved = False
        if code_spec.path not in at:
            leaf = _leaf(code_spec.path)
            candidates = [c for p, c in at.items() if c is not None and _leaf(p) == leaf and p not in in_file]
            if len(candidates) == 1:
                code, moved = candidates[0], True
                old = next(p for p, c in at.items() if c is code)
                plan.steps.append(_Step("move", code_spec, code, old))
                plan.moved.append(f"{old} -> {code_spec.path}")
                at = {
                    (code_spec.path + p[len(old) :] if p == old or p.startswith(old + "/") else p): c
                    for p, c in at.items()
                }
        if code is None:
            plan.steps.append(_Step("add", code_spec, values=values))
            plan.added.append(code_spec.path)
            at[code_spec.path] = None
            continue
        changed = {k: v for k, v in values.items() if getattr(code, k) != v}
        if changed:
            plan.steps.append(_Step("update", code_spec, code, values=changed))
        if changed.keys() - {"position"}:
            plan.updated.append(code_spec.path)
        elif not moved:  # a moved code is counted as moved
            plan.unchanged += 1
    plan.kept = sorted(p for p, c in at.items() if c is not None and p not in in_file)
    return plan


def load_codebook(
    session: Session,
    spec: CodebookSpec,
    *,
    with_rules: bool = True,
    coder_id: int | None = None,
    plan: CodebookPlan | None = None,
) -> CodebookReport:
    """Bring the project's codebook in line with ``spec`` (see the module docstring); ``plan`` is
    :func:`plan_codebook`'s, made in the same transaction, if the caller has shown it already.

    ``with_rules=False`` is for codebooks from REFI-QDA files, which cannot hold auto-coding rules: the project's
    rules, its list of ubiquitous words and its codebook name stay as they are. With ``coder_id``, the changes are
    logged as that coder's one undoable step (``report.batch``); without (a new project's first codebook, a REFI-QDA
    project imported whole), they are not.
    """
    from fokus.api.codebook_edit import code_snapshot, repath

    plan = plan or plan_codebook(session, spec, with_rules=with_rules)
    batch = new_batch()
    now = utcnow()
    ids = {path: code_id for code_id, path in session.execute(select(Code.id, Code.path))}

    def log(action: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        if coder_id is not None:
            change = (None, None if before is None else {"code": before}, None if after is None else {"code": after})
            log_events(session, batch, action, [change], coder_id)

    for step in plan.steps:
        parent_id = ids[step.spec.parent] if step.spec.parent else None
        if step.kind == "add":
            code = Code(path=step.spec.path, parent_id=parent_id, created_at=now, updated_at=now, **step.values)
            session.add(code)
            session.flush()
            ids[code.path] = code.id
            log("code.add", None, code_snapshot(code))
        elif step.kind == "move":
            assert step.code is not None
            repath(session, step.code, step.spec.path, parent_id, batch, coder_id)  # logs the sub-codes too
            ids = {path: code_id for code_id, path in session.execute(select(Code.id, Code.path))}
        else:
            assert step.code is not None
            before = code_snapshot(step.code)
            for key, value in step.values.items():
                setattr(step.code, key, value)
            step.code.updated_at = now
            session.flush()
            log("code.change", before, code_snapshot(step.code))
    if with_rules or get_setting(session, CODEBOOK_SETTING) is None:
        set_setting(session, CODEBOOK_SETTING, spec.name)
    if with_rules:
        set_setting(session, UBIQUITOUS_SETTING, json.dumps(list(spec.ubiquitous), ensure_ascii=False))
    report = CodebookReport(
        added=plan.added, updated=plan.updated, unchanged=plan.unchanged, kept=plan.kept, moved=plan.moved
    )
    report.batch = batch if coder_id is not None and plan.steps else None
    return report


def codebook_rows(session: Session, *, shown: bool = False) -> list[dict[str, Any]]:
    """The codebook as rows (id = path), in codebook order, with how often each code is used.

    A code whose codebook gives its texts in other languages has them under ``translations`` (the key is there only
    then, so a codebook in one language reads as it always did). ``name``, ``description``, ``include`` and
    ``exclude`` are the stored texts (the codebook's own language), what files and exports keep; with ``shown``,
    they are the texts a person reads, in their language when the codebook has it (fokus.domain.codes).
    """
    counts = dict(session.execute(select(Coding.code_id, func.count()).group_by(Coding.code_id)).all())
    parents = dict(session.execute(select(Code.id, Code.path)).all())
    rows: list[dict[str, Any]] = []
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
        if code.translations:
            rows[-1]["translations"] = code.translations
        if shown:
            rows[-1].update({key: shown_text(rows[-1], key) for key in ("name", "description", "include", "exclude")})
    return rows


def codable_codes(session: Session) -> list[tuple[str, str]]:
    """(path, name) of every code one can code with, in codebook order: what a code picker offers (the name in the
    reader's language when the codebook has it)."""
    codes = session.scalars(select(Code).where(Code.codable).order_by(Code.position))
    return [(code.path, shown_name(code)) for code in codes]


def code_status_counts(session: Session) -> dict[tuple[str, str], int]:
    """How many codings each code has in each status, keyed by (code path, status): accepted work beside the open
    suggestions, which the codebook screen shows side by side."""
    rows = session.execute(
        select(Code.path, Coding.status, func.count()).join(Coding).group_by(Code.path, Coding.status)
    )
    return {(path, str(status)): n for path, status, n in rows}


def code_memo_counts(session: Session) -> dict[str, int]:
    """How many memos each code has, keyed by code path: memos written about the code and about its codings."""
    counts: dict[str, int] = defaultdict(int)
    on_code = select(Code.path, func.count()).join(Memo, Memo.code_id == Code.id).group_by(Code.path)
    on_codings = (
        select(Code.path, func.count())
        .join(Coding, Coding.code_id == Code.id)
        .join(Memo, Memo.coding_id == Coding.id)
        .group_by(Code.path)
    )
    for query in (on_code, on_codings):
        for path, n in session.execute(query):
            counts[path] += n
    return dict(counts)
