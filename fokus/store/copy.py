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

import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Integer, Table, bindparam, func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from fokus.errors import FokusError
from fokus.model import Base
from fokus.store import migrate
from fokus.store.checksum import CHUNK, Tick, streamed, table_checksum
from fokus.store.copy_target import NewFile, check_empty, check_target, on_server, one_line, target_url
from fokus.store.engine import database_url, display, lock_project, make_engine
from fokus.store.project import Project, open_project

#: Called as rows move: (stage, done, total), for the stage "writing" (rows copied) and then "checking" (rows read
#: back on both sides, so twice the rows).
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
    for part in streamed(source, table):
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
                    f"table {table.name} could not be copied: {one_line(exc)}; nothing was written",
                    path=report.target,
                ) from exc
        report.sequences = _advance_sequences(target, tables)
        if migrate.current_revision(target) != report.revision:
            raise FokusError("the migrations did not bring the copy to the source's revision", path=report.target)
        if before_check is not None:
            before_check(target)
        report.tables = _verify(reading, target, tables, copied, progress, report.target)


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
            raise FokusError(f"the copy failed: {one_line(exc)}; nothing was written", path=shown) from exc
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
