"""Codebook surgery: rename, move, merge and delete codes without losing a coding; edit what a code says (its
name, definition, inclusion and exclusion notes) as one undoable step.

Codings point at a code's row, not its path, so they follow a renamed or moved code by themselves; a code's
sub-codes move with it (their paths change with their parent's). Merging moves every coding (and memo) of one code
to another, then removes the emptied code; deleting removes a code and its codings. Both say what they affect
first, and everything they change goes to the event log in one batch: the codings as ``coding.change`` or
``coding.delete`` events, the codes themselves as ``code.change`` and ``code.delete`` events (and ``code.add``, from
a codebook load: fokus.api.codebook), so undo (:func:`fokus.api.coding_actions.undo`) restores the codes, then
their codings, exactly as they were; a code a load added is removed only while nobody has coded with it or put a
code under it. A coding a merge would duplicate (the same coder already coded the same span with the target code)
is removed, and logged, not doubled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fokus.domain.codes import reader_language
from fokus.domain.events import coding_snapshot, log_events, new_batch
from fokus.errors import FokusError
from fokus.files.codebook import CODE_ID
from fokus.i18n import N_, _
from fokus.model import Code, Coding, Memo, utcnow

CODE_FIELDS = (
    "id",
    "path",
    "parent_id",
    "name",
    "description",
    "include_note",
    "exclude_note",
    "examples",
    "color",
    "codable",
    "position",
    "rules",
)
NAME_LENGTH = 200  # the names column's width
TEXT_COLUMNS = {"name": "name", "description": "description", "include": "include_note", "exclude": "exclude_note"}


@dataclass
class SurgeryReport:
    """What a codebook command changed, for the CLI to print and the TUI to notify."""

    batch: str
    codes: list[str] = field(default_factory=list)  # the codes changed (new paths)
    codings: int = 0  # codings moved or deleted
    duplicates: int = 0  # codings a merge removed because the target already had them
    memos: int = 0


def code_snapshot(code: Code) -> dict[str, Any]:
    snapshot = {key: getattr(code, key) for key in CODE_FIELDS}
    if code.translations:  # only then, so that changes logged before codes had translations still match
        snapshot["translations"] = code.translations
    return snapshot


def _where_shown(code: Code, values: dict[str, Any]) -> dict[str, Any]:
    """A rename's new texts put where the reader sees them: a text the codebook gives in the reader's language
    (fokus.domain.codes.shown_text) changes there, any other in the code's own columns (its codebook's language).
    Clearing a translated text drops the translation, so the stored text shows again."""
    lang = reader_language()
    if not (code.translations or {}).get(lang):
        return values
    translations = {other: dict(texts) for other, texts in (code.translations or {}).items()}
    out = dict(values)
    for key, column in TEXT_COLUMNS.items():
        if column in out and key in translations[lang]:
            translations[lang][key] = out.pop(column)
    cleaned = {other: {k: v for k, v in texts.items() if v} for other, texts in translations.items()}
    out["translations"] = {other: texts for other, texts in cleaned.items() if texts} or None
    return out


def _code(session: Session, path: str) -> Code:
    code = session.scalars(select(Code).where(Code.path == path)).first()
    if code is None:
        raise FokusError(
            _("code {code!r} is not in the codebook").format(code=path), hint=_("see `fokus codebook show`")
        )
    return code


def _subtree(session: Session, code: Code) -> list[Code]:
    """The code and every code below it, parents before children."""
    found = [code]
    for item in found:
        found.extend(session.scalars(select(Code).where(Code.parent_id == item.id).order_by(Code.position)))
    return found


def repath(
    session: Session, code: Code, new_path: str, parent_id: int | None, batch: str, coder: int | None
) -> list[str]:
    if session.scalar(select(Code.id).where(Code.path == new_path)) is not None:
        raise FokusError(
            _("a code {code!r} exists already").format(code=new_path), hint=_("choose another id, or merge into it")
        )
    old_prefix = code.path
    changes = []
    now = utcnow()
    for item in _subtree(session, code):
        before = code_snapshot(item)
        item.path = new_path + item.path[len(old_prefix) :]
        if item.id == code.id:
            item.parent_id = parent_id
        item.updated_at = now
        changes.append((None, {"code": before}, {"code": code_snapshot(item)}))
    session.flush()
    log_events(session, batch, "code.change", changes, coder)
    return [after["code"]["path"] for _c, _b, after in changes if after]


def rename_code(
    session: Session, path: str, new_id: str | None = None, *, name: str | None = None, coder_id: int | None = None
) -> SurgeryReport:
    """Give a code another id (its last path part) and/or name; its sub-codes' paths follow.

    The name changed is the one the reader sees: when the codebook gives the code's name in the reader's language
    (``fokus --lang en`` on a Norwegian codebook with English names), that name; else the stored name, in the
    codebook's own language."""
    code = _code(session, path)
    report = SurgeryReport(new_batch())
    if new_id is not None:
        if not CODE_ID.match(new_id):
            raise FokusError(
                _("{id!r} is not a code id").format(id=new_id),
                hint=_("lower-case letters, digits and - (like krise-for)"),
            )
        parent = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        if parent + new_id != path:
            report.codes = repath(session, code, parent + new_id, code.parent_id, report.batch, coder_id)
    named = _where_shown(code, {"name": name.strip()}) if name is not None and name.strip() else None
    if named is not None and _change(session, code, named, report.batch, coder_id):
        report.codes = report.codes or [code.path]
    if not report.codes:
        raise FokusError(_("code {code!r} already has that id and name").format(code=path))
    report.codings = _coding_count(session, [code.id])
    return report


def edit_code(
    session: Session,
    path: str,
    *,
    name: str | None = None,
    description: str | None = None,
    include: str | None = None,
    exclude: str | None = None,
    coder_id: int | None = None,
) -> SurgeryReport:
    """Change what a code says (its name, definition, inclusion and exclusion notes) as one undoable step.

    ``None`` leaves a field as it is; an empty text clears a note, never the name. When nothing changes, nothing is
    logged and ``report.codes`` is empty. The texts changed are the stored ones (the codebook's own language), which
    the codebook screen shows and edits; the code's other languages' texts stay as they are.
    """
    code = _code(session, path)
    values: dict[str, Any] = {}
    if name is not None:
        if not name.strip():
            raise FokusError(
                _("code {code!r} needs a name").format(code=path),
                hint=_("give it a few words, like 'Krise og beredskap'"),
            )
        if len(name.strip()) > NAME_LENGTH:
            raise FokusError(
                _("the name of code {code!r} is longer than {limit} characters").format(code=path, limit=NAME_LENGTH)
            )
        values["name"] = name.strip()
    for key, text in (("description", description), ("include_note", include), ("exclude_note", exclude)):
        if text is not None:
            values[key] = text.strip() or None
    report = SurgeryReport(new_batch())
    if _change(session, code, values, report.batch, coder_id):
        report.codes = [code.path]
        report.codings = _coding_count(session, [code.id])
    return report


def _change(session: Session, code: Code, values: dict[str, Any], batch: str, coder_id: int | None) -> bool:
    """Set a code's fields, logging one ``code.change`` event if any of them changes; whether one did."""
    changed = {key: value for key, value in values.items() if getattr(code, key) != value}
    if not changed:
        return False
    before = code_snapshot(code)
    for key, value in changed.items():
        setattr(code, key, value)
    code.updated_at = utcnow()
    session.flush()
    log_events(session, batch, "code.change", [(None, {"code": before}, {"code": code_snapshot(code)})], coder_id)
    return True


def move_code(session: Session, path: str, parent: str | None, *, coder_id: int | None = None) -> SurgeryReport:
    """Put a code (and its sub-codes) under another parent, or at the top with ``parent=None``."""
    code = _code(session, path)
    target = _code(session, parent) if parent else None
    if target is not None and (target.id == code.id or target.path.startswith(code.path + "/")):
        raise FokusError(_("cannot move {code!r} under itself").format(code=path))
    leaf = path.rsplit("/", 1)[-1]
    new_path = f"{target.path}/{leaf}" if target else leaf
    if new_path == path:
        raise FokusError(_("code {code!r} is there already").format(code=path))
    report = SurgeryReport(new_batch())
    report.codes = repath(session, code, new_path, target.id if target else None, report.batch, coder_id)
    report.codings = _coding_count(session, [c.id for c in _subtree(session, code)])
    return report


def _coding_count(session: Session, code_ids: list[int]) -> int:
    return int(session.scalar(select(func.count()).select_from(Coding).where(Coding.code_id.in_(code_ids))) or 0)


def affected(session: Session, path: str) -> tuple[int, int, int]:
    """(codings, sub-codes, memos) a merge or deletion of ``path`` touches: what to tell before asking."""
    code = _code(session, path)
    below = len(_subtree(session, code)) - 1
    memos = int(session.scalar(select(func.count()).select_from(Memo).where(Memo.code_id == code.id)) or 0)
    return _coding_count(session, [code.id]), below, memos


#: Why a code with sub-codes cannot be merged or deleted, one whole sentence each (translated where raised).
_HAS_SUB_CODES = {
    "merge": N_("cannot merge {code!r}: it has sub-codes"),
    "delete": N_("cannot delete {code!r}: it has sub-codes"),
}


def _no_children(session: Session, code: Code, what: str) -> None:
    if session.scalar(select(Code.id).where(Code.parent_id == code.id).limit(1)) is not None:
        raise FokusError(
            _(_HAS_SUB_CODES[what]).format(code=code.path),
            hint=_("move or merge its sub-codes first (fokus codebook move)"),
        )


def merge_codes(session: Session, source: str, target: str, *, coder_id: int | None = None) -> SurgeryReport:
    """Move every coding and memo of ``source`` to ``target``, then remove ``source``. Undo restores the code and
    its codings; its memos stay with ``target`` (the log holds codings and codes, not memos)."""
    code, into = _code(session, source), _code(session, target)
    if code.id == into.id:
        raise FokusError(_("a code cannot be merged into itself"))
    _no_children(session, code, "merge")
    report = SurgeryReport(new_batch(), codes=[into.path])
    taken = {
        (c.message_id, c.coder_id, c.start, c.end)
        for c in session.scalars(select(Coding).where(Coding.code_id == into.id))
    }
    changes = []
    deleted = []
    for coding in session.scalars(select(Coding).where(Coding.code_id == code.id).order_by(Coding.id)):
        before = coding_snapshot(coding)
        key = (coding.message_id, coding.coder_id, coding.start, coding.end)
        if key in taken:
            session.execute(
                update(Memo).where(Memo.coding_id == coding.id).values(coding_id=None, message_id=coding.message_id)
            )
            session.delete(coding)
            deleted.append((coding.id, before, None))
            report.duplicates += 1
            continue
        taken.add(key)
        coding.code_id = into.id
        coding.updated_at = utcnow()
        changes.append((coding.id, before, coding_snapshot(coding)))
    report.codings = len(changes)
    memos = list(session.scalars(select(Memo).where(Memo.code_id == code.id)))
    for memo in memos:
        memo.code_id = into.id
    report.memos = len(memos)
    session.flush()
    log_events(session, report.batch, "coding.change", changes, coder_id)
    log_events(session, report.batch, "coding.delete", deleted, coder_id)
    _delete_code(session, code, report.batch, coder_id)
    return report


def delete_code(session: Session, path: str, *, coder_id: int | None = None) -> SurgeryReport:
    """Remove a code and its codings (all recoverable by undo from the event log); memos on it become the
    project's, marked with the code they were about."""
    code = _code(session, path)
    _no_children(session, code, "delete")
    report = SurgeryReport(new_batch(), codes=[code.path])
    deleted = []
    for coding in session.scalars(select(Coding).where(Coding.code_id == code.id).order_by(Coding.id)):
        deleted.append((coding.id, coding_snapshot(coding), None))
        session.execute(
            update(Memo).where(Memo.coding_id == coding.id).values(coding_id=None, message_id=coding.message_id)
        )
        session.delete(coding)
    report.codings = len(deleted)
    for memo in session.scalars(select(Memo).where(Memo.code_id == code.id)):
        memo.code_id = None
        memo.text = f"(Om koden {code.path}, slettet) {memo.text}"
        report.memos += 1
    session.flush()
    log_events(session, report.batch, "coding.delete", deleted, coder_id)
    _delete_code(session, code, report.batch, coder_id)
    return report


def _delete_code(session: Session, code: Code, batch: str, coder_id: int | None) -> None:
    before = code_snapshot(code)
    session.delete(code)
    session.flush()
    log_events(session, batch, "code.delete", [(None, {"code": before}, None)], coder_id)


def _in_use(session: Session, code: Code) -> bool:
    return (
        session.scalar(select(Coding.id).where(Coding.code_id == code.id).limit(1)) is not None
        or session.scalar(select(Code.id).where(Code.parent_id == code.id).limit(1)) is not None
    )


def is_code_event(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    return "code" in (before or {}) or "code" in (after or {})


def revert_code_event(session: Session, before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    """Undo one logged codebook change (a code created, changed or deleted). False on a conflict: the code is not
    as the change left it (changed again since), and it is left alone."""
    old, new = (before or {}).get("code"), (after or {}).get("code")
    state = old or new
    if state is None:
        return False
    code = session.get(Code, state["id"])
    if (code_snapshot(code) if code is not None else None) != new:
        return False
    if old is None:
        assert code is not None
        if _in_use(session, code):  # coded since, or a parent now: removing it would take others' work along
            return False
        session.delete(code)  # the change created it (a codebook load)
    elif code is None:
        now = utcnow()
        session.add(Code(created_at=now, updated_at=now, **old))  # the change deleted it
    else:
        for key, value in old.items():
            setattr(code, key, value)
        code.translations = old.get("translations")  # logged only when there were any
        code.updated_at = utcnow()
    session.flush()
    return True
