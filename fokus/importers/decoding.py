"""Bytes to text and text to JSON, with errors that say where.

Every export fokus reads is UTF-8 (JSON by definition, Facebook's files, CSV saved as "CSV UTF-8" by Excel). fokus
does not guess other encodings: a wrong guess turns every "ø" into two wrong letters in the analysis without anyone
noticing, while an error naming the byte is fixed in a minute by saving the file again as UTF-8.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.importers.limits import MAX_JSON_DEPTH, check_file_size, json_depth_position, json_too_deep

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LONG_NUMBER = re.compile(r"\d{1000,}")


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 (a byte-order mark is dropped); anything else is a FokusError naming the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
        skipped = 3
    else:
        skipped = 0
    if data.startswith(_UTF16_BOMS):
        raise FokusError(
            _("the file is UTF-16 text, not UTF-8"),
            path=path,
            where="byte 0",
            hint=_('save it as "CSV UTF-8" or plain UTF-8 text'),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.start + 1].hex()
        raise FokusError(
            _("not UTF-8 text (byte 0x{byte} cannot start or continue a character)").format(byte=bad),
            path=path,
            where=f"line {line} (byte {err.start + skipped})",
            hint=_("save the file as UTF-8; fokus does not guess other encodings"),
        ) from None


def place(text: str, pos: int, skipped: int = 0) -> str:
    """``"line 3, column 17 (byte 120)"`` for character offset ``pos`` in ``text``."""
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    byte = len(text[:pos].encode("utf-8", "surrogatepass")) + skipped
    return f"line {line}, column {column} (byte {byte})"


def load_json(data: bytes, path: str) -> Any:
    """Parse JSON bytes after the size, encoding and nesting checks; every failure is a located FokusError."""
    check_file_size(len(data), path, parsed=True)
    text = decode_text(data, path)
    skipped = 3 if data.startswith(codecs.BOM_UTF8) else 0
    if not text.strip():
        raise FokusError(_("empty file: no JSON in it"), path=path, where="byte 0")
    if json_too_deep(data):
        raise FokusError(
            _("JSON nested deeper than {limit} levels; no export nests like that").format(limit=MAX_JSON_DEPTH),
            path=path,
            where=place(text, json_depth_position(text), skipped),
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        if err.pos >= len(text.rstrip()) or err.msg.startswith("Unterminated string"):
            reason = _("the JSON ends too early (the file is truncated)")
        elif err.msg == "Extra data":
            reason = _("not valid JSON (more data after the end: two files pasted together?)")
        else:
            reason = _("not valid JSON ({reason})").format(reason=err.msg)
        raise FokusError(reason, path=path, where=place(text, err.pos, skipped)) from None
    except (ValueError, RecursionError):  # an integer with more digits than Python converts (4300)
        long_number = _LONG_NUMBER.search(text)
        where = place(text, long_number.start(), skipped) if long_number else None
        raise FokusError(_("not valid JSON (a number with thousands of digits)"), path=path, where=where) from None


def kind_of(value: object) -> str:
    """The JSON name of a value's type, for messages ("found a string")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return _("a string")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__
