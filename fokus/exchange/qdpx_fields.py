"""The key=value lines that fokus writes into a REFI-QDA description ("fokus:thread", "fokus:message",
"fokus:coding", "fokus:memo"), read back for :mod:`fokus.exchange.project_import`, each as the column that stores it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from fokus.errors import FokusError
from fokus.exchange.qdpx_read import Source
from fokus.i18n import _, formats
from fokus.importers.limits import MAX_INTEGER, check_length

_Choice = TypeVar("_Choice", bound=StrEnum)


def fokus_fields(description: str | None, kind: str) -> dict[str, str] | None:
    """The key=value lines of a "fokus:<kind>" description, or None when it is not one."""
    if not description or not description.startswith(f"fokus:{kind}"):
        return None
    values = {}
    for line in description.splitlines()[1:]:
        key, _, value = line.partition("=")
        values[key.strip()] = value
    return values


class Fields:
    """The key=value lines of one "fokus:..." description, each read as the column that stores it: a kind fokus
    does not know, a count that is no whole number or is beyond 64 bits, an id longer than its column is refused
    naming the file and the selection, rather than failing in the database (PostgreSQL holds columns to their
    declared length, where SQLite stored anything)."""

    def __init__(self, values: dict[str, str], where: str, display: str) -> None:
        self.values, self.where, self.display = values, where, display

    def _refuse(self, key: str, reason: str) -> FokusError:
        return FokusError(
            _("{key}={value!r}: {reason}").format(key=key, value=self.values[key][:40], reason=reason),
            path=self.display,
            where=self.where,
        )

    def text(self, key: str, limit: int, what: str) -> str | None:
        value = self.values.get(key)
        return check_length(value, limit, what, self.where, self.display) if value else None

    def choice(self, key: str, kind: type[_Choice], default: _Choice) -> _Choice:
        value = self.values.get(key)
        if not value:
            return default
        try:
            return kind(value.strip())
        except ValueError:
            raise self._refuse(key, _("not one of {values}").format(values=", ".join(str(c) for c in kind))) from None

    def whole(self, key: str) -> int | None:
        value = self.values.get(key, "").strip()
        if not value:
            return None
        digits = value.removeprefix("-")
        if not digits.isascii() or not digits.isdigit():
            raise self._refuse(key, _("not a whole number"))
        if len(digits.lstrip("0")) > len(str(MAX_INTEGER)) or not -MAX_INTEGER - 1 <= int(value) <= MAX_INTEGER:
            raise self._refuse(
                key, _("larger than a whole number can be ({limit})").format(limit=formats.number(MAX_INTEGER))
            )
        return int(value)

    def share(self, key: str) -> float | None:
        value = self.values.get(key, "").strip()
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not 0 <= number <= 1:
            raise self._refuse(key, _("not a number from 0 to 1"))
        return number

    def time(self, key: str) -> datetime | None:
        value = self.values.get(key, "").strip()
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("no time zone")
            return parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self._refuse(key, _("not a date and time with its time zone (ISO 8601)")) from None


def thread_id(source: Source) -> str:
    values = fokus_fields(source.description, "thread")
    return values["id"] if values and values.get("id") else f"qdpx:{source.guid}"
