"""The one exception type for problems a user can fix.

Everything a researcher can get wrong (a truncated export, a CSV without a column, a codebook with a typo) is raised
as :class:`FokusError`, carrying the file, the place in it and the reason, so the CLI can print one line and exit
non-zero, and the TUI can show it in a notification.
"""

from __future__ import annotations


class FokusError(Exception):
    """A user-facing error: what went wrong, where, and how to fix it."""

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path
        self.where = where
        self.hint = hint

    def located(self, path: str | None = None, where: str | None = None) -> FokusError:
        """Fill in the file or place when a caller knows them better; returns self for `raise ... from`."""
        if self.path is None:
            self.path = path
        if self.where is None:
            self.where = where
        return self

    def __str__(self) -> str:
        place = ":".join(p for p in (self.path, self.where) if p)
        text = f"{place}: {self.reason}" if place else self.reason
        if self.hint:
            text += f" ({self.hint})"
        # One line, always: a reason quoting bad input must not break the terminal layout.
        return " ".join(text.split())
