"""Waiting for the write lock: a bounded retry, with backoff, of *starting* a writing transaction.

The promise, for two processes on one project (the TUI and a CLI command, or two coders on a shared disk): no change
is lost and nobody sees "database is locked". Three layers keep it:

1. WAL (fokus.store.engine): readers never wait for a writer and a writer never waits for readers.
2. Writers take the write lock first (``BEGIN IMMEDIATE``), and every connection has a busy timeout, so a writer
   waits inside SQLite for the other writer to commit. Because the lock comes first, a transaction that has begun
   never meets a busy error later (which SQLite would return at once, without waiting, had a read transaction tried
   to become a writer: hence read sessions never write, see ``Project.read``).
3. This module: a busy error while the transaction *starts* (SQLite waited the whole busy timeout for a long writer,
   or answered busy at once, as it can during WAL recovery or on a network file system) is retried with
   exponential backoff and jitter, a few times, until a deadline. At that point no work has been done, so a retry
   is always safe. A busy error inside the work is never retried here: that block has run and cannot be replayed.

When the retries are spent the caller gets :class:`ProjectBusy`, a user error that says what to wait for, never a
raw OperationalError.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from fokus.errors import FokusError

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Attempts at starting a transaction, the first included.
ATTEMPTS = 4
#: No new attempt starts later than this many seconds after the first one (each may wait the busy timeout itself).
DEADLINE_S = 60.0
FIRST_DELAY_S = 0.05
MAX_DELAY_S = 2.0

_BUSY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


class ProjectBusy(FokusError):
    """Another program held the project's write lock for longer than fokus waits."""

    @classmethod
    def of(cls, display: str) -> ProjectBusy:
        return cls(
            "the project is busy: another program kept it locked for writing for longer than fokus waits",
            path=display,
            hint="let the other fokus command (an import, `fokus tag`) finish, then try again",
        )


#: PostgreSQL's SQLSTATEs for "waited too long for a lock": lock_not_available (lock_timeout ran out).
_PG_BUSY_STATES = {"55P03"}


#: PostgreSQL's SQLSTATEs for a transaction the server rolled back so that another could go on: a deadlock between
#: two coders' steps that lock the same codings in different orders, or a serialization failure. Such a step did
#: nothing and can run again from the start.
_PG_RERUN_STATES = {"40P01", "40001"}


def must_rerun(exc: BaseException) -> bool:
    """Whether ``exc`` is the server rolling a transaction back to break a deadlock (run the step again)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None) in _PG_RERUN_STATES


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says another connection holds the lock: SQLite's "database is locked" (SQLITE_BUSY), or
    PostgreSQL's lock timeout running out (see fokus.store.engine.lock_project)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if getattr(orig, "sqlstate", None) in _PG_BUSY_STATES:
        return True
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _BUSY_CODES  # extended codes (SQLITE_BUSY_SNAPSHOT, ...) share the low byte
    text = str(orig).lower()
    return "locked" in text or "busy" in text


def retry_busy(
    start: Callable[[], T],
    *,
    attempts: int | None = None,
    deadline: float | None = None,
    first_delay: float | None = None,
    max_delay: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call ``start`` (which must do no work beyond taking the lock) until it does not fail busy.

    Waits between attempts double from ``first_delay`` up to ``max_delay``, each with up to 50 % random jitter so
    that two waiting processes do not retry in lockstep. After ``attempts`` tries, or once ``deadline`` seconds
    have passed, the last busy error is raised; any other error is raised at once. Left out, the limits are the
    module's constants (read at each call).
    """
    attempts = ATTEMPTS if attempts is None else attempts
    deadline = DEADLINE_S if deadline is None else deadline
    delay = FIRST_DELAY_S if first_delay is None else first_delay
    max_delay = MAX_DELAY_S if max_delay is None else max_delay
    began = clock()
    for attempt in range(1, attempts + 1):
        try:
            return start()
        except (DBAPIError, sqlite3.OperationalError) as exc:
            if not is_busy(exc) or attempt == attempts or clock() - began >= deadline:
                raise
            wait = min(delay, max_delay) * (1 + random.random() / 2)
            log.info("project busy (attempt %d of %d): retrying in %.2f s", attempt, attempts, wait)
            sleep(wait)
            delay *= 2
    raise AssertionError("unreachable")  # the loop returns or raises
