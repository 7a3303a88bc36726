"""Who is coding and where they left off: what the TUI remembers between sessions, per project.

The TUI asks a new user once for the name to code under (rather than coding as the login name, ``root`` on many
servers) and remembers it for that login; and when a coder quits inside a thread, it reopens there next time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.domain.settings import coder_setting, get_setting, place_setting, set_setting
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.model import Message, Thread

#: The longest coder name accepted (names show in every export and the event log).
MAX_CODER_NAME = 60


@dataclass(frozen=True)
class Place:
    """A sentence in a thread: the thread, the message and the offset of the sentence in it."""

    thread_id: int
    message_id: int
    offset: int


def remembered_coder(session: Session, login: str) -> str | None:
    """The coder name this login gave before, if any."""
    return get_setting(session, coder_setting(login))


def remember_coder(session: Session, login: str, name: str) -> str:
    """Keep ``name`` as the coder name of ``login`` in this project; returns it cleaned of surrounding space."""
    name = " ".join(name.split())
    if not name:
        raise FokusError(_("a coder needs a name"))
    if len(name) > MAX_CODER_NAME:
        raise FokusError(_("a coder's name has at most {limit} characters").format(limit=MAX_CODER_NAME))
    set_setting(session, coder_setting(login), name)
    return name


def remember_place(session: Session, coder_id: int, place: Place) -> None:
    set_setting(session, place_setting(coder_id), json.dumps([place.thread_id, place.message_id, place.offset]))


def last_place(session: Session, coder_id: int) -> Place | None:
    """Where the coder left off, if that message is still in that thread (a project can change between sessions)."""
    stored = get_setting(session, place_setting(coder_id))
    if not stored:
        return None
    try:
        thread_id, message_id, offset = (int(v) for v in json.loads(stored))
    except (ValueError, TypeError):
        return None  # written by another version: start from the thread list
    found = session.scalar(
        select(Message.id)
        .join(Thread, Message.thread_id == Thread.id)
        .where(Message.id == message_id, Thread.id == thread_id)
    )
    return Place(thread_id, message_id, offset) if found is not None else None
