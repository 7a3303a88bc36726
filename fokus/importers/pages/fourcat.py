"""4CAT's Facebook datasets as CSV: posts captured in the browser with Zeeschuimer and mapped by 4CAT.

4CAT cannot collect Facebook itself: a researcher scrolls a page with the Zeeschuimer extension, uploads the
capture, and downloads it from 4CAT as a CSV of the columns its Facebook data source maps (see FORMATS.md): ``id``,
``url``, ``body``, ``timestamp``, ``author``, ``author_name``, ``image_url``, ``video_url``, ``is_in_group``,
``group_name``, ``unix_timestamp`` (order free; other columns ignored).

What the file can tell, and how it is read:

- each row is a post as the feed showed it: ``id`` the post's id (Facebook's post number, without the page's id:
  it does not match the ``<page>_<post>`` ids of Graph feeds, so the same post from both is two posts), ``url``
  its address, ``body`` its text;
- the page is ``author``, the last part of the author's address (``bergenkommune``, or ``profile.php?id=<id>``):
  read as the pages file reads an address (a name in lower case, or the number), so that the pages file finds it;
  ``author_name`` is its name;
- the time is ``unix_timestamp`` (exact); 4CAT's ``timestamp`` is the same instant written in its server's local
  time without a zone, so it is read (in the zone given) only when ``unix_timestamp`` is empty;
- the kind: ``photo`` when ``image_url`` is set, ``video`` when ``video_url`` is, else unknown (a status and a link
  look the same);
- no engagement counts: likes, reactions, comments and shares are unknown (None), never 0;
- no comments: Zeeschuimer captures the feed's posts, not their comments. A row whose ``url`` carries a
  ``comment_id`` (a comment opened on its own) is read as a comment on the post the address names, when that post is
  in the same file, and is skipped with a note otherwise; its ``author`` is the commenter (handed on only to be
  turned into a keyed hash), and a comment whose author is the post's page is the page's reply;
- rows posted in a group (``is_in_group`` yes) are no page's posts: skipped with a note.

4CAT also imports CrowdTangle's CSVs and exports them again under its own names (``id`` the last part of the
post's URL, ``author`` the page's user name, ``page_id``, ``page_name``, ``type``, ``likes``, ``likes_love`` ...
``likes_care``, ``comments``, ``shares``, ``page_followers``). Such a file (told by its ``page_id`` column) is read
as the CrowdTangle reader reads the original: the post's id read from its ``url`` (4CAT's ``id`` is whatever
followed the URL's last slash: ``?type=3`` for a photo, nothing for a video), stored as ``<page_id>_<post>``, the
same counts and kinds, followers not read. Its time is ``timestamp``, read in the zone given: 4CAT dropped
CrowdTangle's zone (CET or CEST) and computed ``unix_timestamp`` as if the time were in its own server's zone, so
that column is used only when ``timestamp`` is missing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, tzinfo
from urllib.parse import parse_qs, urlsplit

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.notes import Notes
from fokus.importers.pages import rows
from fokus.importers.pages.crowdtangle import Columns, post_number, post_record
from fokus.importers.pages.listing import page_key
from fokus.importers.pages.records import CommentRecord, PageFeed, PageRecord, PostRecord
from fokus.importers.times import from_unix

FORMAT = "4cat"
REQUIRED = ("id", "body", "author")
#: 4CAT's columns for a CrowdTangle export it imported, to the counts they give (reactions add up all but shares).
CROWDTANGLE_COUNTS = ("likes", "likes_love", "likes_wow", "likes_haha", "likes_sad", "likes_angry", "likes_care")


def sniff(head: str) -> bool:
    """Whether the header is 4CAT's mapping of Facebook posts (captured, or imported from CrowdTangle)."""
    names = rows.head_names(head)
    return (
        set(REQUIRED) <= names
        and bool({"author_name", "page_id"} & names)
        and bool({"unix_timestamp", "timestamp"} & names)
    )


def parse(data: bytes, path: str, zone: tzinfo) -> PageFeed:
    """Read one 4CAT Facebook CSV (its bytes; ``path`` names it)."""
    feed = PageFeed(path=path, format=FORMAT, sha256=hashlib.sha256(data).hexdigest())
    try:
        _read(rows.read_csv(data, path), feed, zone)
    except FokusError as err:
        raise err.located(path=path) from None
    return feed


def _read(table: rows.Table, feed: PageFeed, zone: tzinfo) -> None:
    missing = [name for name in REQUIRED if name not in table.names]
    if not {"unix_timestamp", "timestamp"} & table.names:
        missing.append("unix_timestamp")
    if missing:
        raise FokusError(
            _("not a 4CAT Facebook export: no column {columns}").format(columns=", ".join(missing)), where="line 1"
        )
    notes = Notes()
    if "page_id" in table.names:
        _crowdtangle(table, feed, zone, notes)
        feed.skipped.extend(notes.render())
        return
    pages: dict[str, PageRecord] = {}
    seen: dict[str, PostRecord] = {}
    comments: list[tuple[rows.Row, str]] = []
    for row in table.rows:
        if row.cells.get("is_in_group", "").lower() in ("yes", "true", "1"):
            notes.add(_("post in a group, not on a page (skipped)"), row.place)
            continue
        url = row.cells.get("url", "")
        post_of = _commented_post(url)
        if post_of is not None:
            comments.append((row, post_of))
            continue
        page_id = _page(table, row)
        if page_id not in pages:
            pages[page_id] = PageRecord(page_id, row.cells.get("author_name") or page_id, _address(row))
            feed.pages.append(pages[page_id])
        image, video = row.cells.get("image_url"), row.cells.get("video_url")
        post = PostRecord(
            external_id=rows.ident(table, row, "id"),
            page_id=page_id,
            created_at=_time(table, row, zone),
            text=rows.text(table, row, "body"),
            location=row.place,
            kind="video" if video else "photo" if image else None,
            url=url or None,
        )
        if rows.keep_once(seen, post, notes):
            feed.posts.append(post)
    for row, post_id in comments:
        if post_id not in seen:
            notes.add(_("comment on a post the file does not hold (skipped)"), row.place)
            continue
        author = _page(table, row)
        feed.comments.append(
            CommentRecord(
                external_id=rows.ident(table, row, "id"),
                post_id=post_id,
                created_at=_time(table, row, zone),
                text=rows.text(table, row, "body"),
                location=row.place,
                by_page=author == seen[post_id].page_id,
                author=author,
            )
        )
    feed.skipped.extend(notes.render())


def _crowdtangle(table: rows.Table, feed: PageFeed, zone: tzinfo, notes: Notes) -> None:
    """A CrowdTangle export as 4CAT rewrote it (see the module docstring)."""
    pages: dict[str, PageRecord] = {}
    seen: dict[str, PostRecord] = {}
    columns = Columns(rows.first_column(table, "timestamp", "unix_timestamp"), "body", CROWDTANGLE_COUNTS)
    followers = False
    for row in table.rows:
        page_id = rows.ident(table, row, "page_id")
        if page_id not in pages:
            author = row.cells.get("author", "")
            name = row.cells.get("page_name") or author or page_id
            pages[page_id] = PageRecord(page_id, name, f"https://www.facebook.com/{author}" if author else None)
            feed.pages.append(pages[page_id])
        number = post_number(table, row) if row.cells.get("url") else rows.ident(table, row, "id")
        post = post_record(table, row, columns, f"{page_id}_{number}", page_id, zone)
        followers = followers or bool(row.cells.get("page_followers"))
        if rows.keep_once(seen, post, notes):
            feed.posts.append(post)
    if followers:
        notes.line(_("Followers at Posting is not read: fokus takes a page's followers from the pages file"))


def _page(table: rows.Table, row: rows.Row) -> str:
    """The page's (or a commenter's) key from ``author``, an address's last part, as the pages file keys it."""
    author = row.cells.get("author", "")
    where = table.where(row, "author")
    if not author:
        raise FokusError(_("no author: 4CAT names the page that posted in this column"), where=where)
    return page_key(f"https://www.facebook.com/{author}" if "/" not in author else author, where)


def _address(row: rows.Row) -> str | None:
    author = row.cells.get("author", "")
    return None if author.startswith("profile.php") else f"https://www.facebook.com/{author}"


def _time(table: rows.Table, row: rows.Row, zone: tzinfo) -> datetime:
    if row.cells.get("unix_timestamp"):
        seconds = rows.count(table, row, "unix_timestamp")
        try:
            return from_unix(seconds or 0)
        except FokusError as err:
            raise err.located(where=table.where(row, "unix_timestamp")) from None
    return rows.time(table, row, "timestamp", zone)


def _commented_post(url: str) -> str | None:
    """The post a comment's address names (``.../posts/<id>?comment_id=...`` or ``?story_fbid=<id>&comment_id=``):
    None for a post's own address, "" for a comment whose post the address does not name."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if not query.get("comment_id"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if query.get("story_fbid"):
        return query["story_fbid"][0]
    if "posts" in segments and segments[-1] != "posts":
        return segments[segments.index("posts") + 1]
    return ""
