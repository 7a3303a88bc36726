"""A table's rows as the database holds them, read straight from the driver in primary-key order and in bounded
chunks, and their checksum: the same rows give the same digest on SQLite and PostgreSQL. :mod:`fokus.store.copy`
copies a project with these rows and checks the copy by this digest.

The rows are the driver's own tuples, not values built by the column types, which cost more than reading them:
each column is read, in SQL, as one value both backends give alike, and written as it is read.

========================  ===========================================  =============================================
column type               SQLite                                        PostgreSQL
========================  ===========================================  =============================================
integer, text, float,     as stored: ``int``, ``str``, ``float`` (the   as stored
bytes                     same double), ``bytes``
boolean                   as stored: 0 or 1                             ``CAST AS INTEGER``: 0 or 1
time (aware, in UTC)      the text fokus writes, naive UTC with         ``to_char`` in UTC, in that form; it is
                          microseconds (``2024-03-01 09:30:00.000000``) written back with the session in UTC
date                      its text, ``2024-03-01``                      ``to_char``, in that form
JSON                      its text (``CAST AS TEXT``)                   its text: a ``json`` column keeps it as
                                                                        written, so JSON ``null`` is not SQL NULL
========================  ===========================================  =============================================

A time that SQLite holds in another ISO form (``2024-03-01 09:30:00``, ``2024-03-01T10:30:00+01:00``: written by
another tool) is put into fokus's form by a function registered on the connection; a ``GLOB`` keeps the common case
in SQLite's C. A column of another type is refused (:class:`ValueError`): it needs a decision here first.

The digest is sha256 over the table's name and columns, then the rows, chunk by chunk, as pickle writes them
(protocol 5, without its memo): integers, text (UTF-8), floats (their eight bytes), bytes and None, each with its
type, so two rows have the same bytes exactly when they hold the same values, whichever driver read them. Pickling is
several times faster than writing the rows as text, and safe here: the bytes are hashed, never read back.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Dialect,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
)
from sqlalchemy.types import TypeDecorator

#: Rows read (and written) at a time: memory stays bounded whatever the project's size.
CHUNK = 10_000
#: Called with the rows done so far in one table.
Tick = Callable[[int], Any]
#: Rows as the driver gives them.
Part = list[tuple[Any, ...]]

_TIME_GLOB = (
    "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]"
)


def _time_text(value: Any) -> Any:
    """An ISO time as fokus writes it on SQLite (naive UTC, microseconds); anything else as it is."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(" ", "microseconds")


def prepare(connection: Connection) -> None:
    """Make the connection ready to read rows with :func:`rows_sql`: on SQLite, register its functions."""
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.create_function("fokus_time_text", 1, _time_text, deterministic=True)


def _read_as(column: Column[Any], dialect: str, quote: Callable[[str], str]) -> str:
    """The SQL that reads ``column`` as the value both backends give alike (the module's table)."""
    name = quote(column.name)
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    postgresql = dialect == "postgresql"
    if isinstance(kind, Boolean):
        return f"CAST({name} AS INTEGER)" if postgresql else name
    if isinstance(kind, Integer | String | Float | LargeBinary):  # Text is a String; Float before other Numerics
        return name
    if isinstance(kind, JSON):
        return f"CAST({name} AS TEXT)"
    if isinstance(kind, DateTime):
        if postgresql:
            return f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        return f"CASE WHEN {name} IS NULL OR {name} GLOB '{_TIME_GLOB}' THEN {name} ELSE fokus_time_text({name}) END"
    if isinstance(kind, Date):
        return f"to_char({name}, 'YYYY-MM-DD')" if postgresql else name
    raise ValueError(f"column {column.table.name}.{column.name} ({kind}): no way to read it alike on both backends")


def rows_sql(table: Table, dialect: Dialect) -> str:
    """The table's rows in primary-key order, each column read as :func:`_read_as` says."""
    quote = dialect.identifier_preparer.quote
    key = list(table.primary_key.columns)
    if not key:
        raise ValueError(f"table {table.name} has no primary key to order its rows by")
    # Text keys sort by code point on both sides: SQLite compares UTF-8 bytes, PostgreSQL's "C" collation too
    # (a server's default collation, en_US or nb_NO, would order them otherwise).
    order = [
        f'{quote(c.name)} COLLATE "C"' if dialect.name == "postgresql" and isinstance(c.type, String) else quote(c.name)
        for c in key
    ]
    columns = ", ".join(_read_as(c, dialect.name, quote) for c in table.columns)
    return f"SELECT {columns} FROM {dialect.identifier_preparer.format_table(table)} ORDER BY {', '.join(order)}"


def streamed(connection: Connection, table: Table) -> Iterator[Part]:
    """The table's rows in chunks of :data:`CHUNK`, read by the driver (PostgreSQL: a server-side cursor) in the
    connection's transaction. Call :func:`prepare` on the connection first."""
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"fokus_rows_{table.name}")  # rows come CHUNK at a time, not all at once
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(rows_sql(table, connection.dialect))
        while part := cursor.fetchmany(CHUNK):
            yield part
    finally:
        cursor.close()


class RowDigest:
    """The running checksum of one table's rows (see the module's docstring)."""

    def __init__(self, table: Table) -> None:
        self._hash = hashlib.sha256(json.dumps([table.name, [c.name for c in table.columns]]).encode() + b"\n")
        self.rows = 0

    def add(self, part: list[tuple[Any, ...]]) -> None:
        """The next rows, as :func:`streamed` gives them (so both sides hash the same chunks)."""
        written = io.BytesIO()
        pickler = pickle.Pickler(written, protocol=5)
        pickler.fast = True  # no memo: the bytes depend on the values only, never on which objects are shared
        pickler.dump(part)
        self._hash.update(written.getbuffer())
        self.rows += len(part)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def table_checksum(connection: Connection, table: Table, *, tick: Tick | None = None) -> tuple[int, str]:
    """Count and hash a table's rows, so that the same rows give the same digest on every backend."""
    prepare(connection)
    digest = RowDigest(table)
    for part in streamed(connection, table):
        digest.add(part)
        if tick:
            tick(digest.rows)
    return digest.rows, digest.hexdigest()
