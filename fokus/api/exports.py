"""Messages as tidy rows for export: ids from the source, pseudonyms only, names in texts and ids redacted, no links
(fokus.privacy)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session, aliased

from fokus.domain.local_time import iso_local
from fokus.domain.passages import spoken_messages
from fokus.model import Case, Message, Participant, Thread

MESSAGE_COLUMNS = (
    "message_id",
    "thread_id",
    "parent_id",
    "kind",
    "participant",
    "case",
    "created_at",
    "reactions",
    "url",
    "placement",
    "answers",
    "text",
)


def message_rows(session: Session, *, real_names: bool = False) -> Iterator[dict[str, Any]]:
    """Every message in thread order, streamed.

    Texts are as exports show them: participants' names replaced (fokus.privacy) unless the project turned
    redaction off; so are ids that may name someone (``redacted:m<N>``), and links are left out. ``real_names``
    leaves the names, ids and links in and adds each participant's ``real_name``: only when the user asks.
    """
    from fokus.privacy import export_redactor, identity_names

    redactor = export_redactor(session, real_names=real_names)
    names = identity_names(session) if real_names else {}
    parent = aliased(Message)
    answered = aliased(Participant)
    query = (
        spoken_messages(
            Message.id,
            Participant.id,
            Thread.id,
            Message.parent_id,
            Message.external_id,
            Thread.external_id,
            parent.external_id,
            Message.kind,
            Participant.pseudonym,
            Case.name,
            Message.created_at,
            Message.reactions,
            Message.url,
            Message.placement,
            answered.pseudonym,
            Message.text,
        )
        .outerjoin(parent, Message.parent_id == parent.id)
        .outerjoin(answered, Message.answers_participant_id == answered.id)
        .order_by(Thread.created_at, Thread.id, Message.created_at, Message.id)
        .execution_options(yield_per=5000)
    )
    for mid, pid, tid, parent_id, *row in session.execute(query):
        values = dict(zip(MESSAGE_COLUMNS, row, strict=True))
        values["message_id"] = redactor.message_id(mid, values["message_id"])
        values["thread_id"] = redactor.thread_id(tid, values["thread_id"])
        if parent_id is not None:
            values["parent_id"] = redactor.message_id(parent_id, values["parent_id"])
        values["url"] = redactor.url(values["url"])
        values["created_at"] = iso_local(values["created_at"])
        values["text"] = redactor.text(mid, values["text"])
        if real_names:
            values["real_name"] = names.get(pid)
        yield values
