"""Timestamps as exports write them, to timezone-aware UTC.

Accepted text forms (all importers):

- ISO 8601 with a date and a time, ``T`` or a space between them, seconds and fractions optional, with or without an
  offset: ``2015-09-01T10:00:00+0000`` (Graph API), ``2013-02-19 10:15``, ``2013-02-19T10:15:00Z``;
- the same followed by a zone abbreviation CET, CEST, UTC or GMT: ``2019-05-03 12:10:05 CEST`` (CrowdTangle);
- ``19.02.2013 10:15[:SS]``, the form Excel in Norway writes when a CSV is saved again;
- unix seconds: ``1361265300``.

A time without an offset is local time in the zone the caller gives (Europe/Oslo by default). A date without a time
is refused rather than read as midnight: it usually means a spreadsheet dropped the time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from fokus.errors import FokusError

_ABBREVIATIONS = {
    "CET": timezone(timedelta(hours=1)),
    "CEST": timezone(timedelta(hours=2)),
    "UTC": UTC,
    "GMT": UTC,
}
_MAX_UNIX = 253_402_300_799  # 9999-12-31T23:59:59Z


def zone_named(name: str) -> tzinfo:
    """The IANA zone ``name`` ("Europe/Oslo", "UTC"), or a FokusError."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        raise FokusError(f"unknown time zone {name!r}", hint="use an IANA name such as Europe/Oslo or UTC") from None


def from_unix(seconds: int) -> datetime:
    """Unix seconds to UTC; out-of-range values are a FokusError (without place: callers add it)."""
    if not 0 <= seconds <= _MAX_UNIX:
        raise FokusError(f"unix time {seconds} is out of range")
    return datetime.fromtimestamp(seconds, UTC)


def parse_time(value: str, zone: tzinfo) -> datetime:
    """Parse one of the forms in the module docstring to aware UTC; a FokusError (without place) otherwise."""
    if len(value) >= 19 and value[10] == "T" and value[4] == "-" and value[13] == ":":  # fast path: Graph API times
        try:
            fast = datetime.fromisoformat(value)
            if fast.tzinfo is not None:
                return fast if fast.tzinfo is UTC else fast.astimezone(UTC)
        except (ValueError, OverflowError):
            pass  # the full path below explains what is wrong
    s = value.strip()
    if s.isdigit() and s.isascii():
        return from_unix(int(s))
    local: tzinfo | None = None
    head, _, last = s.rpartition(" ")
    if head and last.upper() in _ABBREVIATIONS:
        s, local = head.rstrip(), _ABBREVIATIONS[last.upper()]
    if len(s) >= 16 and s[2] == "." and s[5] == ".":  # 19.02.2013 10:15
        s = f"{s[6:10]}-{s[3:5]}-{s[0:2]}{s[10:]}"
    # fromisoformat also takes a bare date or the compact "20130219T1015"; insist on the readable shape.
    if not (len(s) >= 16 and s[4] == "-" and s[7] == "-" and s[10] in "T " and s[13] == ":" and s.isascii()):
        raise FokusError(f"not a date and time: {value!r}", hint="write e.g. 2013-02-19 10:15 or 2013-02-19T10:15:00Z")
    try:
        parsed = datetime.fromisoformat(s)
    except ValueError:
        raise FokusError(f"not a valid date and time: {value!r}") from None
    if local is not None:
        if parsed.tzinfo is not None:
            raise FokusError(f"two time zones in {value!r}")
        parsed = parsed.replace(tzinfo=local)
    elif parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 with a positive offset
        raise FokusError(f"date and time out of range: {value!r}") from None
