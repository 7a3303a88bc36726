"""Fast bulk inserts: one executemany through the driver, with SQLAlchemy's own type conversion.

An ORM or Core executemany spends most of its time building parameters row by row; importing 100,000 messages or a
million codings should cost what SQLite needs, not what the object layer needs. The statement is still compiled by
SQLAlchemy for the connection's dialect, and every value still goes through its column type's bind processor (so
times are stored exactly as the ORM stores them). On PostgreSQL the rows go through ``COPY`` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.exc import DBAPIError

CHUNK = 20_000
REBUILT_FROM = 5_000
"""Rows an insert adds, at least, before :func:`indexes_made_after` sets a table's indexes aside."""


def _converted(
    connection: Connection, table: Table, rows: Iterable[Sequence[Any]], order: Sequence[str], stored: Container[str]
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows (values in ``order``) in chunks of tuples, each value through its column type's bind processor
    (times, JSON) except in the columns named in ``stored``, whose values are already what the database stores.

    Converted a column at a time, and a value repeated in the rows after each other (the time of the command) once.
    """
    dialect = connection.dialect
    # Only some types convert values (times, JSON); the others pass through untouched.
    converters = [
        (index, processor)
        for index, name in enumerate(order)
        if name not in stored and (processor := table.c[name].type._cached_bind_processor(dialect)) is not None
    ]
    it = iter(rows)
    while chunk := [tuple(row) for row in islice(it, CHUNK)]:
        if converters:
            columns: list[Sequence[Any]] = list(zip(*chunk, strict=True))
            for index, processor in converters:
                columns[index] = _converted_column(columns[index], processor)
            chunk = list(zip(*columns, strict=True))
        yield chunk


def stored_form(connection: Connection, table: Table, column: str) -> Callable[[Any], Any]:
    """What :func:`insert_values` makes of a value of ``column`` (its type's bind processor; None stays None): for
    a caller that converts a value repeated in every row once and passes the column in ``stored``."""
    processor = table.c[column].type._cached_bind_processor(connection.dialect)
    if processor is None:
        return lambda value: value
    return lambda value: None if value is None else processor(value)


_NOTHING = object()


def _converted_column(values: Iterable[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``processor`` of each value but None; of a value once while the next rows repeat it (the same object)."""
    out: list[Any] = []
    append = out.append
    last: Any = _NOTHING
    done = None
    for value in values:
        if value is None:
            append(None)
        elif value is last:
            append(done)
        else:
            last, done = value, processor(value)
            append(done)
    return out


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    insert_values(connection, table, *_as_values(rows))


def _as_values(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Rows given as dicts with the same keys: the keys, and each row's values in their order."""
    columns = list(rows[0])
    values_of = itemgetter(*columns)
    return columns, [values_of(row) for row in rows] if len(columns) > 1 else [(values_of(row),) for row in rows]


def insert_values(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    stored: Container[str] = (),
) -> None:
    """Insert ``rows``, each a sequence of values in the order of ``columns``, into ``table``: no dict per row.

    The values of the columns named in ``stored`` are already in the database's form (a JSON column's text, made by
    ``json.dumps`` as SQLAlchemy would) and are written as they are.
    """
    columns = list(columns)
    if connection.dialect.name == "postgresql":
        _copy(
            connection,
            table,
            columns,
            (v for chunk in _converted(connection, table, rows, columns, stored) for v in chunk),
        )
        return
    compiled = table.insert().compile(dialect=connection.dialect, column_keys=columns)
    order = list(compiled.positiontup or []) if compiled.positional else columns
    if order != columns:
        reorder = itemgetter(*(columns.index(name) for name in order))
        rows = (reorder(row) for row in rows)
    sql = str(compiled)
    for chunk in _converted(connection, table, rows, order, stored):
        if compiled.positional:
            connection.exec_driver_sql(sql, chunk)
        else:
            connection.exec_driver_sql(sql, [dict(zip(order, values, strict=True)) for values in chunk])


def _copy(connection: Connection, table: Table, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL's ``COPY ... FROM STDIN`` on the session's own connection (and so inside its transaction): an
    executemany sends a statement per row, COPY one stream, several times faster (bench/postgres.py)."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    driver = connection.connection.driver_connection
    assert driver is not None
    statement = f"COPY {quote(table.name)} ({names}) FROM STDIN"
    dbapi = connection.dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for values in rows:
                copy.write_row(values)
    except dbapi.Error as exc:  # the driver's own error: made SQLAlchemy's, as every other statement's is
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc


def _reserve_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` new ids from the table's sequence, in order: the rows are then written with them by COPY."""
    sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name})
    query = text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :count)")
    return list(connection.scalars(query, {"sequence": sequence, "count": count}))


def _insert_returning(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], stored: Container[str]
) -> list[int]:
    """Insert with ids drawn from the sequence first (so each row's id is known, in order, whatever other
    transactions insert meanwhile), through COPY."""
    ids = _reserve_ids(connection, table, len(rows))
    with_ids = ((new_id, *row) for new_id, row in zip(ids, rows, strict=True))
    insert_values(connection, table, ["id", *columns], with_ids, stored=stored)
    return ids


def insert_new_ids(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids in the order of ``rows``.

    On SQLite they are read back as the ids above the previous highest, in order: exact while the writing
    transaction holds the database's write lock, which fokus's SQLite transactions take at their start, and faster
    than RETURNING there. On PostgreSQL a coder's step may insert beside a bulk command's rows, so the ids are drawn
    from the table's sequence first.
    """
    if not rows:
        return []
    return insert_values_new_ids(connection, table, *_as_values(rows))


def insert_values_new_ids(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    stored: Container[str] = (),
) -> list[int]:
    """:func:`insert_new_ids` of rows given as :func:`insert_values` takes them."""
    if not rows:
        return []
    if connection.dialect.name != "sqlite":
        return _insert_returning(connection, table, columns, rows, stored)
    before = connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    insert_values(connection, table, columns, rows, stored=stored)
    query = select(table.c.id).where(table.c.id > before).order_by(table.c.id)
    return list(connection.scalars(query))


def insert_returning_ids(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert rows that carry a unique ``external_id`` and return their new ids by it.

    The ids are read back as the rows above the previous highest id, filtered by our external ids: exact on SQLite,
    where the writing transaction holds the lock; drawn from the sequence first on PostgreSQL.
    """
    if not rows:
        return {}
    if connection.dialect.name != "sqlite":
        ids = _insert_returning(connection, table, *_as_values(rows), ())
        return {row["external_id"]: new_id for row, new_id in zip(rows, ids, strict=True)}
    before = connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    insert_rows(connection, table, rows)
    wanted = {row["external_id"] for row in rows}
    query = select(table.c.external_id, table.c.id).where(table.c.id > before)
    return {ext: new_id for ext, new_id in connection.execute(query).all() if ext in wanted}


@contextmanager
def indexes_made_after(connection: Connection, table: Table, adding: int) -> Iterator[None]:
    """On SQLite, when ``adding`` rows (at least ``REBUILT_FROM``) are more than ``table`` holds: its secondary
    indexes dropped for the block and made again after it, as they were (their own ``CREATE INDEX``), in the same
    transaction.

    Rows inserted in no particular order reach each index at random places; made after, an index is sorted once
    (bench/analysis.py --import-only: a million codings). Indexes that back a constraint (UNIQUE) stay. Readers never
    see a table without them: SQLite's readers see the last commit, and the transaction holds the write lock. If the
    block fails, nothing is made again: the caller rolls the transaction back, and the drops with it. On PostgreSQL
    nothing is dropped: ``DROP INDEX`` would lock the table against readers until the commit.
    """
    if connection.dialect.name != "sqlite" or adding < REBUILT_FROM or adding <= _count(connection, table):
        yield
        return
    quote = connection.dialect.identifier_preparer.quote
    found = text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL")
    definitions = connection.execute(found, {"t": table.name}).all()
    for name, _definition in definitions:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _name, definition in definitions:
        connection.exec_driver_sql(definition)


def _count(connection: Connection, table: Table) -> int:
    return connection.scalar(select(func.count()).select_from(table)) or 0
