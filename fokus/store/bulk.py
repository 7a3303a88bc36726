"""Fast bulk inserts: one executemany through the driver, with SQLAlchemy's own type conversion.

An ORM or Core executemany spends most of its time building parameters row by row; importing 100,000 messages or a
million codings should cost what SQLite needs, not what the object layer needs. The statement is still compiled by
SQLAlchemy for the connection's dialect, and every value still goes through its column type's bind processor (so
times are stored exactly as the ORM stores them), which keeps this portable to PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, func, select

CHUNK = 20_000


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = connection.dialect
    compiled = table.insert().compile(dialect=dialect, column_keys=columns)
    order = list(compiled.positiontup or []) if compiled.positional else columns
    # Only some types convert values (times, JSON); the others pass through untouched.
    converters = [
        (index, processor)
        for index, name in enumerate(order)
        if (processor := table.c[name].type._cached_bind_processor(dialect)) is not None
    ]
    values_of = itemgetter(*order)
    sql = str(compiled)
    for start in range(0, len(rows), CHUNK):
        params: list[Any] = []
        for row in rows[start : start + CHUNK]:
            values = list(values_of(row)) if len(order) > 1 else [values_of(row)]
            for index, processor in converters:
                if values[index] is not None:
                    values[index] = processor(values[index])
            params.append(tuple(values) if compiled.positional else dict(zip(order, values, strict=True)))
        connection.exec_driver_sql(sql, params)


def insert_new_ids(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids in the order of ``rows``.

    Read back as the ids above the previous highest, in order: exact while the writing transaction holds the
    database's write lock, which fokus's SQLite transactions take at their start (a server database needs
    RETURNING instead; see the PostgreSQL issue).
    """
    before = connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    insert_rows(connection, table, rows)
    query = select(table.c.id).where(table.c.id > before).order_by(table.c.id)
    return list(connection.scalars(query))


def insert_returning_ids(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert rows that carry a unique ``external_id`` and return their new ids by it.

    The ids are read back as the rows above the previous highest id, filtered by our external ids: exact on SQLite,
    where the writing transaction holds the lock, and still right elsewhere, since external ids are unique.
    """
    before = connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    insert_rows(connection, table, rows)
    wanted = {row["external_id"] for row in rows}
    query = select(table.c.external_id, table.c.id).where(table.c.id > before)
    return {ext: new_id for ext, new_id in connection.execute(query).all() if ext in wanted}
