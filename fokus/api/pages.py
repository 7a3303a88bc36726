"""Page data in: public page feeds and the pages file written to the project, and the pages listed.

:func:`import_page_data` is the one writer of pages, their posts and their comments, whatever format they came in
(:mod:`fokus.importers.pages`). In the caller's transaction it:

- keeps one ``Source`` per file (by its sha256): a file imported before is recognised and changes nothing;
- upserts pages by ``external_id``. A page the pages file named by its address (``facebook.com/bergenkommune``) is
  taken over by the first feed that brings a page of the same name under its numeric id, while it has no posts;
- inserts or updates posts and comments by ``external_id``: a newer export of the same page updates the counts and
  adds the new posts; each is counted as added, updated or unchanged. When two files of one import hold the same
  post, the later file's is kept;
- turns each commenter (the export's id, else name) into ``author_key``, an HMAC-SHA256 with a random secret made
  for the project on first use and kept in its settings (``pages.author_secret``): distinct commenters can be
  counted, no name is stored, and a key means nothing outside the project. A comment is ``by_page`` when the
  parser said so or its author's id or name is the page's own;
- links each pages-file row's page to its municipality (a case, created if needed, as ``fokus cases import`` does)
  and stores its followers at the window's start and end and the population on the page. They are not copied into
  case attributes: the page row is their one home (a municipality's own case table may hold a population of
  another year, and two copies would drift); the metrics read them from the page.

Posts and comments go in with bulk executemany (the demo's 33,000 posts and 300,000 comments), updates likewise.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from fokus.allocation import fewer_collections
from fokus.domain.chunks import chunks
from fokus.domain.participants import CaseRegistry
from fokus.domain.settings import AUTHOR_SECRET_SETTING, get_setting, set_setting
from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.pages.records import CommentRecord, PageFeed, PageListing, PageRecord, PostRecord
from fokus.model import Case, Page, PageComment, PagePost, Source, table_of
from fokus.store.bulk import insert_values_new_ids

POST_FIELDS = ("page_id", "created_at", "text", "kind", "likes", "reactions", "comments", "shares", "url")
COMMENT_FIELDS = ("post_id", "parent_id", "created_at", "text", "by_page", "author_key", "likes")


@dataclass
class Counts:
    """Rows a command added, updated and found unchanged."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


@dataclass
class FeedSummary:
    """One file: what it held, and whether it was imported before (same bytes)."""

    path: str
    format: str
    pages: int
    posts: int
    comments: int
    imported_before: bool
    skipped: list[str]


@dataclass
class PagesReport:
    feeds: list[FeedSummary] = field(default_factory=list)
    pages: Counts = field(default_factory=Counts)
    posts: Counts = field(default_factory=Counts)
    comments: Counts = field(default_factory=Counts)
    listed: Counts = field(default_factory=Counts)
    cases_added: int = 0
    parents_missing: int = 0

    @property
    def changed(self) -> bool:
        return any(c.changed for c in (self.pages, self.posts, self.comments, self.listed))


def import_page_data(session: Session, feeds: Sequence[PageFeed], listings: Sequence[PageListing] = ()) -> PagesReport:
    """Write page feeds and pages-file rows in the caller's transaction (see the module docstring)."""
    with fewer_collections():  # hundreds of thousands of rows and keys, none in a cycle
        return _import(session, feeds, listings)


def _import(session: Session, feeds: Sequence[PageFeed], listings: Sequence[PageListing]) -> PagesReport:
    report = PagesReport()
    sources = _sources(session, feeds, report)
    pages = _Pages(session)
    for page in _feed_pages(feeds):
        pages.from_feed(page.external_id, page.name, page.url, report.pages)
    if listings:
        _link(session, pages, listings, report)
    session.flush()
    connection = session.connection()
    posts = _write_posts(connection, feeds, sources, pages, report.posts)
    _write_comments(connection, session, feeds, sources, pages, posts, report)
    return report


def _feed_pages(feeds: Sequence[PageFeed]) -> list[PageRecord]:
    """Each page the files name once: its name and URL as the last file that knows them gives them (a file without
    the page's name gives its id as its name), and a page a format names only by its posts' ``page_id``."""
    found: dict[str, PageRecord] = {}
    for feed in feeds:
        for page in feed.pages:
            known = found.get(page.external_id)
            if known is None:
                known = found[page.external_id] = PageRecord(page.external_id, page.external_id)
            if page.name != page.external_id:
                known.name = page.name
            known.url = page.url or known.url
        for post in feed.posts:
            if post.page_id not in found:
                found[post.page_id] = PageRecord(post.page_id, post.page_id)
    return list(found.values())


def _sources(session: Session, feeds: Sequence[PageFeed], report: PagesReport) -> dict[str, int]:
    """The Source id of each file by its sha256, made for a file not seen before."""
    wanted = {feed.sha256 for feed in feeds}
    known: dict[str, int] = dict(
        session.execute(select(Source.sha256, Source.id).where(Source.sha256.in_(wanted))).all()
    )
    before = set(known)
    for feed in feeds:
        if feed.sha256 not in known:
            source = Source(kind=feed.format[:20], path=feed.path, sha256=feed.sha256)
            session.add(source)
            session.flush()
            known[feed.sha256] = source.id
        report.feeds.append(
            FeedSummary(
                feed.path,
                feed.format,
                len(feed.pages),
                len(feed.posts),
                len(feed.comments),
                feed.sha256 in before,
                list(feed.skipped),
            )
        )
    return known


class _Pages:
    """The project's pages by external id, as the command changes them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.by_id = {page.external_id: page for page in session.scalars(select(Page))}
        with_posts = set(session.scalars(select(PagePost.page_id).distinct()))
        #: pages the pages file made under a name, that a feed's numeric id may take over (by name)
        self.named = {
            page.name.casefold(): page
            for page in self.by_id.values()
            if not page.external_id.isdigit() and page.id not in with_posts
        }

    def from_feed(self, external_id: str, name: str, url: str | None, counts: Counts) -> None:
        page = self.by_id.get(external_id)
        named = name != external_id  # a feed without the page's name gives its id as its name
        if page is None and external_id.isdigit() and named:
            page = self.named.pop(name.casefold(), None)
            if page is not None:
                del self.by_id[page.external_id]
                page.external_id = external_id
                self.by_id[external_id] = page
                counts.updated += 1
                return
        if page is None:
            page = Page(external_id=external_id, name=name, url=url)
            self.session.add(page)
            self.by_id[external_id] = page
            counts.added += 1
            return
        changed = False
        if named and page.name != name:
            page.name, changed = name, True
        if url is not None and page.url != url:
            page.url, changed = url, True
        counts.updated += changed
        counts.unchanged += not changed

    def find(self, listing: PageListing) -> Page | None:
        page = self.by_id.get(listing.page)
        if page is not None:
            return page
        for candidate in self.by_id.values():  # a format that kept the name's case, or gave only the address
            if candidate.external_id.casefold() == listing.page or (
                candidate.url and _url_name(candidate.url) == listing.page
            ):
                return candidate
        if listing.name:
            wanted = listing.name.casefold()
            found = [p for p in self.by_id.values() if p.name.casefold() == wanted]
            if len(found) == 1:
                return found[0]
        return None

    def ids(self) -> dict[str, int]:
        self.session.flush()
        return {external_id: page.id for external_id, page in self.by_id.items()}


def _url_name(url: str) -> str:
    """The first part of a page address's path (``https://www.facebook.com/bergenkommune/`` -> ``bergenkommune``)."""
    rest = url.split("://", 1)[-1]
    return rest.split("/", 2)[1].split("?")[0].casefold() if rest.count("/") else ""


def _link(session: Session, pages: _Pages, listings: Sequence[PageListing], report: PagesReport) -> None:
    """Each pages-file row's page linked to its case, with its followers and population."""
    cases = CaseRegistry(session)
    for row in listings:
        page = pages.find(row)
        values = {
            "case_id": cases.get_or_create(row.municipality),
            "followers_start": row.followers_start,
            "followers_end": row.followers_end,
            "population": row.population,
        }
        if page is None:
            url = f"https://www.facebook.com/{row.page}"
            page = Page(external_id=row.page, name=row.name or row.municipality, url=url, **values)
            session.add(page)
            pages.by_id[row.page] = page
            if not row.page.isdigit():
                pages.named[page.name.casefold()] = page
            report.listed.added += 1
            continue
        changed = [key for key, value in values.items() if getattr(page, key) != value]
        for key in changed:
            setattr(page, key, values[key])
        report.listed.updated += bool(changed)
        report.listed.unchanged += not changed
    report.cases_added = cases.created


def _latest(feeds: Sequence[PageFeed], sources: dict[str, int], kind: str) -> dict[str, tuple[Any, int]]:
    """Each post's (``kind="posts"``) or comment's record by external id, the last file's, with its Source id."""
    found: dict[str, tuple[Any, int]] = {}
    for feed in feeds:
        source = sources[feed.sha256]
        for record in getattr(feed, kind):
            found[record.external_id] = (record, source)
    return found


def _stored(
    connection: Any, table: Table, fields: Sequence[str], external_ids: Collection[str]
) -> dict[str, tuple[Any, ...]]:
    """The stored rows with these external ids: external id -> (id, *fields).

    When the table holds not many more rows than are asked for (the first import of a harvest, or its re-import),
    the whole table is read in one query, which is faster than hundreds of ``IN (...)`` lists of 900 ids."""
    if not external_ids:
        return {}
    query = select(table.c.external_id, table.c.id, *(table.c[name] for name in fields))
    if (connection.scalar(select(func.count()).select_from(table)) or 0) <= 4 * len(external_ids):
        return {row[0]: tuple(row[1:]) for row in connection.execute(query) if row[0] in external_ids}
    rows: dict[str, tuple[Any, ...]] = {}
    for chunk in chunks(list(external_ids)):
        for row in connection.execute(query.where(table.c.external_id.in_(chunk))):
            rows[row[0]] = tuple(row[1:])
    return rows


def _update(connection: Any, table: Table, fields: Sequence[str], changes: list[tuple[Any, ...]]) -> None:
    """Rows ``(id, *values in the order of fields, source_id)`` written over the stored ones, in one executemany."""
    if not changes:
        return
    names = [*fields, "source_id"]
    statement = (
        update(table).where(table.c.id == bindparam("b_id")).values({name: bindparam(f"b_{name}") for name in names})
    )
    params = [
        {"b_id": row[0], **{f"b_{name}": value for name, value in zip(names, row[1:], strict=True)}} for row in changes
    ]
    connection.execute(statement, params)


def _write_posts(
    connection: Any, feeds: Sequence[PageFeed], sources: dict[str, int], pages: _Pages, counts: Counts
) -> dict[str, tuple[int, int]]:
    """Posts added or updated; returns each post's (id, page id) by external id, for the comments."""
    page_ids = pages.ids()
    records = _latest(feeds, sources, "posts")
    stored = _stored(connection, table_of(PagePost), POST_FIELDS, records)
    new: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    for external_id, (record, source) in records.items():
        values = (page_ids[record.page_id], *_post_values(record))
        row = stored.get(external_id)
        if row is None:
            new.append((external_id, *values, source))
        elif row[1:] != values:
            changes.append((row[0], *values, source))
        else:
            counts.unchanged += 1
    table = table_of(PagePost)
    ids = insert_values_new_ids(connection, table, ["external_id", *POST_FIELDS, "source_id"], new)
    _update(connection, table, POST_FIELDS, changes)
    counts.added, counts.updated = len(new), len(changes)
    result = {external_id: (row[0], row[1]) for external_id, row in stored.items()}
    result.update({row[0]: (new_id, row[1]) for row, new_id in zip(new, ids, strict=True)})
    return result


def _post_values(record: PostRecord) -> tuple[Any, ...]:
    return (
        record.created_at,
        record.text,
        record.kind,
        record.likes,
        record.reactions,
        record.comments,
        record.shares,
        record.url,
    )


class _Authors:
    """Commenters to keyed hashes, each computed once."""

    def __init__(self, session: Session) -> None:
        secret = get_setting(session, AUTHOR_SECRET_SETTING)
        if secret is None:
            secret = secrets.token_hex(32)
            set_setting(session, AUTHOR_SECRET_SETTING, secret)
        self.keyed = hmac.new(bytes.fromhex(secret), digestmod=hashlib.sha256)  # copied for each commenter
        self.keys: dict[str, str] = {}

    def key(self, author: str | None) -> str | None:
        if author is None:
            return None
        found = self.keys.get(author)
        if found is None:
            mac = self.keyed.copy()
            mac.update(author.encode())
            found = self.keys[author] = mac.hexdigest()
        return found


def _write_comments(
    connection: Any,
    session: Session,
    feeds: Sequence[PageFeed],
    sources: dict[str, int],
    pages: _Pages,
    posts: dict[str, tuple[int, int]],
    report: PagesReport,
) -> None:
    records = _latest(feeds, sources, "comments")
    if not records:
        return
    table = table_of(PageComment)
    _posts_of(connection, records, posts, feeds)
    owners = {page.id: (page.external_id, page.name.casefold()) for page in pages.by_id.values()}
    authors = _Authors(session)
    session.flush()
    stored = _stored(connection, table, COMMENT_FIELDS, records)
    ids = {external_id: row[0] for external_id, row in stored.items()}
    parents = {r.parent_id for r, _s in records.values() if r.parent_id and r.parent_id not in records}
    ids.update((k, v[0]) for k, v in _stored(connection, table, (), parents - set(ids)).items())

    def values(record: CommentRecord, parent: int | None) -> tuple[Any, ...]:
        post_id, page_id = posts[record.post_id]
        own_id, own_name = owners[page_id]
        by_page = record.by_page or (
            record.author is not None and (record.author == own_id or record.author.casefold() == own_name)
        )
        return (post_id, parent, record.created_at, record.text, by_page, authors.key(record.author), record.likes)

    pending = [(k, r, s) for k, (r, s) in records.items() if k not in stored]
    columns = ["external_id", *COMMENT_FIELDS, "source_id"]
    while pending:  # a wave: the comments whose parent has an id by now (parents before their replies)
        ready = [p for p in pending if p[1].parent_id is None or p[1].parent_id in ids]
        if not ready:  # answers to comments neither here nor in the project: kept under their post
            waiting = {p[0] for p in pending}
            ready = [p for p in pending if p[1].parent_id not in waiting] or pending  # (or a circle of answers)
            report.parents_missing += len(ready)
        rows = [(k, *values(r, ids.get(r.parent_id) if r.parent_id else None), s) for k, r, s in ready]
        ids.update(zip((row[0] for row in rows), insert_values_new_ids(connection, table, columns, rows), strict=True))
        done = {row[0] for row in rows}
        pending = [p for p in pending if p[0] not in done]
        report.comments.added += len(rows)
    changes = []
    for external_id, row in stored.items():
        record, source = records[external_id]
        now = values(record, ids.get(record.parent_id) if record.parent_id else None)
        if row[1:] != now:
            changes.append((row[0], *now, source))
    _update(connection, table, COMMENT_FIELDS, changes)
    report.comments.updated = len(changes)
    report.comments.unchanged = len(stored) - len(changes)


def _posts_of(
    connection: Any, records: dict[str, tuple[Any, int]], posts: dict[str, tuple[int, int]], feeds: Sequence[PageFeed]
) -> None:
    """Add to ``posts`` the stored posts that comments answer but no file of this import holds; refuse a comment
    under a post neither holds."""
    wanted = {record.post_id for record, _source in records.values()} - set(posts)
    for external_id, (post_id, page_id) in _stored(connection, table_of(PagePost), ("page_id",), wanted).items():
        posts[external_id] = (post_id, page_id)
    for feed in feeds:
        for record in feed.comments:
            if record.post_id not in posts:
                raise FokusError(
                    _("a comment under post {id}, which neither the file nor the project holds").format(
                        id=record.post_id
                    ),
                    path=feed.path,
                    where=record.location,
                )


@dataclass(frozen=True)
class PageRow:
    """A page as ``fokus pages list`` shows it."""

    page: str
    name: str
    case: str | None
    followers_start: int | None
    followers_end: int | None
    population: int | None
    posts: int
    comments: int
    first_post: datetime | None
    last_post: datetime | None


def page_rows(session: Session) -> list[PageRow]:
    """Every page with its case, followers, population, posts, comments and first and last post's time."""
    posts = {
        page_id: (count, first, last)
        for page_id, count, first, last in session.execute(
            select(
                PagePost.page_id, func.count(), func.min(PagePost.created_at), func.max(PagePost.created_at)
            ).group_by(PagePost.page_id)
        )
    }
    comments = dict(
        session.execute(
            select(PagePost.page_id, func.count(PageComment.id))
            .join(PageComment, PageComment.post_id == PagePost.id)
            .group_by(PagePost.page_id)
        ).all()
    )
    cases = dict(session.execute(select(Case.id, Case.name)).all())
    rows = []
    for page in session.scalars(select(Page).order_by(Page.name, Page.external_id)):
        count, first, last = posts.get(page.id, (0, None, None))
        rows.append(
            PageRow(
                page.external_id,
                page.name,
                cases.get(page.case_id) if page.case_id is not None else None,
                page.followers_start,
                page.followers_end,
                page.population,
                count,
                comments.get(page.id, 0),
                first,
                last,
            )
        )
    return rows
