"""The domain in one place: typed SQLAlchemy 2.0 ORM classes for a fokus project.

A project is one database. It holds what was imported (sources, threads, messages), who spoke (participants, known to
everything but the identity table only by a pseudonym), which municipality they speak for (cases with typed
attributes), the codebook, the codings made by people and machines, memos, and an append-only event log of every
coding change, from which undo and history are built. Beside the focus group, the study's other phases: the public
pages followed and scored (pages, their posts and comments, each scoring run).

The schema is portable SQL: nothing here is SQLite-specific, so a team can move a project to PostgreSQL.

Long because: one schema read in one place is what migrations, `fokus copy` and every layer above are checked
against; split, its tables would be registered by import side effects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: the only kind of time the database holds."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zones, so values are stored as naive UTC there and made aware again on the way out; a naive
    value on the way in is a programming error, refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: fokus stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect: Dialect) -> Callable[[datetime | None], Any] | None:
        """On SQLite, write the same text SQLAlchemy writes, in one C call: bulk imports convert many times."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r}: fokus stores aware UTC times only")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for bulk inserts that skip the ORM's per-object work."""
    return cast(Table, model.__table__)


class AttributeType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"


class CodingStatus(StrEnum):
    ACCEPTED = "accepted"
    SUGGESTED = "suggested"
    REJECTED = "rejected"


class CoderKind(StrEnum):
    HUMAN = "human"
    MACHINE = "machine"


class Setting(Base):
    """Project-wide settings (the Facebook group's name, the tagging model...), as text."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Source(Base):
    """One imported file (or DYI archive), identified by the sha256 of its bytes."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    messages_added: Mapped[int] = mapped_column(default=0)


class Case(Base):
    """A unit of analysis, here a municipality."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    values: Mapped[list[CaseValue]] = relationship(back_populates="case", cascade="all, delete-orphan")


class Attribute(Base):
    """A typed case attribute (fylke, innbyggertall, topp10...)."""

    __tablename__ = "attributes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)


class CaseValue(Base):
    """One attribute's value for one case, in the column of the attribute's type (portable, and sortable in SQL)."""

    __tablename__ = "case_values"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attributes.id", ondelete="CASCADE"), primary_key=True)
    value_text: Mapped[str | None] = mapped_column(Text)
    value_int: Mapped[int | None] = mapped_column(BigInteger)
    value_float: Mapped[float | None] = mapped_column(Float)
    value_bool: Mapped[bool | None] = mapped_column(Boolean)
    value_date: Mapped[date | None] = mapped_column(Date)
    case: Mapped[Case] = relationship(back_populates="values")
    attribute: Mapped[Attribute] = relationship()


class Participant(Base):
    """Someone who spoke in the group, known everywhere by a stable pseudonym ("Deltaker 07")."""

    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(50), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    role: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case | None] = relationship()


class ParticipantIdentity(Base):
    """A real name (or a source's author id) behind a pseudonym.

    Kept apart so that no export ever reads it by accident: only the importer (to recognise a returning author) and
    commands given an explicit flag touch this table.
    """

    __tablename__ = "participant_identities"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), unique=True)


class Thread(Base):
    """A post and everything said under it."""

    __tablename__ = "threads"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))


class Message(Base):
    """A post, comment or reply; offsets into ``text`` are code points, as in REFI-QDA.

    ``placement`` says how the message got its place: ``source`` (the export says), ``parent-missing`` (its parent
    is not in the project, so it hangs under the post), ``by-author`` (a DYI comment placed by whom it answered) or
    ``unplaced`` (a DYI comment whose thread could not be known; ``answers_participant_id`` keeps whom it answered).
    """

    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime | None]
    text: Mapped[str] = mapped_column(Text)
    reactions: Mapped[int | None] = mapped_column(BigInteger)
    url: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(32))  # matched in memory on import: no index to maintain
    placement: Mapped[str] = mapped_column(String(20), default="source")
    answers_participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    thread: Mapped[Thread] = relationship()
    participant: Mapped[Participant] = relationship(foreign_keys=[participant_id])


class MessageAlias(Base):
    """Another id under which a stored message is known.

    The same comment reaches a project as a Graph id, a CSV id and a DYI donation's derived id; the first one stored
    is the message's ``external_id``, the others are kept here so that answers, codings and later imports that name
    the message by any of its ids find it.
    """

    __tablename__ = "message_aliases"
    external_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)


class Code(Base):
    """A code in the codebook; ``path`` ("krise/flom") is its id for people and files."""

    __tablename__ = "codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(300), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    include_note: Mapped[str | None] = mapped_column(Text)
    exclude_note: Mapped[str | None] = mapped_column(Text)
    examples: Mapped[list[Any]] = mapped_column(default=list)
    color: Mapped[str | None] = mapped_column(String(7))
    codable: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    rules: Mapped[list[Any] | None]
    #: The name and notes in the codebook's other languages, ``{"en": {"name": ..., "description": ...}}``; the
    #: columns above hold the codebook's own language (fokus.domain.codes.shown_name picks what a person sees).
    translations: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    parent: Mapped[Code | None] = relationship(remote_side=[id])


class Coder(Base):
    """Who made a coding: a researcher, or a machine (rules, a model)."""

    __tablename__ = "coders"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default=CoderKind.HUMAN.value)


class Coding(Base):
    """A code applied to a span of a message, by a coder, with a status (suggested, accepted, rejected)."""

    __tablename__ = "codings"
    __table_args__ = (
        UniqueConstraint("message_id", "code_id", "coder_id", "start", "end"),
        CheckConstraint('start >= 0 AND "end" > start', name="span"),
        CheckConstraint("status IN ('accepted', 'suggested', 'rejected')", name="status"),
        Index("ix_codings_code_status", "code_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("codes.id"))
    coder_id: Mapped[int] = mapped_column(ForeignKey("coders.id"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(200), default="human")
    confidence: Mapped[float | None]
    details: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    message: Mapped[Message] = relationship()
    code: Mapped[Code] = relationship()
    coder: Mapped[Coder] = relationship()


class Unit(Base):
    """A coding unit: one sentence of a message, as code-point offsets into its text, split once and stored.

    ``lemmas`` is the sentence's lemma sequence (content words) and ``keys`` every lemma candidate and compound
    part in it, so rules and models can find the sentences a changed rule may affect without parsing again.
    """

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("message_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    start: Mapped[int]
    end: Mapped[int]
    lemmas: Mapped[str] = mapped_column(Text)
    keys: Mapped[str] = mapped_column(Text)


class TagState(Base):
    """Which text of a message was split and tagged, by which pipeline: tagging again skips what has not changed."""

    __tablename__ = "tag_state"
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(32))
    pipeline: Mapped[str] = mapped_column(String(200))
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)


class RuleState(Base):
    """The version of each rule the project was last tagged with, so a changed rule is applied where it matters."""

    __tablename__ = "rule_state"
    rule_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    digest: Mapped[str] = mapped_column(String(32))
    spec: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExchangeId(Base):
    """The GUID an object has in REFI-QDA files, kept so that every export names it the same way and an imported
    project keeps the GUIDs its other tools gave it."""

    __tablename__ = "exchange_ids"
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    local_id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True)


class Memo(Base):
    """A researcher's note on the project (no target) or on one message, code, case or coding."""

    __tablename__ = "memos"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN message_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN code_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN case_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN coding_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_target",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    coding_id: Mapped[int | None] = mapped_column(ForeignKey("codings.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """An append-only record of one coding change: what it was before and after.

    ``coding_id`` is deliberately not a foreign key: the log must outlive a deleted coding so the deletion can be
    undone. ``batch`` groups the events of one command or one keypress, which undo treats as one step; the events
    of an undo (or redo) name the batch they revert in ``reverts``.
    """

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    batch: Mapped[str] = mapped_column(String(36), index=True)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("coders.id"))
    action: Mapped[str] = mapped_column(String(30))
    coding_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    reverts: Mapped[str | None] = mapped_column(String(36), index=True)


class LearnedModel(Base):
    """A version of the code-suggestion model trained on the team's own decisions: its file (relative to the
    project's folder) or, for a project on a server, the file's bytes (``data``); the digest of those bytes, and
    its cross-validated figures per code (``report``)."""

    __tablename__ = "learned_models"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sentences: Mapped[int]
    target_precision: Mapped[float]
    report: Mapped[dict[str, Any]]
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # megabytes: read only to load it


class ModelExample(Base):
    """Which codings trained a model: accepted codings (``positive``) and rejected suggestions (``negative``).

    ``coding_id`` is no foreign key, like the event log's: the record of what trained a model outlives the coding.
    """

    __tablename__ = "model_examples"
    model_id: Mapped[int] = mapped_column(ForeignKey("learned_models.id", ondelete="CASCADE"), primary_key=True)
    coding_id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(10))


class Page(Base):
    """A public page followed in phase 1 of a study (a municipality's Facebook page), scored on its posts.

    Kept apart from the focus group's threads and messages: pages are measured, not coded. ``external_id`` is the
    page's id in the export (or its URL's name when only the URL is known); ``case_id`` the municipality it is.
    Followers at the window's start and end and the population come from the pages file.
    """

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    followers_start: Mapped[int | None] = mapped_column(BigInteger)
    followers_end: Mapped[int | None] = mapped_column(BigInteger)
    population: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PagePost(Base):
    """A page's public post with its engagement as the export counted it (None where the export has no count).

    ``reactions`` counts every reaction (likes included), ``likes`` the likes alone where the export tells them
    apart; ``comments`` is the export's own count, which may exceed the comments stored (exports cap them).
    """

    __tablename__ = "page_posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str | None] = mapped_column(String(30))
    likes: Mapped[int | None] = mapped_column(BigInteger)
    reactions: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(BigInteger)
    shares: Mapped[int | None] = mapped_column(BigInteger)
    url: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))


class PageComment(Base):
    """A comment (or a reply, ``parent_id``) under a page's post: the public's, or the page's own (``by_page``).

    Commenters are members of the public: no name is stored, only ``author_key``, a keyed hash that tells one
    commenter from another within the project (distinct commenters) and cannot be turned back into a name.
    """

    __tablename__ = "page_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("page_posts.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("page_comments.id"), index=True)
    created_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text, default="")
    by_page: Mapped[bool] = mapped_column(Boolean, default=False)
    author_key: Mapped[str | None] = mapped_column(String(64))
    likes: Mapped[int | None] = mapped_column(BigInteger)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))


class ScoreRun(Base):
    """One scoring of the pages (``fokus pages score``): the criteria file's text and sha256, the window, and every
    page's score and rank; the case attributes it wrote (score, rank, topp10, topp30) name this run as provenance."""

    __tablename__ = "score_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    criteria_sha256: Mapped[str] = mapped_column(String(64))
    criteria: Mapped[str] = mapped_column(Text)
    window_from: Mapped[date | None] = mapped_column(Date)
    window_to: Mapped[date | None] = mapped_column(Date)
    results: Mapped[dict[str, Any]]
