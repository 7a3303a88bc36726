"""Facebook Graph API JSON: archived group and page feeds (as Facepager and similar tools stored them).

Accepted shapes of one file:

- a page of results ``{"data": [post, ...], "paging": {...}}`` (``paging`` is ignored);
- ``{"feed": {"data": [...]}}``, as a ``?fields=feed{...}`` request returns it;
- a bare list of posts ``[post, ...]``;
- a single post object (it has an ``id``).

Several page files, or a folder of them, are several sources; the service merges them and drops duplicates.

Fields read from a post, a comment (in ``comments.data``) and a reply (in a comment's ``comments.data``):

- ``id`` (required; a string, or a number a tool wrote as one) becomes ``source_id``;
- ``created_time`` (required) and ``updated_time``: ISO 8601 such as ``2015-09-01T10:00:00+0000``, or unix seconds;
- ``message``: the text. ``story`` ("Kari shared a link.") is Facebook's caption, not the author's words, and is
  not used as text;
- ``from {id, name}``: the author and ``author_ref``. Without ``from`` (the account was deleted, or the harvest
  lacked the permission) the author is "Ukjent" ("unknown") and a note says so; the message is kept;
- ``permalink_url``, else ``link``, becomes ``url``; ``link``, ``attachments`` (posts) and ``attachment``
  (comments) give ``attachments`` (each item's ``url`` or image ``src``, subattachments included);
- reactions: ``reactions.summary.total_count``, else ``like_count``, else ``likes.summary.total_count``.

Decisions:

- ``thread_id`` of every message is the post's id; ``parent_id`` of a comment is the post's id, of a reply the id of
  the comment it sits under. Facebook shows two levels, but archives can nest deeper: a message nested below a reply
  is a reply too, and its ``parent_id`` is the message it answers (the one it is nested in).
- A message without text (a post that only shares a photo, a comment that is only a sticker) is kept, with text "",
  when it has answers or attachments, since those are what the group reacted to; otherwise it is skipped with a note.
- A field fokus reads must have the type above, or the file is refused with the field's place
  (``$.data[3].comments.data[1].created_time``): a half-converted archive is better found now than in the analysis.
  So is an id or author name longer than the database holds, a count above its largest integer, a string holding
  half a character (a lone surrogate escape, ``"\\ud83d"``), a time outside 1970-2099 (:mod:`fokus.importers.times`),
  or a file of more than ``MAX_RECORDS`` messages (:mod:`fokus.importers.limits`).
  Attachments are the exception: they are read where they have the expected shape and ignored elsewhere (but a URL
  that cannot be stored is refused).
- An id seen twice in one file (overlapping harvests pasted together) is imported once, with a note.
- Comments that continue on a page the file does not hold (``comments.paging.next``) are noted: the harvest stopped
  there, and the researcher should know the thread is incomplete.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, tzinfo
from typing import Any, TypeGuard

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.i18n.formats import number
from fokus.importers import limits
from fokus.importers.decoding import kind_of, load_json
from fokus.importers.limits import (
    MAX_ID_CHARS,
    MAX_INTEGER,
    MAX_NAME_CHARS,
    check_count,
    check_length,
    check_storable,
    check_text_length,
    shown_number,
)
from fokus.importers.notes import Notes
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.importers.times import from_unix, parse_time, zone_named

UNKNOWN_AUTHOR = "Ukjent"

MESSAGES = N_("messages")
#: The kinds of message as people read them, and what is said of each (translated where shown).
KINDS = {MessageKind.POST: N_("post"), MessageKind.COMMENT: N_("comment"), MessageKind.REPLY: N_("reply")}
NO_TIME = {
    MessageKind.POST: N_("the post has no 'created_time'"),
    MessageKind.COMMENT: N_("the comment has no 'created_time'"),
    MessageKind.REPLY: N_("the reply has no 'created_time'"),
}
EMPTY = {
    MessageKind.POST: N_("post without text, attachments or answers (skipped)"),
    MessageKind.COMMENT: N_("comment without text, attachments or answers (skipped)"),
    MessageKind.REPLY: N_("reply without text, attachments or answers (skipped)"),
}


def looks_like_graph(doc: object) -> bool:
    """Whether parsed JSON has one of the shapes this module reads (for format detection)."""
    if isinstance(doc, list):
        return bool(doc) and isinstance(doc[0], dict) and "id" in doc[0]
    if not isinstance(doc, dict):
        return False
    if isinstance(doc.get("data"), list):
        return True
    feed = doc.get("feed")
    if isinstance(feed, dict) and isinstance(feed.get("data"), list):
        return True
    return "id" in doc and ("created_time" in doc or "message" in doc)


def parse_graph(data: bytes, path: str, *, timezone: str = "Europe/Oslo") -> ParsedSource:
    """Read one Graph API JSON file (its bytes; ``path`` names it in errors and in the source)."""
    doc = load_json(data, path)
    return graph_source(doc, path, hashlib.sha256(data).hexdigest(), zone_named(timezone))


def graph_source(doc: Any, path: str, sha256: str, zone: tzinfo) -> ParsedSource:
    """Read parsed Graph API JSON into a ParsedSource; bad content is a FokusError naming the JSON path."""
    reader = _GraphReader(zone)
    try:
        for post, loc in _posts(doc):
            reader.message(post, loc, MessageKind.POST, None, None)
    except FokusError as err:
        raise err.located(path=path) from None
    return ParsedSource(path, SourceKind.GRAPH_JSON, sha256, reader.messages, reader.notes.render())


def _posts(doc: Any) -> list[tuple[Any, str]]:
    if isinstance(doc, list):
        return _placed(doc, "$")
    if not isinstance(doc, dict):
        raise FokusError(
            _(
                'JSON of the wrong shape: found {found}, expected a Graph API feed page {{"data": [...]}}, a list'
                " of posts or one post object"
            ).format(found=kind_of(doc)),
            where="$",
        )
    if "data" in doc:
        base, items = "$.data", doc["data"]
    elif isinstance(doc.get("feed"), dict) and "data" in doc["feed"]:
        base, items = "$.feed.data", doc["feed"]["data"]
    elif "id" in doc:
        return [(doc, "$")]
    elif isinstance(doc.get("error"), dict):
        detail = doc["error"].get("message")
        raise FokusError(
            _("the file holds a Graph API error response, not data: {detail!r}").format(detail=detail), where="$.error"
        )
    else:
        keys = ", ".join(sorted(map(str, doc))[:8])
        if keys:
            reason = _(
                "JSON of the wrong shape: an object with keys {keys}; expected a Graph API feed page"
                ' {{"data": [...]}}, a list of posts or one post object'
            ).format(keys=keys)
        else:
            reason = _(
                "JSON of the wrong shape: an object with keys (none); expected a Graph API feed page"
                ' {{"data": [...]}}, a list of posts or one post object'
            ).format()
        raise FokusError(reason, where="$")
    if not isinstance(items, list):
        raise FokusError(_("expected a list of posts, found {found}").format(found=kind_of(items)), where=base)
    return _placed(items, base)


class _GraphReader:
    """Walks posts and their nested comments, appending records in reading order (a post, then its thread).

    Each field is first tried on a short path that accepts only what is plainly right (an ASCII id, a time string
    read before, an author seen before, a count in range, no link); anything else goes through the field's full
    reader, which accepts or refuses it with its place. So the checks and their messages are the full readers';
    the short paths only spare them the common case (a 100,000-message archive is read in about half the time).
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.messages: list[MessageRecord] = []
        self.notes = Notes()
        self.seen: set[str] = set()
        self.times: dict[str, datetime] = {}  # time strings already read: a harvest repeats them
        self.authors: dict[tuple[str, str | None], tuple[str, str | None]] = {}  # (name, id) -> (author, ref)

    def message(self, obj: Any, loc: str, kind: MessageKind, thread_id: str | None, parent_id: str | None) -> None:
        if not isinstance(obj, dict):
            raise FokusError(
                _("expected a {what} object, found {found}").format(what=_(KINDS[kind]), found=kind_of(obj)), where=loc
            )
        mid = obj.get("id")
        if not _plain_id(mid):
            mid = _id(obj, loc)
        if thread_id is None:
            thread_id = mid
        created = self.times.get(value) if type(value := obj.get("created_time")) is str else None
        if created is None:
            created = self.time(obj, "created_time", loc)
            if created is None:
                raise FokusError(_(NO_TIME[kind]), where=f"{loc}.created_time")
        updated = self.times.get(value) if type(value := obj.get("updated_time")) is str else None
        if updated is None and value is not None:
            updated = self.time(obj, "updated_time", loc)
        text = obj.get("message")
        if text is None:
            text = ""
        elif type(text) is not str or len(text) > limits.MAX_TEXT_CHARS or not _storable(text):
            text = _string(obj, "message", loc) or ""
            check_text_length(text, None, f"{loc}.message")
        author, author_ref = self.author(obj, loc)
        reactions = _reactions(obj, loc)
        permalink, link = obj.get("permalink_url"), obj.get("link")
        if permalink is not None or link is not None:
            permalink = _string(obj, "permalink_url", loc)
            link = _string(obj, "link", loc)
            check_storable(permalink, "permalink_url", f"{loc}.permalink_url")
            check_storable(link, N_("link"), f"{loc}.link")
        if link is None and obj.get("attachments") is None and obj.get("attachment") is None:
            attachments: tuple[str, ...] = ()
        else:
            attachments = _attachments(obj, loc, link, permalink)
        answers, answers_loc = self.answers(obj, loc)

        if not answers and not attachments and (not text or text.isspace()):  # no text but white space
            self.notes.add(_(EMPTY[kind]), loc)
            return
        if mid in self.seen:
            self.notes.add(_("id seen before in this file (imported once)"), loc)
        else:
            self.seen.add(mid)
            check_count(len(self.messages) + 1, limits.MAX_RECORDS, MESSAGES, loc)
            self.messages.append(
                MessageRecord(
                    source_id=mid,
                    thread_id=thread_id,
                    parent_id=parent_id,
                    kind=kind,
                    author=author,
                    author_ref=author_ref,
                    created_at=created,
                    updated_at=updated,
                    text=text,
                    location=loc,
                    reactions=reactions,
                    url=permalink or link,
                    attachments=attachments,
                )
            )
        if answers:
            child_kind = MessageKind.COMMENT if kind is MessageKind.POST else MessageKind.REPLY
            for i, child in enumerate(answers):
                self.message(child, f"{answers_loc}[{i}]", child_kind, thread_id, mid)

    def time(self, obj: dict[str, Any], key: str, loc: str) -> datetime | None:
        value = obj.get(key)
        try:
            if value is None:
                return None
            if isinstance(value, str):
                when = self.times[value] = parse_time(value, self.zone)
                return when
            if isinstance(value, int) and not isinstance(value, bool):
                return from_unix(value)
        except FokusError as err:
            raise err.located(where=f"{loc}.{key}") from None
        raise FokusError(
            _("expected a date and time, found {found}").format(found=kind_of(value)), where=f"{loc}.{key}"
        )

    def author(self, obj: dict[str, Any], loc: str) -> tuple[str, str | None]:
        sender = obj.get("from")
        if type(sender) is dict:
            name, ref = sender.get("name"), sender.get("id")
            if type(name) is str and (ref is None or type(ref) is str):
                known = self.authors.get((name, ref))
                if known is not None:
                    return known
                found = self.full_author(sender, loc)
                if name and not name.isspace():  # (an author without a name is noted each time)
                    self.authors[name, ref] = found
                return found
        return self.full_author(sender, loc)

    def full_author(self, sender: Any, loc: str) -> tuple[str, str | None]:
        if sender is None:
            self.notes.add(_("message without 'from' (author set to {name!r})").format(name=UNKNOWN_AUTHOR), loc)
            return UNKNOWN_AUTHOR, None
        if not isinstance(sender, dict):
            raise FokusError(
                _("expected an object {{id, name}}, found {found}").format(found=kind_of(sender)), where=f"{loc}.from"
            )
        name = _string(sender, "name", f"{loc}.from")
        ref = sender.get("id")
        ref_text = str(ref) if isinstance(ref, (str, int)) and not isinstance(ref, bool) and ref != "" else None
        check_storable(ref_text, N_("author id"), f"{loc}.from.id")
        if not name or not name.strip():
            self.notes.add(
                _("message without an author name (author set to {name!r})").format(name=UNKNOWN_AUTHOR), loc
            )
            return UNKNOWN_AUTHOR, ref_text
        return check_length(name.strip(), MAX_NAME_CHARS, N_("author name"), f"{loc}.from.name"), ref_text

    def answers(self, obj: dict[str, Any], loc: str) -> tuple[list[Any], str]:
        container = obj.get("comments")
        if container is None:
            return [], ""
        if isinstance(container, list):
            return container, f"{loc}.comments"
        if not isinstance(container, dict):
            raise FokusError(
                _("expected an object {{data: [...]}}, found {found}").format(found=kind_of(container)),
                where=f"{loc}.comments",
            )
        items = container.get("data")
        if items is None:
            return [], ""
        if not isinstance(items, list):
            raise FokusError(
                _("expected a list of comments, found {found}").format(found=kind_of(items)),
                where=f"{loc}.comments.data",
            )
        paging = container.get("paging")
        if isinstance(paging, dict) and paging.get("next"):
            self.notes.add(_("comments continue on a page this file does not hold (incomplete harvest)"), loc)
        return items, f"{loc}.comments.data"


def _id(obj: dict[str, Any], loc: str) -> str:
    return graph_id(obj.get("id"), f"{loc}.id")


def graph_id(value: Any, where: str) -> str:
    """A Graph API id (a string, or a number some harvesters wrote), trimmed and within the length limit; also read
    by the page-feed importer (fokus.importers.pages.graph_feed)."""
    if isinstance(value, str) and value.strip():
        return check_length(value.strip(), MAX_ID_CHARS, N_("id"), where)
    if isinstance(value, int) and not isinstance(value, bool):
        return check_length(str(value), MAX_ID_CHARS, N_("id"), where)
    if value is None or value == "":
        raise FokusError(_("no 'id': every post and comment in a Graph export has one"), where=where)
    raise FokusError(_("expected an id (a string), found {found}").format(found=kind_of(value)), where=where)


def _storable(value: str) -> bool:
    """Whether a string can be stored as it is (what :func:`check_storable` lets through), without a message."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _plain_id(value: object) -> TypeGuard[str]:
    """Whether ``value`` is an id :func:`_id` takes as it is: a storable string within the limit, not padded."""
    return (
        type(value) is str
        and 0 < len(value) <= MAX_ID_CHARS
        and not value[0].isspace()
        and not value[-1].isspace()
        and _storable(value)
    )


def _string(obj: dict[str, Any], key: str, loc: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise FokusError(_("expected a string, found {found}").format(found=kind_of(value)), where=f"{loc}.{key}")


def graph_count(value: Any, where: str) -> int:
    """A count (likes, comments, shares): a whole number from 0 up to what a database integer holds; also read by
    the page-feed importer."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if value > MAX_INTEGER:
            raise FokusError(
                _("{value} is more than a database can hold (at most {limit})").format(
                    value=shown_number(value), limit=number(MAX_INTEGER)
                ),
                where=where,
            )
        return value
    raise FokusError(_("expected a count (a whole number), found {found}").format(found=kind_of(value)), where=where)


def _reactions(obj: dict[str, Any], loc: str) -> int | None:
    value = obj.get("reactions")
    if type(value) is dict:  # the short path: a count in range
        summary = value.get("summary")
        if type(summary) is dict and type(count := summary.get("total_count")) is int and 0 <= count <= MAX_INTEGER:
            return count
    elif value is None and type(count := obj.get("like_count")) is int and 0 <= count <= MAX_INTEGER:
        return count
    for key in ("reactions", "like_count", "likes"):
        value = obj.get(key)
        if value is None:
            continue
        if key == "like_count":
            return graph_count(value, f"{loc}.like_count")
        if not isinstance(value, dict):
            raise FokusError(
                _("expected an object {{summary: ...}}, found {found}").format(found=kind_of(value)),
                where=f"{loc}.{key}",
            )
        summary = value.get("summary")
        if isinstance(summary, dict) and "total_count" in summary:
            return graph_count(summary["total_count"], f"{loc}.{key}.summary.total_count")
    return None


def _attachments(obj: dict[str, Any], loc: str, link: str | None, permalink: str | None) -> tuple[str, ...]:
    found: list[str] = []
    if link and link != permalink:
        found.append(link)
    container = obj.get("attachments")
    items, base = (
        (container.get("data"), f"{loc}.attachments.data")
        if isinstance(container, dict)
        else (container, f"{loc}.attachments")
    )
    if isinstance(items, list):
        _collect(_placed(items, base), found, 0)
    single = obj.get("attachment")
    if isinstance(single, dict):
        _collect([(single, f"{loc}.attachment")], found, 0)
    return tuple(dict.fromkeys(found))


def _placed(items: list[Any], base: str) -> list[tuple[Any, str]]:
    """Each item with its JSON path (``$.data[3]``)."""
    return [(item, f"{base}[{i}]") for i, item in enumerate(items)]


def _collect(items: list[tuple[Any, str]], found: list[str], depth: int) -> None:
    """Append the URLs of attachment objects, each given with its place; other shapes are ignored."""
    for item, at in items:
        if not isinstance(item, dict):
            continue
        url, where = item.get("url"), f"{at}.url"
        if not isinstance(url, str) or not url:
            media = item.get("media")
            image = media.get("image") if isinstance(media, dict) else None
            url, where = image.get("src") if isinstance(image, dict) else None, f"{at}.media.image.src"
        if isinstance(url, str) and url:
            check_storable(url, "attachment", where)
            found.append(url)
        subs = item.get("subattachments")
        sub_items = subs.get("data") if isinstance(subs, dict) else None
        if isinstance(sub_items, list) and depth < 4:
            _collect(_placed(sub_items, f"{at}.subattachments.data"), found, depth + 1)
