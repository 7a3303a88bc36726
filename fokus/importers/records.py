"""Plain records that importers produce: no database, no printing.

Every importer turns a file into :class:`MessageRecord` objects; the service layer decides what is new, pseudonymises
authors and writes everything in one transaction. Keeping the parsers pure lets them be tested on bytes alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MessageKind(StrEnum):
    """Where a message sits in a thread."""

    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"


class SourceKind(StrEnum):
    """The export formats fokus reads (the values are the names `--format` takes)."""

    GRAPH_JSON = "graph-json"
    DYI = "dyi"
    CSV = "csv"
    TRANSCRIPT = "transcript"
    QDPX = "qdpx"


@dataclass(slots=True)
class MessageRecord:
    """One post, comment or reply as read from an export.

    ``source_id`` is the message's id in its source (a Graph id, a CSV id); formats without ids (DYI, transcripts) get a
    stable id derived from author, time and text, so that re-importing the same file finds the same message.
    ``thread_id`` is the ``source_id`` of the thread's post; ``None`` when the format does not say (a DYI comment), in
    which case ``parent_author`` may name the author of the post or comment it answers, as far as the export tells.
    ``author`` is the display name as in the source: a real name, pseudonymised by the service on import.
    ``created_at`` is timezone-aware UTC. ``location`` says where in the file the record came from, for messages.
    Not frozen: a frozen dataclass sets each field through ``object.__setattr__``, which made building records the
    largest cost of parsing a 100,000-message export; records are still never changed after parsing.
    """

    source_id: str
    thread_id: str | None
    parent_id: str | None
    kind: MessageKind
    author: str
    created_at: datetime
    text: str
    location: str
    author_ref: str | None = None
    reactions: int | None = None
    case: str | None = None
    title: str | None = None
    url: str | None = None
    updated_at: datetime | None = None
    group: str | None = None
    parent_author: str | None = None
    attachments: tuple[str, ...] = ()


@dataclass(slots=True)
class ParsedSource:
    """What one importable file held.

    ``path`` names the file as the user knows it (inside a zip: ``archive.zip!member``); ``sha256`` is of its bytes.
    ``skipped`` holds short notes on what was read but deliberately not imported (files without text, entries without
    a message), so the CLI can say so instead of dropping them silently.
    """

    path: str
    kind: SourceKind
    sha256: str
    messages: list[MessageRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
