"""Opening a project: one database, migrated, with sessions that the caller opens.

Data functions never open sessions themselves (SQLAlchemy's advice): a command opens one writing transaction with
:meth:`Project.begin`, does all its work in it, and either everything lands or nothing does. On SQLite that is
SQLite's own promise: a process killed at any moment (``kill -9`` in the middle of an import) leaves a file that
passes ``PRAGMA integrity_check`` and holds the whole transaction or none of it; running the command again
completes it (tests/test_crash_safety.py breaks it on purpose to check).

Several processes may work on one project at once: :meth:`Project.begin` takes the write lock before it hands out
the session, waiting for another writer (and retrying, fokus.store.retry) rather than failing, and
:meth:`Project.read` sessions never write and never wait for a writer; opening a project only reads, so a command
or the TUI can start while a long import holds the lock (tests/test_concurrency.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fokus.errors import FokusError
from fokus.store import migrate
from fokus.store.engine import CONCURRENT, READ_ONLY, database_url, display, lock_project, make_engine
from fokus.store.retry import ProjectBusy, is_busy, must_rerun, retry_busy

T = TypeVar("T")


class Project:
    """A fokus project: an engine and its session factory."""

    def __init__(self, url: URL, engine: Engine, *, backup: Path | None = None) -> None:
        self.url = url
        self.engine = engine
        self.backup = backup
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._step_sessions = sessionmaker(engine.execution_options(**{CONCURRENT: True}), expire_on_commit=False)
        self._read_sessions = sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)

    @property
    def display(self) -> str:
        """The project as the user named it (a path for SQLite, the URL without password otherwise)."""
        return display(self.url)

    @property
    def sqlite_path(self) -> Path | None:
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, "", ":memory:"):
            return Path(self.url.database or "")
        return None

    @contextmanager
    def begin(self, *, dry_run: bool = False, concurrent: bool = False) -> Iterator[Session]:
        """A writing transaction: commits when the block ends, rolls everything back on any error.

        The write lock is taken before the block runs (``BEGIN IMMEDIATE``): a block never starts only to find the
        project busy halfway. While another process writes, this waits (the busy timeout, then a few retries, see
        fokus.store.retry); if the other writer holds on for longer, :class:`ProjectBusy` is raised before any of
        the block has run.

        With ``dry_run`` the work is done and checked in full, then rolled back, so a dry run fails exactly where
        the real run would.

        ``concurrent`` marks a coder's small step (a coding, a decision, an undo, a memo): on PostgreSQL such steps
        by several coders run at the same time, guarding the rows they change themselves; everything else takes the
        project exclusively (fokus.store.engine.lock_project). On SQLite every writer has the whole file.
        """
        with self._writer(concurrent) as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            if dry_run:
                session.rollback()
            else:
                session.commit()

    def _writer(self, concurrent: bool) -> Session:
        """A session inside a transaction that already holds the write lock."""

        def start() -> Session:
            session = (self._step_sessions if concurrent else self._sessions)()
            try:
                session.begin()
                lock_project(session.connection())  # SQLite: BEGIN IMMEDIATE runs now; PostgreSQL: the advisory lock
            except BaseException:
                session.close()
                raise
            return session

        try:
            return retry_busy(start)
        except DBAPIError as exc:
            if not is_busy(exc):
                raise
            raise ProjectBusy.of(self.display) from exc

    def step(self, work: Callable[[Session], T], *, attempts: int = 3) -> T:
        """Run a coder's step (``work`` on a session) in its own concurrent transaction, and run it again from the
        start when PostgreSQL rolled it back to break a deadlock with another coder's step; ``work`` must do
        nothing outside the session (the TUI's steps are such)."""
        for attempt in range(1, attempts + 1):
            try:
                with self.begin(concurrent=True) as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == attempts or not must_rerun(exc):
                    raise
        raise AssertionError("unreachable")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A reading session: it sees one snapshot, takes no lock and never waits for a writer (for listings,
        exports and the TUI).

        It cannot write (SQLite's ``query_only``, see fokus.store.engine): a write here would never be committed,
        and it would have to turn the snapshot into a writer, which SQLite refuses without waiting ("database is
        locked") whenever another process has written since. So it fails at once, every time, as the bug it is.
        """
        with self._read_sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_project(target: str | Path, *, create: bool = False) -> Project:
    """Open (and if needed migrate) the project at ``target``; with ``create``, make a new one.

    Raises :class:`FokusError` when there is no project and ``create`` is false, when ``create`` is true and a
    project exists already, and when the file is not a fokus project.
    """
    url = database_url(target)
    sqlite = url.get_backend_name() == "sqlite"
    shown = str(target) if sqlite else display(url)
    path = Path(url.database) if sqlite and url.database else None
    if path is not None:
        if path.exists() and path.is_dir():
            raise FokusError("is a folder, not a project file", path=shown)
        if not create and not path.exists():
            raise FokusError("no project here", path=shown, hint="create one with `fokus init`, or pass --db")
        if create and path.exists() and path.stat().st_size > 0:
            raise FokusError("a project exists here already", path=shown, hint="choose another --db")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    # looking at the schema only reads: it must not wait for (or fail behind) a long import in another process
    reader = engine.execution_options(**{READ_ONLY: True})
    try:
        empty = migrate.is_empty(reader)
        if not create and empty:
            raise FokusError("no project here (the database is empty)", path=shown, hint="run `fokus init`")
        if create and not empty:
            if "alembic_version" in inspect(reader).get_table_names():
                raise FokusError("a project exists here already", path=shown, hint="choose another --db")
            raise FokusError("the database is not empty", path=shown, hint="choose another --db")
        if not empty:
            _check_is_fokus(reader, shown)
        backup = migrate.upgrade(engine, db_path=path, display=shown)
    except DatabaseError as exc:
        engine.dispose()
        if is_busy(exc):
            raise ProjectBusy.of(shown) from exc
        if not sqlite and isinstance(exc, OperationalError):
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
            raise FokusError(f"cannot reach the database: {reason}", path=shown) from exc
        raise FokusError("not a fokus project (not a readable database)", path=shown) from exc
    except BaseException:
        engine.dispose()
        raise
    return Project(url, engine, backup=backup)


def _check_is_fokus(engine: Engine, shown: str) -> None:
    if "alembic_version" not in inspect(engine).get_table_names():
        raise FokusError("not a fokus project (a database made by something else)", path=shown)
