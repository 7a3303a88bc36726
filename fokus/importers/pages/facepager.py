"""Facepager CSV exports of Graph API page feeds: the pages asked for, their posts, comments and replies.

Facepager keeps a tree of nodes (the seeds a researcher added, and under each the results of the queries run on it)
and exports it as one CSV: separated by semicolons with a byte-order mark by default, by commas when saved again
(both read). Its own columns: ``level``, ``id`` (the node's row), ``parent_id`` (its parent's row), ``object_id``
(the Facebook id), ``object_type`` (``seed``, ``data``, ``offcut``, ``empty``, ``error``), ``query_status``
(``fetched (200)``, or the HTTP status of a failed query), ``query_time``, ``query_type``, and often ``path``; then
the columns the researcher chose, named by the Graph fields (``message``, ``created_time``
``2013-03-01T10:00:00+0000``, ``from.name``, ``from.id``, ``type`` or ``status_type``, ``permalink_url`` or
``link``, ``comments.summary.total_count``, ``shares.count``, ``reactions.summary.total_count``,
``like.summary.total_count`` as Facepager's preset names the likes (``likes.summary.total_count`` too), and
``like_count`` for a comment).

How a row is read (by the tree, not by its ``level``, which depends on where the seed sat):

- a ``seed`` row is the page asked for (``bergenkommune`` or its id), its posts' rows are ``data`` rows under it;
- a ``data`` row under a seed is a post (``object_id`` ``<page>_<post>``); under a post it is a comment on it
  (``parent_id`` is the post's row ``id``); under a comment, a reply to that comment;
- ``offcut`` and ``empty`` rows (what was left of a response, a query with no results) are passed over; rows of a
  query that failed (a status other than 2xx, or ``error``; an empty status is no failure) are skipped with a note,
  and so are the rows under them.

The page is the part of a post's id before ``_`` (else ``from.id``, else the seed's ``object_id``; a seed that is
the page's address name gives its URL, ``https://www.facebook.com/<seed>``, which the pages file matches); its name is
``from.name`` of a post the page wrote itself. A comment is the page's own (``by_page``) when its ``from.id`` (or,
without ids, its ``from.name``) is the page's. As in Graph feeds, a post without ``shares.count`` has 0 shares when
another post of the file has one, and an unknown count when none has. A node fetched twice with the same content is
read once, with a note; with other content (counts taken at two times) the file is refused, naming both lines.
"""

from __future__ import annotations

import hashlib
import re
from datetime import tzinfo

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.notes import Notes
from fokus.importers.pages import rows
from fokus.importers.pages.records import CommentRecord, PageFeed, PageRecord, PostRecord

FORMAT = "facepager"
REQUIRED = ("id", "parent_id", "object_id", "object_type", "query_status")
_NAME = re.compile(r"[A-Za-z0-9.-]*[A-Za-z][A-Za-z0-9.-]*")  # a page's address name (not its numeric id)
_OK = re.compile(r"^\s*\w+\s*\(2\d\d\)\s*$")


def sniff(head: str) -> bool:
    """Whether the header holds Facepager's own node columns."""
    return {"object_id", "object_type", "query_status", "parent_id"} <= rows.head_names(head)


def parse(data: bytes, path: str, zone: tzinfo) -> PageFeed:
    """Read one Facepager CSV (its bytes; ``path`` names it)."""
    feed = PageFeed(path=path, format=FORMAT, sha256=hashlib.sha256(data).hexdigest())
    try:
        _Reader(rows.read_csv(data, path), feed, zone).read()
    except FokusError as err:
        raise err.located(path=path) from None
    return feed


class _Reader:
    def __init__(self, table: rows.Table, feed: PageFeed, zone: tzinfo) -> None:
        self.table = table
        self.feed = feed
        self.zone = zone
        self.notes = Notes()
        self.seeds: dict[str, str] = {}  # row id -> the seed's object_id
        self.posts: dict[str, PostRecord] = {}  # row id -> post
        self.comments: dict[str, CommentRecord] = {}  # row id -> comment
        self.seen_posts: dict[str, PostRecord] = {}
        self.seen_comments: dict[str, CommentRecord] = {}
        self.pages: dict[str, PageRecord] = {}
        self.authors: dict[str, tuple[str, str]] = {}  # post id -> the post's from.id and from.name
        self.failed: set[str] = set()
        self.shares_seen = False

    def read(self) -> None:
        missing = [name for name in REQUIRED if name not in self.table.names]
        if missing:
            raise FokusError(
                _("not a Facepager export: no column {columns}").format(columns=", ".join(missing)), where="line 1"
            )
        for row in self.table.rows:
            self.row(row)
        if self.shares_seen:
            for post in self.feed.posts:
                post.shares = 0 if post.shares is None else post.shares
        for comment in self.feed.comments:
            self.mark_page_own(comment)
        self.feed.skipped.extend(self.notes.render())

    def row(self, row: rows.Row) -> None:
        cells = row.cells
        node, parent, kind = cells["id"], cells["parent_id"], cells["object_type"].lower()
        status = cells["query_status"]
        if parent in self.failed or kind == "error" or (status and kind != "seed" and not _OK.match(status)):
            self.failed.add(node)
            self.notes.add(_("row of a failed query (skipped)"), row.place)
            return
        if kind == "seed":
            self.seeds[node] = cells["object_id"]
        elif kind != "data":
            return
        elif parent in self.posts or parent in self.comments:
            self.comment(row, parent)
        else:
            self.post(row, self.seeds.get(parent))

    def post(self, row: rows.Row, seed: str | None) -> None:
        post_id = rows.ident(self.table, row, "object_id")
        author_id, author_name = row.cells.get("from.id", ""), row.cells.get("from.name", "")
        page_id = post_id.partition("_")[0] if "_" in post_id else author_id or seed
        if not page_id:
            raise FokusError(
                _("cannot tell which page the post is from: its id has no '<page>_' prefix and it has no from.id"),
                where=self.table.where(row, "object_id"),
            )
        page = self.pages.get(page_id)
        if page is None:
            url = f"https://www.facebook.com/{seed}" if seed and _NAME.fullmatch(seed) else None
            page = self.pages[page_id] = PageRecord(page_id, page_id, url)
            self.feed.pages.append(page)
        if author_name and (author_id == page_id or (not author_id and page.name == page_id)):
            page.name = author_name
        kind = row.cells.get(rows.first_column(self.table, "status_type", "type"), "")
        shares = rows.count(self.table, row, "shares.count")
        self.shares_seen = self.shares_seen or shares is not None
        likes = rows.first_column(self.table, "like.summary.total_count", "likes.summary.total_count")
        url = row.cells.get(rows.first_column(self.table, "permalink_url", "link"), "")
        post = PostRecord(
            external_id=post_id,
            page_id=page_id,
            created_at=rows.time(self.table, row, "created_time", self.zone),
            text=rows.text(self.table, row, "message"),
            location=row.place,
            kind=kind[:30].lower() or None,
            likes=rows.count(self.table, row, likes),
            reactions=rows.count(self.table, row, "reactions.summary.total_count"),
            comments=rows.count(self.table, row, "comments.summary.total_count"),
            shares=shares,
            url=url or None,
        )
        if rows.keep_once(self.seen_posts, post, self.notes):
            self.feed.posts.append(post)
        self.posts[row.cells["id"]] = self.seen_posts[post_id]

    def comment(self, row: rows.Row, parent: str) -> None:
        above = self.comments.get(parent)
        post = self.posts[parent] if above is None else self.seen_posts[above.post_id]
        author_id, author_name = row.cells.get("from.id", ""), row.cells.get("from.name", "")
        comment = CommentRecord(
            external_id=rows.ident(self.table, row, "object_id"),
            post_id=post.external_id,
            created_at=rows.time(self.table, row, "created_time", self.zone),
            text=rows.text(self.table, row, "message"),
            location=row.place,
            parent_id=None if above is None else above.external_id,
            author=author_id or author_name or None,
            likes=rows.count(self.table, row, "like_count"),
        )
        self.authors[comment.external_id] = (author_id, author_name)
        if rows.keep_once(self.seen_comments, comment, self.notes):
            self.feed.comments.append(comment)
        self.comments[row.cells["id"]] = self.seen_comments[comment.external_id]

    def mark_page_own(self, comment: CommentRecord) -> None:
        """``by_page`` once every post has been read (the page's name comes from its own posts)."""
        page = self.pages[self.seen_posts[comment.post_id].page_id]
        author_id, author_name = self.authors[comment.external_id]
        comment.by_page = author_id == page.external_id if author_id else bool(author_name) and author_name == page.name
