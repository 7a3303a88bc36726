"""Copying a whole project into a new database (SQLite or PostgreSQL, either way), checked table by table.

A team moves a project from a laptop's SQLite file to the department's PostgreSQL server, or takes a server project
home as a file; both must be the same project afterwards, row for row, with every id kept (event logs, exchange ids
and trained models name rows by id). So:

- the source is read in one snapshot (a writer elsewhere changes nothing of what is copied);
- the target is new (a file that does not exist, or an empty database) and gets its schema from fokus's own Alembic
  migrations, so ``alembic_version`` and every table, index and constraint are what ``fokus init`` makes;
- schema, rows and the check are one transaction on the target: the migrations run on the copy's own connection
  (PostgreSQL and SQLite both roll DDL back), and a SQLite copy is written to a hidden file beside the target that is
  renamed into place only after commit. Any failure, a failed check included, leaves nothing: no file, or a database
  as empty as it was;
- rows stream in primary-key order in bounded chunks (:data:`CHUNK`), through the column types' own conversions, so
  a time or a JSON value lands as the target's dialect stores it; a self-referencing key (a reply's parent, a
  sub-code's parent) that points forward is filled in after its table's rows are in;
- on PostgreSQL each serial sequence is moved past the highest copied id, so the next new row gets a fresh id;
- then every table is counted and hashed on both sides (:func:`table_checksum`), the target inside the transaction,
  before commit; a difference names the table and rolls everything back.

The copy is the project itself, not an export: participants' real names (``participant_identities``) go with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Float,
    Integer,
    String,
    Table,
    bindparam,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from fokus.errors import FokusError
from fokus.model import Base
from fokus.store import migrate
from fokus.store.backup import create_locked, temporary_path
from fokus.store.engine import database_url, display, lock_project, make_engine
from fokus.store.project import Project, open_project

#: Rows read (and written) at a time: memory stays bounded whatever the project's size.
CHUNK = 10_000
BACKENDS = ("sqlite", "postgresql")
#: Called as rows move: (stage, done, total), for the stage "writing" (rows copied) and then "checking" (rows read
#: back on both sides, so twice the rows).
Progress = Callable[[str, int, int], Any]
#: Called with the rows done so far in one table.
Tick = Callable[[int], Any]


@dataclass(frozen=True)
class TableCopy:
    """One copied table: its rows and checksum, the same on both sides."""

    name: str
    rows: int
    checksum: str


@dataclass
class CopyReport:
    source: str
    target: str
    revision: str
    tables: list[TableCopy] = field(default_factory=list)
    sequences: int = 0  # PostgreSQL sequences moved past the copied ids
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


def project_tables() -> list[Table]:
    """Every table of a project in foreign-key order (parents first); ``alembic_version`` belongs to the migrations."""
    return [table for table in Base.metadata.sorted_tables if table.name != "alembic_version"]


# --- the checksum -----------------------------------------------------------------------------------------------


def _order(table: Table, dialect: str) -> list[ColumnElement[Any]]:
    # Text keys sort by code point on both sides: SQLite compares UTF-8 bytes, PostgreSQL's "C" collation too
    # (a server's default collation, en_US or nb_NO, would order them otherwise).
    key = list(table.primary_key.columns)
    if not key:
        raise ValueError(f"table {table.name} has no primary key to order its rows by")
    return [c.collate("C") if dialect == "postgresql" and isinstance(c.type, String) else c for c in key]


def _rows_select(table: Table, dialect: str) -> tuple[Any, list[tuple[int, int]]]:
    """All columns in primary-key order, and for each JSON column whether it is SQL NULL (JSON ``null`` reads as
    None too, but is another value): (statement, [(column index, flag index)])."""
    columns = list(table.columns)
    flags = [(i, len(columns) + n) for n, i in enumerate(i for i, c in enumerate(columns) if isinstance(c.type, JSON))]
    extra = [columns[i].is_(None).label(f"fokus_sql_null_{n}") for n, (i, _) in enumerate(flags)]
    return select(*columns, *extra).order_by(*_order(table, dialect)), flags


def _streamed(connection: Connection, table: Table) -> Iterator[Sequence[Any]]:
    """The table's rows in chunks of :data:`CHUNK`, JSON ``null`` as :attr:`JSON.NULL` (None is SQL NULL)."""
    statement, flags = _rows_select(table, connection.dialect.name)
    width = len(table.columns)
    result = connection.execute(statement.execution_options(yield_per=CHUNK))
    for part in result.partitions():
        if not flags:
            yield part
            continue
        rows = []
        for row in part:
            values = list(row[:width])
            for index, flag in flags:
                if values[index] is None and not row[flag]:
                    values[index] = JSON.NULL
            rows.append(values)
        yield rows


#: Column types whose values JSON writes exactly as they are: integers, text, booleans, floats (by ``repr``).
_NATIVE = (Integer, String, Boolean, Float)


def _canonical(value: Any) -> Any:
    """A value JSON cannot write as it is, as a tagged string (the same on every backend); others pass."""
    if isinstance(value, datetime):
        return "t:" + (value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat())
    if isinstance(value, date):
        return "d:" + value.isoformat()
    if isinstance(value, Decimal):
        return "n:" + str(value)
    if isinstance(value, bytes):
        return "x:" + value.hex()
    return value  # JSON writes it exactly, or refuses it (TypeError): a new column type needs a decision here


def _json_value(value: Any) -> Any:
    # SQL NULL stays null; a JSON value is wrapped, so JSON's own null is {"j": null}
    return None if value is None else {"j": None if value is JSON.NULL else value}


def _converters(table: Table) -> list[tuple[int, Callable[[Any], Any]]]:
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for index, column in enumerate(table.columns):
        if isinstance(column.type, JSON):
            found.append((index, _json_value))
        elif not isinstance(column.type, _NATIVE):
            found.append((index, _canonical))
    return found


def table_checksum(connection: Connection, table: Table, *, tick: Tick | None = None) -> tuple[int, str]:
    """Count and hash a table's rows (sha256), so that the same data gives the same digest on every backend.

    The rows are read in primary-key order through the columns' types, and each is written as one line of JSON
    with sorted keys: integers, text, booleans and floats (``repr``) as JSON writes them, times as aware UTC ISO
    strings, dates in ISO, JSON values as they parse (their ``null`` apart from SQL NULL). The table's name and
    columns open the digest.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([table.name, [c.name for c in table.columns]]).encode() + b"\n")
    converters = _converters(table)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
    count = 0
    for part in _streamed(connection, table):
        lines = []
        for row in part:
            line = list(row)
            for index, convert in converters:
                line[index] = convert(line[index])
            lines.append(encode(line))
        lines.append("")
        digest.update("\n".join(lines).encode("utf-8", "surrogatepass"))
        count += len(part)
        if tick:
            tick(count)
    return count, digest.hexdigest()


# --- copying ----------------------------------------------------------------------------------------------------


def _self_references(table: Table) -> list[tuple[int, Column[Any]]]:
    """The table's foreign keys to itself, as (column index, column)."""
    columns = list(table.columns)
    return [(columns.index(fk.parent), fk.parent) for fk in table.foreign_keys if fk.column.table is table]


def _copy_table(source: Connection, target: Connection, table: Table, tick: Tick | None) -> int:
    """Insert the table's rows in primary-key order; returns how many.

    A reference to the same table is safe when it points to a row already in (a lower id); one that points ahead
    is left NULL and set once the whole table is in, so only those few are held in memory.
    """
    from fokus.store.bulk import insert_rows

    names = [c.name for c in table.columns]
    self_refs = _self_references(table)
    key = list(table.primary_key.columns)
    if self_refs and len(key) != 1:
        raise ValueError(f"table {table.name} refers to itself but has no one-column key to set references by")
    ordered_by_id = len(key) == 1 and isinstance(key[0].type, Integer)
    key_index = names.index(key[0].name)
    later: dict[str, list[dict[str, Any]]] = {}
    copied = 0
    for part in _streamed(source, table):
        rows = []
        for values in part:
            row = dict(zip(names, values, strict=True))
            for index, column in self_refs:
                ref = values[index]
                # in id order every lower id is in already; any other key order defers every reference
                if ref is not None and (not ordered_by_id or ref >= values[key_index]):
                    later.setdefault(column.name, []).append({"fokus_key": values[key_index], "fokus_ref": ref})
                    row[column.name] = None
            rows.append(row)
        insert_rows(target, table, rows)
        copied += len(rows)
        if tick:
            tick(copied)
    for name, pending in later.items():
        update = table.update().where(key[0] == bindparam("fokus_key")).values({name: bindparam("fokus_ref")})
        for start in range(0, len(pending), CHUNK):
            target.execute(update, pending[start : start + CHUNK])
    return copied


def _advance_sequences(connection: Connection, tables: Sequence[Table]) -> int:
    """Move every serial sequence past the highest id copied into its column (PostgreSQL); returns how many."""
    if connection.dialect.name != "postgresql":
        return 0  # SQLite gives a new row the highest rowid plus one
    quoted = connection.dialect.identifier_preparer.format_table
    moved = 0
    for table in tables:
        for column in table.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.scalar(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": quoted(table), "column": column.name}
            )
            if sequence is None:
                continue
            highest = connection.scalar(select(func.max(column))) or 0
            connection.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :next, false)"),
                {"sequence": sequence, "next": max(highest + 1, 1)},
            )
            moved += 1
    return moved


def _one_line(exc: BaseException) -> str:
    # the driver's own message, first line only: its detail lines quote the row, and rows hold real names
    original = getattr(exc, "orig", None) or exc
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def _check_source(source: Connection, tables: Sequence[Table], shown: str) -> str:
    revision = migrate.current_revision(source)
    if revision != migrate.HEAD:
        raise FokusError(f"the project is at schema revision {revision}, not {migrate.HEAD}", path=shown)
    known = {t.name for t in tables} | {"alembic_version"}
    unknown = sorted(set(inspect(source).get_table_names()) - known)
    if unknown:
        raise FokusError(
            f"the database holds tables fokus does not know ({', '.join(unknown)}), which a copy would leave behind",
            path=shown,
        )
    return revision


def _check_empty(connection: Connection, shown: str) -> None:
    inspector = inspect(connection)
    found = inspector.get_table_names() + inspector.get_view_names()
    if connection.dialect.name == "postgresql":
        found += inspector.get_sequence_names()
    if found:
        raise FokusError(
            f"the database is not empty ({len(found)} tables, views or sequences); a copy goes into an empty one",
            path=shown,
            hint="create a new database for it (createdb NAME)",
        )


def _ticker(progress: Progress | None, stage: str, before: int, total: int) -> Tick | None:
    if progress is None:
        return None
    return lambda done: progress(stage, before + done, total)


def _verify(
    source: Connection,
    target: Connection,
    tables: Sequence[Table],
    copied: dict[str, int],
    progress: Progress | None,
    shown: str,
) -> list[TableCopy]:
    checked = []
    done, total = 0, 2 * sum(copied.values())
    for table in tables:
        expected = copied[table.name]
        rows, checksum = table_checksum(source, table, tick=_ticker(progress, "checking", done, total))
        done += expected
        target_rows, target_checksum = table_checksum(target, table, tick=_ticker(progress, "checking", done, total))
        done += expected
        if not rows == target_rows == expected:
            raise FokusError(
                f"table {table.name}: {rows} rows in the source, {expected} copied, {target_rows} in the copy;"
                " nothing was written",
                path=shown,
            )
        if checksum != target_checksum:
            raise FokusError(
                f"table {table.name}: the copy's checksum differs from the source's"
                f" ({target_checksum[:12]} against {checksum[:12]}); nothing was written",
                path=shown,
            )
        checked.append(TableCopy(table.name, rows, checksum))
    return checked


def _copy_into(
    source: Project,
    target: Connection,
    report: CopyReport,
    progress: Progress | None,
    before_check: Callable[[Connection], Any] | None,
) -> None:
    tables = project_tables()
    with source.read() as session:  # one snapshot on either backend (fokus.store.engine)
        reading = session.connection()
        report.revision = _check_source(reading, tables, source.display)
        totals = {t.name: reading.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
        migrate.run_migrations(target)  # on the copy's own connection: committed with its rows
        copied: dict[str, int] = {}
        total = sum(totals.values())
        for table in tables:
            try:
                tick = _ticker(progress, "writing", sum(copied.values()), total)
                copied[table.name] = _copy_table(reading, target, table, tick)
            except (DBAPIError, target.dialect.loaded_dbapi.Error) as exc:  # COPY raises the driver's own
                raise FokusError(
                    f"table {table.name} could not be copied: {_one_line(exc)}; nothing was written",
                    path=report.target,
                ) from exc
        report.sequences = _advance_sequences(target, tables)
        if migrate.current_revision(target) != report.revision:
            raise FokusError("the migrations did not bring the copy to the source's revision", path=report.target)
        if before_check is not None:
            before_check(target)
        report.tables = _verify(reading, target, tables, copied, progress, report.target)


# --- where the copy goes ----------------------------------------------------------------------------------------


class _NewFile:
    """A SQLite target: written as a hidden file beside it, renamed into place after commit, removed otherwise."""

    def __init__(self, url: URL) -> None:
        shown = display(url)
        if url.database in (None, "", ":memory:"):
            raise FokusError("a copy needs a file, not an in-memory database", path=shown)
        self.path = Path(url.database or "")
        if self.path.exists() or self.path.is_symlink():
            raise FokusError(
                "exists already; a copy goes into a new file", path=shown, hint="name a file that does not exist yet"
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
            raise FokusError("the copy was not fully written back into its file", path=str(self.work))
        try:
            os.link(self.work, self.path)  # never replaces a file that appeared meanwhile
        except FileExistsError:
            raise FokusError(
                "a file of this name appeared while copying; it was left as it is", path=str(self.path)
            ) from None
        except OSError:  # a file system without hard links
            if self.path.exists():
                raise FokusError("a file of this name appeared while copying", path=str(self.path)) from None
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


def _target_url(target: str | Path) -> URL:
    url = database_url(target)
    backend = url.get_backend_name()
    if backend not in BACKENDS:
        raise FokusError(f"fokus copies into SQLite or PostgreSQL, not {backend}", path=display(url))
    return url


def check_target(target: str | Path) -> None:
    """Refuse a target that is not new before anything is read: a file that exists, a database that is not empty.

    :func:`copy_project` checks again, inside its transaction; this only saves opening (and perhaps migrating)
    the source for nothing.
    """
    url = _target_url(target)
    if url.get_backend_name() == "sqlite":
        _NewFile(url)
        return
    _on_server(url, _check_empty)


def _on_server(url: URL, check: Callable[[Connection, str], None]) -> None:
    """Run a check on a server database, saying so in one line when the server cannot be reached."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            check(connection, display(url))
    except DBAPIError as exc:
        raise FokusError(f"cannot open the database: {_one_line(exc)}", path=display(url)) from exc
    finally:
        engine.dispose()


def copy_project(
    source: Project,
    target: str | Path,
    *,
    progress: Progress | None = None,
    before_check: Callable[[Connection], Any] | None = None,
) -> CopyReport:
    """Copy the open project ``source`` into ``target`` (a new SQLite file or an empty database), checked.

    ``before_check`` is for tests: it runs on the target's connection after the rows are in and before they are
    checked, to show that a copy which differs from its source is refused and leaves nothing behind.
    """
    started = time.perf_counter()
    url = _target_url(target)
    shown = display(url)
    new_file = _NewFile(url) if url.get_backend_name() == "sqlite" else None
    report = CopyReport(source.display, shown, migrate.HEAD)
    try:
        if new_file is not None:
            # real names inside: the file is as private as the source's file, or its owner's alone
            source_file = source.sqlite_path
            new_file.open(stat.S_IMODE(source_file.stat().st_mode) if source_file else 0o600)
        engine = make_engine(new_file.url if new_file else url)
        try:
            with engine.connect() as connection, connection.begin():
                lock_project(connection)  # as any bulk command: fokus writers on the target wait for the commit
                _check_empty(connection, shown)
                _copy_into(source, connection, report, progress, before_check)
        except (DBAPIError, engine.dialect.loaded_dbapi.Error) as exc:
            raise FokusError(f"the copy failed: {_one_line(exc)}; nothing was written", path=shown) from exc
        finally:
            engine.dispose()
        if new_file is not None:
            new_file.finish()
    except BaseException:
        if new_file is not None:
            new_file.discard()
        raise
    report.seconds = time.perf_counter() - started
    return report


def open_source(source: str | Path) -> Project:
    """Open the project to copy (an older schema is migrated, as any command does), its errors shown without a
    password."""
    url = database_url(source)
    shown = display(url)
    if url.get_backend_name() != "sqlite":
        _on_server(url, lambda _connection, _shown: None)  # "cannot connect" rather than "not a fokus project"
    try:
        return open_project(source)
    except FokusError as exc:
        exc.path = shown
        raise


def copy_database(source: str | Path, target: str | Path, *, progress: Progress | None = None) -> CopyReport:
    """Copy the project at ``source`` into ``target``: both as ``--db`` takes them."""
    check_target(target)
    project = open_source(source)
    try:
        return copy_project(project, target, progress=progress)
    finally:
        project.close()


def sqlite_snapshot(project: Project, path: Path) -> CopyReport:
    """Write the whole project, whatever its backend, into the new SQLite file ``path``, checked like any copy.

    For a project on a server, this is `fokus backup`: a file that `fokus restore` and any SQLite tool can read.
    (A SQLite project is copied faster by SQLite's own backup API, fokus.store.backup.)
    """
    return copy_project(project, path)
