"""A table's rows, read in primary-key order in bounded chunks, and their checksum: the same data gives the same
digest on SQLite and PostgreSQL. :mod:`fokus.store.copy` copies a project with them and checks the copy by them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Float, Integer, String, Table, select
from sqlalchemy.sql.elements import ColumnElement

#: Rows read (and written) at a time: memory stays bounded whatever the project's size.
CHUNK = 10_000
#: Called with the rows done so far in one table.
Tick = Callable[[int], Any]


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


def streamed(connection: Connection, table: Table) -> Iterator[Sequence[Any]]:
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
    for part in streamed(connection, table):
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
