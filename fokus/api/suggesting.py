"""`fokus suggest`: a model's suggestions brought up to date, every sentence scored and only what changed written.

Suggestions are codings with status ``suggested`` by the machine coder, origin ``model:<version>`` and the
calibrated probability as confidence (or, with a model's combiner, the combined confidence), on sentence units whose
probability reaches the code's threshold. They never touch a decision: a sentence whose code a researcher accepted or
rejected (any coder) gets no suggestion of it. Where the rules suggest the same code on the same sentence, the two
share one suggestion (see :mod:`fokus.domain.origins`). A newer model replaces the older one's part; what it no
longer supports is withdrawn. The open suggestions are read once: the rules' part of the combiner's evidence, what
is there to update and what the event log records as before all come from that one read.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _quoted  # json.dumps of a str, without its overhead
from typing import Any

import numpy as np
from sqlalchemy import Text, bindparam, cast, delete, select, update
from sqlalchemy.orm import Session

from fokus.domain.chunks import chunks
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import CODING_FIELDS, log_events, new_batch, snapshot
from fokus.domain.origins import split_origin, with_model, without_model
from fokus.learn.model import TrainedModel
from fokus.model import Code, CoderKind, Coding, CodingStatus, Event, Unit, table_of, utcnow
from fokus.store.bulk import insert_new_ids, insert_values

Progress = Callable[[str, int, int], None]
#: what one suggestion should say: the model's probability (None: no say), the confidence shown, the combiner's part
Wanted = dict[tuple[int, int, int, int], tuple[float | None, float, dict[str, Any] | None]]
#: an open suggestion as read once: its id, then the values of CODING_FIELDS
Suggestion = Sequence[Any]
CHUNK = 20_000  # sentences scored at a time
EVENT_COLUMNS = ("at", "batch", "coder_id", "action", "coding_id", "before", "after")
_LOGGED = (
    '{"message_id": %d, "code_id": %d, "coder_id": %d, "start": %d, "end": %d, "status": %s, "origin": %s, '
    '"confidence": %s, "details": %s}'
)


def open_suggestions(session: Session) -> list[Suggestion]:
    """Every open suggestion, by any coder, in id order: (id, *CODING_FIELDS), the details as their JSON text
    (:func:`fokus.api.evidence.details_of` reads it): 90,000 suggestions' details read as dicts held 120 MB more."""
    session.flush()  # a Core query does not flush the ORM's pending changes itself
    table = table_of(Coding)
    columns = [table.c.id, *(table.c[name] for name in CODING_FIELDS if name != "details")]
    query = select(*columns, cast(table.c.details, Text)).where(table.c.status == CodingStatus.SUGGESTED.value)
    return [tuple(row) for row in session.execute(query.order_by(table.c.id))]


@dataclass
class SuggestReport:
    version: int
    sentences: int = 0
    suggested: int = 0  # new suggestions
    merged: int = 0  # a rule's suggestion the model now supports too
    updated: int = 0  # the model's part changed (a new version, another probability)
    withdrawn: int = 0  # the model no longer supports it
    kept_decided: int = 0
    codes: list[str] = field(default_factory=list)
    cancelled: bool = False


def suggest(
    session: Session,
    version: int,
    model: TrainedModel,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> SuggestReport:
    """Score every sentence and bring the model's suggestions up to date; see the module docstring."""
    report = SuggestReport(version)
    code_ids = dict(session.execute(select(Code.path, Code.id)).all())
    if model.combiner is not None:
        from fokus.api.combining import combined_wanted

        suggestions = open_suggestions(session)
        combined, report.codes, report.sentences = combined_wanted(session, version, model, code_ids, suggestions)
        if cancelled and cancelled():
            report.cancelled = True
            return report
        _reconcile(session, version, combined, report, suggestions)
        return report
    usable = [j for j, code in enumerate(model.codes) if not np.isnan(model.thresholds[j]) and code in code_ids]
    report.codes = [model.codes[j] for j in usable]
    units = session.execute(select(Unit.id, Unit.message_id, Unit.start, Unit.end, Unit.lemmas).order_by(Unit.id)).all()
    report.sentences = len(units)
    wanted: Wanted = {}
    columns = np.array(usable, dtype=np.int64)
    thresholds = model.thresholds[columns] if usable else np.zeros(0)
    for start in range(0, len(units), CHUNK):
        if cancelled and cancelled():
            report.cancelled = True
            return report
        chunk = units[start : start + CHUNK]
        if usable:
            probabilities = model.probabilities([u[4] for u in chunk])[:, columns]
            rows, cols = np.nonzero(probabilities >= thresholds)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                _uid, mid, s, e, _lemmas = chunk[r]
                probability = float(probabilities[r, c])
                wanted[(mid, code_ids[model.codes[usable[c]]], s, e)] = (probability, probability, None)
        if progress:
            progress("suggesting", min(start + CHUNK, len(units)), len(units))
    _reconcile(session, version, wanted, report, open_suggestions(session))
    return report


def _reconcile(
    session: Session, version: int, wanted: Wanted, report: SuggestReport, suggestions: list[Suggestion]
) -> None:
    """Bring the machine's open suggestions (among ``suggestions``, :func:`open_suggestions`) in line with
    ``wanted``: new ones, the model's part and the shown confidence updated, and the model's part withdrawn where it
    is no longer wanted (a rule's part is the rules'). Only what changes is written, and logged. ``suggestions`` and
    ``wanted`` are emptied on the way (90,000 of each on bench/learn.py's project)."""
    from fokus.api.evidence import details_of

    coder_id = CoderRegistry(session).get_or_create(MACHINE_CODER, CoderKind.MACHINE)
    messages = sorted({key[0] for key in wanted})
    decided: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for chunk in chunks(messages):
        decisions = select(Coding.message_id, Coding.code_id, Coding.start, Coding.end).where(
            Coding.message_id.in_(chunk), Coding.status != CodingStatus.SUGGESTED.value
        )
        for mid, cid, s, e in session.execute(decisions):
            decided[(mid, cid)].append((s, e))
    # the machine's open suggestions: where the model's part goes, or has to go away
    existing: dict[tuple[int, int, int, int], Suggestion] = {}
    for row in suggestions:
        cid, mid, code, coder, s, e = row[:6]
        if coder == coder_id:
            existing[(mid, code, s, e)] = row
    suggestions.clear()  # consumed: each row goes once the suggestion is dealt with, the peak stays lower
    batch = new_batch()
    now = utcnow()
    rows: list[dict[str, Any]] = []
    changes: list[tuple[int, str, str]] = []  # (coding id, before, after) as the log's JSON text
    withdrawn: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    to_load: dict[int, tuple[float | None, float, dict[str, Any] | None]] = {}
    for key, (probability, shown, combined) in wanted.items():
        mid, code, s, e = key
        if any(ds < e and s < de for ds, de in decided.get((mid, code), ())):
            report.kept_decided += 1
            continue
        found = existing.get(key)
        if found is None:
            if probability is None:
                continue  # nothing of the model's to suggest on its own
            origin, confidence, details = _state(("", None, None), version, probability, shown, combined)
            rows.append(
                {
                    "message_id": mid,
                    "code_id": code,
                    "coder_id": coder_id,
                    "start": s,
                    "end": e,
                    "status": CodingStatus.SUGGESTED.value,
                    "origin": origin,
                    "confidence": confidence,
                    "details": details,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            report.suggested += 1
        else:
            to_load[found[0]] = (probability, shown, combined)
    stale = {row[0] for key, row in existing.items() if key not in wanted and split_origin(row[7])[1]}
    # written as rows, not ORM objects: the first suggest after a new model changes every suggestion's confidence
    # (70,000 on bench/learn.py), which the ORM's unit of work took 17 s to write
    session.flush()
    table = table_of(Coding)
    updates: list[dict[str, Any]] = []
    gone: list[int] = []
    wanted.clear()  # consumed too
    for key in list(existing):  # in id order: the changes are logged so
        row = existing.pop(key)
        cid = row[0]
        if cid in to_load or cid in stale:
            before = dict(zip(CODING_FIELDS, (*row[1:-1], details_of(row)), strict=True))
            current = (before["origin"], before["confidence"], before["details"])
            if cid in to_load:
                probability, shown, combined = to_load[cid]
                merged = split_origin(current[0])[1] is None and probability is not None
                state = _state(current, version, probability, shown, combined)
                if current == state:
                    continue
                report.merged += merged
                report.updated += not merged
            else:
                report.withdrawn += 1
                remaining = without_model(current[0], current[2])
                if remaining is None:
                    withdrawn.append((cid, before, None))
                    gone.append(cid)
                    continue
                state = remaining
            changes.append((cid, _logged(row[1:]), _logged((*row[1:7], *state[:2], _encoded(state[2])))))
            updates.append({"b_id": cid, "b_origin": state[0], "b_confidence": state[1], "b_details": state[2]})
    if updates:
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                origin=bindparam("b_origin"),
                confidence=bindparam("b_confidence"),
                details=bindparam("b_details"),
                updated_at=now,
            )
        )
        session.connection().execute(statement, updates)
    for ids in chunks(gone):
        session.connection().execute(delete(table).where(table.c.id.in_(ids)))
    session.expire_all()  # ORM objects loaded earlier in this transaction (by tagging) see the new rows
    if rows:
        ids = insert_new_ids(session.connection(), table_of(Coding), rows)
        log_events(
            session, batch, "coding.suggest", ((i, None, snapshot(r)) for i, r in zip(ids, rows, strict=True)), coder_id
        )
    if changes:  # their JSON made once, as log_events would make it (see _logged)
        at = utcnow()
        events = ((at, batch, coder_id, "coding.change", cid, b, a) for cid, b, a in changes)
        insert_values(session.connection(), table_of(Event), EVENT_COLUMNS, events, stored=("before", "after"))
    if withdrawn:
        log_events(session, batch, "coding.withdraw", withdrawn, coder_id)


def _state(
    current: tuple[str, float | None, dict[str, Any] | None],
    version: int,
    probability: float | None,
    shown: float,
    combined: dict[str, Any] | None,
) -> tuple[str, float | None, dict[str, Any] | None]:
    """A suggestion's origin, confidence and details with the model's part (when it has a say) and the combiner's."""
    origin, confidence, details = current
    if probability is not None:
        origin, confidence, details = with_model(origin, confidence, details, version, probability)
    if combined is None:
        return origin, confidence, details
    return origin, round(shown, 4), {**(details or {}), "combined": combined}


def _encoded(details: dict[str, Any] | None) -> str:
    """A JSON column's text of ``details``, as SQLAlchemy's JSON type stores it (``json.dumps``)."""
    return json.dumps(details)


def _logged(values: Sequence[Any]) -> str:
    """``json.dumps(snapshot(...))`` of a suggestion's ``CODING_FIELDS`` values whose details are already the JSON
    column's text (``json.dumps``'s, as every writer stores it): the same text, without parsing and encoding the
    details again (80,000 changed suggestions on bench/learn.py's project)."""
    message_id, code_id, coder_id, start, end, status, origin, confidence, details = values
    if confidence is None or (isinstance(confidence, float) and math.isfinite(confidence)):
        shown = "null" if confidence is None else float.__repr__(confidence)
        return _LOGGED % (message_id, code_id, coder_id, start, end, _quoted(status), _quoted(origin), shown,
                          "null" if details is None else details)  # fmt: skip
    logged = dict(zip(CODING_FIELDS, values, strict=True))
    logged["details"] = None if details is None else json.loads(details)
    return json.dumps(logged)
