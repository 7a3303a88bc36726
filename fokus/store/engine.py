"""The SQLAlchemy engine for a project, with the SQLite promises set on every connection.

Foreign keys on (SQLite leaves them off), WAL so a reader (the TUI) never blocks a writer (a CLI command), and a busy
timeout so two processes wait for each other instead of failing with "database is locked". Writers take the write
lock when they begin (``BEGIN IMMEDIATE``), so the waiting happens up front, inside the busy timeout; readers begin a
plain snapshot (``BEGIN``) with ``PRAGMA query_only`` on, so a read session that tried to write would fail at once
and visibly instead of sometimes (a read transaction cannot become a writer once another process has committed:
SQLite answers busy without waiting). fokus.store.retry covers what the busy timeout does not. These pragmas are the
only SQLite-specific SQL in fokus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

BUSY_TIMEOUT_MS = 30_000


def database_url(target: str | Path) -> URL:
    """A URL for ``--db``: a SQLAlchemy URL as given, anything else a path to a SQLite file."""
    text = str(target)
    if "://" in text:
        return make_url(text)
    return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser()))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens its own transactions late; leave transaction control to SQLAlchemy's begin events.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk imports touch seven indexes at once
    cursor.close()


READ_ONLY = "fokus_read_only"
_QUERY_ONLY = "fokus_query_only"  # the pragma's state on this DBAPI connection, so it is set only when it changes


def _sqlite_begin(conn: Any) -> None:
    # A writing transaction takes the write lock at the start (BEGIN IMMEDIATE), so a command waits its turn
    # (busy_timeout) up front instead of failing halfway when another process writes; readers never lock in WAL,
    # and query_only makes SQLite refuse any write in a reading transaction.
    read_only = bool(conn.get_execution_options().get(READ_ONLY))
    if conn.info.get(_QUERY_ONLY, False) != read_only:
        conn.exec_driver_sql(f"PRAGMA query_only={'ON' if read_only else 'OFF'}")
        conn.info[_QUERY_ONLY] = read_only
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: URL) -> Engine:
    """Create the engine; for SQLite, install the pragmas and explicit transaction handling."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)
