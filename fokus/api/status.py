"""What a project holds, in numbers: the answer to "where am I?" for `fokus status` and the TUI."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.api.codings import status_counts
from fokus.api.reanchor import count_flagged
from fokus.domain.local_time import iso_local
from fokus.domain.settings import CODEBOOK_SETTING, GROUP_SETTING, get_setting
from fokus.model import Case, Code, Coder, Memo, Message, Page, PageComment, PagePost, Participant, Source, Thread, Unit


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def project_status(session: Session) -> dict[str, Any]:
    first, last = session.execute(select(func.min(Message.created_at), func.max(Message.created_at))).one()
    # sorted in Python: the same order on every backend, whatever the server's collation
    counted = session.execute(select(Message.placement, func.count()).group_by(Message.placement)).all()
    placements = dict(sorted(counted))
    linked = session.scalar(select(func.count()).select_from(Participant).where(Participant.case_id.is_not(None)))
    return {
        "messages": _count(session, Message),
        "sentences": _count(session, Unit),
        "threads": _count(session, Thread),
        "participants": _count(session, Participant),
        "participants_with_case": linked or 0,
        "cases": _count(session, Case),
        "codes": _count(session, Code),
        "codings": status_counts(session),
        "codings_to_review": count_flagged(session),  # re-anchored to an edited text, to check (fokus.api.reanchor)
        "coders": sorted(session.scalars(select(Coder.name))),
        "memos": _count(session, Memo),
        "sources": _count(session, Source),
        "group": get_setting(session, GROUP_SETTING),
        "codebook": get_setting(session, CODEBOOK_SETTING),
        "first_message": iso_local(first),
        "last_message": iso_local(last),
        "placement": placements,
        "pages": _count(session, Page),  # phase 1 of a study: the public pages followed, apart from the focus group
        "page_posts": _count(session, PagePost),
        "page_comments": _count(session, PageComment),
    }
