"""The coded passage: one span of one message, quoted the way every analysis, export and screen quotes it.

:class:`Passage` holds what each quote has (what was said, by whom, where); an analysis that adds to it (the
codings a practice groups, a theme's weight) extends it rather than repeating it. :func:`coded_passages` is the
one query that reads codings as passages, with their message, thread, participant, case, code and coder;
:func:`spoken_messages` is its sibling for messages, coded or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from fokus.model import Case, Code, Coder, Coding, Message, Participant, Thread


@dataclass(frozen=True)
class Passage:
    """A span of one message as shown: ``message`` its external id (or the id a redacted export shows), ``text`` the
    span as the caller shows it (names redacted unless the user asked for them), by ``participant`` (pseudonym) of
    ``case`` (None when the participant is linked to none)."""

    message: str
    start: int
    end: int
    text: str
    participant: str
    case: str | None


def spoken_messages(*columns: Any) -> Select[*tuple[Any, ...]]:
    """``columns`` of every message joined with its thread, its participant and the participant's case (if any):
    the one query that reads messages as said by someone somewhere; the caller adds its joins, ``where`` and order."""
    return _spoken(select(*columns).select_from(Message))


def coded_passages(*columns: Any) -> Select[*tuple[Any, ...]]:
    """``columns`` of every coding joined with its message, thread, participant, case (if any), code and coder: the
    one query that reads codings as passages; the caller adds its ``where`` and order."""
    coded = select(*columns).select_from(Coding).join(Message, Coding.message_id == Message.id)
    return _spoken(coded).join(Code, Coding.code_id == Code.id).join(Coder, Coding.coder_id == Coder.id)


def _spoken(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return (
        query.join(Thread, Message.thread_id == Thread.id)
        .join(Participant, Message.participant_id == Participant.id)
        .outerjoin(Case, Participant.case_id == Case.id)
    )
