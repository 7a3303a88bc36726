"""Edited messages: the newest version's text replaces the stored one, and the codings are re-anchored to it; the
rules (which version is newest, what is never taken) are in :mod:`fokus.api.messages`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from fokus.api.messages_state import EditOffer, ImportReport, same_text, version_of
from fokus.api.reanchor import reanchor_codings
from fokus.domain.chunks import chunks
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import new_batch
from fokus.model import CoderKind, Coding, Message, TagState, Unit


def apply_edits(session: Session, offers: dict[int, list[EditOffer]], report: ImportReport) -> None:
    """Give edited messages their newest text and re-anchor their codings (see :mod:`fokus.api.messages`)."""
    ids = sorted(offers)
    stored: dict[int, tuple[str, datetime, datetime | None]] = {}
    coded: set[int] = set()
    for chunk in chunks(ids):
        query = select(Message.id, Message.text, Message.created_at, Message.updated_at).where(Message.id.in_(chunk))
        for mid, text, created, updated in session.execute(query):
            stored[mid] = (text, updated or created, updated)
        coded.update(session.scalars(select(Coding.message_id).where(Coding.message_id.in_(chunk)).distinct()))
    winners: dict[int, EditOffer] = {}
    for mid, candidates in offers.items():
        text, version, _ = stored[mid]
        eligible = []
        for offer in candidates:
            if same_text(offer.record.text, text):
                offer.sreport.existing += 1
                continue
            offer.sreport.changed += 1
            if offer.record.text and offer.sreport.imported_before is None:
                eligible.append(offer)
        if eligible:
            best = max(eligible, key=lambda o: version_of(o.record, o.order))
            if version_of(best.record, best.order)[0] >= version:
                winners[mid] = best
    texts = {mid: (stored[mid][0], offer.record.text) for mid, offer in winners.items() if mid in coded}
    if texts:
        batch = new_batch()
        coder_id = CoderRegistry(session).get_or_create(MACHINE_CODER, CoderKind.MACHINE)
        report.reanchored = reanchor_codings(session, texts, batch=batch, coder_id=coder_id)
        report.batch = batch if report.reanchored.written else None
        for mid in report.reanchored.refused:
            del winners[mid]
    rows = []
    for mid, offer in winners.items():
        offer.sreport.updated += 1
        updated_at = offer.record.updated_at or stored[mid][2]
        rows.append({"id": mid, "text": offer.record.text, "fingerprint": offer.fingerprint, "updated_at": updated_at})
    if rows:
        session.execute(update(Message), rows)
    for chunk in chunks(sorted(winners)):
        session.execute(delete(Unit).where(Unit.message_id.in_(chunk)))
        session.execute(delete(TagState).where(TagState.message_id.in_(chunk)))
    report.messages_updated = len(rows)
