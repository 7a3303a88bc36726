"""Limits on untrusted input, each refused with a clear message naming the file and the place.

Exports come from other people's machines (data donations, archives passed around a research team), and codebooks,
codings files and case tables from other tools, so every reader assumes a file may be corrupt or hostile: a zip
bomb, a member named ``../../.bashrc``, JSON nested ten thousand levels deep, a name of a million characters. The
limits are far above anything a real study produces (the whole demo corpus is a few hundred kilobytes; a busy
group's Graph archive of 100,000 messages is about 60 MB) and far below what would exhaust memory or time. All of
them live here, so that a reader never invents its own, and tests can lower them to check the messages.

Lengths that a database column holds (ids, names, code paths) are limited to what the column declares: SQLite does
not enforce those lengths, but PostgreSQL does, and a project must be able to move there.
"""

from __future__ import annotations

import csv
import os
import re
from itertools import accumulate
from pathlib import Path
from typing import Final

from fokus.errors import FokusError
from fokus.i18n import N_, _, ngettext
from fokus.i18n.formats import number

GiB: Final = 1024**3
MiB: Final = 1024**2

# --- sizes ------------------------------------------------------------------------------------------------------------
#: Any file or zip archive given to fokus.
MAX_FILE_BYTES: Final = 2 * GiB
#: Any file or zip member read into memory and parsed (JSON, CSV, transcript, codings file, XML).
MAX_PARSE_BYTES: Final = 512 * MiB
#: A YAML codebook, hypothesis file or mapping file (written by hand: a big one has a few hundred kilobytes).
MAX_YAML_BYTES: Final = 20 * MiB
#: A case table (one row per municipality: a few kilobytes).
MAX_CASE_TABLE_BYTES: Final = 50 * MiB
#: Entries in a zip's directory (a DYI archive with every photo of an account has tens of thousands).
MAX_ZIP_MEMBERS: Final = 200_000
#: Bytes of a zip's central directory (about 160 per entry in a DYI archive): read before the entries are counted.
MAX_ZIP_DIRECTORY_BYTES: Final = 32 * MiB
#: Sum of the declared uncompressed sizes of all members of a zip.
MAX_ZIP_TOTAL_BYTES: Final = 8 * GiB
#: Uncompressed size / compressed size of a member fokus reads; checked for members over ``RATIO_FLOOR_BYTES`` only,
#: since small JSON files of repeated whitespace legitimately compress very well.
MAX_COMPRESSION_RATIO: Final = 100
RATIO_FLOOR_BYTES: Final = 1 * MiB

# --- nesting ----------------------------------------------------------------------------------------------------------
#: Nesting of JSON arrays and objects (a Graph export nests about 8 levels: feed, post, comments, replies).
MAX_JSON_DEPTH: Final = 64
#: Nesting of YAML lists and mappings (a codebook twelve codes deep, with rules, nests about 30).
MAX_YAML_DEPTH: Final = 64
#: Nesting of XML elements (a REFI-QDA project nests about 8, plus one per level of its codes).
MAX_XML_DEPTH: Final = 64
#: Values a YAML file holds once its aliases are expanded (``&a``/``*a``: each use counts again), so that a "billion
#: laughs" file of nested aliases is refused before anything walks it.
MAX_YAML_VALUES: Final = 1_000_000

# --- lengths ----------------------------------------------------------------------------------------------------------
#: Characters in one message's text (Facebook itself caps posts at 63,206 characters).
MAX_TEXT_CHARS: Final = 1_000_000
#: Characters in one CSV field (the text field plus room for quoting).
MAX_CSV_FIELD_CHARS: Final = MAX_TEXT_CHARS + 1
#: Characters in an id (of a message, its thread or its parent): the database columns for ids hold 200.
MAX_ID_CHARS: Final = 200
#: Characters in an author's or a case's name. Facebook caps names far below this; the database columns hold 200,
#: and a name's lookup key (case-folded) may be longer than the name itself.
MAX_NAME_CHARS: Final = 100
#: Characters in a code's name, a coder's name, a coding's origin, a case attribute's name (columns of 200).
MAX_LABEL_CHARS: Final = 200
#: Characters in a code's path (``krise/flom``; the column holds 300).
MAX_CODE_PATH_CHARS: Final = 300
#: The largest count or whole number a database integer holds (reactions, case attribute values).
MAX_INTEGER: Final = 2**63 - 1

# --- counts -----------------------------------------------------------------------------------------------------------
#: Messages in one file or archive, and rows in one codings file (a project of a million codings must round-trip).
MAX_RECORDS: Final = 2_000_000
#: Codes in one codebook (a large NVivo codebook has a few hundred).
MAX_CODES: Final = 10_000
#: Rows of a case table (Norway has 357 municipalities) and its attribute columns.
MAX_CASES: Final = 100_000
MAX_ATTRIBUTES: Final = 1_000


def human_size(n: int) -> str:
    """``536870912`` -> ``"512 MiB"``, for messages (with the language's grouping and decimal sign)."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB")):
        if n >= unit:
            value = n / unit
            shown = number(value, 0) if value >= 100 else number(float(f"{value:.3g}"))
            return f"{shown} {name}"
    return ngettext("{count} byte", "{count} bytes", n).format(count=number(n))


def check_file_size(size: int, path: str, *, parsed: bool) -> None:
    """Refuse a file over the limit for archives (``parsed=False``) or for files read into memory."""
    check_size(size, MAX_PARSE_BYTES if parsed else MAX_FILE_BYTES, path)


SPLIT_EXPORT = N_("split the export into smaller files")


def check_size(size: int, limit: int, path: str, hint: str = SPLIT_EXPORT) -> None:
    """Refuse a file of ``size`` bytes over ``limit``; ``hint`` is marked with ``N_()`` and translated here."""
    if size > limit:
        raise FokusError(
            _("file too large: {size} (fokus reads at most {limit})").format(
                size=human_size(size), limit=human_size(limit)
            ),
            path=path,
            hint=_(hint),
        )


def read_limited(path: Path, limit: int, hint: str) -> bytes:
    """The bytes of a small file a user names (a codebook, a case table, a codings file), refused over ``limit``.

    At most ``limit + 1`` bytes are read, whatever the file claims: a device or a pipe has size 0, so a check of
    the size alone let ``/dev/zero`` be read until memory ran out."""
    display = str(path)
    try:
        with path.open("rb") as file:
            check_size(os.fstat(file.fileno()).st_size, limit, display, hint=hint)
            raw = file.read(limit + 1)
    except OSError as exc:
        raise FokusError(_("cannot read: {reason}").format(reason=exc.strerror or exc), path=display) from exc
    if len(raw) > limit:
        raise FokusError(
            _("file too large (fokus reads at most {limit})").format(limit=human_size(limit)),
            path=display,
            hint=_(hint),
        )
    return raw


def check_text_length(text: str, path: str | None, where: str) -> None:
    """Refuse a message text over ``MAX_TEXT_CHARS``, or one no database can store (:func:`check_storable`)."""
    if len(text) > MAX_TEXT_CHARS:
        raise FokusError(
            _("message text too long: {count} characters (at most {limit})").format(
                count=number(len(text)), limit=number(MAX_TEXT_CHARS)
            ),
            path=path,
            where=where,
        )
    check_storable(text, N_("message text"), where, path)


def check_no_nul(value: str | None, what: str, where: str | None, path: str | None = None) -> None:
    """Refuse a text holding a NUL character: SQLite would store it, but the project could then never move to
    PostgreSQL, which refuses it (and on PostgreSQL the import would fail with a driver error, not a message).
    ``what`` is marked with ``N_()`` by the caller and translated here, as in the other checks."""
    if value is not None and "\x00" in value:
        raise FokusError(
            _(
                "{what} holds a NUL character (U+0000): no text holds one, and PostgreSQL cannot store it;"
                " the file is damaged"
            ).format(what=_(what)),
            path=path,
            where=where,
        )


def check_storable(value: str | None, what: str, where: str | None, path: str | None = None) -> str | None:
    """``value`` unless it holds a NUL character (:func:`check_no_nul`) or half a character.

    JSON can escape half of a character that UTF-16 writes in two parts (``"\\ud83d"``, a lone surrogate): a tool
    that cut a text inside an emoji leaves one. No UTF-8 file or database can hold it, so it is refused where it is
    found, as a NUL is, rather than replaced: replaced, two ids that differ only there would become one.
    """
    check_no_nul(value, what, where, path)
    if value is None or value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise FokusError(
            _(
                "{what} holds half a character (a lone surrogate {escape}): no file or database can store it;"
                " the file is damaged"
            ).format(what=_(what), escape=f"\\u{ord(value[err.start]):04x}"),
            path=path,
            where=where,
            hint=_("a tool cut a text inside a character; remove the escape from the file"),
        ) from None
    return value


def check_length(value: str, limit: int, what: str, where: str | None, path: str | None = None) -> str:
    """``value`` if it has at most ``limit`` characters and can be stored (:func:`check_storable`); else a
    FokusError saying ``what`` is too long (quoting its start: the whole of it would not be one readable line), or
    holds a NUL or half a character."""
    if len(value) > limit:
        raise FokusError(
            _("{what} too long: {count} characters (at most {limit}): {start}...").format(
                what=_(what), count=number(len(value)), limit=number(limit), start=repr(value[:40])
            ),
            path=path,
            where=where,
        )
    check_storable(value, what, where, path)
    return value


def shown_number(value: int) -> str:
    """A whole number for a message: its digits, or how many it has when they would not fit on a line."""
    if value.bit_length() > 14_000:  # str() refuses numbers of more than 4,300 digits
        return _("a number of about {count} digits").format(count=number(int(value.bit_length() * 0.30103)))
    digits = str(value)
    count = len(digits.lstrip("-"))
    return digits if len(digits) <= 24 else _("a number of {count} digits").format(count=number(count))


def shown_text(value: str, limit: int = 40) -> str:
    """A value for a message, quoted, cut after ``limit`` characters (a cell may hold a million)."""
    return repr(value) if len(value) <= limit else f"{value[:limit]!r}..."


def check_count(count: int, limit: int, what: str, where: str | None, path: str | None = None) -> None:
    """Refuse the ``count``-th of ``what`` ("messages", "codes", marked with ``N_()``) when it is over ``limit``."""
    if count > limit:
        raise FokusError(
            _("more than {limit} {what} in one file").format(limit=number(limit), what=_(what)),
            path=path,
            where=where,
            hint=_("split the file"),
        )


def allow_long_csv_fields() -> None:
    """Let the csv module read fields up to ``MAX_CSV_FIELD_CHARS`` (its default is 131,072).

    The limit is process-wide; it is raised once and never lowered, which is harmless to other users, and it makes
    every CSV reader of fokus refuse the same fields with the same message, whichever ran first.
    """
    if csv.field_size_limit() < MAX_CSV_FIELD_CHARS:
        csv.field_size_limit(MAX_CSV_FIELD_CHARS)


def csv_error_reason(err: csv.Error) -> str:
    """The csv module's error in plain words."""
    message = str(err)
    if "field larger than field limit" in message:
        return _("a field longer than {count} characters").format(count=number(MAX_CSV_FIELD_CHARS - 1))
    if "unexpected end of data" in message:
        return _("malformed quoting: a quoted field is never closed")
    return _("malformed quoting ({reason})").format(reason=message)


_KEEP = b'"[]{}'
_DELETE = bytes(b for b in range(256) if b not in _KEEP)
_DELTA: Final = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_TEXT_DELTA: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``data`` nests arrays and objects deeper than ``limit``, counted before parsing.

    CPython's json module recurses once per level and raises RecursionError somewhere near a thousand levels; rather
    than rely on that (and on the stack it burns), count the bracket depth outside strings first. The scan runs in C
    string operations (about a tenth of the time json.loads takes): drop escaped backslashes and quotes, keep only
    quotes and brackets, drop brackets inside strings (those after an odd number of quotes), and add up the rest.
    On valid JSON the count is exact; on broken JSON it is exact up to the first error, where json.loads stops.
    """
    skeleton = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _DELETE)
    skeleton = skeleton.replace(b'""', b"")  # an empty string, or the end of one and the start of the next
    if b'"' in skeleton:
        skeleton = b"".join(skeleton.split(b'"')[0::2])
    return bool(skeleton) and max(accumulate(map(_DELTA.__getitem__, skeleton))) > limit


def json_depth_position(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """The character offset where JSON ``text`` first nests deeper than ``limit`` (its end if it never does)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        depth += _TEXT_DELTA.get(match.group(), 0)
        if depth > limit:
            return match.start()
    return len(text)
