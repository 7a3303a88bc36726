"""Meta Content Library exports of public page posts and their comments: CSV, or JSON lines from its API.

The Content Library (CrowdTangle's successor, for approved researchers) names fields as its data dictionary does,
with dots for nested fields (``statistics.reaction_count``); a CSV download uses those names as its header, and the
API's JSON (one object a line, or a list) nests them, which is flattened to the same names. Read, from a post:
``id``, ``creation_time``, ``text``, ``content_type`` (else ``media_type``), ``post_owner.id``,
``post_owner.name``, ``post_owner.type``, ``post_owner.username``, ``surface.type``, and the counts
``statistics.reaction_count``, ``statistics.like_count``, ``statistics.comment_count`` and
``statistics.share_count``; from a comment (a row with a ``post_id``): ``id``, ``post_id``,
``parent_comment_id``, ``creation_time``, ``text``, ``owner.id`` and ``owner.name``. Other fields are ignored.

Decisions, from what Meta documents:

- ids are the Library's own ("cannot be used to search on Meta's technologies"): a post and its page have other ids
  than in a Graph feed, so the same post from both is two posts, and the pages file finds the page by its address
  (``post_owner.username``) or its name, not by a numeric id from elsewhere;
- ``creation_time`` is UTC: a time written without an offset is read as UTC whatever zone the import names;
- the Library counts every reaction (``reaction_count``) and the likes alone (``like_count``); an absent count is
  unknown (None), never 0, as the Library's own documentation insists for views;
- the Library has no link to a post (no permalink field): ``url`` stays empty;
- posts by a profile, group or event, or posted to a group or event, are no page's posts: skipped with a note;
- a comment's author is ``owner.id`` (else ``owner.name``), handed on only to be turned into a keyed hash; it is the
  page's reply when it is the post's page. A comment on a post neither the file nor the project holds is refused by
  the import, which names it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, tzinfo

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.notes import Notes
from fokus.importers.pages import rows
from fokus.importers.pages.records import CommentRecord, PageFeed, PageRecord, PostRecord

FORMAT = "mcl"
KINDS = {
    "text": "status",
    "status": "status",
    "photo": "photo",
    "photos": "photo",
    "album": "photo",
    "image": "photo",
    "video": "video",
    "videos": "video",
    "reel": "video",
    "live_video": "video",
    "link": "link",
    "event": "event",
}
_MARKS = ("post_owner.id", "post_id", "statistics.reaction_count")


def sniff(head: str) -> bool:
    """Whether the start of the file is the Library's posts or comments (CSV header or JSON)."""
    start = head.lstrip("\ufeff \t\r\n")
    if start[:1] in ("{", "["):
        return '"creation_time"' in head and any(f'"{mark.split(".")[0]}"' in head for mark in _MARKS)
    names = rows.head_names(head)
    return "creation_time" in names and any(mark in names for mark in _MARKS)


def parse(data: bytes, path: str, zone: tzinfo) -> PageFeed:
    """Read one Content Library file (its bytes; ``path`` names it). Times without an offset are UTC."""
    del zone  # the Library writes UTC
    feed = PageFeed(path=path, format=FORMAT, sha256=hashlib.sha256(data).hexdigest())
    start = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    try:
        table = rows.read_json_lines(data, path) if start[:1] in ("{", "[") else rows.read_csv(data, path)
        _Reader(table, feed).read()
    except FokusError as err:
        raise err.located(path=path) from None
    return feed


class _Reader:
    def __init__(self, table: rows.Table, feed: PageFeed) -> None:
        self.table = table
        self.feed = feed
        self.notes = Notes()
        self.pages: dict[str, PageRecord] = {}
        self.posts: dict[str, PostRecord] = {}
        self.comments: dict[str, CommentRecord] = {}

    def read(self) -> None:
        if "creation_time" not in self.table.names or "id" not in self.table.names:
            raise FokusError(_("not a Meta Content Library export: no id and creation_time"), where="line 1")
        for row in self.table.rows:
            if row.cells.get("post_id"):
                self.comment(row)
            else:
                self.post(row)
        for comment in self.feed.comments:  # a file may list comments before their posts
            post = self.posts.get(comment.post_id)
            comment.by_page = post is not None and comment.author == post.page_id
        self.feed.skipped.extend(self.notes.render())

    def post(self, row: rows.Row) -> None:
        cells = row.cells
        owner, surface = cells.get("post_owner.type", "page").lower(), cells.get("surface.type", "page").lower()
        if owner not in ("page", "") or surface not in ("page", ""):
            self.notes.add(_("post by or to a profile, group or event, not a page (skipped)"), row.place)
            return
        page_id = rows.ident(self.table, row, "post_owner.id")
        if page_id not in self.pages:
            username = cells.get("post_owner.username", "")
            url = f"https://www.facebook.com/{username}" if username else None
            self.pages[page_id] = PageRecord(page_id, cells.get("post_owner.name") or page_id, url)
            self.feed.pages.append(self.pages[page_id])
        kind = cells.get(rows.first_column(self.table, "content_type", "media_type"), "").lower()
        post = PostRecord(
            external_id=rows.ident(self.table, row, "id"),
            page_id=page_id,
            created_at=rows.time(self.table, row, "creation_time", UTC),
            text=rows.text(self.table, row, "text"),
            location=row.place,
            kind=KINDS.get(kind, kind[:30]) or None,
            likes=rows.count(self.table, row, "statistics.like_count"),
            reactions=rows.count(self.table, row, "statistics.reaction_count"),
            comments=rows.count(self.table, row, "statistics.comment_count"),
            shares=rows.count(self.table, row, "statistics.share_count"),
        )
        if rows.keep_once(self.posts, post, self.notes):
            self.feed.posts.append(post)

    def comment(self, row: rows.Row) -> None:
        post_id = rows.ident(self.table, row, "post_id")
        author = row.cells.get("owner.id") or row.cells.get("owner.name") or None
        comment = CommentRecord(
            external_id=rows.ident(self.table, row, "id"),
            post_id=post_id,
            created_at=rows.time(self.table, row, "creation_time", UTC),
            text=rows.text(self.table, row, "text"),
            location=row.place,
            parent_id=rows.ident(self.table, row, "parent_comment_id") if row.cells.get("parent_comment_id") else None,
            author=author,
        )
        if rows.keep_once(self.comments, comment, self.notes):
            self.feed.comments.append(comment)
