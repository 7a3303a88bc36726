"""Tagging: split messages into sentences (coding units) and suggest codes from the codebook's rules.

Machines suggest, researchers decide. A suggestion is a coding with status ``suggested`` by the machine coder
``fokus``, on one sentence, with origin ``rule:<code>:<rule>``, a confidence, and details: every rule that fired,
the matched words with their offsets, and the pipeline's name and version. Where a model suggests the same code
for the same sentence, the two share one suggestion (see fokus.domain.origins).

Incremental: a message is parsed again only when its text changed since it was tagged, when the pipeline changed,
or when a changed rule may affect it: a rule's trigger lemmas (old and new version) are looked up in the stored
keys of every sentence, so editing one rule re-reads only the messages that mention its words (a rule with a spaCy
token pattern has no such prefilter and re-reads everything). A decision is never overwritten: a sentence whose
code a researcher has accepted or rejected, by any coder, gets no new suggestion for that code; only undecided
suggestions that no rule supports any more are withdrawn, and every change is in the event log.

Parsing is the slow part, and it needs no lock: :func:`parse_ahead` does it in a read session, while the TUI and
other coders go on writing; :func:`tag_messages` then writes in a short transaction, using what was parsed ahead
for every message whose text, pipeline and rules are still the same, and parsing only what changed meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _quoted
from typing import Any, NamedTuple

from spacy.language import Language
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fokus.allocation import fewer_collections
from fokus.domain.coders import MACHINE_CODER, CoderRegistry
from fokus.domain.events import CODING_FIELDS, coding_snapshot, log_events, new_batch
from fokus.domain.origins import is_machine_origin, split_origin, with_rule, without_rule
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.model import (
    Code,
    CoderKind,
    Coding,
    CodingStatus,
    Event,
    Message,
    RuleState,
    TagState,
    Unit,
    table_of,
    utcnow,
)
from fokus.nlp.pipeline import describe
from fokus.nlp.rules import Hit, Rule, RuleSet, analyse
from fokus.nlp.sentences import sentence_spans
from fokus.store.bulk import insert_values, insert_values_new_ids

Progress = Callable[[str, int, int], None]
BATCH = 2000


@dataclass
class TagReport:
    pipeline: str
    messages: int = 0
    parsed: int = 0
    units: int = 0
    rules: int = 0
    rules_changed: list[str] = field(default_factory=list)
    rules_removed: list[str] = field(default_factory=list)
    suggested: int = 0
    updated: int = 0
    withdrawn: int = 0
    kept_decided: int = 0
    cancelled: bool = False


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _rule_words(spec: dict[str, Any]) -> set[str] | None:
    """The lemmas a sentence must hold for a rule to fire in it; None when that cannot be known (token patterns)."""
    if spec.get("pattern"):
        return None
    words: set[str] = set(spec.get("any", ()))
    for phrase in spec.get("phrases", ()):
        words.update(phrase.split()[:1])
    if spec.get("near"):
        words.update(spec["near"]["a"])
    return words


@dataclass
class _Plan:
    """What tagging would do now: the pipeline, the rules and which messages to (re)parse."""

    pipeline: str
    code_ids: dict[str, int]
    ruleset: RuleSet
    current: dict[str, Rule]
    changed: list[str]
    removed: list[str]
    messages: int
    todo: dict[int, str]  # the messages to parse, each with the hash of its text (the texts are read as parsed)

    @property
    def signature(self) -> tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, int], ...]]:
        """Parsing ahead stays valid while this is unchanged: the pipeline, every rule's digest, the code ids."""
        rules = tuple(sorted((rid, rule.digest) for rid, rule in self.current.items()))
        return self.pipeline, rules, tuple(sorted(self.code_ids.items()))


def _plan(session: Session, nlp: Language) -> _Plan:
    pipeline = describe(nlp)
    # in id order: the rules' order decides the order suggestions are written in, so their ids, on every backend
    codes = list(
        session.execute(select(Code.path, Code.rules, Code.id).where(Code.codable.is_(True)).order_by(Code.id))
    )
    code_ids = {path: cid for path, _, cid in codes}
    ruleset = RuleSet.from_codes(nlp, [(path, rules) for path, rules, _ in codes])
    current = {rule.rule_id: rule for rule in ruleset.rules}
    stored = {row.rule_id: row for row in session.scalars(select(RuleState))}
    changed = [rid for rid, rule in current.items() if rid not in stored or stored[rid].digest != rule.digest]
    removed = [rid for rid in stored if rid not in current]
    is_current = TagState.pipeline == pipeline
    tagged = dict(session.execute(select(TagState.message_id, TagState.text_hash).where(is_current)).all())
    # the texts are hashed as they stream past and not kept: 100,000 messages' texts are read again as parsed
    todo: dict[int, str] = {}
    count = 0
    for mid, text in session.execute(select(Message.id, Message.text).execution_options(yield_per=BATCH)):
        count += 1
        digest = text_hash(text)
        if tagged.get(mid) != digest:
            todo[mid] = digest
    if changed or removed:
        affected = _affected_by_rules(session, [*changed, *removed], current, stored)
        for mid, digest in tagged.items():
            if mid not in todo and (affected is None or mid in affected):
                todo[mid] = digest
    return _Plan(pipeline, code_ids, ruleset, current, changed, removed, count, todo)


#: One sentence as parsed: position, start, end, lemmas and keys (a tuple: 100,000 messages' worth are held between
#: parsing and writing, and a dict per sentence took several times the memory).
UnitRow = tuple[int, int, int, str, str]
#: One message as parsed: its sentences (for ``units``) and the rule hits, by (code id, start, end).
Parsed = tuple[list[UnitRow], dict[tuple[int, int, int], "Suggested"]]


class Suggested(NamedTuple):
    """A rule hit as held between parsing and writing: a tuple, for the same reason as ``UnitRow``."""

    origin: str
    confidence: float
    rules: tuple[str, ...]
    matched: tuple[tuple[int, int, str, str], ...]  # start, end, text, lemma; by start and end

    @classmethod
    def of(cls, hit: Hit) -> Suggested:
        matched = sorted((m["start"], m["end"], m["text"], m["lemma"]) for m in hit.matched.values())
        return cls(hit.origin, hit.confidence, tuple(hit.rules), tuple(matched))

    def details(self, pipeline: str) -> dict[str, Any]:
        """The rules' part of a suggestion's details, as it is stored."""
        return {
            "rules": list(self.rules),
            "matched": [{"start": a, "end": b, "text": text, "lemma": lemma} for a, b, text, lemma in self.matched],
            "pipeline": pipeline,
        }


@dataclass
class Ahead:
    """Messages parsed ahead of the writing transaction (:func:`parse_ahead`), each with the hash of its text.

    Each message is kept packed (``marshal``: our own tuples, never data from a file), a fifth of the memory of the
    tuples themselves: 100,000 messages are held between parsing and writing."""

    signature: tuple[Any, ...]
    parsed: dict[int, tuple[str, bytes]] = field(default_factory=dict)
    cancelled: bool = False

    def keep(self, mid: int, text_hash: str, parsed: Parsed) -> None:
        units, wanted = parsed
        self.parsed[mid] = (text_hash, marshal.dumps((units, [(key, tuple(hit)) for key, hit in wanted.items()])))

    def get(self, mid: int) -> Parsed:
        """A message's parse, let go of as it is written (a retried write parses what it no longer finds)."""
        units, wanted = marshal.loads(self.parsed.pop(mid)[1])
        return units, {key: Suggested(*hit) for key, hit in wanted}


def _texts(session: Session, ids: list[int]) -> Iterator[str]:
    """The texts of ``ids`` in that order, read a batch at a time (so that they are never all held at once)."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = dict(session.execute(select(Message.id, Message.text).where(Message.id.in_(chunk))).all())
        for mid in chunk:
            if mid not in found:
                raise FokusError(
                    _("message {id} was deleted while it was being tagged").format(id=mid),
                    hint=_("run fokus tag again"),
                )
            yield found[mid]


def _parse(
    session: Session, nlp: Language, plan: _Plan, ids: list[int], *, batch_size: int, n_process: int
) -> Iterator[tuple[int, Parsed]]:
    """Parse ``ids`` (one nlp.pipe, so worker processes start once) into their sentences and rule hits."""
    docs = nlp.pipe(_texts(session, ids), batch_size=batch_size, n_process=n_process)
    for mid, doc in zip(ids, docs, strict=True):
        sentences = analyse(doc, sentence_spans(doc))
        units = [
            (position, sentence.start, sentence.end, " ".join(sentence.lemmas), " ".join(sorted(sentence.keys)))
            for position, sentence in enumerate(sentences)
        ]
        wanted: dict[tuple[int, int, int], Suggested] = {}
        for sentence, unit_hits in zip(sentences, plan.ruleset.match(doc, sentences), strict=True):
            for hit in unit_hits:
                code_id = plan.code_ids.get(hit.code)
                if code_id is not None:
                    wanted[(code_id, sentence.start, sentence.end)] = Suggested.of(hit)
        yield mid, (units, wanted)


@fewer_collections()
def parse_ahead(
    session: Session,
    nlp: Language,
    *,
    batch_size: int = 256,
    n_process: int = 1,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Ahead:
    """Parse what :func:`tag_messages` would parse, in a read session (no lock held while spaCy works)."""
    plan = _plan(session, nlp)
    ahead = Ahead(plan.signature)
    ids = sorted(plan.todo)
    for done, (mid, parsed) in enumerate(
        _parse(session, nlp, plan, ids, batch_size=batch_size, n_process=n_process), 1
    ):
        ahead.keep(mid, plan.todo[mid], parsed)
        if done % BATCH == 0 or done == len(ids):
            if progress:
                progress("parsing", done, len(ids))
            if cancelled and cancelled():
                ahead.cancelled = True
                break
    return ahead


@fewer_collections()
def tag_messages(
    session: Session,
    nlp: Language,
    *,
    batch_size: int = 256,
    n_process: int = 1,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    ahead: Ahead | None = None,
) -> TagReport:
    """Split and tag what is new or affected; see the module docstring. With ``ahead`` (from :func:`parse_ahead`),
    only messages that changed since are parsed here."""
    plan = _plan(session, nlp)
    report = TagReport(plan.pipeline, messages=plan.messages, rules=len(plan.ruleset.rules))
    report.rules_changed, report.rules_removed = plan.changed, plan.removed
    usable = ahead.parsed if ahead is not None and ahead.signature == plan.signature else {}
    ids = sorted(plan.todo)
    ready = {mid for mid in ids if mid in usable and usable[mid][0] == plan.todo[mid]}
    fresh = _parse(
        session, nlp, plan, [mid for mid in ids if mid not in ready], batch_size=batch_size, n_process=n_process
    )

    coder_id = CoderRegistry(session).get_or_create(MACHINE_CODER, CoderKind.MACHINE)
    batch_id = new_batch()
    for start in range(0, len(ids), BATCH):
        if cancelled and cancelled():
            report.cancelled = True
            break
        chunk = ids[start : start + BATCH]
        parsed = [ahead.get(mid) if ahead is not None and mid in ready else next(fresh)[1] for mid in chunk]
        _tag_chunk(session, chunk, parsed, coder_id, batch_id, plan, report)
        if progress:
            progress("tagging", min(start + BATCH, len(ids)), len(ids))
    if not report.cancelled:
        _save_rule_state(session, plan.current, plan.removed)
    return report


def _affected_by_rules(
    session: Session, rule_ids: Sequence[str], current: dict[str, Rule], stored: dict[str, RuleState]
) -> set[int] | None:
    """Messages a changed or removed rule may affect: where its words occur, or where it made suggestions."""
    words: set[str] = set()
    for rid in rule_ids:
        for spec in (stored[rid].spec if rid in stored else None, _spec_of(current.get(rid))):
            if spec is None:
                continue
            found = _rule_words(spec)
            if found is None:
                return None
            words |= found
    affected: set[int] = set()
    for mid, keys in session.execute(select(Unit.message_id, Unit.keys)):
        if words.intersection(keys.split()):
            affected.add(mid)
    origins = [f"rule:{rid}" for rid in rule_ids]
    for (mid,) in session.execute(select(Coding.message_id).where(Coding.origin.in_(origins))):
        affected.add(mid)
    return affected


def _spec_of(rule: Rule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {
        "any": sorted(rule.any),
        "phrases": list(rule.phrases),
        "near": rule.near,
        "pattern": rule.pattern,
    }


def _tag_chunk(
    session: Session,
    ids: list[int],
    parsed: list[Parsed],
    coder_id: int,
    batch_id: str,
    plan: _Plan,
    report: TagReport,
) -> None:
    """Replace the units of a chunk of messages and bring their rule suggestions up to date."""
    session.execute(delete(Unit).where(Unit.message_id.in_(ids)))
    session.execute(delete(TagState).where(TagState.message_id.in_(ids)))
    existing: dict[int, list[Coding]] = defaultdict(list)
    for coding in session.scalars(select(Coding).where(Coding.message_id.in_(ids))):
        existing[coding.message_id].append(coding)
    unit_rows: list[tuple[Any, ...]] = []
    state_rows: list[tuple[Any, ...]] = []
    new_codings: list[tuple[Any, ...]] = []
    now = utcnow()
    for mid, (units, wanted) in zip(ids, parsed, strict=True):
        report.parsed += 1
        unit_rows.extend((mid, *unit) for unit in units)
        state_rows.append((mid, plan.todo[mid], plan.pipeline, now))
        report.units += len(units)
        new_codings.extend(
            _reconcile(session, mid, wanted, existing[mid], coder_id, plan.pipeline, batch_id, now, report)
        )
    connection = session.connection()
    insert_values(connection, table_of(Unit), UNIT_COLUMNS, unit_rows)
    insert_values(connection, table_of(TagState), STATE_COLUMNS, state_rows)
    if new_codings:
        ids = insert_values_new_ids(connection, table_of(Coding), NEW_CODING_COLUMNS, new_codings, stored=["details"])
        # the log of each new suggestion, as log_events writes it: its snapshot's JSON, made around its details'
        events = [
            (utcnow(), batch_id, coder_id, "coding.suggest", cid, None, _snapshot_json(row))
            for cid, row in zip(ids, new_codings, strict=True)
        ]
        insert_values(connection, table_of(Event), EVENT_COLUMNS, events, stored=["after"])


UNIT_COLUMNS = ("message_id", "position", "start", "end", "lemmas", "keys")
STATE_COLUMNS = ("message_id", "text_hash", "pipeline", "tagged_at")
#: A new suggestion's row: its snapshot's fields (``CODING_FIELDS``, details as JSON text), then its times.
NEW_CODING_COLUMNS = (*CODING_FIELDS, "created_at", "updated_at")
EVENT_COLUMNS = ("at", "batch", "coder_id", "action", "coding_id", "before", "after")


def _snapshot_json(row: tuple[Any, ...]) -> str:
    """``json.dumps(snapshot(...))`` of a new suggestion's row, the same text, without encoding its details again."""
    message_id, code_id, coder_id, start, end, status, origin, confidence, details = row[: len(CODING_FIELDS)]
    return (
        f'{{"message_id": {message_id}, "code_id": {code_id}, "coder_id": {coder_id}, "start": {start}, '
        f'"end": {end}, "status": {_quoted(status)}, "origin": {_quoted(origin)}, '
        f'"confidence": {float.__repr__(confidence)}, "details": {details}}}'
    )


def _reconcile(
    session: Session,
    message_id: int,
    wanted: dict[tuple[int, int, int], Suggested],
    codings: list[Coding],
    coder_id: int,
    pipeline: str,
    batch_id: str,
    now: Any,
    report: TagReport,
) -> list[tuple[Any, ...]]:
    """New suggestion rows for one message (``NEW_CODING_COLUMNS``); updates and withdraws its undecided ones in
    place."""
    decided: dict[int, list[tuple[int, int]]] = defaultdict(list)
    mine: dict[tuple[int, int, int], Coding] = {}
    for coding in codings:
        if coding.status != CodingStatus.SUGGESTED.value:
            decided[coding.code_id].append((coding.start, coding.end))
        if coding.coder_id == coder_id and is_machine_origin(coding.origin):
            mine[(coding.code_id, coding.start, coding.end)] = coding
    rows: list[tuple[Any, ...]] = []
    changes: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    for key, hit in wanted.items():
        code_id, start, end = key
        current = mine.get(key)
        if current is not None and current.status != CodingStatus.SUGGESTED.value:
            report.kept_decided += 1
            continue
        if any(s < end and start < e for s, e in decided.get(code_id, ())):
            report.kept_decided += 1
            continue
        rule_details = hit.details(pipeline)
        if current is None:
            details = json.dumps({**rule_details, "rule_confidence": hit.confidence})  # as the JSON type stores it
            suggested = CodingStatus.SUGGESTED.value
            rows.append(
                (message_id, code_id, coder_id, start, end, suggested, hit.origin, hit.confidence, details, now, now)
            )
            report.suggested += 1
            continue
        # the same span may carry a model's suggestion (fokus.domain.origins): keep its part
        wanted_state = with_rule(hit.origin, hit.confidence, rule_details, (current.origin, current.details))
        if (current.origin, current.confidence, current.details) != wanted_state:
            before = coding_snapshot(current)
            current.origin, current.confidence, current.details = wanted_state
            current.updated_at = now
            changes.append((current.id, before, coding_snapshot(current)))
            report.updated += 1
    withdrawn: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []
    for key, coding in mine.items():
        if key in wanted or coding.status != CodingStatus.SUGGESTED.value:
            continue
        if split_origin(coding.origin)[0] is None:
            continue  # the model's alone: not the rules' to withdraw
        remaining = without_rule(coding.origin, coding.details)
        if remaining is not None:  # no rule supports it any more, the model still does
            before = coding_snapshot(coding)
            coding.origin, coding.confidence, coding.details = remaining
            coding.updated_at = now
            changes.append((coding.id, before, coding_snapshot(coding)))
            report.withdrawn += 1
            continue
        withdrawn.append((coding.id, coding_snapshot(coding), None))
        session.delete(coding)
        report.withdrawn += 1
    if changes:
        log_events(session, batch_id, "coding.change", changes, coder_id)
    if withdrawn:
        session.flush()
        log_events(session, batch_id, "coding.withdraw", withdrawn, coder_id)
    return rows


def _save_rule_state(session: Session, current: dict[str, Rule], removed: Sequence[str]) -> None:
    now = utcnow()
    stored = {row.rule_id: row for row in session.scalars(select(RuleState))}
    for rid in removed:
        session.delete(stored[rid])
    for rid, rule in current.items():
        spec = _spec_of(rule) or {}
        row = stored.get(rid)
        if row is None:
            session.add(RuleState(rule_id=rid, digest=rule.digest, spec=spec, updated_at=now))
        elif row.digest != rule.digest:
            row.digest, row.spec, row.updated_at = rule.digest, spec, now
