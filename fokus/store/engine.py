"""The SQLAlchemy engine for a project, with the SQLite promises set on every connection.

Foreign keys on (SQLite leaves them off), WAL so a reader (the TUI) never blocks a writer (a CLI command), and a busy
timeout so two processes wait for each other instead of failing with "database is locked". Writers take the write
lock when they begin (``BEGIN IMMEDIATE``), so the waiting happens up front, inside the busy timeout; readers begin a
plain snapshot (``BEGIN``) with ``PRAGMA query_only`` on, so a read session that tried to write would fail at once
and visibly instead of sometimes (a read transaction cannot become a writer once another process has committed:
SQLite answers busy without waiting). fokus.store.retry covers what the busy timeout does not. These pragmas are the
only SQLite-specific SQL in fokus.

On PostgreSQL the same promises come from the server: readers run ``REPEATABLE READ READ ONLY`` (one snapshot, and a
write fails at once), writers run ``READ COMMITTED`` and take the project's advisory lock first (see
:func:`lock_project`), with a lock timeout as long as SQLite's busy timeout. These statements are the only
PostgreSQL-specific SQL in fokus.
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


def display(url: URL) -> str:
    """A database as the user may see it: the file for SQLite, otherwise the URL with its password hidden (fokus
    never prints a password)."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def read_only_url(path: Path, *, immutable: bool = False) -> URL:
    """A SQLite file opened so that nothing can write it (``mode=ro``), for looking at a file before fokus trusts
    it, and for a project fokus may not write. ``immutable`` is for a file on read-only storage without ``-wal`` and
    ``-shm`` files beside it, which SQLite could not read otherwise (it promises SQLite that nobody writes the file)."""
    from urllib.parse import quote

    options = "mode=ro&immutable=1" if immutable else "mode=ro"
    database = f"file:{quote(str(path.absolute()))}?{options}"
    return URL.create("sqlite+pysqlite", database=database, query={"uri": "true"})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, wal: bool = True) -> None:
    # pysqlite opens its own transactions late; leave transaction control to SQLAlchemy's begin events.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if wal:  # the one pragma that writes the file: never on a file opened read-only
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: bulk imports touch seven indexes at once
    cursor.close()


def _sqlite_read_only_pragmas(dbapi_connection: Any, record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, record, wal=False)


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


#: The key of the project's advisory lock on PostgreSQL (one project per database, so one key serves).
PROJECT_LOCK_KEY = 0x666F6B7573  # "fokus"
#: Execution option: this writing transaction is a coder's small step (see :func:`lock_project`).
CONCURRENT = "fokus_concurrent"


def _postgresql_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def lock_project(conn: Any) -> None:
    """Take the project's write lock on PostgreSQL, at the start of a writing transaction (a no-op on SQLite, whose
    ``BEGIN IMMEDIATE`` took the whole file already).

    Bulk and structural commands (an import, ``fokus tag``, codebook surgery) take it exclusively, so they never
    interleave with anyone, exactly as on SQLite. A coder's small step (a coding, a decision, an undo, a memo) takes
    it shared: several coders write at once, never beside a bulk command, and guard the rows they change with row
    locks and checks of their own (fokus.api.coding_actions). The wait is bounded by ``lock_timeout``; running out of
    it is a busy error, which fokus.store.retry retries and finally reports as ProjectBusy.
    """
    if conn.dialect.name != "postgresql":
        return
    shared = bool(conn.get_execution_options().get(CONCURRENT))
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    conn.exec_driver_sql(f"SELECT {function}({PROJECT_LOCK_KEY})")


def make_engine(url: URL, *, read_only: bool = False) -> Engine:
    """Create the engine; for SQLite, install the pragmas and explicit transaction handling (``read_only``: for a
    URL from :func:`read_only_url`, without the pragma that writes)."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_read_only_pragmas if read_only else _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.get_backend_name() != "postgresql":
        from fokus.errors import FokusError
        from fokus.i18n import _

        raise FokusError(
            _("fokus runs on SQLite and PostgreSQL, not {backend}").format(backend=url.get_backend_name()),
            path=display(url),
            hint=_("use a SQLite file or postgresql+psycopg://user@host/dbname"),
        )
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except ImportError as exc:
        from fokus.errors import FokusError
        from fokus.i18n import _

        raise FokusError(
            _("a project on PostgreSQL needs its driver ({driver})").format(driver=exc.name or exc),
            path=display(url),
            hint=_("pip install 'fokus[postgresql]', and use postgresql+psycopg://user@host/dbname"),
        ) from exc
    event.listen(engine, "begin", _postgresql_begin)
    return engine
