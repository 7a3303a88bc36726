"""Turning a discovered theme into a code: the new code in the codebook, and its sentences as suggestions to review.

A candidate from :func:`fokus.learn.discover.discover` becomes a codable code (under a parent if asked), and its
representative quotes (or all its sentences) become suggestions of that code by the machine coder, with origin
``topic:<candidate>`` and the sentence's topic weight as confidence, logged as one batch of the event log.
Researchers decide on them in the review queue like on any suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fokus.domain.chunks import chunks
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import log_events, new_batch, snapshot
from fokus.domain.origins import TOPIC_PREFIX
from fokus.errors import FokusError
from fokus.files.codebook import CODE_ID
from fokus.i18n import _
from fokus.i18n.formats import number
from fokus.learn.discovery_report import Candidate, DiscoveryReport
from fokus.model import Code, CoderKind, Coding, CodingStatus, Unit, table_of, utcnow
from fokus.store.bulk import insert_new_ids


@dataclass
class AdoptReport:
    """What adopting a candidate made: the new code and its suggestions (and what was left out, and why)."""

    code: str
    name: str
    code_id: int
    candidate: int
    title: str
    suggested: int
    already: int  # spans the code is on already (decided by a researcher, or suggested)
    stale: int  # sentences no longer stored as they were (the message was tagged again since)
    coding_ids: list[int]
    batch: str

    def summary(self) -> str:
        values = {
            "code": self.code,
            "name": self.name,
            "candidate": self.candidate,
            "title": self.title,
            "suggested": number(self.suggested),
            "already": number(self.already),
            "stale": number(self.stale),
        }
        if self.already and self.stale:
            line = _(
                "Added code {code} ({name}) from candidate {candidate} ({title}) with {suggested} suggestions to"
                " review; left out: {already} already coded or suggested so, {stale} no longer stored as they were."
            )
        elif self.already:
            line = _(
                "Added code {code} ({name}) from candidate {candidate} ({title}) with {suggested} suggestions to"
                " review; left out: {already} already coded or suggested so."
            )
        elif self.stale:
            line = _(
                "Added code {code} ({name}) from candidate {candidate} ({title}) with {suggested} suggestions to"
                " review; left out: {stale} no longer stored as they were."
            )
        else:
            line = _(
                "Added code {code} ({name}) from candidate {candidate} ({title}) with {suggested} suggestions"
                " to review."
            )
        return line.format(**values)


def adopt(
    session: Session,
    report_or_candidate: DiscoveryReport | Candidate,
    *,
    path: str,
    name: str,
    number: int | None = None,
    parent: str | None = None,
    description: str | None = None,
    quotes_only: bool = True,
) -> AdoptReport:
    """Make a candidate a new code, with its quotes (or all its sentences) as the machine's suggestions.

    ``number`` picks the candidate from a report. The code's path is ``parent/path`` when a parent is given; it is
    codable, placed after every code so far (so after its siblings), and described by the candidate's lemmas unless
    ``description`` says otherwise. Suggestions are by the machine coder, origin ``topic:<number>``, the sentence's
    topic weight as confidence, and details naming the topic and its lemmas; they are logged as one batch of
    ``coding.suggest`` events. None is made on a span a researcher already decided for the code, nor on a sentence
    that is no longer stored as it was when the candidate was found; a span the code is suggested on already is
    not suggested twice.
    """
    if isinstance(report_or_candidate, DiscoveryReport):
        if number is None:
            raise FokusError(_("which candidate? a report holds several"), hint=_("give its number"))
        candidate = report_or_candidate.candidate(number)
    else:
        candidate = report_or_candidate
    code = _new_code(session, path, name, parent, description or ", ".join(candidate.lemmas))
    if quotes_only:
        spans = [(q.message_id, q.start, q.end, q.weight) for q in candidate.quotes]
    else:
        spans = list(
            zip(
                candidate.unit_messages.tolist(),
                candidate.starts.tolist(),
                candidate.ends.tolist(),
                candidate.weights.tolist(),
                strict=True,
            )
        )
    coder_id = CoderRegistry(session).get_or_create(MACHINE_CODER, CoderKind.MACHINE)
    stored, decided = _span_state(session, code.id, sorted({s[0] for s in spans}))
    now = utcnow()
    details = {"topic": candidate.number, "lemmas": candidate.lemmas}
    rows: list[dict[str, Any]] = []
    skipped_already = skipped_stale = 0
    for message_id, start, end, weight in spans:
        if (message_id, start, end) not in stored:
            skipped_stale += 1
            continue
        if any(s < end and start < e for s, e in decided.get(message_id, ())):
            skipped_already += 1
            continue
        rows.append(
            {
                "message_id": message_id,
                "code_id": code.id,
                "coder_id": coder_id,
                "start": start,
                "end": end,
                "status": CodingStatus.SUGGESTED.value,
                "origin": f"{TOPIC_PREFIX}{candidate.number}",
                "confidence": round(min(max(weight, 0.0), 1.0), 4),
                "details": details,
                "created_at": now,
                "updated_at": now,
            }
        )
    batch = new_batch()
    ids = insert_new_ids(session.connection(), table_of(Coding), rows) if rows else []
    log_events(
        session, batch, "coding.suggest", ((i, None, snapshot(r)) for i, r in zip(ids, rows, strict=True)), coder_id
    )
    return AdoptReport(
        code.path,
        code.name,
        code.id,
        candidate.number,
        candidate.title,
        len(rows),
        skipped_already,
        skipped_stale,
        ids,
        batch,
    )


def _new_code(session: Session, path: str, name: str, parent: str | None, description: str) -> Code:
    full = f"{parent.strip('/')}/{path}" if parent else path
    if not all(CODE_ID.match(part) for part in full.split("/")):
        raise FokusError(
            _("bad code path {path!r}").format(path=full),
            hint=_("lowercase letters a-z, digits, '-' and '_', parts joined by '/'"),
        )
    if not name.strip():
        raise FokusError(_("the new code needs a name"), hint=_("give --name"))
    if session.scalar(select(Code.id).where(Code.path == full)) is not None:
        raise FokusError(_("code {path!r} is in the codebook already").format(path=full), hint=_("choose another path"))
    parent_id = None
    if "/" in full:
        above = full.rsplit("/", 1)[0]
        parent_id = session.scalar(select(Code.id).where(Code.path == above))
        if parent_id is None:
            raise FokusError(
                _("parent code {path!r} is not in the codebook").format(path=above),
                hint=_("see `fokus codebook show`"),
            )
    last = session.scalar(select(func.max(Code.position)))
    now = utcnow()
    code = Code(
        path=full,
        parent_id=parent_id,
        name=name.strip(),
        description=description,
        codable=True,
        position=(last + 1) if last is not None else 0,
        created_at=now,
        updated_at=now,
    )
    session.add(code)
    session.flush()
    return code


def _span_state(
    session: Session, code_id: int, message_ids: Sequence[int]
) -> tuple[set[tuple[int, int, int]], dict[int, list[tuple[int, int]]]]:
    """The sentences still stored in these messages, and the spans the code is on there already, by anyone:
    accepted or rejected (a researcher's decision stands) or suggested (no suggestion twice)."""
    stored: set[tuple[int, int, int]] = set()
    decided: dict[int, list[tuple[int, int]]] = {}
    for chunk in chunks(message_ids):
        units = select(Unit.message_id, Unit.start, Unit.end).where(Unit.message_id.in_(chunk))
        stored.update((m, s, e) for m, s, e in session.execute(units))
        codings = select(Coding.message_id, Coding.start, Coding.end).where(
            Coding.code_id == code_id, Coding.message_id.in_(chunk)
        )
        for m, s, e in session.execute(codings):
            decided.setdefault(m, []).append((s, e))
    return stored, decided
