"""Plain records that page-data parsers produce: no database, no printing.

Every page-data format (Graph API page feeds, Facepager, CrowdTangle, 4CAT, Meta Content Library; see the issue
and ../shared/FORMATS.md) is read into these, and one writer (fokus.api.pages) decides what is new and stores
it in one transaction. Counts are None where a format has no such count (4CAT has none; CrowdTangle no comment
text), never 0: a missing count is not a post nobody liked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class PageRecord:
    """A page as an export names it: its id (or its URL's name), display name and URL when known."""

    external_id: str
    name: str
    url: str | None = None


@dataclass(slots=True)
class PostRecord:
    """A page's post. ``created_at`` is timezone-aware UTC; ``location`` says where in the file it was read."""

    external_id: str
    page_id: str  # the PageRecord's external_id
    created_at: datetime
    text: str
    location: str
    kind: str | None = None
    likes: int | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    url: str | None = None


@dataclass(slots=True)
class CommentRecord:
    """A comment under a post, or a reply (``parent_id``: the comment it answers).

    ``by_page`` says the page itself wrote it (its replies to the public are what response rate and time count).
    ``author`` is the commenter's id or name as in the export: never stored, only turned into a keyed hash.
    """

    external_id: str
    post_id: str  # the PostRecord's external_id
    created_at: datetime
    text: str
    location: str
    parent_id: str | None = None
    by_page: bool = False
    author: str | None = None
    likes: int | None = None


@dataclass(slots=True)
class PageFeed:
    """What one page-data file held. ``path`` names the file as the user knows it; ``sha256`` is of its bytes;
    ``format`` is the format's name (`graph-feed`, `facepager`, `crowdtangle`, `4cat`, `mcl`)."""

    path: str
    format: str
    sha256: str
    pages: list[PageRecord] = field(default_factory=list)
    posts: list[PostRecord] = field(default_factory=list)
    comments: list[CommentRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PageListing:
    """One row of the pages file: the municipality (a case), its page (id or URL), followers at the window's start
    and end, and the population. ``location`` is the file and line."""

    municipality: str
    page: str
    location: str
    name: str | None = None
    followers_start: int | None = None
    followers_end: int | None = None
    population: int | None = None
