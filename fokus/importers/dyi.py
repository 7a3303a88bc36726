"""Facebook "Download your information" (DYI) JSON: a participant's own posts and comments in groups.

A DYI archive is a zip per account; fokus reads it as downloaded, unpacked into a folder, or one JSON file from it.
Group content has lived in three places, newest first; all are read, and a wrapper folder around them is allowed::

    your_facebook_activity/groups/        group_posts_and_comments.json   (posts; newer name)
    your_activity_across_facebook/groups/ your_posts_in_groups.json        (posts; older name)
    groups/                               your_comments_in_groups.json     (comments)

Files Facebook splits are read too (``your_comments_in_groups_2.json``). The posts files hold ``group_posts_v2``
(older: ``group_posts``), the comments file ``group_comments_v2`` (older: ``group_comments``); a file holding both is
read for both. The membership files ``your_group_membership_activity.json`` and ``your_groups.json`` hold no text and
are noted in ``skipped``; every other file of the archive (photos, messages, settings) is ignored with one note.

Posts: ``{"timestamp": <unix s>, "title": "<Name> posted in <Group>.", "data": [{"post": "..."},
{"update_timestamp": ...}], "attachments": [{"data": [{"media": {"uri"}} | {"external_context": {"url"}}]}]}``.
There is no author key: author and group come from the title (see :mod:`fokus.importers.dyi_titles`). When the
title cannot be read the author is the archive's owner: the name in ``profile_information.json`` if the archive has
one, else the most common comment author in the archive, else "Ukjent" (each such post is noted).

Comments: ``{"timestamp", "title", "data": [{"comment": {"timestamp", "comment", "author", "group"}}]}``. A comment
does not say which post it answers, so ``thread_id`` and ``parent_id`` are None; the kind (comment or reply) and
``parent_author`` come from the title ("commented on X's post.", "replied to X's comment.", "his own post" = the
author). The service places such comments in threads it knows from other sources.

Every string is repaired once for Facebook's mojibake (:mod:`fokus.importers.strings`); one holding half a character
(a lone surrogate escape, which no file or database can hold) is refused, naming the field.

Ids: DYI has none, so ``source_id`` is ``"dyi:" + sha1(author|unix timestamp|text)[:20]`` (:mod:`fokus.importers.ids`),
the same for the same message in every donation and every re-import. A post's ``thread_id`` is its own id.

Attachments: ``external_context.url`` and ``media.uri`` (a path inside the archive) go to ``attachments``; the first
external URL is ``url``. A post or comment without text is kept, with text "", only if it has such a URL (a shared
link the group talks about); without one (a bare photo) there is nothing to read, and it is skipped with a note.
Times are unix seconds, hence UTC; no time zone is involved. Author and group names longer than the database holds,
text holding a NUL character, and files of more than ``MAX_RECORDS`` entries are refused
(:mod:`fokus.importers.limits`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number
from fokus.importers import limits
from fokus.importers.decoding import kind_of, load_json
from fokus.importers.dyi_titles import parse_comment_title, parse_post_title
from fokus.importers.ids import stable_id
from fokus.importers.limits import (
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    check_count,
    check_length,
    check_storable,
    check_text_length,
)
from fokus.importers.notes import Notes
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.importers.strings import repair_mojibake
from fokus.importers.times import from_unix

UNKNOWN_AUTHOR = "Ukjent"
POST_KEYS = ("group_posts_v2", "group_posts")
COMMENT_KEYS = ("group_comments_v2", "group_comments")
TEXT_FILES = frozenset({"group_posts_and_comments", "your_posts_in_groups", "your_comments_in_groups"})
MEMBERSHIP_FILES = frozenset({"your_group_membership_activity", "your_groups"})
#: Folders (relative to the archive's root) whose ``groups/`` child marks a DYI archive.
LAYOUT_ROOTS = ("your_facebook_activity", "your_activity_across_facebook", "")

_SPLIT_SUFFIX = re.compile(r"_\d+$")

Role = Literal["text", "membership", "profile"]


def member_role(name: str) -> Role | None:
    """What a file in a DYI archive is to fokus, from its path: group text, group membership, the profile, or None."""
    parts = name.replace("\\", "/").lower().split("/")
    file = parts[-1]
    if not file.endswith(".json"):
        return None
    if file == "profile_information.json":
        return "profile"
    if len(parts) < 2 or parts[-2] != "groups":
        return None
    stem = _SPLIT_SUFFIX.sub("", file[:-5])
    if stem in TEXT_FILES:
        return "text"
    if stem in MEMBERSHIP_FILES:
        return "membership"
    return None


def looks_like_dyi(doc: object) -> bool:
    """Whether parsed JSON is a DYI group posts or comments file (for format detection)."""
    return isinstance(doc, dict) and any(key in doc for key in POST_KEYS + COMMENT_KEYS)


def is_membership_file(name: str) -> bool:
    """Whether a file name is one of DYI's group membership files (no text)."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".json")
    return _SPLIT_SUFFIX.sub("", stem) in MEMBERSHIP_FILES


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """A file of a DYI archive (zip member or file of an unpacked folder), read only when needed.

    ``name`` is its path inside the archive (``your_facebook_activity/groups/...``); ``shown`` names it in errors,
    ``archive.zip!name`` when not given.
    """

    name: str
    read: Callable[[], bytes]
    shown: str | None = None


def parse_dyi(data: bytes, path: str) -> ParsedSource:
    """Read one DYI JSON file (its bytes; ``path`` names it). A membership file gives a source without messages."""
    return dyi_file_source(load_json(data, path), path, hashlib.sha256(data).hexdigest())


def dyi_file_source(doc: Any, path: str, sha256: str) -> ParsedSource:
    """A ParsedSource for one parsed DYI JSON file (the owner is guessed from this file alone)."""
    reader = _DyiReader(profile=None)
    if not looks_like_dyi(doc) and is_membership_file(path):
        reader.notes.line(
            _("{file}: group membership only, no messages (skipped)").format(file=path.rsplit("/", 1)[-1])
        )
    else:
        reader.add(doc, path, "")
    return ParsedSource(path, SourceKind.DYI, sha256, reader.build(), reader.notes.render())


def dyi_archive_source(
    path: str,
    sha256: str,
    files: Sequence[ArchiveFile],
    *,
    profile: ArchiveFile | None,
    ignored: int,
) -> ParsedSource:
    """One ParsedSource for a whole archive: ``files`` are its group text and membership files, ``path`` the zip or
    folder; ``ignored`` counts the archive's other files for the summary note."""
    reader = _DyiReader(profile)
    for file in sorted(files, key=lambda f: f.name):
        if member_role(file.name) == "membership":
            reader.notes.line(_("{file}: group membership only, no messages (skipped)").format(file=file.name))
            continue
        where = file.shown or f"{path}!{file.name}"
        reader.add(load_json(file.read(), where), where, f"{file.name}:")
    if ignored:
        reader.notes.line(
            ngettext(
                "ignored {count} other file in the archive (not group posts or comments)",
                "ignored {count} other files in the archive (not group posts or comments)",
                ignored,
            ).format(count=number(ignored))
        )
    return ParsedSource(path, SourceKind.DYI, sha256, reader.build(), reader.notes.render())


@dataclass(frozen=True, slots=True)
class _Entry:
    is_post: bool
    obj: Any
    loc: str  # JSON path in its file
    file: str  # the file as errors name it
    prefix: str  # the member name and ":" in an archive, "" for a single file


class _DyiReader:
    """Collects the entries of all files first (the owner depends on all comments), then builds the records."""

    def __init__(self, profile: ArchiveFile | None) -> None:
        self.profile = profile
        self.entries: list[_Entry] = []
        self.commenters: Counter[str] = Counter()
        self.notes = Notes()
        self._owner: str | None = None

    def add(self, doc: Any, file: str, prefix: str) -> None:
        if not looks_like_dyi(doc):
            found = (
                _("an object with keys {keys}").format(keys=", ".join(sorted(doc)[:6]) or _("(none)"))
                if isinstance(doc, dict)
                else None
            )
            raise FokusError(
                _("JSON of the wrong shape: found {found}, expected a DYI file with {keys}").format(
                    found=found or kind_of(doc), keys=_(" or ").join(POST_KEYS + COMMENT_KEYS)
                ),
                path=file,
                where="$",
            )
        for keys, is_post in ((POST_KEYS, True), (COMMENT_KEYS, False)):
            for key in keys:
                if key not in doc:
                    continue
                items = doc[key]
                if not isinstance(items, list):
                    raise FokusError(
                        _("expected a list, found {found}").format(found=kind_of(items)), path=file, where=f"$.{key}"
                    )
                check_count(
                    len(self.entries) + len(items), limits.MAX_RECORDS, N_("posts and comments"), f"$.{key}", file
                )
                for i, obj in enumerate(items):
                    self.entries.append(_Entry(is_post, obj, f"$.{key}[{i}]", file, prefix))
                    if not is_post:
                        name = _comment_author(obj)
                        if name:
                            self.commenters[name] += 1

    def owner(self) -> str:
        """The archive owner's name, for posts whose title names nobody."""
        if self._owner is None:
            self._owner = self._profile_name() or (
                self.commenters.most_common(1)[0][0] if self.commenters else UNKNOWN_AUTHOR
            )
        return self._owner

    def _profile_name(self) -> str | None:
        if self.profile is None:
            return None
        try:
            doc = load_json(self.profile.read(), self.profile.name)
            profile = doc.get("profile_v2") or doc.get("profile")
            name = profile["name"]["full_name"]
            if isinstance(name, str):
                check_storable(name, N_("the owner's name"), None)  # half a character: unreadable as a whole
        except (TypeError, KeyError, AttributeError, FokusError):
            self.notes.line(
                _("{file}: unreadable, the owner's name taken from the comments").format(file=self.profile.name)
            )
            return None
        if not isinstance(name, str):
            return None
        return repair_mojibake(name).strip() or None

    def build(self) -> list[MessageRecord]:
        messages: list[MessageRecord] = []
        seen: set[str] = set()
        for entry in sorted(self.entries, key=lambda e: not e.is_post):  # posts first, each kind in file order
            try:
                record = self._post(entry) if entry.is_post else self._comment(entry)
            except FokusError as err:
                raise err.located(path=entry.file) from None
            if record is None:
                continue
            if record.source_id in seen:
                self.notes.add(_("the same message twice (imported once)"), entry.prefix + entry.loc)
                continue
            seen.add(record.source_id)
            messages.append(record)
        return messages

    def _post(self, entry: _Entry) -> MessageRecord | None:
        obj, loc = _object(entry.obj, entry.loc, N_("post")), entry.loc
        created = _time(obj.get("timestamp"), f"{loc}.timestamp")
        title = _text(obj, "title", loc)
        text, updated = "", None
        for j, item in enumerate(_list(obj, "data", loc)):
            item = _object(item, f"{loc}.data[{j}]", N_("data item"))
            post = _text(item, "post", f"{loc}.data[{j}]")
            if post and not text:
                text = post
            if "update_timestamp" in item:
                updated = _time(item["update_timestamp"], f"{loc}.data[{j}].update_timestamp")
        check_text_length(text, None, f"{loc}.data")
        url, attachments = _attachments(obj, loc)
        parsed = parse_post_title(title) if title else None
        if parsed is None:
            author, group = self.owner(), None
            self.notes.add(_("post whose title names no author (the archive's owner assumed)"), entry.prefix + loc)
        else:
            author, group = parsed.author, parsed.group
        if group is not None:
            check_length(group, MAX_NAME_CHARS, N_("group name"), f"{loc}.title")
        check_length(
            author, MAX_NAME_CHARS, N_("author name"), f"{loc}.title" if parsed else f"{loc} (the owner's name)"
        )
        if not text.strip() and url is None:
            self.notes.add(_("post without text or link (skipped)"), entry.prefix + loc)
            return None
        source_id = stable_id("dyi:", author, str(int(created.timestamp())), text)
        return MessageRecord(
            source_id=source_id,
            thread_id=source_id,
            parent_id=None,
            kind=MessageKind.POST,
            author=author,
            created_at=created,
            updated_at=updated,
            text=text,
            location=entry.prefix + loc,
            group=group,
            url=url,
            attachments=attachments,
        )

    def _comment(self, entry: _Entry) -> MessageRecord | None:
        obj, loc = _object(entry.obj, entry.loc, N_("comment")), entry.loc
        title = _text(obj, "title", loc)
        comment: dict[str, Any] = {}
        comment_loc = f"{loc}.data"
        for j, item in enumerate(_list(obj, "data", loc)):
            item = _object(item, f"{loc}.data[{j}]", N_("data item"))
            if "comment" in item:
                comment_loc = f"{loc}.data[{j}].comment"
                comment = _object(item["comment"], comment_loc, N_("comment"))
                break
        stamp = comment.get("timestamp")
        created = _time(
            stamp if stamp is not None else obj.get("timestamp"),
            f"{comment_loc}.timestamp" if stamp is not None else f"{loc}.timestamp",
        )
        text = _text(comment, "comment", comment_loc) or ""
        check_text_length(text, None, f"{comment_loc}.comment")
        about = parse_comment_title(title or "")
        author = _text(comment, "author", comment_loc) or about.author or self.owner()
        check_length(author, MAX_NAME_CHARS, N_("author name"), f"{comment_loc}.author")
        url, attachments = _attachments(obj, loc)
        group = _text(comment, "group", comment_loc)
        if group is not None:  # Facebook's are at most 75 characters; the thread of unplaced comments is named by it
            check_length(group, MAX_NAME_CHARS, N_("group name"), f"{comment_loc}.group")
        if not text.strip() and url is None:
            self.notes.add(_("comment without text or link (skipped)"), entry.prefix + loc)
            return None
        return MessageRecord(
            source_id=stable_id("dyi:", author, str(int(created.timestamp())), text),
            thread_id=None,
            parent_id=None,
            kind=about.kind,
            author=author,
            created_at=created,
            text=text,
            location=entry.prefix + loc,
            group=group,
            parent_author=about.parent_author,
            url=url,
            attachments=attachments,
        )


def _object(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FokusError(
            _("expected a {what} object, found {found}").format(what=_(what), found=kind_of(value)), where=where
        )
    return value


def _list(obj: dict[str, Any], key: str, loc: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FokusError(_("expected a list, found {found}").format(found=kind_of(value)), where=f"{loc}.{key}")
    return value


_WHAT = {
    "post": N_("message text"),
    "comment": N_("message text"),
    "author": N_("author name"),
    "group": N_("group name"),
}


def _text(obj: dict[str, Any], key: str, loc: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FokusError(_("expected a string, found {found}").format(found=kind_of(value)), where=f"{loc}.{key}")
    check_storable(value, _WHAT.get(key, key), f"{loc}.{key}")  # the title holds the author and the group
    return repair_mojibake(value).strip() if key in ("author", "group", "title") else repair_mojibake(value)


def _time(value: Any, where: str) -> datetime:
    if value is None:
        raise FokusError(_("no timestamp"), where=where)
    if not isinstance(value, int) or isinstance(value, bool):
        raise FokusError(
            _("expected a unix timestamp (whole seconds), found {found}").format(found=kind_of(value)), where=where
        )
    try:
        return from_unix(value)
    except FokusError as err:
        raise err.located(where=where) from None


def _comment_author(obj: Any) -> str | None:
    """The ``author`` of a comment entry, if it has the expected shape (for guessing the owner; no errors here)."""
    data = obj.get("data") if isinstance(obj, dict) else None
    for item in data if isinstance(data, list) else ():
        comment = item.get("comment") if isinstance(item, dict) else None
        if isinstance(comment, dict) and isinstance(comment.get("author"), str):
            try:
                check_storable(comment["author"], N_("author name"), None)
            except FokusError:
                return None  # the comment itself is refused, at its place
            return repair_mojibake(comment["author"]).strip() or None
    return None


def _attachments(obj: dict[str, Any], loc: str) -> tuple[str | None, tuple[str, ...]]:
    """(first external URL, all URLs and media paths); attachments of an unexpected shape are ignored, those that
    cannot be stored refused."""
    url: str | None = None
    found: list[str] = []
    groups = obj.get("attachments")
    for group in groups if isinstance(groups, list) else ():
        items = group.get("data") if isinstance(group, dict) else None
        for item in items if isinstance(items, list) else ():
            if not isinstance(item, dict):
                continue
            context, media = item.get("external_context"), item.get("media")
            link = context.get("url") if isinstance(context, dict) else None
            if isinstance(link, str) and link.strip():
                found.append(
                    repair_mojibake(check_length(link.strip(), MAX_TEXT_CHARS, N_("link"), f"{loc}.attachments"))
                )
                url = url or found[-1]
            uri = media.get("uri") if isinstance(media, dict) else None
            if isinstance(uri, str) and uri.strip():
                found.append(
                    repair_mojibake(check_length(uri.strip(), MAX_TEXT_CHARS, N_("attachment"), f"{loc}.attachments"))
                )
    return url, tuple(dict.fromkeys(found))
