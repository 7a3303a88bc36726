"""CrowdTangle CSV exports of page posts (historical: CrowdTangle closed in August 2024; many archives remain).

One row per post, with the columns in ../shared/FORMATS.md (names matched ignoring case; order free). Read:

- ``Facebook Id`` (required): the page's numeric id; ``Page Name`` its name (else ``User Name``, else the id) and
  ``User Name`` its address (``https://www.facebook.com/<User Name>``);
- ``URL`` (required): the post's address, from which its id is read (``/posts/<id>``, ``/videos/<id>``,
  ``/photos/<album>/<id>``, ``?story_fbid=<id>`` or ``?fbid=<id>``). The post is stored as ``<page id>_<post id>``,
  the id the Graph API gives it, so that a Graph feed of the same page later updates the same posts (for a photo or
  a video the URL names the photo or the video, whose id the Graph API may not use for the post: such a post can
  then be stored twice, once from each format);
- ``Post Created`` (required): ``2013-03-01 10:00:00 CET`` or with an offset (``+0100``); without either, in the
  zone given;
- ``Message`` the text (an empty one stays empty: ``Description`` and ``Link Text`` are written by the linked
  site, not the page); ``Type`` the kind (Photo and Album: photo; Link; Status; Native Video, Video, Live Video and
  YouTube: video; others in lower case);
- counts: ``Likes`` (the likes alone), reactions as the sum of ``Likes``, ``Love``, ``Wow``, ``Haha``, ``Sad``,
  ``Angry`` and ``Care`` (those the file has), ``Comments`` and ``Shares``. An empty cell is an unknown count (None).

What CrowdTangle never held: the comments' text. ``Comments`` is only the count, and no comment records are made,
so response rate and time cannot be measured from these files. ``Followers at Posting`` is not read: a page's
followers come from the pages file (its start and end of the window); a note says so when the column has values.
The same post twice with the same content is read once, with a note; with other counts the file is refused (two
exports disagree, and which is right is not fokus's guess).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import tzinfo
from urllib.parse import parse_qs, urlsplit

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.limits import shown_text
from fokus.importers.notes import Notes
from fokus.importers.pages import rows
from fokus.importers.pages.records import PageFeed, PageRecord, PostRecord

FORMAT = "crowdtangle"
REQUIRED = ("facebook id", "post created", "url")
REACTIONS = ("likes", "love", "wow", "haha", "sad", "angry", "care")
KINDS = {
    "photo": "photo",
    "album": "photo",
    "link": "link",
    "status": "status",
    "native video": "video",
    "video": "video",
    "live video": "video",
    "live video complete": "video",
    "live video scheduled": "video",
    "youtube": "video",
    "vine": "video",
}
_POST_ID = re.compile(r"[A-Za-z0-9]+")


def sniff(head: str) -> bool:
    """Whether the file's header names CrowdTangle's page id, creation time and URL."""
    return set(REQUIRED) <= rows.head_names(head)


def parse(data: bytes, path: str, zone: tzinfo) -> PageFeed:
    """Read one CrowdTangle CSV (its bytes; ``path`` names it)."""
    feed = PageFeed(path=path, format=FORMAT, sha256=hashlib.sha256(data).hexdigest())
    try:
        table = rows.read_csv(data, path)
        _read(table, feed, zone)
    except FokusError as err:
        raise err.located(path=path) from None
    return feed


def _read(table: rows.Table, feed: PageFeed, zone: tzinfo) -> None:
    missing = [name for name in REQUIRED if name not in table.names]
    if missing:
        raise FokusError(
            _("not a CrowdTangle export: no column {columns}").format(columns=", ".join(missing)), where="line 1"
        )
    notes = Notes()
    pages: dict[str, PageRecord] = {}
    seen: dict[str, PostRecord] = {}
    followers = False
    for row in table.rows:
        page_id = rows.ident(table, row, "facebook id")
        if page_id not in pages:
            user = row.cells.get("user name", "")
            name = row.cells.get("page name", "") or user or page_id
            pages[page_id] = PageRecord(page_id, name, f"https://www.facebook.com/{user}" if user else None)
            feed.pages.append(pages[page_id])
        post = post_record(table, row, ORIGINAL, f"{page_id}_{post_number(table, row)}", page_id, zone)
        followers = followers or bool(row.cells.get("followers at posting"))
        if rows.keep_once(seen, post, notes):
            feed.posts.append(post)
    if followers:
        notes.line(_("Followers at Posting is not read: fokus takes a page's followers from the pages file"))
    feed.skipped.extend(notes.render())


@dataclass(frozen=True, slots=True)
class Columns:
    """Where a CrowdTangle post's time, text and reaction counts are: the export's own columns, or 4CAT's."""

    time: str
    text: str
    reactions: tuple[str, ...]


ORIGINAL = Columns("post created", "message", REACTIONS)


def post_record(
    table: rows.Table, row: rows.Row, columns: Columns, post_id: str, page_id: str, zone: tzinfo
) -> PostRecord:
    """A CrowdTangle post (its counts, kind and URL) from a row, with the id and page given."""
    known = [count for name in columns.reactions if (count := rows.count(table, row, name)) is not None]
    kind = row.cells.get("type", "").lower()
    return PostRecord(
        external_id=post_id,
        page_id=page_id,
        created_at=rows.time(table, row, columns.time, zone),
        text=rows.text(table, row, columns.text),
        location=row.place,
        kind=KINDS.get(kind, kind[:30]) or None,
        likes=rows.count(table, row, "likes"),
        reactions=sum(known) if known else None,
        comments=rows.count(table, row, "comments"),
        shares=rows.count(table, row, "shares"),
        url=row.cells.get("url") or None,
    )


def post_number(table: rows.Table, row: rows.Row) -> str:
    """The post's own id, read from its URL (see the module docstring)."""
    url = row.cells.get("url", "")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    found = (query.get("story_fbid") or query.get("fbid") or [""])[0]
    segments = [s for s in parts.path.split("/") if s]
    for marker in ("posts", "videos", "photos"):
        if not found and marker in segments:
            found = segments[-1]
    if not _POST_ID.fullmatch(found) or len(found) > 100:
        raise FokusError(
            _("no post id in the URL: {url}").format(url=shown_text(url)),
            where=table.where(row, "url"),
            hint=_("CrowdTangle's URL names the post, as in https://www.facebook.com/<page>/posts/<id>"),
        )
    return found
