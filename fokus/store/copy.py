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
- rows stream in primary-key order in bounded chunks (:data:`CHUNK`), read and written by the drivers themselves
  (PostgreSQL's ``COPY``, SQLite's executemany), each column in the one form both backends give alike
  (:mod:`fokus.store.checksum`: a time as UTC text, a boolean as 0 or 1, JSON as its text), never built into a
  Python object on the way; a self-referencing key (a reply's parent, a sub-code's parent) that points forward is
  filled in after its table's rows are in;
- the indexes behind no constraint (and on PostgreSQL the foreign keys) are made after the rows are in, as the
  migrations made them (:func:`~fokus.store.copy_target.set_aside_for_rows`); on PostgreSQL each serial sequence is
  moved past the highest copied id, so the next new row gets a fresh id;
- every table is counted and hashed (:class:`~fokus.store.checksum.RowDigest`) as its rows are read from the source's
  snapshot, then read back from the target inside the transaction, before commit, and hashed again
  (:func:`table_checksum`); a difference in count or checksum names the table and rolls everything back.

The copy is the project itself, not an export: participants' real names (``participant_identities``) go with it.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Integer, Table, bindparam, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from fokus.errors import FokusError
from fokus.i18n import _
from fokus.model import Base
from fokus.store import migrate
from fokus.store.checksum import CHUNK, Part, RowDigest, Tick, prepare, streamed, table_checksum
from fokus.store.copy_target import (
    NewFile,
    check_empty,
    check_target,
    on_server,
    one_line,
    set_aside_for_rows,
    target_url,
)
from fokus.store.engine import database_url, display, lock_project, make_engine
from fokus.store.project import Project, open_project

#: Called as rows move: (stage, done, total), for the stage "writing" (rows copied) and then "checking" (rows read
#: back from the copy).
Progress = Callable[[str, int, int], Any]


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


def _self_references(table: Table) -> list[tuple[int, Column[Any]]]:
    """The table's foreign keys to itself, as (column index, column)."""
    columns = list(table.columns)
    return [(columns.index(fk.parent), fk.parent) for fk in table.foreign_keys if fk.column.table is table]


Write = Callable[[Part], Any]


@contextmanager
def _writer(target: Connection, table: Table) -> Iterator[Write]:
    """Where a table's rows go, as :func:`fokus.store.checksum.streamed` reads them: PostgreSQL's ``COPY ... FROM
    STDIN`` (one stream for the whole table), or SQLite's executemany on the driver, in the target's transaction."""
    preparer = target.dialect.identifier_preparer
    names = ", ".join(preparer.quote(c.name) for c in table.columns)
    driver = target.connection.driver_connection
    assert driver is not None
    if target.dialect.name == "postgresql":
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {preparer.format_table(table)} ({names}) FROM STDIN") as copy,
        ):
            write_row = copy.write_row

            def write(part: Part) -> None:
                for row in part:
                    write_row(row)

            yield write
        return
    marks = ", ".join("?" for _ in table.columns)
    statement = f"INSERT INTO {preparer.format_table(table)} ({names}) VALUES ({marks})"
    yield lambda part: driver.executemany(statement, part)


def _copy_table(source: Connection, target: Connection, table: Table, tick: Tick | None) -> RowDigest:
    """Write the table's rows in primary-key order; returns their count and checksum, as read from the source.

    A reference to the same table is safe when it points to a row already in (a lower id); one that points ahead
    is left NULL and set once the whole table is in, so only those few are held in memory.
    """
    self_refs = _self_references(table)
    key = list(table.primary_key.columns)
    if self_refs and len(key) != 1:
        raise ValueError(f"table {table.name} refers to itself but has no one-column key to set references by")
    ordered_by_id = len(key) == 1 and isinstance(key[0].type, Integer)
    key_index = list(table.columns).index(key[0])
    later: dict[str, list[dict[str, Any]]] = {}

    def deferred(part: Part) -> Part:
        rows = []
        for row in part:
            values = None
            for index, column in self_refs:
                ref = row[index]
                # in id order every lower id is in already; any other key order defers every reference
                if ref is not None and (not ordered_by_id or ref >= row[key_index]):
                    later.setdefault(column.name, []).append({"fokus_key": row[key_index], "fokus_ref": ref})
                    values = values or list(row)
                    values[index] = None
            rows.append(row if values is None else tuple(values))
        return rows

    digest = RowDigest(table)
    with _writer(target, table) as write:
        for part in streamed(source, table):
            digest.add(part)  # the rows as read, before any reference is put off
            write(deferred(part) if self_refs else part)
            if tick:
                tick(digest.rows)
    for name, pending in later.items():
        update = table.update().where(key[0] == bindparam("fokus_key")).values({name: bindparam("fokus_ref")})
        for start in range(0, len(pending), CHUNK):
            target.execute(update, pending[start : start + CHUNK])
    return digest


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


def _check_source(source: Connection, tables: Sequence[Table], shown: str) -> str:
    revision = migrate.current_revision(source)
    if revision != migrate.HEAD:
        raise FokusError(
            _("the project is at schema revision {revision}, not {head}").format(revision=revision, head=migrate.HEAD),
            path=shown,
        )
    known = {t.name for t in tables} | {"alembic_version"}
    unknown = sorted(set(inspect(source).get_table_names()) - known)
    if unknown:
        raise FokusError(
            _("the database holds tables fokus does not know ({tables}), which a copy would leave behind").format(
                tables=", ".join(unknown)
            ),
            path=shown,
        )
    return revision


def _ticker(progress: Progress | None, stage: str, before: int, total: int) -> Tick | None:
    if progress is None:
        return None
    return lambda done: progress(stage, before + done, total)


def _verify(
    target: Connection,
    tables: Sequence[Table],
    counted: dict[str, int],
    copied: dict[str, RowDigest],
    progress: Progress | None,
    shown: str,
) -> list[TableCopy]:
    """Read every table of the copy back, inside its transaction, and compare it with the source's rows as they were
    read for the copy (``copied``, from one snapshot) and counted before (``counted``)."""
    checked = []
    done, total = 0, sum(counted.values())
    for table in tables:
        expected = copied[table.name]
        rows, checksum = expected.rows, expected.hexdigest()
        target_rows, target_checksum = table_checksum(target, table, tick=_ticker(progress, "checking", done, total))
        done += counted[table.name]
        if not counted[table.name] == rows == target_rows:
            raise FokusError(
                _(
                    "table {table}: {source} rows in the source, {copied} copied, {target} in the copy;"
                    " nothing was written"
                ).format(table=table.name, source=counted[table.name], copied=rows, target=target_rows),
                path=shown,
            )
        if checksum != target_checksum:
            raise FokusError(
                _(
                    "table {table}: the copy's checksum differs from the source's ({copy} against {source});"
                    " nothing was written"
                ).format(table=table.name, copy=target_checksum[:12], source=checksum[:12]),
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
        if target.dialect.name == "postgresql":
            target.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")  # times arrive as UTC text (fokus.store.checksum)
        again = set_aside_for_rows(target)
        prepare(reading)
        copied: dict[str, RowDigest] = {}
        done, total = 0, sum(totals.values())
        errors = (DBAPIError, target.dialect.loaded_dbapi.Error, reading.dialect.loaded_dbapi.Error)
        for table in tables:
            try:
                copied[table.name] = _copy_table(reading, target, table, _ticker(progress, "writing", done, total))
            except errors as exc:  # COPY and the reads through the driver raise the driver's own errors
                raise FokusError(
                    _("table {table} could not be copied: {reason}; nothing was written").format(
                        table=table.name, reason=one_line(exc)
                    ),
                    path=report.target,
                ) from exc
            done += copied[table.name].rows
        try:
            for statement in again:  # the indexes (and foreign keys), made once the rows are in
                target.exec_driver_sql(statement)
        except DBAPIError as exc:
            raise FokusError(
                _("the copied rows do not hold together: {reason}; nothing was written").format(reason=one_line(exc)),
                path=report.target,
            ) from exc
        report.sequences = _advance_sequences(target, tables)
        if migrate.current_revision(target) != report.revision:
            raise FokusError(_("the migrations did not bring the copy to the source's revision"), path=report.target)
        if before_check is not None:
            before_check(target)
        report.tables = _verify(target, tables, totals, copied, progress, report.target)


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
    url = target_url(target)
    shown = display(url)
    new_file = NewFile(url) if url.get_backend_name() == "sqlite" else None
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
                check_empty(connection, shown)
                _copy_into(source, connection, report, progress, before_check)
        except (DBAPIError, engine.dialect.loaded_dbapi.Error) as exc:
            raise FokusError(
                _("the copy failed: {reason}; nothing was written").format(reason=one_line(exc)), path=shown
            ) from exc
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
        on_server(url, lambda _connection, _shown: None)  # "cannot connect" rather than "not a fokus project"
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
