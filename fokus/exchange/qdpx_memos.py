"""The notes of a REFI-QDA project as memos on the messages, codings, codes and cases they name; see
:mod:`fokus.exchange.project_import`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.exchange.guids import Guids
from fokus.exchange.qdpx_fields import fokus_fields
from fokus.exchange.qdpx_read import QdpxProject
from fokus.model import Coder, Memo, utcnow


def import_qdpx_memos(
    session: Session,
    project: QdpxProject,
    guids: Guids,
    message_ids: dict[str, int],
    message_guids: dict[str, str],
    coding_ids: dict[str, int],
    code_ids: dict[str, int],
    code_paths: dict[str, str],
) -> int:
    targets: dict[str, tuple[str, str]] = {}
    for code_guid, note_guids in project.code_notes.items():
        for note_guid in note_guids:
            targets[note_guid] = ("code", code_guid)
    for source in project.sources:
        for selection in source.selections:
            for note_guid in selection.notes:
                targets[note_guid] = ("selection", selection.guid)
    case_ids = {guid: local for (kind, local), guid in guids.known.items() if kind == "case"}
    coders = dict(session.execute(select(Coder.name, Coder.id)).all())
    count = 0
    for note in project.notes:
        if note.guid in guids.taken:
            continue  # imported (or exported from here) before
        values = fokus_fields(note.description, "memo") or {}
        kind, target = targets.get(note.guid, (values.get("target", "project"), values.get("target_guid", "")))
        memo = Memo(text=note.text, created_at=note.created or utcnow(), updated_at=utcnow())
        if kind in ("selection", "message", "coding"):
            if target in message_guids:
                memo.message_id = message_ids[message_guids[target]]
            elif target in coding_ids:
                memo.coding_id = coding_ids[target]
        elif kind == "code" and target in code_paths:
            memo.code_id = code_ids[code_paths[target]]
        elif kind == "case" and target in case_ids:
            memo.case_id = case_ids[target]
        user = project.users.get(note.creating_user or "")
        memo.coder_id = coders.get(user) if user else None
        session.add(memo)
        session.flush()
        guids.remember("memo", memo.id, note.guid)
        count += 1
    return count
