"""What one step was, read back from the event log: so that "Undone" can say what was undone.

An undo or a redo writes events naming the batch they revert (``Event.reverts``); :func:`reverted_step` reads that
batch's own events and says what kind of step it was (a coding added or removed, a suggestion accepted or rejected,
a code changed, a memo), which codes it touched and a short excerpt of the passage, for the TUI's notification and
the CLI's line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from fokus.domain.codes import GOOD_PRACTICE
from fokus.domain.excerpts import excerpt
from fokus.i18n import _
from fokus.model import Code, Event, Message

#: How much of the passage an excerpt shows.
EXCERPT_CHARS = 40


@dataclass(frozen=True)
class StepSummary:
    """``kind``: ``coding``, ``uncoding``, ``recoding``, ``accept``, ``reject``, ``good_practice`` (a passage marked,
    with its summary), ``code``, ``memo`` or ``step`` (anything else); ``codes`` the code paths it touched;
    ``count`` its events; ``excerpt`` the first passage (or, for a memo, the start of its text)."""

    kind: str
    codes: tuple[str, ...]
    count: int
    excerpt: str | None

    def phrase(self, names: Mapping[str, str], codes_after: str) -> str:
        """The step in a few words, in the reader's language: its kind as ``names`` calls it (``names["step"]``
        for a kind it lacks; the caller's words, translated), up to three codes after ``codes_after``, and the start
        of the passage."""
        words = names.get(self.kind, names["step"])
        if self.codes and self.kind != "good_practice":
            words += codes_after + ", ".join(self.codes[:3]) + (" …" if len(self.codes) > 3 else "")
        return _("{step}: “{excerpt}”").format(step=words, excerpt=self.excerpt) if self.excerpt else words


def reverted_step(session: Session, batch: str) -> StepSummary | None:
    """The step that the undo or redo written as ``batch`` reverted; None when ``batch`` reverts nothing."""
    reverts = session.scalar(select(Event.reverts).where(Event.batch == batch, Event.reverts.is_not(None)).limit(1))
    return describe_step(session, reverts) if reverts else None


def describe_step(session: Session, batch: str) -> StepSummary:
    """What the events of ``batch`` did, as one summary."""
    # the columns, not Event objects: a step of a million codings is read in a million rows
    columns = (Event.action, Event.before, Event.after, Event.reverts)
    events = session.execute(select(*columns).where(Event.batch == batch).order_by(Event.id)).all()
    if events and events[0].reverts:  # an undo or redo: describe what it reverted
        return describe_step(session, events[0].reverts)
    code_ids: list[int] = []
    paths: list[str] = []
    passage: tuple[int, int | None, int | None] | None = None
    memo_text: str | None = None
    for event in events:
        for state in (event.after, event.before):
            if not state:
                continue
            if isinstance(state.get("memo"), dict):  # a memo's own snapshot
                memo_text = memo_text or state["memo"].get("text")
                continue
            if isinstance(state.get("code"), dict):  # a codebook event: the code's own snapshot
                path = state["code"].get("path")
                if path and path not in paths:
                    paths.append(path)
            code_id = state.get("code_id")
            if isinstance(code_id, int) and code_id not in code_ids:
                code_ids.append(code_id)
            if passage is None and isinstance(state.get("message_id"), int):
                passage = (state["message_id"], state.get("start"), state.get("end"))
    if code_ids:
        known = dict(session.execute(select(Code.id, Code.path).where(Code.id.in_(code_ids))).all())
        paths += [known[c] for c in code_ids if c in known and known[c] not in paths]
    kind = _kind(events, tuple(paths))
    if kind == "memo" and memo_text:
        return StepSummary(kind, tuple(paths), len(events), _shortened(memo_text))
    return StepSummary(kind, tuple(paths), len(events), _excerpt(session, passage))


def _kind(events: Sequence[Row[Any]], paths: tuple[str, ...]) -> str:
    actions = {event.action for event in events} - {"memo.move"}  # a memo leaving a removed coding: part of that
    if "coding.add" in actions and GOOD_PRACTICE in paths:
        return "good_practice"
    if actions and all(action.startswith("memo") for action in actions):
        return "memo"
    if any(action.startswith("code.") for action in actions):
        return "code"
    if actions == {"coding.add"}:
        return "coding"
    if actions == {"coding.delete"}:
        return "uncoding"
    if actions <= {"coding.change", "coding.add", "coding.delete"}:
        statuses = {
            ((event.before or {}).get("status"), (event.after or {}).get("status"))
            for event in events
            if event.action == "coding.change"
        }
        from_suggestions = bool(statuses) and all(before == "suggested" for before, _ in statuses)
        decided = {after for _, after in statuses}
        if actions == {"coding.change"} and from_suggestions and decided in ({"accepted"}, {"rejected"}):
            return "accept" if decided == {"accepted"} else "reject"
        if "coding.change" in actions:
            return "recoding"
    return "step"


def _excerpt(session: Session, passage: tuple[int, int | None, int | None] | None) -> str | None:
    if passage is None:
        return None
    message_id, start, end = passage
    text = session.scalar(select(Message.text).where(Message.id == message_id))
    if text is None:
        return None
    return _shortened(text[start or 0 : end if end is not None else len(text)])


def _shortened(text: str) -> str:
    return excerpt(text, EXCERPT_CHARS)
