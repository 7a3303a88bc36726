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

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fokus.errors import FokusError
from fokus.i18n import _, ngettext
from fokus.store import failures, migrate
from fokus.store.engine import (
    CONCURRENT,
    READ_ONLY,
    database_url,
    display,
    lock_project,
    make_engine,
    read_only_url,
)
from fokus.store.failures import read_only_reason, storage_failure
from fokus.store.retry import ProjectBusy, is_busy, must_rerun, retry_busy

T = TypeVar("T")


class Project:
    """A fokus project: an engine and its session factory."""

    def __init__(self, url: URL, engine: Engine, *, backup: Path | None = None, read_only: str | None = None) -> None:
        self.url = url
        self.engine = engine
        self.backup = backup
        #: Why fokus may not write this project (it was opened read-only), or None.
        self.read_only = read_only
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
        if self.read_only is not None:
            raise failures.read_only(self.display, self.read_only)
        with self._writer(concurrent) as session:
            try:
                yield session
                if dry_run:
                    session.rollback()
                else:
                    session.commit()
            except DBAPIError as exc:
                session.rollback()
                failure = storage_failure(exc, self.display)
                if failure is None:
                    raise
                raise failure from exc
            except BaseException:
                session.rollback()
                raise

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
            if is_busy(exc):
                raise ProjectBusy.of(self.display) from exc
            failure = storage_failure(exc, self.display)
            if failure is None:
                raise
            raise failure from exc

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
            try:
                yield session
            except DBAPIError as exc:
                failure = storage_failure(exc, self.display, writing=False)
                if failure is None:
                    raise
                raise failure from exc

    def close(self) -> None:
        self.engine.dispose()


def open_project(target: str | Path, *, create: bool = False) -> Project:
    """Open (and if needed migrate) the project at ``target``; with ``create``, make a new one.

    Raises :class:`FokusError` when there is no project and ``create`` is false, when ``create`` is true and a
    project exists already, and when the database is not a fokus project. What the database is, is found out before
    anything can write to it: a SQLite file is first read through a connection that cannot write (no WAL pragma, no
    migration), so a database fokus refuses is left exactly as it was. A SQLite project that fokus may not write
    (a read-only file, folder or file system) is opened read-only: reading works, and writing says why it cannot.
    """
    if create:
        return create_project(target, lambda _session: None)[0]
    url = database_url(target)
    shown, path = _where(target, url)
    read_only = None
    if path is not None:
        if not path.exists():
            raise FokusError(_("no project here"), path=shown, hint=_("create one with `fokus init`, or pass --db"))
        read_only = read_only_reason(path)
        engine = make_engine(read_only_url(path, immutable=_immutable(path, read_only)), read_only=True)
    else:
        engine = make_engine(url)
    try:
        revision = identify(engine, shown)
        if read_only is not None and revision != migrate.HEAD:
            raise FokusError(
                _(
                    "the project needs migrating to this version of fokus (schema {revision} to {head}),"
                    " but it is read-only: {why}"
                ).format(revision=revision, head=migrate.HEAD, why=read_only),
                path=shown,
                hint=_("copy it to a folder you can write to, and open the copy"),
            )
        if path is not None and read_only is None:
            engine.dispose()  # it has seen the file is a fokus project: now the engine that writes (WAL)
            engine = make_engine(url)
        backup = migrate.upgrade(engine, db_path=path, display=shown)
    except DatabaseError as exc:
        engine.dispose()
        raise _refusal(exc, shown) from exc
    except BaseException:
        engine.dispose()
        raise
    return Project(url, engine, backup=backup, read_only=read_only)


def create_project(target: str | Path, populate: Callable[[Session], T]) -> tuple[Project, T]:
    """Make a new project at ``target`` and fill it with ``populate`` (a codebook, say), in one transaction: the
    schema and what ``populate`` writes land together or not at all (PostgreSQL and SQLite both roll DDL back), and
    a SQLite file this made is removed again, so a failed ``fokus init`` leaves no project behind."""
    url = database_url(target)
    shown, path = _where(target, url)
    made: list[Path] = []
    if path is not None:
        if path.exists() and path.stat().st_size > 0:
            raise FokusError(_("a project exists here already"), path=shown, hint=_("choose another --db"))
        made = [p for p in (path, *path.parents) if not p.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    populating = False
    try:
        with engine.connect() as connection:
            lock_project(connection)  # SQLite: BEGIN IMMEDIATE has run; PostgreSQL: the project's advisory lock
            tables = inspect(connection).get_table_names()
            if "alembic_version" in tables:
                raise FokusError(_("a project exists here already"), path=shown, hint=_("choose another --db"))
            if tables:
                raise FokusError(_("the database is not empty"), path=shown, hint=_("choose another --db"))
            migrate.run_migrations(connection)
            populating = True
            with Session(bind=connection, expire_on_commit=False) as session:
                result = populate(session)
                session.flush()
            connection.commit()
    except BaseException as exc:
        engine.dispose()
        if path is not None:
            _unmake(path, made)
        failure = storage_failure(exc, shown)
        if failure is not None:
            raise failure from exc
        if isinstance(exc, DatabaseError) and not populating:
            raise _refusal(exc, shown) from exc
        raise  # what ``populate`` met: the caller's to judge
    return Project(url, engine), result


def _where(target: str | Path, url: URL) -> tuple[str, Path | None]:
    """The project as the user named it, and its SQLite file (None on a server)."""
    if url.get_backend_name() != "sqlite":
        return display(url), None
    path = Path(url.database) if url.database else None
    if path is not None and path.is_dir():
        raise FokusError(_("is a folder, not a project file"), path=str(target))
    return str(target), path


def _immutable(path: Path, read_only: str | None) -> bool:
    """Whether SQLite must be told the file never changes to read it: a project in WAL mode needs its ``-shm``
    file, which it cannot create where nothing may be written (https://sqlite.org/wal.html#readonly)."""
    if read_only is None or os.access(path.parent, os.W_OK | os.X_OK):  # False on a read-only mount too
        return False
    return not any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm"))


def _unmake(path: Path, made: list[Path]) -> None:
    """Remove what a failed creation made: the file (or an empty file's contents) and the folders it created."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if path in made:
        path.unlink(missing_ok=True)
    elif path.exists():
        os.truncate(path, 0)  # the empty file the user gave is empty again
    for folder in made[1:]:  # the deepest first
        with suppress(OSError):
            folder.rmdir()


#: The tables that, with ``alembic_version``, every fokus project has had since its first schema.
SIGNATURE = ("codings", "messages")


def identify(engine: Engine, shown: str) -> str:
    """The schema revision of the fokus project behind ``engine``, read without writing; a :class:`FokusError`
    for an empty database or one made by something else (another Alembic project has an ``alembic_version`` too)."""
    with engine.connect() as connection:
        connection = connection.execution_options(**{READ_ONLY: True})
        tables = set(inspect(connection).get_table_names())
        revisions = (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            if "alembic_version" in tables
            else []
        )
        connection.rollback()
    if not tables:
        raise FokusError(_("no project here (the database is empty)"), path=shown, hint=_("run `fokus init`"))
    if "alembic_version" not in tables or not set(SIGNATURE) <= tables:
        raise FokusError(_("not a fokus project (a database made by something else)"), path=shown)
    if len(revisions) != 1:
        what = (
            ngettext(
                "not a fokus project (its alembic_version table holds {count} schema revision)",
                "not a fokus project (its alembic_version table holds {count} schema revisions)",
                len(revisions),
            ).format(count=len(revisions))
            if revisions
            else _("not a fokus project (its alembic_version table holds no schema revision)")
        )
        raise FokusError(what, path=shown)
    return str(revisions[0])


def _refusal(exc: DatabaseError, shown: str) -> FokusError:
    """What a database error while opening or creating a project means, in one line."""
    if is_busy(exc):
        return ProjectBusy.of(shown)
    failure = storage_failure(exc, shown)
    if failure is not None:
        return failure
    if exc.orig is not None and not isinstance(exc.orig, sqlite3.Error) and isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0]
        return FokusError(_("cannot reach the database: {reason}").format(reason=reason), path=shown)
    return FokusError(_("not a fokus project (not a readable database)"), path=shown)
