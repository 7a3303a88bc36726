"""Transcripts: threads typed or pasted by hand, for conversations no export holds (screenshots, printouts).

The format, in UTF-8 plain text::

    # lines starting with '#' before the first thread are comments
    === Tråd: <title>                     (also "=== Thread: <title>" or just "=== <title>")
    [2013-02-19 10:15] Kari Holmen (Bodø): First line of the post.
    continuation lines belong to the message above

      [2013-02-19 10:40] Ragnhild Vik (Voss): A comment is indented two spaces (or one tab).
        [2013-02-19 11:02] Kari Holmen: A reply is indented four spaces (two tabs).

Rules:

- A thread starts with a line beginning ``===``; the rest of the line, without a leading ``Tråd:`` or ``Thread:``,
  is its title. Its first message is the post (not indented); every thread has exactly one post.
- A message starts with ``[time] Name:`` followed by its first line of text. The time is ``YYYY-MM-DD HH:MM`` or
  ``YYYY-MM-DD HH:MM:SS``, in the time zone given on import (Europe/Oslo by default), or with an explicit offset
  (``2013-02-19 10:15+01:00``) or ``Z`` for UTC. ``(Kommune)`` after the name is optional and becomes the case.
- Indentation says where a message sits: none for the post, two spaces or one tab for a comment on it, four spaces
  or two tabs for a reply to the comment above. A reply needs a comment above it.
- Every other line belongs to the message above it. Its indentation, up to that of the message's first line, is
  removed; deeper indentation is kept. Blank lines between such lines are kept as paragraph breaks; blank lines at
  the end of a message are dropped. A continuation line cannot itself start with ``[`` and a digit (it would read as
  a message): write e.g. ``(1)`` instead of ``[1]``.
- A message without text is kept, with text "", when it has comments or replies; otherwise it is skipped with a note.

Errors name the line: a message before any thread, a thread without a post, a second post in a thread, a comment
indented more than one level below its parent, an unreadable time, a missing author or colon, an author or case
name longer than the database holds (:mod:`fokus.importers.limits`).

Ids: ``"tx:" + sha1(author|time|text)[:20]``, where time is the UTC time in ISO 8601
(``2013-02-19T09:15:00+00:00``): the same message typed twice, in two files, is the same message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.importers import limits
from fokus.importers.decoding import decode_text
from fokus.importers.ids import stable_id
from fokus.importers.limits import (
    MAX_NAME_CHARS,
    check_count,
    check_file_size,
    check_length,
    check_no_nul,
    check_text_length,
    shown_text,
)
from fokus.importers.notes import Notes
from fokus.importers.records import MessageKind, MessageRecord, ParsedSource, SourceKind
from fokus.importers.times import parse_time, zone_named

_KINDS = (MessageKind.POST, MessageKind.COMMENT, MessageKind.REPLY)
#: The notes and errors that name a message's kind, one whole sentence each (marked here, translated where shown).
_WITHOUT_TEXT = {
    MessageKind.POST: N_("post without text (skipped)"),
    MessageKind.COMMENT: N_("comment without text (skipped)"),
    MessageKind.REPLY: N_("reply without text (skipped)"),
}
_NO_POST_BEFORE = {
    MessageKind.COMMENT: N_("the thread starting on line {line} has no post before this comment"),
    MessageKind.REPLY: N_("the thread starting on line {line} has no post before this reply"),
}
_TITLE_PREFIXES = ("tråd:", "thread:")


def looks_like_transcript(text: str) -> bool:
    """Whether the first line that is neither blank nor a ``#`` comment starts a thread (for format detection)."""
    for line in text[:20_000].lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.startswith("===")
    return False


def parse_transcript(data: bytes, path: str, *, timezone: str = "Europe/Oslo") -> ParsedSource:
    """Read one transcript file (its bytes; ``path`` names it) into a ParsedSource, or raise a FokusError."""
    check_file_size(len(data), path, parsed=True)
    text = decode_text(data, path)
    return transcript_source(text, path, hashlib.sha256(data).hexdigest(), zone_named(timezone))


def transcript_source(text: str, path: str, sha256: str, zone: tzinfo) -> ParsedSource:
    """A ParsedSource for decoded transcript text (format detection has decoded it already)."""
    try:
        messages, notes = _TranscriptReader(zone).read(text)
    except FokusError as err:
        raise err.located(path=path) from None
    return ParsedSource(path, SourceKind.TRANSCRIPT, sha256, messages, notes)


@dataclass(slots=True)
class _Message:
    line: int
    level: int
    width: int  # indentation of the header line, in columns (a tab counts two)
    author: str
    case: str | None
    created: datetime
    lines: list[str] = field(default_factory=list)
    answered: bool = False
    parent: _Message | None = None
    source_id: str = ""


@dataclass(slots=True)
class _Thread:
    line: int
    title: str | None
    messages: list[_Message] = field(default_factory=list)


class _TranscriptReader:
    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.notes = Notes()
        self.records: list[MessageRecord] = []
        self.seen: set[str] = set()
        self.count = 0

    def read(self, text: str) -> tuple[list[MessageRecord], list[str]]:
        thread: _Thread | None = None
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if "\0" in text:  # anywhere, a title too (format detection looks for binary files in the first 8 KiB)
            check_no_nul(text, N_("the text"), f"line {next(n for n, line in enumerate(lines, 1) if chr(0) in line)}")
        for number, raw in enumerate(lines, 1):
            line = raw.rstrip()
            stripped = line.lstrip(" \t")
            if line.startswith("==="):
                if thread is not None:
                    self._close(thread)
                thread = _Thread(number, _title(line))
            elif thread is None:
                if stripped and not stripped.startswith("#"):
                    raise FokusError(
                        _("a message before the first thread")
                        if _is_header(stripped)
                        else _("text before the first thread"),
                        where=f"line {number}",
                        hint=_("start a thread with a line '=== Tråd: <title>'; comment lines start with '#'"),
                    )
            elif _is_header(stripped):
                self._message(thread, line, stripped, number)
            elif not thread.messages:
                if stripped:
                    raise FokusError(
                        _("text before the thread's post"),
                        where=f"line {number}",
                        hint=_("a post starts with '[YYYY-MM-DD HH:MM] Name: text'"),
                    )
            else:
                thread.messages[-1].lines.append(_dedent(line, thread.messages[-1].width))
        if thread is None:
            raise FokusError(
                _("no thread in the file"), where="line 1", hint=_("a thread starts with '=== Tråd: <title>'")
            )
        self._close(thread)
        return self.records, self.notes.render()

    def _message(self, thread: _Thread, line: str, stripped: str, number: int) -> None:
        where = f"line {number}"
        width = _width(line[: len(line) - len(stripped)])
        if width % 2 or width > 4:
            raise FokusError(
                _("indented {width} columns: a message is indented 0 (post), 2 (comment) or 4 (reply) spaces").format(
                    width=width
                ),
                where=where,
                hint=_("a tab counts as two spaces"),
            )
        level = width // 2
        previous = thread.messages[-1] if thread.messages else None
        if level == 0 and previous is not None:
            raise FokusError(
                _("a second post in the thread"),
                where=where,
                hint=_("start a new thread with '=== <title>' before it"),
            )
        if level > 0 and previous is None:
            raise FokusError(
                _(_NO_POST_BEFORE[_KINDS[level]]).format(line=thread.line),
                where=where,
                hint=_("the post is not indented"),
            )
        if previous is not None and level > previous.level + 1:
            raise FokusError(
                _("a reply with no comment above it: indented more than one level below its parent"),
                where=where,
                hint=_("a comment is indented two spaces, a reply to it four"),
            )
        created, author, case, first = self._header(stripped, where)
        parent = None
        if level > 0:
            parent = next(m for m in reversed(thread.messages) if m.level == level - 1)
            parent.answered = True
        self.count += 1
        check_count(self.count, limits.MAX_RECORDS, N_("messages"), where)
        message = _Message(number, level, width, author, case, created, parent=parent)
        if first:
            message.lines.append(first)
        thread.messages.append(message)

    def _header(self, stripped: str, where: str) -> tuple[datetime, str, str | None, str]:
        close = stripped.find("]")
        if close < 0:
            raise FokusError(_("missing ']' after the time"), where=where, hint=_("[YYYY-MM-DD HH:MM] Name: text"))
        stamp = stripped[1:close].strip()
        try:
            if stamp.isdigit():
                raise FokusError(_("not a date and time: {value}").format(value=shown_text(stamp)))
            created = parse_time(stamp, self.zone)
        except FokusError as err:
            raise FokusError(err.reason, where=where, hint=_("write the time as YYYY-MM-DD HH:MM[:SS]")) from None
        rest = stripped[close + 1 :]
        colon = rest.find(":")
        if colon < 0:
            raise FokusError(
                _("missing ':' after the author's name"),
                where=where,
                hint=_("[YYYY-MM-DD HH:MM] Name (Kommune): text"),
            )
        who, case = rest[:colon].strip(), None
        if who.endswith(")") and "(" in who:
            k = who.rfind("(")
            who, case = who[:k].strip(), who[k + 1 : -1].strip() or None
        if not who:
            raise FokusError(_("missing author before ':'"), where=where, hint=_("[YYYY-MM-DD HH:MM] Name: text"))
        check_length(who, MAX_NAME_CHARS, N_("author name"), where)
        check_length(case or "", MAX_NAME_CHARS, N_("case name"), where)
        return created, who, case, rest[colon + 1 :].strip()

    def _close(self, thread: _Thread) -> None:
        if not thread.messages:
            raise FokusError(
                _("the thread {title!r} has no post").format(title=thread.title or _("(untitled)")),
                where=f"line {thread.line}",
                hint=_("a post follows the '===' line: '[YYYY-MM-DD HH:MM] Name: text'"),
            )
        root = thread.messages[0]
        for message in thread.messages:
            while message.lines and not message.lines[-1]:
                message.lines.pop()
            text = "\n".join(message.lines)
            where = f"line {message.line}"
            check_text_length(text, None, where)
            kind = _KINDS[message.level]
            if not text and not message.answered:
                self.notes.add(_(_WITHOUT_TEXT[kind]), where)
                continue
            message.source_id = stable_id("tx:", message.author, message.created.isoformat(), text)
            if message.source_id in self.seen:
                self.notes.add(_("the same message twice (imported once)"), where)
                continue
            self.seen.add(message.source_id)
            self.records.append(
                MessageRecord(
                    source_id=message.source_id,
                    thread_id=root.source_id,
                    parent_id=message.parent.source_id if message.parent else None,
                    kind=kind,
                    author=message.author,
                    created_at=message.created,
                    text=text,
                    location=where,
                    case=message.case,
                    title=thread.title if message is root else None,
                )
            )


def _is_header(stripped: str) -> bool:
    return len(stripped) > 1 and stripped[0] == "[" and stripped[1].isdigit()


def _title(line: str) -> str | None:
    title = line.strip("= \t")
    if title.lower().startswith(_TITLE_PREFIXES):
        title = title.split(":", 1)[1].strip()
    return title or None


def _width(indent: str) -> int:
    return sum(2 if ch == "\t" else 1 for ch in indent)


def _dedent(line: str, width: int) -> str:
    """Remove up to ``width`` columns of leading spaces and tabs."""
    i = column = 0
    while i < len(line) and column < width and line[i] in " \t":
        column += 2 if line[i] == "\t" else 1
        i += 1
    return line[i:]
