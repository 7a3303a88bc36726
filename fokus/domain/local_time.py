"""Times as the researchers see them: stored in UTC, shown in Norwegian time (Europe/Oslo).

Importers refuse times outside 1970-2099 (:mod:`fokus.importers.times`), but a project may hold one that an older
fokus let in, or that someone wrote with SQL: 9999-12-31 23:59 UTC is year 10000 in Oslo, which Python cannot
represent. Every display of a time goes through :func:`local_time`, which shows such a time in UTC instead of
failing, so that status, exports and analyses keep working and show the time as it is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DISPLAY_ZONE = ZoneInfo("Europe/Oslo")


def local_time(value: datetime) -> datetime:
    """``value`` (aware) in Norwegian time; in UTC where Norwegian time is beyond the years Python represents."""
    try:
        return value.astimezone(DISPLAY_ZONE)
    except (OverflowError, ValueError):
        return value.astimezone(UTC)


def iso_local(value: datetime | None) -> str | None:
    """A time as ISO 8601 in Norwegian local time, with its offset (unambiguous, and what researchers expect)."""
    return local_time(value).isoformat() if value else None  # UTC where Norwegian time is beyond year 9999
