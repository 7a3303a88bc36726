"""What one import of messages works with: the fingerprint that recognises a message across formats, the reports,
what the project already holds, the new messages and the edits offered to stored ones; see :mod:`fokus.api.messages`.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fokus.api.reanchor import ReanchorReport
from fokus.domain.participants import name_key
from fokus.importers.records import MessageRecord
from fokus.model import Message, MessageAlias


def fingerprint(record: MessageRecord) -> str:
    """Who said what, when (to the second): equal across formats for the same message."""
    key = f"{_name_key(record.author)}\x1f{int(record.created_at.timestamp())}\x1f{_plain(record.text)}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def _plain(text: str) -> str:
    """A text as fingerprints compare it: NFC, white space collapsed.

    Most texts have nothing to collapse: every white space character but the space is unprintable, so a printable
    text without two spaces in a row or one at either end is its own collapsed form, found without splitting it
    into words (which was most of the time a fingerprint took).
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


_name_key = functools.lru_cache(maxsize=65536)(name_key)  # a few hundred authors write 100,000 messages


@dataclass
class SourceReport:
    path: str
    kind: str
    messages: int = 0
    added: int = 0
    existing: int = 0
    changed: int = 0  # records whose text differs from the message's (stored, or read earlier in this import)
    updated: int = 0  # of those, the ones whose text the message now has
    other_groups: int = 0
    skipped: list[str] = field(default_factory=list)
    imported_before: datetime | None = None


@dataclass
class ImportReport:
    sources: list[SourceReport] = field(default_factory=list)
    threads_added: int = 0
    messages_added: int = 0
    participants_added: int = 0
    cases_added: int = 0
    aliases_added: int = 0
    case_conflicts: int = 0
    placed_by_author: int = 0
    unplaced: int = 0
    parent_missing: int = 0
    group: str | None = None
    messages_updated: int = 0  # stored messages whose text an edit replaced
    reanchored: ReanchorReport = field(default_factory=ReanchorReport)  # what that did to their codings
    batch: str | None = None  # the event batch of those coding changes (None when no coding changed)

    @property
    def existing(self) -> int:
        return sum(s.existing for s in self.sources)

    @property
    def changed(self) -> int:
        return sum(s.changed for s in self.sources)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.sources)


@dataclass(eq=False)
class NewMessage:
    """A message to be written.

    ``parent`` is a stored message's id or another new message; ``thread`` is a stored thread's id, or the external
    id of a thread this import creates (a new post's id, or the thread of unplaced comments).
    """

    record: MessageRecord
    fingerprint: str
    source_id: int
    path: str
    order: int = 0  # the source's position in the import, for choosing between versions
    participant_id: int = 0
    thread: int | str | None = None
    parent: NewMessage | int | None = None
    placement: str = "source"
    answers_participant_id: int | None = None
    db_id: int | None = None


Ref = NewMessage | int  # a new message, or the database id of a stored one


@dataclass
class KnownMessages:
    """What the project already holds, indexed for one import."""

    ids: dict[str, tuple[int, str]]  # external id or alias -> (message id, fingerprint)
    fingerprints: dict[str, int]  # fingerprint -> message id
    thread_of: dict[int, int]  # message id -> thread id

    @classmethod
    def load(cls, session: Session) -> KnownMessages:
        ids: dict[str, tuple[int, str]] = {}
        fingerprints: dict[str, int] = {}
        thread_of: dict[int, int] = {}
        # by id: should two messages share a fingerprint (an edit can make one), the later one is found, on every
        # backend (PostgreSQL returns rows in no given order, an edited row often last)
        for ext, mid, fp, tid in session.execute(
            select(Message.external_id, Message.id, Message.fingerprint, Message.thread_id).order_by(Message.id)
        ):
            ids[ext] = (mid, fp)
            fingerprints[fp] = mid
            thread_of[mid] = tid
        by_id = dict(ids.values())
        for alias, mid in session.execute(select(MessageAlias.external_id, MessageAlias.message_id)):
            ids[alias] = (mid, by_id[mid])
        return cls(ids, fingerprints, thread_of)


@dataclass
class EditOffer:
    """A record under a stored message's id whose fingerprint differs from the stored one: perhaps an edit."""

    record: MessageRecord
    fingerprint: str
    order: int
    sreport: SourceReport


class ImportBatch:
    """The new messages of this import, the ids under which each is known, and the edits offered to stored ones."""

    def __init__(self) -> None:
        self.items: list[NewMessage] = []
        self.by_id: dict[str, NewMessage] = {}
        self.by_fp: dict[str, NewMessage] = {}
        self.aliases: list[tuple[str, Ref]] = []
        self.offers: dict[int, list[EditOffer]] = defaultdict(list)

    def add(self, item: NewMessage) -> None:
        self.items.append(item)
        self.by_id[item.record.source_id] = item
        self.by_fp[item.fingerprint] = item


def same_text(a: str, b: str) -> bool:
    return a == b or _plain(a) == _plain(b)


def version_of(record: MessageRecord, order: int) -> tuple[datetime, int]:
    """How new a version is: when it was last written, then its source's place in the import (see api.messages)."""
    return (record.updated_at or record.created_at, order)
