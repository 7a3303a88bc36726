"""Size limits on untrusted input, each refused with a clear message.

Exports come from other people's machines (data donations, archives passed around a research team), so every reader
assumes a file may be corrupt or hostile: a zip bomb, a member named ``../../.bashrc``, JSON nested ten thousand
levels deep. The limits are far above anything a real focus group produces (the whole demo corpus is a few hundred
kilobytes; a busy group's Graph archive of 100,000 messages is about 60 MB) and far below what would exhaust memory.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Final

from fokus.errors import FokusError

GiB: Final = 1024**3
MiB: Final = 1024**2

#: Any file or zip archive given to fokus.
MAX_FILE_BYTES: Final = 2 * GiB
#: Any file or zip member read into memory and parsed (JSON, CSV, transcript).
MAX_PARSE_BYTES: Final = 512 * MiB
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
#: Nesting of JSON arrays and objects (a Graph export nests about 8 levels: feed, post, comments, replies).
MAX_JSON_DEPTH: Final = 64
#: Characters in one message's text (Facebook itself caps posts at 63,206 characters).
MAX_TEXT_CHARS: Final = 1_000_000
#: Characters in one CSV field (the text field plus room for quoting).
MAX_CSV_FIELD_CHARS: Final = MAX_TEXT_CHARS + 1


def human_size(n: int) -> str:
    """``536870912`` -> ``"512 MiB"``, for messages."""
    for unit, name in ((GiB, "GiB"), (MiB, "MiB")):
        if n >= unit:
            value = n / unit
            return f"{value:,.0f} {name}" if value >= 100 else f"{value:.3g} {name}"
    return f"{n:,} bytes"


def check_file_size(size: int, path: str, *, parsed: bool) -> None:
    """Refuse a file over the limit for archives (``parsed=False``) or for files read into memory."""
    limit = MAX_PARSE_BYTES if parsed else MAX_FILE_BYTES
    if size > limit:
        raise FokusError(
            f"file too large: {human_size(size)} (fokus reads at most {human_size(limit)})",
            path=path,
            hint="split the export into smaller files",
        )


def check_text_length(text: str, path: str | None, where: str) -> None:
    """Refuse a message text over ``MAX_TEXT_CHARS``."""
    if len(text) > MAX_TEXT_CHARS:
        raise FokusError(
            f"message text too long: {len(text):,} characters (at most {MAX_TEXT_CHARS:,})",
            path=path,
            where=where,
        )


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
