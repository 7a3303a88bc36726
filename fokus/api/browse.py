"""Reading a project as a researcher does: a filtered, paged list of threads, and one thread as a conversation.

These are the queries behind the TUI's thread list and reader. They stay fast on a 100,000-message project: a page
of threads is chosen first (filters are ``IN`` subqueries on indexed columns, ordered by the indexed
``threads.created_at``, cut with LIMIT/OFFSET), and only then are counts aggregated with GROUP BY, for that page's
threads alone. Nothing here loads every message.

Text search is case-insensitive for Norwegian letters too: SQLite's ``lower()`` folds ASCII only, so the upper-case
forms of the non-ASCII letters the search holds (Æ, Ø, Å...) are replaced first, in portable SQL.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, or_, select
from sqlalchemy.orm import Session

from fokus.domain.collation import norwegian
from fokus.domain.local_time import DISPLAY_ZONE
from fokus.domain.passages import spoken_messages
from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers.times import EARLIEST, LATEST
from fokus.model import Case, Code, Coder, Coding, CodingStatus, Memo, Message, Participant, Thread, Unit

TITLE_WORDS = 12
STATUSES = tuple(s.value for s in CodingStatus)
#: Each status as a person names it, in the language shown (the error lists these).
STATUS_NAMES = {
    CodingStatus.ACCEPTED.value: N_("accepted"),
    CodingStatus.SUGGESTED.value: N_("suggested"),
    CodingStatus.REJECTED.value: N_("rejected"),
}
#: A filter's status may be written in Norwegian too, whatever the language shown (as the filter's field names).
STATUS_WORDS = {"godkjent": "accepted", "foreslått": "suggested", "foreslatt": "suggested", "avvist": "rejected"}


@dataclass(frozen=True, slots=True)
class ThreadFilter:
    """What the thread list shows; every field narrows it, and ``None`` leaves it open.

    ``case`` and ``participant`` keep threads in which someone from that case, or that participant, wrote any
    message (not only the post). ``code`` keeps threads with a coding of the code or one of its sub-codes that is not
    rejected; with ``status``, a coding of that status. ``since`` and ``until`` are inclusive dates in Norwegian
    time, of the thread's start. ``text`` is a case-insensitive substring of any message or of the title.
    """

    case: str | None = None
    participant: str | None = None
    code: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """One line of the thread list: ``codings`` counts accepted codings, ``suggestions`` open ones."""

    thread_id: int
    title: str
    case: str | None
    participant: str | None
    created_at: datetime
    messages: int
    codings: int
    suggestions: int


@dataclass(frozen=True, slots=True)
class CodingView:
    """A coding as the reader shows it; ``matched`` are the spans (into the message text) a rule matched."""

    coding_id: int
    code: str
    name: str
    color: str | None
    start: int
    end: int
    status: str
    coder: str
    origin: str
    confidence: float | None
    matched: tuple[tuple[int, int], ...]
    has_memo: bool = False  # someone wrote a memo about this coding

    @property
    def is_suggestion(self) -> bool:
        return self.status == CodingStatus.SUGGESTED.value


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message in reading order: ``depth`` is 0 for the post, 1 for a comment, 2 and more for replies."""

    message_id: int
    external_id: str
    depth: int
    kind: str
    participant: str
    case: str | None
    created_at: datetime
    text: str
    codings: tuple[CodingView, ...]


def thread_page(
    session: Session, filters: ThreadFilter = ThreadFilter(), *, offset: int = 0, limit: int = 100
) -> list[ThreadRow]:
    """One page of the threads that pass ``filters``, newest first."""
    conditions = _conditions(session, filters)
    page = session.execute(
        select(Thread.id, Thread.title, Thread.created_at)
        .where(*conditions)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .offset(max(offset, 0))
        .limit(max(limit, 0))
    ).all()
    ids = [row[0] for row in page]
    if not ids:
        return []

    posts: dict[int, tuple[str, str | None, str | None]] = {}
    for thread_id, text, pseudonym, case_name in session.execute(
        spoken_messages(Message.thread_id, Message.text, Participant.pseudonym, Case.name)
        .where(Message.thread_id.in_(ids), Message.kind == "post", Message.parent_id.is_(None))
        .order_by(Message.created_at, Message.id)
    ):
        posts.setdefault(thread_id, (text, pseudonym, case_name))

    counted = select(Message.thread_id, func.count()).where(Message.thread_id.in_(ids)).group_by(Message.thread_id)
    messages: dict[int, int] = dict(session.execute(counted).all())
    codings: dict[tuple[int, str], int] = {
        (thread_id, status): count
        for thread_id, status, count in session.execute(
            select(Message.thread_id, Coding.status, func.count())
            .join(Message, Coding.message_id == Message.id)
            .where(
                Message.thread_id.in_(ids),
                Coding.status.in_([CodingStatus.ACCEPTED.value, CodingStatus.SUGGESTED.value]),
            )
            .group_by(Message.thread_id, Coding.status)
        )
    }

    rows = []
    for thread_id, title, created_at in page:
        post_text, participant, case = posts.get(thread_id, ("", None, None))
        rows.append(
            ThreadRow(
                thread_id=thread_id,
                title=title if title and title.strip() else _title_of(post_text),
                case=case,
                participant=participant,
                created_at=created_at,
                messages=messages.get(thread_id, 0),
                codings=codings.get((thread_id, CodingStatus.ACCEPTED.value), 0),
                suggestions=codings.get((thread_id, CodingStatus.SUGGESTED.value), 0),
            )
        )
    return rows


def thread_count(session: Session, filters: ThreadFilter = ThreadFilter()) -> int:
    """How many threads pass ``filters`` (for the list's header and its scroll bar)."""
    conditions = _conditions(session, filters)
    return session.scalar(select(func.count()).select_from(Thread).where(*conditions)) or 0


def conversation(session: Session, thread_id: int) -> list[MessageView]:
    """A thread in reading order: the post, then each answer followed by its own answers, siblings by time.

    A message whose parent is not in the thread is read as an answer to the post (depth 1), like the importer's
    ``parent-missing``; a thread without a post (the unplaced DYI comments) is a list of answers at depth 1.
    Raises :class:`FokusError` for a thread that does not exist.
    """
    if session.get(Thread, thread_id) is None:
        raise FokusError(_("thread {id} does not exist").format(id=thread_id))
    rows = session.execute(
        spoken_messages(
            Message.id,
            Message.external_id,
            Message.parent_id,
            Message.kind,
            Participant.pseudonym,
            Case.name,
            Message.created_at,
            Message.text,
        )
        .where(Message.thread_id == thread_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    codings = _coding_views(session, Message.thread_id == thread_id)

    by_id = {row[0]: row for row in rows}
    posts = [row[0] for row in rows if row[3] == "post" and row[2] is None]
    roots = set(posts)
    children: dict[int | None, list[int]] = defaultdict(list)  # rows are in time order, so each list is too
    for message_id, _external, parent_id, *_rest in rows:
        if message_id in roots:
            continue
        parent = parent_id if parent_id in by_id and parent_id != message_id else None
        children[posts[0] if parent is None and posts else parent].append(message_id)

    order: list[tuple[int, int]] = []
    seen: set[int] = set()

    def walk(root: int, depth: int) -> None:
        stack = [(root, depth)]
        while stack:
            message_id, level = stack.pop()
            if message_id in seen:
                continue
            seen.add(message_id)
            order.append((message_id, level))
            stack.extend((child, level + 1) for child in reversed(children.get(message_id, [])))

    for post in posts:
        walk(post, 0)
    for orphan in children.get(None, []):
        walk(orphan, 1)
    for message_id in by_id:  # only messages that answer each other in a circle are left: show them anyway
        if message_id not in seen:
            walk(message_id, 1)

    views = []
    for message_id, depth in order:
        _id, external_id, _parent, kind, pseudonym, case, created_at, text = by_id[message_id]
        views.append(
            MessageView(
                message_id=message_id,
                external_id=external_id,
                depth=depth,
                kind=kind,
                participant=pseudonym,
                case=case,
                created_at=created_at,
                text=text,
                codings=tuple(codings.get(message_id, ())),
            )
        )
    return views


def sentences(session: Session, message_id: int) -> list[tuple[int, int]]:
    """The spans of a message's stored sentences (its coding units), in order; empty if it was not tagged."""
    query = select(Unit.start, Unit.end).where(Unit.message_id == message_id).order_by(Unit.position)
    return [(start, end) for start, end in session.execute(query)]


def thread_sentences(session: Session, thread_id: int) -> dict[int, list[tuple[int, int]]]:
    """The sentences of every message in a thread, by message id, in one query (for showing a whole thread)."""
    query = (
        select(Unit.message_id, Unit.start, Unit.end)
        .join(Message, Unit.message_id == Message.id)
        .where(Message.thread_id == thread_id)
        .order_by(Unit.message_id, Unit.position)
    )
    found: dict[int, list[tuple[int, int]]] = {}
    for message_id, start, end in session.execute(query):
        found.setdefault(message_id, []).append((start, end))
    return found


def filter_options(session: Session) -> dict[str, list[str]]:
    """What the filter pickers offer: case names, pseudonyms (Deltaker 9 before Deltaker 10) and code paths."""
    return {
        "cases": sorted(session.scalars(select(Case.name)), key=norwegian),
        "participants": sorted(session.scalars(select(Participant.pseudonym)), key=_natural),
        "codes": sorted(session.scalars(select(Code.path))),  # identifiers: code point order, on every backend
    }


def longest_case_name(session: Session) -> int:
    """How many characters the longest name of a participant's municipality has (0 with none): what the thread
    list's municipality column must hold. Cases no participant belongs to (pages' municipalities) never show there."""
    spoken = select(Participant.case_id).where(Participant.case_id.is_not(None))
    return session.scalar(select(func.max(func.length(Case.name))).where(Case.id.in_(spoken))) or 0


def code_condition(session: Session, path: str) -> ColumnElement[bool]:
    """Codings of the code at ``path`` and of its sub-codes; :class:`FokusError` if the codebook has no such code."""
    if session.scalar(select(Code.id).where(Code.path == path)) is None:
        raise FokusError(
            _("code {code!r} is not in the codebook").format(code=path), hint=_("see `fokus codebook show`")
        )
    return or_(Code.path == path, Code.path.startswith(path + "/", autoescape=True))


def matched_spans(details: dict[str, Any] | None) -> tuple[tuple[int, int], ...]:
    """The spans a rule matched, from a coding's ``details``; empty for codings that carry none."""
    found = (details or {}).get("matched") or ()
    return tuple((int(m["start"]), int(m["end"])) for m in found if isinstance(m, dict) and "start" in m and "end" in m)


def contains_folded(column: Any, needle: str) -> ColumnElement[bool]:
    """``column`` contains ``needle``, ignoring case, in portable SQL (and for Æ, Ø, Å on SQLite as well)."""
    folded = needle.lower()
    expression = column
    for char in sorted({c for c in folded if not c.isascii()}):
        upper = char.upper()
        if upper != char and len(upper) == 1:
            expression = func.replace(expression, upper, char)
    return func.lower(expression, type_=String).contains(folded, autoescape=True)


def text_matches(text: str, needle: str) -> list[tuple[int, int]]:
    """The spans of ``text`` where ``needle`` occurs, ignoring case: where the thread list's free-text filter
    (:func:`contains_folded`) found it, for showing the word in the thread."""
    if not needle.strip():
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text, re.IGNORECASE)]


def overlapping_codings(
    session: Session, message_id: int, code: str, start: int, end: int, coder_id: int
) -> list[CodingView]:
    """The coder's accepted codings of ``code`` on the message that overlap ``start``:``end`` (what coding that span
    again would duplicate), by span."""
    where = and_(
        Coding.message_id == message_id,
        Code.path == code,
        Coding.coder_id == coder_id,
        Coding.status == CodingStatus.ACCEPTED.value,
        Coding.start < end,
        Coding.end > start,
    )
    return _coding_views(session, where).get(message_id, [])


def _conditions(session: Session, filters: ThreadFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.case is not None:
        if session.scalar(select(Case.id).where(Case.name == filters.case)) is None:
            raise FokusError(_("case {case!r} is not in the project").format(case=filters.case))
        spoke = (
            select(Message.thread_id)
            .join(Participant, Message.participant_id == Participant.id)
            .join(Case, Participant.case_id == Case.id)
            .where(Case.name == filters.case)
        )
        conditions.append(Thread.id.in_(spoke))
    if filters.participant is not None:
        if session.scalar(select(Participant.id).where(Participant.pseudonym == filters.participant)) is None:
            raise FokusError(
                _("participant {participant!r} is not in the project").format(participant=filters.participant)
            )
        spoke = (
            select(Message.thread_id)
            .join(Participant, Message.participant_id == Participant.id)
            .where(Participant.pseudonym == filters.participant)
        )
        conditions.append(Thread.id.in_(spoke))
    if filters.code is not None or filters.status is not None:
        coded = select(Message.thread_id).join(Coding, Coding.message_id == Message.id)
        if filters.status is not None:
            status = STATUS_WORDS.get(filters.status.lower(), filters.status.lower())
            if status not in STATUSES:
                raise FokusError(
                    _("unknown status {status!r}").format(status=filters.status),
                    hint=_("use one of: {statuses}").format(statuses=", ".join(_(STATUS_NAMES[s]) for s in STATUSES)),
                )
            coded = coded.where(Coding.status == status)
        else:
            coded = coded.where(Coding.status != CodingStatus.REJECTED.value)
        if filters.code is not None:
            coded = coded.join(Code, Coding.code_id == Code.id).where(code_condition(session, filters.code))
        conditions.append(Thread.id.in_(coded))
    if filters.since is not None:
        conditions.append(Thread.created_at >= _day_start(filters.since))
    if filters.until is not None:
        conditions.append(Thread.created_at < _day_start(filters.until, after=True))
    if filters.text:
        said = select(Message.thread_id).where(contains_folded(Message.text, filters.text))
        conditions.append(
            or_(Thread.id.in_(said), and_(Thread.title.is_not(None), contains_folded(Thread.title, filters.text)))
        )
    return conditions


def _day_start(day: date, *, after: bool = False) -> datetime:
    """Midnight of ``day`` (of the day after it, with ``after``) in Norwegian time, as the UTC time the database
    compares. Every stored time lies in fokus's range (fokus.importers.times), so a day beyond it (a filter of
    9999-12-31, whose next day does not exist, or year 1, before UTC's) is that range's end, never an overflow."""
    if day < EARLIEST.date():
        return EARLIEST
    if day >= LATEST.date():
        return LATEST
    return datetime.combine(day + timedelta(days=after), time(), tzinfo=DISPLAY_ZONE).astimezone(UTC)


def _title_of(text: str) -> str:
    words = text.split()
    return " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")


def _natural(text: str) -> list[Any]:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", text)]


def _coding_views(session: Session, where: ColumnElement[bool]) -> dict[int, list[CodingView]]:
    """The codings (every status) of the messages ``where`` picks, by message, each list sorted by span."""
    query = (
        select(
            Coding.message_id,
            Coding.id,
            Code.path,
            Code.name,
            Code.color,
            Coding.start,
            Coding.end,
            Coding.status,
            Coder.name,
            Coding.origin,
            Coding.confidence,
            Coding.details,
        )
        .join(Message, Coding.message_id == Message.id)
        .join(Code, Coding.code_id == Code.id)
        .join(Coder, Coding.coder_id == Coder.id)
        .where(where)
        .order_by(Coding.message_id, Coding.start, Coding.end, Coding.code_id, Coding.id)
    )
    with_memo = set(
        session.scalars(
            select(Memo.coding_id)
            .join(Coding, Memo.coding_id == Coding.id)
            .join(Message, Coding.message_id == Message.id)
            .join(Code, Coding.code_id == Code.id)
            .where(where)
        )
    )
    views: dict[int, list[CodingView]] = defaultdict(list)
    for (
        message_id,
        coding_id,
        path,
        name,
        color,
        start,
        end,
        status,
        coder,
        origin,
        confidence,
        details,
    ) in session.execute(query):
        views[message_id].append(
            CodingView(
                coding_id=coding_id,
                code=path,
                name=name,
                color=color,
                start=start,
                end=end,
                status=status,
                coder=coder,
                origin=origin,
                confidence=confidence,
                matched=matched_spans(details),
                has_memo=coding_id in with_memo,
            )
        )
    return views
