"""Re-anchoring codings to an edited message: a coding follows its text, or is flagged for review, never dropped.

When a newer export changes a message's text, every coding of it (any status, any coder) is mapped from the old
text to the new one by a diff of words (see :mod:`fokus.api.reanchor_spans`: words that occur once on both sides
anchor the rest, as in patience diff, and ``difflib.SequenceMatcher`` aligns the small gaps between anchors, by
words and then by characters), so a long message costs about its length, not its length squared:

- ``exact``: the coded text is unchanged, so the coding moves with it and covers the same text (no flag);
- ``moved``: the coded text was edited, and the new text that replaced it is still similar (difflib's ratio of old
  to new span text at least ``SIMILAR`` = 0.6: about two in three characters kept): the coding covers the new text,
  flagged ``moved``;
- ``lost``: the coded text is gone or mostly rewritten: the coding is kept on a span that is valid in the new text
  (the words that replaced it, or where it was deleted the sentence at that place, else the whole message),
  flagged ``lost``. It is never left at its old offsets, which would cover unrelated words without saying so.

A flag is ``Coding.details["reanchor"]`` = ``{"state": "moved"|"lost", "old_text", "old_start", "old_end",
"ratio", "at"}``: what the coding covered and where, how similar the new span is, and when (UTC, ISO 8601). A flag
already waiting for review keeps the text the researcher coded (its ``old_text`` and offsets) and takes the worse
state; :func:`clear_flags` removes flags once reviewed. Every change is a ``coding.change`` event with the state
before and after, in the caller's batch, so undo puts the old offsets back; the message text itself is the
export's and stays new, so an undone coding points at old offsets in new text (and stays flagged).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from fokus.api.reanchor_spans import EXACT, LOST, MOVED, reanchor
from fokus.domain.chunks import chunks
from fokus.domain.events import log_events, snapshot
from fokus.model import Code, Coder, Coding, Message, utcnow

_RANK = {EXACT: 0, MOVED: 1, LOST: 2}
# Codings being re-anchored are parked this far up first, so no intermediate state collides with another coding.
_PARK = 1_000_000_000


# --- in the project -------------------------------------------------------------------------------------------


@dataclass
class ReanchorReport:
    """What re-anchoring did to the codings of the edited messages."""

    unchanged: int = 0  # same text, same offsets
    followed: int = 0  # same text, new offsets
    moved: int = 0  # flagged moved
    lost: int = 0  # flagged lost
    refused: set[int] = field(default_factory=set)  # messages whose codings could not all be placed
    written: int = 0  # codings whose span or flag changed (one event each)

    @property
    def flagged(self) -> int:
        return self.moved + self.lost


_COLUMNS = (
    Coding.id,
    Coding.message_id,
    Coding.code_id,
    Coding.coder_id,
    Coding.start,
    Coding.end,
    Coding.status,
    Coding.origin,
    Coding.confidence,
    Coding.details,
)


def reanchor_codings(
    session: Session, texts: Mapping[int, tuple[str, str]], *, batch: str, coder_id: int | None
) -> ReanchorReport:
    """Re-anchor every coding of the messages in ``texts`` (message id -> (old text, new text)).

    Call it before the new texts are stored: a message whose codings cannot all be placed (only when more codings of
    one code by one coder than the new text has spans would collide) is left out and named in ``refused``, for the
    caller to keep its old text. The changes are logged as ``coding.change`` events in ``batch``, by ``coder_id``.
    """
    report = ReanchorReport()
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in chunks(sorted(texts)):
        query = select(*_COLUMNS).where(Coding.message_id.in_(chunk)).order_by(Coding.id)
        for row in session.execute(query).mappings():
            rows[row["message_id"]].append(dict(row))
    at = utcnow().isoformat()
    updates: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for message_id, codings in rows.items():
        old, new = texts[message_id]
        planned = _plan(old, new, codings, at, report)
        if planned is None:
            report.refused.add(message_id)
        else:
            updates.extend(planned)
    _write(session, updates, batch, coder_id)
    report.written = len(updates)
    return report


def _plan(
    old: str, new: str, codings: list[dict[str, Any]], at: str, report: ReanchorReport
) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
    """(before, after) rows for the codings of one message whose span or flag changes; None if they cannot all fit."""
    placements = reanchor(old, new, [(c["start"], c["end"]) for c in codings])
    # exact placements claim their spans first; a collision (same code, coder and span) moves the later one aside
    order = sorted(range(len(codings)), key=lambda k: (_RANK[placements[k].state], codings[k]["id"]))
    taken: set[tuple[int, int, int, int]] = set()
    changes: list[tuple[dict[str, Any], dict[str, Any]]] = []
    counts = {"unchanged": 0, "followed": 0, MOVED: 0, LOST: 0}
    for k in order:
        coding, placement = codings[k], placements[k]
        key = (coding["code_id"], coding["coder_id"])
        span = next((sp for sp in _nearby(placement.start, placement.end, len(new)) if (*key, *sp) not in taken), None)
        if span is None:
            return None
        taken.add((*key, *span))
        state = (
            placement.state
            if span == (placement.start, placement.end)
            else max(placement.state, MOVED, key=_RANK.__getitem__)
        )
        after = dict(coding, start=span[0], end=span[1])
        if state == EXACT:
            counts["unchanged" if span == (coding["start"], coding["end"]) else "followed"] += 1
        else:
            counts[state] += 1
            after["details"] = _flagged(coding, old, state, placement.ratio, at)
        if after != coding:
            changes.append((coding, after))
    report.unchanged += counts["unchanged"]
    report.followed += counts["followed"]
    report.moved += counts[MOVED]
    report.lost += counts[LOST]
    return changes


def _nearby(start: int, end: int, n: int) -> Iterator[tuple[int, int]]:
    """The span itself, then spans with one end moved, nearest and narrower first (all valid in a text of length n)."""
    yield start, end
    for d in range(1, n + 1):
        for s, e in ((start, end - d), (start + d, end), (start, end + d), (start - d, end)):
            if 0 <= s < e <= n:
                yield s, e


def _flagged(coding: dict[str, Any], old: str, state: str, ratio: float, at: str) -> dict[str, Any]:
    details = dict(coding["details"] or {})
    waiting = details.get("reanchor")
    s, e = coding["start"], coding["end"]
    flag = {"state": state, "old_text": old[s:e], "old_start": s, "old_end": e, "ratio": round(ratio, 3), "at": at}
    if isinstance(waiting, dict):  # not reviewed since an earlier edit: keep what the researcher coded
        flag.update({k: waiting[k] for k in ("old_text", "old_start", "old_end") if k in waiting})
        flag["state"] = max(state, str(waiting.get("state", state)), key=lambda x: _RANK.get(x, 2))
    details["reanchor"] = flag
    return details


def _write(
    session: Session, changes: list[tuple[dict[str, Any], dict[str, Any]]], batch: str, coder_id: int | None
) -> None:
    """Park the changing codings out of the way, then write their new state, and log it."""
    if not changes:
        return
    changes = _undo_order(changes)
    now = utcnow()
    moving = [
        before["id"] for before, after in changes if (before["start"], before["end"]) != (after["start"], after["end"])
    ]
    for chunk in chunks(moving):
        session.execute(
            update(Coding)
            .where(Coding.id.in_(chunk))
            .values(start=Coding.start + _PARK, end=Coding.end + _PARK)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(Coding),
        [
            {"id": a["id"], "start": a["start"], "end": a["end"], "details": a["details"], "updated_at": now}
            for _, a in changes
        ],
    )
    log_events(session, batch, "coding.change", ((b["id"], snapshot(b), snapshot(a)) for b, a in changes), coder_id)


def _undo_order(changes: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The changes in an order whose reverse undo can replay one coding at a time without a collision.

    Undo restores the latest event first. When one coding's old span is another's new span (adjacent codings of one
    code shifted by an insertion), the other must be restored first, so it is logged later.
    """

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["message_id"], row["code_id"], row["coder_id"], row["start"], row["end"])

    occupant = {key(after): k for k, (_, after) in enumerate(changes)}  # who holds a span after the change
    blocked = {occupant[key(before)] for before, _ in changes if key(before) in occupant}
    blocked -= {k for k, (before, _) in enumerate(changes) if occupant.get(key(before)) == k}
    order: list[int] = []
    seen: set[int] = set()
    for head in [k for k in range(len(changes)) if k not in blocked] + list(range(len(changes))):
        k: int | None = head
        while k is not None and k not in seen:
            seen.add(k)
            order.append(k)
            k = occupant.get(key(changes[k][0]))
    return [changes[k] for k in order]


# --- review ---------------------------------------------------------------------------------------------------


def _flag_state() -> Any:
    return Coding.details[("reanchor", "state")].as_string()


def _to_review() -> Any:
    """Flagged codings, and codings whose span runs past their message's text (as an undone re-anchoring leaves)."""
    return or_(_flag_state().is_not(None), Coding.end > func.length(Message.text))


def count_flagged(session: Session) -> int:
    """How many codings wait for review after an edit (see :func:`flagged_codings`)."""
    query = select(func.count()).select_from(Coding).join(Message, Coding.message_id == Message.id)
    return session.scalar(query.where(_to_review())) or 0


def flagged_codings(session: Session) -> list[dict[str, Any]]:
    """The codings to review after an edit, by message: what they covered and what they cover now.

    ``state`` is the flag's (moved, lost), or ``outside`` for a coding whose span runs past the text.
    """
    length = Coding.end - Coding.start
    query = (
        select(
            Coding.id,
            Message.external_id,
            Code.path,
            Coder.name,
            Coding.status,
            Coding.start,
            Coding.end,
            Coding.details,
            func.substr(Message.text, Coding.start + 1, length),
        )
        .join(Message, Coding.message_id == Message.id)
        .join(Code, Coding.code_id == Code.id)
        .join(Coder, Coding.coder_id == Coder.id)
        .where(_to_review())
        .order_by(Message.created_at, Message.id, Coding.start, Coding.id)
    )
    rows = []
    for cid, message, code, coder, status, start, end, details, text in session.execute(query):
        flag = (details or {}).get("reanchor") or {}
        rows.append(
            {
                "coding_id": cid,
                "message_id": message,
                "code": code,
                "coder": coder,
                "status": status,
                "state": flag.get("state", "outside"),
                "old_text": flag.get("old_text"),
                "start": start,
                "end": end,
                "text": text,
                "ratio": flag.get("ratio"),
                "at": flag.get("at"),
            }
        )
    return rows


def clear_flags(session: Session, coding_ids: Sequence[int], *, batch: str, coder_id: int | None) -> int:
    """Mark codings as reviewed: their flags are removed (logged as ``coding.change``); returns how many had one."""
    changes = []
    for chunk in chunks(sorted(set(coding_ids))):
        for row in session.execute(select(*_COLUMNS).where(Coding.id.in_(chunk))).mappings():
            before = dict(row)
            if not isinstance(before["details"], dict) or "reanchor" not in before["details"]:
                continue
            details = {k: v for k, v in before["details"].items() if k != "reanchor"}
            changes.append((before, dict(before, details=details or None)))
    if changes:
        now = utcnow()
        session.execute(
            update(Coding), [{"id": a["id"], "details": a["details"], "updated_at": now} for _, a in changes]
        )
        log_events(session, batch, "coding.change", ((b["id"], snapshot(b), snapshot(a)) for b, a in changes), coder_id)
    return len(changes)
