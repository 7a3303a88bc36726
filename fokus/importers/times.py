"""Timestamps as exports write them, to timezone-aware UTC.

Accepted text forms (all importers):

- ISO 8601 with a date and a time, ``T`` or a space between them, seconds and fractions optional, with or without an
  offset: ``2015-09-01T10:00:00+0000`` (Graph API), ``2013-02-19 10:15``, ``2013-02-19T10:15:00Z``;
- the same followed by a zone abbreviation CET, CEST, UTC or GMT: ``2019-05-03 12:10:05 CEST`` (CrowdTangle);
- ``19.02.2013 10:15[:SS]``, the form Excel in Norway writes when a CSV is saved again;
- unix seconds: ``1361265300``.

A time without an offset is local time in the zone the caller gives (Europe/Oslo by default). A date without a time
is refused rather than read as midnight: it usually means a spreadsheet dropped the time.

Times before 1970 or from 2100 on (UTC) are refused (``EARLIEST``, ``LATEST``). A tool that wrote year 9999 for "no
date" left a time that Norwegian time cannot show (it would be year 10000), and every command that shows or groups
times failed on it. The range is fixed rather than "until today", so that a file is accepted or refused whatever the
machine's clock says; it starts at 1970, not at Facebook's 2004, since a transcript may hold a conversation from a
mailing list or Usenet, and unix time starts there; nothing written by people lies before it. Codings' creation times
(:mod:`fokus.files.codings`) keep the same range.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from fokus.errors import FokusError
from fokus.i18n import N_, _
from fokus.i18n.formats import number
from fokus.importers.limits import shown_number, shown_text

_ABBREVIATIONS = {
    "CET": timezone(timedelta(hours=1)),
    "CEST": timezone(timedelta(hours=2)),
    "UTC": UTC,
    "GMT": UTC,
}
#: The first instant fokus reads, and the first it no longer reads (UTC).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_LATEST_UNIX = int(LATEST.timestamp())
RANGE = N_("fokus reads times from 1970 through 2099")


def zone_named(name: str) -> tzinfo:
    """The IANA zone ``name`` ("Europe/Oslo", "UTC"), or a FokusError."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError; "../x" a ValueError
        raise FokusError(
            _("unknown time zone {name!r}").format(name=name), hint=_("use an IANA name such as Europe/Oslo or UTC")
        ) from None


def from_unix(seconds: int) -> datetime:
    """Unix seconds to UTC; out-of-range values are a FokusError (without place: callers add it)."""
    if not 0 <= seconds < _LATEST_UNIX:
        raise FokusError(
            _("unix time out of range: {value} ({range})").format(value=shown_number(seconds), range=_(RANGE))
        )
    return datetime.fromtimestamp(seconds, UTC)


def in_range(when: datetime, value: str) -> datetime:
    """``when`` (aware) if it lies from ``EARLIEST`` up to ``LATEST``; else a FokusError quoting ``value``, the text
    it was read from (without place: callers add it)."""
    if not EARLIEST <= when < LATEST:
        raise FokusError(
            _("date and time out of range: {value} ({range})").format(value=shown_text(value), range=_(RANGE))
        )
    return when


def parse_time(value: str, zone: tzinfo) -> datetime:
    """Parse one of the forms in the module docstring to aware UTC; a FokusError (without place) otherwise."""
    if len(value) >= 19 and value[10] == "T" and value[4] == "-" and value[13] == ":":  # fast path: Graph API times
        try:
            fast = datetime.fromisoformat(value)
            if fast.tzinfo is not None:
                return in_range(fast if fast.tzinfo is UTC else fast.astimezone(UTC), value)
        except (ValueError, OverflowError):
            pass  # the full path below explains what is wrong
    s = value.strip()
    if s.isdigit() and s.isascii():
        if len(s) > 24:  # int() refuses more than 4,300 digits; a number of this many is no time anyway
            raise FokusError(
                _("unix time out of range: a number of {digits} digits ({range})").format(
                    digits=number(len(s)), range=_(RANGE)
                )
            )
        return from_unix(int(s))
    local: tzinfo | None = None
    head, _space, last = s.rpartition(" ")
    if head and last.upper() in _ABBREVIATIONS:
        s, local = head.rstrip(), _ABBREVIATIONS[last.upper()]
    if len(s) >= 16 and s[2] == "." and s[5] == ".":  # 19.02.2013 10:15
        s = f"{s[6:10]}-{s[3:5]}-{s[0:2]}{s[10:]}"
    # fromisoformat also takes a bare date or the compact "20130219T1015"; insist on the readable shape.
    if not (len(s) >= 16 and s[4] == "-" and s[7] == "-" and s[10] in "T " and s[13] == ":" and s.isascii()):
        raise FokusError(
            _("not a date and time: {value}").format(value=shown_text(value)),
            hint=_("write e.g. 2013-02-19 10:15 or 2013-02-19T10:15:00Z"),
        )
    try:
        parsed = datetime.fromisoformat(s)
    except ValueError:
        raise FokusError(_("not a valid date and time: {value}").format(value=shown_text(value))) from None
    if local is not None:
        if parsed.tzinfo is not None:
            raise FokusError(_("two time zones in {value}").format(value=shown_text(value)))
        parsed = parsed.replace(tzinfo=local)
    elif parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return in_range(parsed.astimezone(UTC), value)
    except (OverflowError, ValueError):  # year 1 with a positive offset
        raise FokusError(
            _("date and time out of range: {value} ({range})").format(value=shown_text(value), range=_(RANGE))
        ) from None
