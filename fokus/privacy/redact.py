"""Redaction as exports apply it: the stored text never changes (codings' offsets point into it); an export shows
each mention replaced, and maps offsets into the text it shows.

:func:`redact` replaces the mentions of one text and returns an :class:`OffsetMap` from positions in the stored
text to positions in the redacted one. A position outside every mention moves by what the replacements before it
added or removed; a coding that starts inside a mention starts at its replacement, one that ends inside a mention
ends after its replacement, so a coded passage never shows part of a name. Both maps are monotone, and a span
with start < end stays non-empty.

:class:`Redactor` is what an export holds: it reads the project's setting ("privacy.redact", on unless set to
"off"), finds the mentions of each message once (names from :mod:`fokus.privacy.names`, person entities from
:mod:`fokus.privacy.entities` when the project has a model with NER) and keeps them for the rest of the export.
It also says how ids and links are shown: a message or thread id from a source that may name someone (it holds a
part of a known name, or is a link or an e-mail address: "zelda-qwertyson-1", a CrowdTangle post URL) is replaced
by ``redacted:m<N>`` / ``redacted:t<N>`` with the project's own number, the same in every export, and messages'
links are left out; :func:`shown_message_ids` takes such ids back where the project is the one that exported them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.domain.chunks import chunks
from fokus.domain.settings import REDACT_SETTING
from fokus.privacy.entities import EntityFinder, entity_model
from fokus.privacy.names import ENTITY, PARTICIPANT, UNKNOWN, Mention, NameFinder

REDACTED_ID = "redacted:"  # an id an export shows instead of one that may name someone


def redaction_on(session: Session) -> bool:
    """The project's choice; absent means on (the safe default for a new or an existing project)."""
    from fokus.domain.settings import get_setting

    return (get_setting(session, REDACT_SETTING) or "on").strip().lower() not in ("off", "0", "false", "no")


def set_redaction(session: Session, on: bool) -> None:
    from fokus.domain.settings import set_setting

    set_setting(session, REDACT_SETTING, "on" if on else "off")


class OffsetMap:
    """Positions in a stored text to positions in its redacted form (see the module docstring)."""

    __slots__ = ("_ends", "_new_ends", "_new_starts", "_starts")

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self._starts = [m.start for m in mentions]
        self._ends = [m.end for m in mentions]
        self._new_starts: list[int] = []
        self._new_ends: list[int] = []
        shift = 0
        for m in mentions:
            self._new_starts.append(m.start + shift)
            shift += len(m.replacement) - (m.end - m.start)
            self._new_ends.append(m.end + shift)

    def _outside(self, position: int) -> int:
        """A position not strictly inside a mention, moved by the mentions that end at or before it."""
        i = bisect_right(self._ends, position) - 1
        return position if i < 0 else position - self._ends[i] + self._new_ends[i]

    def _inside(self, position: int) -> int:
        """The index of the mention ``position`` is strictly inside, or -1."""
        i = bisect_left(self._ends, position + 1)  # the first mention ending after position
        return i if i < len(self._starts) and self._starts[i] < position else -1

    def start(self, position: int) -> int:
        i = self._inside(position)
        return self._new_starts[i] if i >= 0 else self._outside(position)

    def end(self, position: int) -> int:
        i = self._inside(position)
        return self._new_ends[i] if i >= 0 else self._outside(position)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), self.end(end)

    def stored_span(self, start: int, end: int) -> tuple[int, int]:
        """The other way: a span of the redacted text back in the stored text (a replacement it touches stands for
        the whole name), for an importer that gets a redacted export's offsets back."""
        return self._back(start, self._starts), self._back(end, self._ends)

    def _back(self, position: int, inside_to: list[int]) -> int:
        i = bisect_left(self._new_ends, position + 1)  # the first replacement ending after position
        if i < len(self._new_starts) and self._new_starts[i] < position:
            return inside_to[i]
        j = bisect_right(self._new_ends, position) - 1
        return position if j < 0 else position - self._new_ends[j] + self._ends[j]


def check_mentions(text: str, mentions: Sequence[Mention]) -> None:
    """Mentions must be inside the text, in order, not overlapping, and replaced by something."""
    previous = 0
    for m in mentions:
        if not previous <= m.start < m.end <= len(text) or not m.replacement:
            raise ValueError(f"mention {m.start}:{m.end} overlaps another, is empty or is outside the text")
        previous = m.end


def redact(text: str, mentions: Sequence[Mention]) -> tuple[str, OffsetMap]:
    """``text`` with each mention replaced, and the map from its offsets to the redacted text's."""
    check_mentions(text, mentions)
    parts: list[str] = []
    last = 0
    for m in mentions:
        parts += [text[last : m.start], m.replacement]
        last = m.end
    parts.append(text[last:])
    return "".join(parts), OffsetMap(mentions)


def combine(
    text: str, names: Sequence[Mention], persons: Iterable[tuple[int, int]], finder: NameFinder
) -> list[Mention]:
    """Names and person entities as one list: an entity overlapping a name widens it; one that names nobody known
    is "[navn]"."""
    merged = [(m.start, m.end, m.replacement, m.kind) for m in names]
    for start, end in persons:
        words = text[start:end].split()
        if not words or text[start:end].startswith("["):
            continue
        known = finder.whose(words)
        merged.append((start, end, known or UNKNOWN, PARTICIPANT if known else ENTITY))
    merged.sort(key=lambda m: (m[0], -m[1]))
    result: list[Mention] = []
    for start, end, replacement, kind in merged:
        if not result or start >= result[-1].end:
            result.append(Mention(start, end, replacement, kind))
            continue
        last = result[-1]  # overlapping: one mention covering both, named by the known person if either is one
        if last.kind != PARTICIPANT and kind == PARTICIPANT:
            result[-1] = Mention(last.start, max(last.end, end), replacement, kind)
        else:
            result[-1] = Mention(last.start, max(last.end, end), last.replacement, last.kind)
    return result


@dataclass
class Summary:
    """How much redaction does, without a single name: mentions and messages by kind."""

    enabled: bool
    messages: int = 0
    messages_with_mentions: int = 0
    mentions: dict[str, int] = field(default_factory=lambda: {PARTICIPANT: 0, ENTITY: 0})
    messages_by_kind: dict[str, int] = field(default_factory=lambda: {PARTICIPANT: 0, ENTITY: 0})
    entity_model: str | None = None


class Redactor:
    """The redaction of one export: the project's setting, and each message's mentions once found."""

    def __init__(self, session: Session, *, enabled: bool | None = None) -> None:
        self.session = session
        self.enabled = redaction_on(session) if enabled is None else enabled
        self._finder: NameFinder | None = None
        self._entities: EntityFinder | None = None
        self._entities_loaded = False
        self._mentions: dict[int, tuple[Mention, ...]] = {}
        self._texts: dict[int, str] = {}  # stored texts of the messages that have mentions
        self._free: dict[str, str] = {}
        self._naming_ids: dict[str, bool] = {}
        self._threads: dict[int, str] = {}

    # --- what is looked for ---------------------------------------------------------------------------------------

    @property
    def finder(self) -> NameFinder:
        if self._finder is None:
            self._finder = NameFinder.from_session(self.session)
        return self._finder

    @property
    def entities(self) -> EntityFinder | None:
        if not self._entities_loaded:
            model = entity_model(self.session)
            self._entities = EntityFinder.load(model) if model else None
            self._entities_loaded = True
        return self._entities

    def _find(self, texts: Sequence[str]) -> list[tuple[Mention, ...]]:
        entities = self.entities
        persons = entities.persons(texts) if entities is not None else [[] for _ in texts]
        return [
            tuple(combine(text, self.finder.find(text), found, self.finder))
            for text, found in zip(texts, persons, strict=True)
        ]

    # --- messages -------------------------------------------------------------------------------------------------

    def prepare(self, message_ids: Iterable[int] | None = None) -> None:
        """Find the mentions of many messages at once (None: every message), so rows that carry only an excerpt
        can be redacted with :meth:`excerpt_of`."""
        if not self.enabled:
            return
        from fokus.model import Message

        _ = self.finder, self.entities  # their queries before the stream starts

        query = select(Message.id, Message.text)
        if message_ids is None:
            batches: Iterable[Sequence[tuple[int, str]]] = self.session.execute(
                query.execution_options(yield_per=2000)
            ).partitions()
        else:
            wanted = sorted(set(message_ids) - self._mentions.keys())
            batches = (self.session.execute(query.where(Message.id.in_(chunk))).all() for chunk in chunks(wanted))
        for batch in batches:
            self.prepare_texts(batch)

    def prepare_texts(self, messages: Iterable[tuple[int, str]]) -> None:
        """Find the mentions of messages whose texts the caller has already read, in one batch."""
        if not self.enabled:
            return
        todo = [(mid, text) for mid, text in messages if mid not in self._mentions]
        for (mid, text), mentions in zip(todo, self._find([t for _, t in todo]), strict=True):
            self._remember(mid, text, mentions)

    def _remember(self, message_id: int, text: str, mentions: tuple[Mention, ...]) -> None:
        self._mentions[message_id] = mentions
        if mentions:
            self._texts[message_id] = text

    def mentions(self, message_id: int, text: str) -> tuple[Mention, ...]:
        """The mentions of one message (found once per redactor); none when redaction is off."""
        if not self.enabled:
            return ()
        found = self._mentions.get(message_id)
        if found is None:
            (found,) = self._find([text])
            self._remember(message_id, text, found)
        return found

    def message(self, message_id: int, text: str) -> tuple[str, OffsetMap]:
        """A message's text as exports show it, and the map of its offsets."""
        return redact(text, self.mentions(message_id, text))

    def text(self, message_id: int, text: str) -> str:
        mentions = self.mentions(message_id, text)
        return redact(text, mentions)[0] if mentions else text

    def excerpt(self, message_id: int, text: str, start: int, end: int) -> str:
        """The passage ``text[start:end]`` as exports show it (a name it cuts through is replaced whole)."""
        mentions = self.mentions(message_id, text)
        if not mentions:
            return text[start:end]
        redacted, offsets = redact(text, mentions)
        begin, finish = offsets.span(start, end)
        return redacted[begin:finish]

    def excerpt_of(self, message_id: int, start: int, end: int, stored: str) -> str:
        """Like :meth:`excerpt` for a row that carries only the stored excerpt; the message must be prepared."""
        if not self.enabled:
            return stored
        text = self._texts.get(message_id)
        if text is None:
            if message_id not in self._mentions:
                self.prepare([message_id])
            text = self._texts.get(message_id)
            if text is None:
                return stored
        return self.excerpt(message_id, text, start, end)

    # --- other texts ----------------------------------------------------------------------------------------------

    def free(self, text: str | None) -> str | None:
        """A text that is no message (a thread's title, a memo, a summary), redacted the same way."""
        if not self.enabled or not text:
            return text
        found = self._free.get(text)
        if found is None:
            (mentions,) = self._find([text])
            found = redact(text, mentions)[0] if mentions else text
            self._free[text] = found
        return found

    def words(self, words: Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
        """A list of (lemma, weight) for display without the lemmas that are participants' names."""
        if not self.enabled:
            return tuple(words)
        return tuple((w, v) for w, v in words if not self.finder.is_name(w))

    def lemmas(self, lemmas: str) -> str:
        """Lemmas separated by spaces (a passage's features) for display without those that are participants'
        names."""
        if not self.enabled:
            return lemmas
        return " ".join(w for w in lemmas.split(" ") if not self.finder.is_name(w))

    # --- ids and links -------------------------------------------------------------------------------------------

    def names_someone(self, identifier: str) -> bool:
        """Whether an id from a source may name someone: it holds a part of a known name, or is a link or an e-mail
        address (a profile's user name need not be the name)."""
        found = self._naming_ids.get(identifier)
        if found is None:
            found = "/" in identifier or "@" in identifier or self.finder.names_someone(identifier)
            self._naming_ids[identifier] = found
        return found

    def message_id(self, message_id: int, external_id: str) -> str:
        """A message's id as exports show it: the source's, or ``redacted:m<N>`` (N the project's own number for the
        message, the same in every export) when the source's id may name someone."""
        if not self.enabled or not self.names_someone(external_id):
            return external_id
        return f"{REDACTED_ID}m{message_id}"

    def thread_id(self, thread_id: int, external_id: str) -> str:
        """A thread's id as exports show it: like its post's (a thread's id is its post's id), or
        ``redacted:t<N>`` when the project does not have the post."""
        if not self.enabled or not self.names_someone(external_id):
            return external_id
        shown = self._threads.get(thread_id)
        if shown is None:
            from fokus.model import Message

            post = self.session.scalar(select(Message.id).where(Message.external_id == external_id))
            shown = self._threads[thread_id] = f"{REDACTED_ID}m{post}" if post else f"{REDACTED_ID}t{thread_id}"
        return shown

    def url(self, url: str | None) -> str | None:
        """A message's link as exports show it: none (a link leads to the person, and its path may hold a user
        name)."""
        return None if self.enabled else url

    # --- what it does ---------------------------------------------------------------------------------------------

    def summary(self) -> Summary:
        """Mentions and messages by kind over the whole project (finds every message's mentions)."""
        summary = Summary(enabled=self.enabled)
        entities = self.entities
        summary.entity_model = entities.name if entities is not None else None
        was = self.enabled
        self.enabled = True  # count what redaction would do even when it is off
        try:
            self.prepare()
        finally:
            self.enabled = was
        summary.messages = len(self._mentions)
        for mentions in self._mentions.values():
            if not mentions:
                continue
            summary.messages_with_mentions += 1
            for kind in {m.kind for m in mentions}:
                summary.messages_by_kind[kind] += 1
            for m in mentions:
                summary.mentions[m.kind] += 1
        return summary


def shown_message_ids(session: Session, identifiers: Iterable[str]) -> dict[str, tuple[int, str]]:
    """The messages (id and stored text) of ids an export showed as ``redacted:m<N>``, for an import that gets them
    back: only where message N is there and an export of this project shows its id so."""
    wanted = {}
    for identifier in identifiers:
        number = identifier.removeprefix(f"{REDACTED_ID}m")
        if identifier.startswith(REDACTED_ID) and number.isascii() and number.isdigit() and len(number) < 19:
            wanted[int(number)] = identifier
    if not wanted:
        return {}
    from fokus.model import Message

    redactor = Redactor(session, enabled=True)
    found: dict[str, tuple[int, str]] = {}
    numbers = sorted(wanted)
    for chunk in chunks(numbers):
        query = select(Message.id, Message.external_id, Message.text).where(Message.id.in_(chunk))
        for mid, external_id, text in session.execute(query):
            if external_id != wanted[mid] and redactor.message_id(mid, external_id) == wanted[mid]:
                found[wanted[mid]] = (mid, text)
    return found


def find_message(session: Session, identifier: str) -> tuple[int, int, str] | None:
    """A message (id, thread id, stored text) by the id a user copied from anywhere fokus shows one: its own id, an
    alias it had in another export, or the ``redacted:m<N>`` an export shows for an id that names someone."""
    from fokus.model import Message, MessageAlias

    columns = (Message.id, Message.thread_id, Message.text)
    found = session.execute(select(*columns).where(Message.external_id == identifier)).first()
    if found is None:
        found = session.execute(
            select(*columns)
            .join(MessageAlias, MessageAlias.message_id == Message.id)
            .where(MessageAlias.external_id == identifier)
        ).first()
    if found is None:
        shown = shown_message_ids(session, [identifier]).get(identifier)
        if shown is not None:
            found = session.execute(select(*columns).where(Message.id == shown[0])).first()
    return None if found is None else (found[0], found[1], found[2])


def export_redactor(session: Session, *, real_names: bool = False) -> Redactor:
    """The redactor an export uses: the project's setting, or none at all when the user asked for real names."""
    return Redactor(session, enabled=False if real_names else None)
