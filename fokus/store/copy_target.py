"""Where a copy goes: a new SQLite file (written hidden beside it, renamed into place after commit) or an empty
database on a server; refused, in one line, when it is neither. Used by :mod:`fokus.store.copy`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from fokus.errors import FokusError
from fokus.i18n import _, ngettext
from fokus.store.backup import create_locked, temporary_path
from fokus.store.engine import database_url, display, make_engine

BACKENDS = ("sqlite", "postgresql")


def one_line(exc: BaseException) -> str:
    # the driver's own message, first line only: its detail lines quote the row, and rows hold real names
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def check_empty(connection: Connection, shown: str) -> None:
    inspector = inspect(connection)
    found = inspector.get_table_names() + inspector.get_view_names()
    if connection.dialect.name == "postgresql":
        found += inspector.get_sequence_names()
    if found:
        raise FokusError(
            ngettext(
                "the database is not empty ({count} table, view or sequence); a copy goes into an empty one",
                "the database is not empty ({count} tables, views or sequences); a copy goes into an empty one",
                len(found),
            ).format(count=len(found)),
            path=shown,
            hint=_("create a new database for it (createdb NAME)"),
        )


class NewFile:
    """A SQLite target: written as a hidden file beside it, renamed into place after commit, removed otherwise."""

    def __init__(self, url: URL) -> None:
        shown = display(url)
        if url.database in (None, "", ":memory:"):
            raise FokusError(_("a copy needs a file, not an in-memory database"), path=shown)
        self.path = Path(url.database or "")
        if self.path.exists() or self.path.is_symlink():
            raise FokusError(
                _("exists already; a copy goes into a new file"),
                path=shown,
                hint=_("name a file that does not exist yet"),
            )
        self.folders = [p for p in (self.path.parent, *self.path.parent.parents) if not p.exists()]
        self.work = temporary_path(self.path)
        self.url = url.set(database=str(self.work))
        self._fd: int | None = None

    def open(self, mode: int) -> None:
        """Create the hidden file with ``mode`` (SQLite keeps it, and gives it to the WAL files too), locked while
        the copy is written, so that `fokus backup` knows it from one whose writer died (fokus.store.backup)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = create_locked(self.work, mode)

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _leftovers(self) -> list[Path]:
        return [self.work.with_name(self.work.name + suffix) for suffix in ("-wal", "-shm", "-journal")]

    def finish(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
        if any(p.exists() for p in self._leftovers()):
            raise FokusError(_("the copy was not fully written back into its file"), path=str(self.work))
        try:
            os.link(self.work, self.path)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise FokusError(
                _("a file of this name appeared while copying; it was left as it is"), path=str(self.path)
            ) from None
        except OSError:  # a file system without hard links
            if self.path.exists():
                raise FokusError(_("a file of this name appeared while copying"), path=str(self.path)) from None
            os.replace(self.work, self.path)
        self.work.unlink(missing_ok=True)
        self._close()

    def discard(self) -> None:
        for path in [self.work, *self._leftovers()]:
            path.unlink(missing_ok=True)
        self._close()
        for folder in self.folders:  # the deepest first
            with suppress(OSError):
                folder.rmdir()


def target_url(target: str | Path) -> URL:
    url = database_url(target)
    backend = url.get_backend_name()
    if backend not in BACKENDS:
        raise FokusError(
            _("fokus copies into SQLite or PostgreSQL, not {backend}").format(backend=backend), path=display(url)
        )
    return url


def check_target(target: str | Path) -> None:
    """Refuse a target that is not new before anything is read: a file that exists, a database that is not empty.

    :func:`fokus.store.copy.copy_project` checks again, inside its transaction; this only saves opening (and perhaps
    migrating) the source for nothing.
    """
    url = target_url(target)
    if url.get_backend_name() == "sqlite":
        NewFile(url)
        return
    on_server(url, check_empty)


def on_server(url: URL, check: Callable[[Connection, str], None]) -> None:
    """Run a check on a server database, saying so in one line when the server cannot be reached."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            check(connection, display(url))
    except DBAPIError as exc:
        raise FokusError(
            _("cannot open the database: {reason}").format(reason=one_line(exc)), path=display(url)
        ) from exc
    finally:
        engine.dispose()


_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY oid
"""
_PLAIN_INDEXES = """
SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
JOIN pg_class ON pg_class.oid = pg_index.indrelid
WHERE pg_class.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid)
ORDER BY indexrelid
"""


def set_aside_for_rows(connection: Connection) -> list[str]:
    """Drop the new database's indexes that back no constraint and, on PostgreSQL, its foreign keys; return the
    statements that make them again, as they were (same names, same definitions).

    An index grows row by row and PostgreSQL checks a foreign key row by row (a trigger per row and key); made
    after the rows are in, an index is sorted once and a key is checked by one join, several times faster
    (bench/postgres.py). SQLite's foreign keys stay: they are part of their tables, and their checks are cheap.
    Run in the copy's transaction, on a database that held nothing before the migrations, so no one else sees the
    tables without them.
    """
    again = []
    if connection.dialect.name == "sqlite":
        quote = connection.dialect.identifier_preparer.quote
        found = text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid")
        for name, definition in connection.execute(found).all():
            connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
            again.append(definition)
        return again
    for name, definition in connection.execute(text(_PLAIN_INDEXES)).all():
        connection.exec_driver_sql(f"DROP INDEX {name}")
        again.append(definition)
    for table, name, definition in connection.execute(text(_FOREIGN_KEYS)).all():
        connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        again.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    return again
