"""Graph API page feeds, as researchers archive them: a page's posts with their engagement and comments.

Accepted shapes of one file (a folder of such files is one feed per file, read by :mod:`.detect`):

- a page of results ``{"data": [post, ...], "paging": {...}}`` (``paging`` is ignored);
- a list of such pages ``[{"data": [...]}, {"data": [...]}]`` (a harvest's pages pasted together);
- a page object ``{"id", "name", "posts": {"data": [...]}}`` (or ``feed``), as ``?fields=name,posts{...}``
  returns it; its ``id`` and ``name`` are the page's;
- a bare list of posts.

Fields read from a post: ``id`` ("<page>_<post>"), ``created_time`` (required), ``message``, ``from {id, name}``,
``permalink_url`` (else ``link``), ``status_type`` (else ``type``), ``reactions.summary.total_count``,
``likes.summary.total_count``, ``comments.summary.total_count``, ``shares.count``, and ``comments.data`` with
nested ``comments`` for replies. A comment gives ``id``, ``created_time``, ``message``, ``from``, and its likes
(``like_count``, else ``likes``/``reactions`` ``summary.total_count``).

Decisions:

- The page a post belongs to is the enclosing page object's id, else the part of the post's id before ``_``, else
  its ``from.id``; its name is ``from.name`` of a post the page wrote itself (else the page object's, else its id).
- A comment's author (``from.id``, else ``from.name``) is handed on only to be turned into a keyed hash by the
  writer; ``by_page`` is set when the author's id or name is the page's own (its replies to the public).
- The Graph API leaves ``shares`` out of a post nobody shared: when any post of a file has ``shares``, a post of
  that file without it has 0 shares; when none has, the harvest did not ask for shares and every count is None.
- Time parsing and the limits are the focus-group Graph importer's (:mod:`fokus.importers.times`,
  :mod:`fokus.importers.limits`): a field of the wrong type, a count above a database integer, a time outside
  1970-2099, a text with half a character, or more than ``MAX_RECORDS`` posts and comments refuse the file with
  its place (``$.data[3].comments.data[1].created_time (post 12_34)``).
- An id seen twice in one file with the same content (overlapping harvests) is read once, with a note; with
  different content the file is refused, naming both places: which of the two is right is not fokus's guess.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from datetime import datetime, tzinfo
from typing import Any

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers import limits
from fokus.importers.decoding import kind_of, load_json
from fokus.importers.graph import graph_count, graph_id
from fokus.importers.limits import MAX_ID_CHARS, check_count, check_length, check_storable
from fokus.importers.notes import Notes
from fokus.importers.pages.records import CommentRecord, PageFeed, PageRecord, PostRecord
from fokus.importers.times import from_unix, parse_time

FORMAT = "graph-feed"
#: Characters in a post's kind (``status_type``): the column holds 30.
MAX_KIND_CHARS = 30
RECORDS = N_("posts and comments")


def sniff(head: str) -> bool:
    """Whether the start of a file looks like a Graph API feed: JSON that names Graph's ``created_time``."""
    start = head.lstrip("\ufeff \t\r\n")
    return start[:1] in ("{", "[") and '"created_time"' in head


def parse(data: bytes, path: str, zone: tzinfo) -> PageFeed:
    """Read one Graph API page-feed file (its bytes; ``path`` names it in errors and in the feed)."""
    doc = load_json(data, path)
    feed = PageFeed(path=path, format=FORMAT, sha256=hashlib.sha256(data).hexdigest())
    reader = _FeedReader(feed, zone)
    try:
        reader.document(doc)
    except FokusError as err:
        raise err.located(path=path) from None
    reader.finish()
    return feed


def _wrong_shape(found: str) -> FokusError:
    return FokusError(
        _(
            'not a Graph API page feed: found {found}; expected {{"data": [posts]}}, a list of such pages,'
            " a page object with posts or a list of posts"
        ).format(found=found),
        where="$",
    )


class _FeedReader:
    """Walks the posts and their nested comments, filling ``feed`` in reading order."""

    def __init__(self, feed: PageFeed, zone: tzinfo) -> None:
        self.feed = feed
        self.zone = zone
        self.notes = Notes()
        self.pages: dict[str, PageRecord] = {}
        self.posts: dict[str, tuple[PostRecord, int]] = {}
        self.comments: dict[str, CommentRecord] = {}
        self.times: dict[str, datetime] = {}
        self.shares_seen = False
        self.without_shares: list[PostRecord] = []

    def document(self, doc: Any) -> None:
        if isinstance(doc, list):
            if doc and all(isinstance(item, dict) and "data" in item and "id" not in item for item in doc):
                for i, page in enumerate(doc):
                    self.result_page(page["data"], f"$[{i}].data", None)
            else:
                self.post_list(doc, "$", None)
            return
        if not isinstance(doc, dict):
            raise _wrong_shape(kind_of(doc))
        if "data" in doc:
            self.result_page(doc["data"], "$.data", None)
            return
        for key in ("posts", "feed"):
            container = doc.get(key)
            if isinstance(container, dict) and "data" in container:
                owner = self.page_object(doc)
                self.result_page(container["data"], f"$.{key}.data", owner)
                return
        if isinstance(doc.get("error"), dict):
            raise FokusError(
                _("the file holds a Graph API error response, not data: {detail!r}").format(
                    detail=doc["error"].get("message")
                ),
                where="$.error",
            )
        keys = ", ".join(sorted(map(str, doc))[:8])
        raise _wrong_shape(_("an object with keys {keys}").format(keys=keys or "-"))

    def page_object(self, doc: dict[str, Any]) -> str:
        page_id = graph_id(doc.get("id"), "$.id")
        name = _text(doc, "name", "$")
        self.page(page_id).name = name or self.page(page_id).name
        return page_id

    def page(self, page_id: str, name: str | None = None) -> PageRecord:
        record = self.pages.get(page_id)
        if record is None:
            record = self.pages[page_id] = PageRecord(external_id=page_id, name=page_id)
            self.feed.pages.append(record)
        if name:
            record.name = name
        return record

    def result_page(self, items: Any, loc: str, owner: str | None) -> None:
        if not isinstance(items, list):
            raise _wrong_type(N_("expected a list of posts, found {found}"), items, loc)
        self.post_list(items, loc, owner)

    def post_list(self, items: list[Any], loc: str, owner: str | None) -> None:
        for i, item in enumerate(items):
            at = f"{loc}[{i}]"
            try:
                self.post(item, at, owner)
            except FokusError as err:
                post_id = item.get("id") if isinstance(item, dict) else None
                if isinstance(post_id, str | int) and not isinstance(post_id, bool) and err.where:
                    err.where = f"{err.where} (post {str(post_id)[:MAX_ID_CHARS]})"
                raise

    def post(self, obj: Any, loc: str, owner: str | None) -> None:
        if not isinstance(obj, dict):
            raise _wrong_type(N_("expected a post object, found {found}"), obj, loc)
        post_id = graph_id(obj.get("id"), f"{loc}.id")
        author_id, author_name = _sender(obj, loc)
        page_id = owner or (post_id.partition("_")[0] if "_" in post_id else author_id)
        if not page_id:
            raise FokusError(
                _("cannot tell which page the post is from: its id has no '<page>_' prefix and it has no 'from'"),
                where=f"{loc}.id",
            )
        page = self.page(page_id, author_name if author_id == page_id else None)
        kind = _text(obj, "status_type", loc) or _text(obj, "type", loc)
        record = PostRecord(
            external_id=post_id,
            page_id=page_id,
            created_at=self.time(obj, loc),
            text=_message(obj, loc),
            location=loc,
            kind=None if kind is None else check_length(kind, MAX_KIND_CHARS, N_("post type"), f"{loc}.status_type"),
            likes=_summary(obj, "likes", loc),
            reactions=_summary(obj, "reactions", loc),
            comments=_summary(obj, "comments", loc),
            shares=_shares(obj, loc),
            url=_text(obj, "permalink_url", loc) or _text(obj, "link", loc),
        )
        if "shares" in obj:
            self.shares_seen = True
        if self.keep_post(record):
            if record.shares is None:
                self.without_shares.append(record)
            self.answers(obj, loc, record, None, page)

    def keep_post(self, record: PostRecord) -> bool:
        """Whether the post is new in this file (a repeat with the same content is noted; another is refused)."""
        seen = self.posts.get(record.external_id)
        if seen is None:
            self.count()
            self.posts[record.external_id] = (record, len(self.feed.posts))
            self.feed.posts.append(record)
            return True
        first = seen[0]
        if _same(first, record, PostRecord):
            self.notes.add(_("post seen before in this file (read once)"), record.location)
            return False
        raise FokusError(
            _("post id {id} seen before at {first} with other content").format(
                id=record.external_id, first=first.location
            ),
            where=record.location,
            hint=_("two harvests disagree; keep one of them"),
        )

    def answers(self, obj: dict[str, Any], loc: str, post: PostRecord, parent: str | None, page: PageRecord) -> None:
        container = obj.get("comments")
        if isinstance(container, list):  # some tools stored the comments' list itself
            container = {"data": container}
        elif container is not None and not isinstance(container, dict):
            raise _wrong_type(N_("expected an object {{data: [...]}}, found {found}"), container, f"{loc}.comments")
        if container is None or (items := container.get("data")) is None:
            return
        if not isinstance(items, list):
            raise _wrong_type(N_("expected a list of comments, found {found}"), items, f"{loc}.comments.data")
        if isinstance(paging := container.get("paging"), dict) and paging.get("next"):
            self.notes.add(_("comments continue on a page this file does not hold (incomplete harvest)"), loc)
        for i, item in enumerate(items):
            self.comment(item, f"{loc}.comments.data[{i}]", post, parent, page)

    def comment(self, obj: Any, loc: str, post: PostRecord, parent: str | None, page: PageRecord) -> None:
        if not isinstance(obj, dict):
            raise _wrong_type(N_("expected a comment object, found {found}"), obj, loc)
        author_id, author_name = _sender(obj, loc)
        by_page = (author_id is not None and author_id == page.external_id) or (
            author_id is None and author_name is not None and author_name == page.name
        )
        record = CommentRecord(
            external_id=graph_id(obj.get("id"), f"{loc}.id"),
            post_id=post.external_id,
            created_at=self.time(obj, loc),
            text=_message(obj, loc),
            location=loc,
            parent_id=parent,
            by_page=by_page,
            author=author_id or author_name,
            likes=_comment_likes(obj, loc),
        )
        seen = self.comments.get(record.external_id)
        if seen is not None:
            if not _same(seen, record, CommentRecord):
                raise FokusError(
                    _("comment id {id} seen before at {first} with other content").format(
                        id=record.external_id, first=seen.location
                    ),
                    where=loc,
                    hint=_("two harvests disagree; keep one of them"),
                )
            self.notes.add(_("comment seen before in this file (read once)"), loc)
            return
        self.count()
        self.comments[record.external_id] = record
        self.feed.comments.append(record)
        self.answers(obj, loc, post, record.external_id, page)

    def count(self) -> None:
        total = len(self.feed.posts) + len(self.feed.comments) + 1
        check_count(total, limits.MAX_RECORDS, RECORDS, None)

    def time(self, obj: dict[str, Any], loc: str) -> datetime:
        value = obj.get("created_time")
        where = f"{loc}.created_time"
        if isinstance(value, str):
            known = self.times.get(value)
            if known is None:
                try:
                    known = self.times[value] = parse_time(value, self.zone)
                except FokusError as err:
                    raise err.located(where=where) from None
            return known
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return from_unix(value)
            except FokusError as err:
                raise err.located(where=where) from None
        if value is None:
            raise FokusError(_("no 'created_time': every post and comment in a Graph export has one"), where=where)
        raise _wrong_type(N_("expected a date and time, found {found}"), value, where)

    def finish(self) -> None:
        if self.shares_seen:
            for record in self.without_shares:
                record.shares = 0
        self.feed.skipped.extend(self.notes.render())


def _wrong_type(message: str, value: Any, where: str) -> FokusError:
    """The error for a field of the wrong type: ``message`` (marked with ``N_()``) says what was expected."""
    return FokusError(_(message).format(found=kind_of(value)), where=where)


def _same(first: Any, second: Any, kind: type) -> bool:
    """Whether two records of ``kind`` agree on everything but where they were read."""
    return all(getattr(first, f.name) == getattr(second, f.name) for f in fields(kind) if f.name != "location")


def _text(obj: dict[str, Any], key: str, loc: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong_type(N_("expected a string, found {found}"), value, f"{loc}.{key}")
    check_storable(value, key, f"{loc}.{key}")
    return value


def _message(obj: dict[str, Any], loc: str) -> str:
    text = _text(obj, "message", loc) or ""
    limits.check_text_length(text, None, f"{loc}.message")
    return text


def _sender(obj: dict[str, Any], loc: str) -> tuple[str | None, str | None]:
    """The author's id and name (either may be missing: a deleted account, a harvest without the permission)."""
    sender = obj.get("from")
    if sender is None:
        return None, None
    if not isinstance(sender, dict):
        raise _wrong_type(N_("expected an object {{id, name}}, found {found}"), sender, f"{loc}.from")
    raw = sender.get("id")
    ident = None if raw is None or raw == "" else graph_id(raw, f"{loc}.from.id")
    name = _text(sender, "name", f"{loc}.from")
    return ident, (name.strip() or None) if name else None


def _summary(obj: dict[str, Any], key: str, loc: str) -> int | None:
    """``obj[key].summary.total_count``, or None when the harvest did not ask for the summary."""
    container = obj.get(key)
    if container is None or isinstance(container, list):  # a list of likers or comments has no total
        return None
    if not isinstance(container, dict):
        raise _wrong_type(N_("expected an object {{summary: ...}}, found {found}"), container, f"{loc}.{key}")
    summary = container.get("summary")
    if not isinstance(summary, dict) or "total_count" not in summary:
        return None
    return graph_count(summary["total_count"], f"{loc}.{key}.summary.total_count")


def _shares(obj: dict[str, Any], loc: str) -> int | None:
    container = obj.get("shares")
    if container is None:
        return None
    if not isinstance(container, dict):
        raise _wrong_type(N_("expected an object {{count: ...}}, found {found}"), container, f"{loc}.shares")
    return graph_count(container.get("count"), f"{loc}.shares.count")


def _comment_likes(obj: dict[str, Any], loc: str) -> int | None:
    if obj.get("like_count") is not None:
        return graph_count(obj["like_count"], f"{loc}.like_count")
    likes = _summary(obj, "likes", loc)
    return likes if likes is not None else _summary(obj, "reactions", loc)
