"""Connections that speak our errors: every database failure surfaces as `StoreError`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Insert, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from musicflow.errors import StoreError

IN_CHUNK = 5_000  # values per IN (...) list, well under SQLite's 32,766 and PostgreSQL's 65,535
T = TypeVar("T")


@contextmanager
def guarded(engine: Engine, *, transaction: bool = True) -> Iterator[Connection]:
    """A connection whose database errors surface as `StoreError` with the database's own words."""
    try:
        with engine.begin() if transaction else engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise StoreError(f"the store failed: {_reason(exc)}") from exc


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).splitlines()[0]


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    skip_stored: bool = False,
) -> int:
    """Many rows straight to the driver, for bulk loads (a catalog of 100,000 rows, an export of half a
    million plays), where SQLAlchemy's handling of each row's parameters costs more than the database
    itself: one COPY on PostgreSQL, one executemany on SQLite. With `skip_stored`, a row whose unique key
    is already stored is left out (on PostgreSQL the rows are copied into a temporary table that empties
    itself at commit, then inserted from it in one statement). The values go as they are (numbers,
    text, booleans or None). How many rows were added."""
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            target = f"{table.name}_incoming" if skip_stored else table.name
            if skip_stored:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {target} ON COMMIT DELETE ROWS AS "
                    f"SELECT {names} FROM {table.name} WITH NO DATA"
                )
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if not skip_stored:
                return len(rows)
            cursor.execute(
                f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {target} ON CONFLICT DO NOTHING"
            )
            return int(cursor.rowcount)
        finally:
            cursor.close()
    marks = ", ".join("?" for _ in columns)
    verb = "INSERT OR IGNORE" if skip_stored else "INSERT"
    return int(
        conn.exec_driver_sql(f"{verb} INTO {table.name} ({names}) VALUES ({marks})", list(rows)).rowcount
    )


def _dialect_insert(engine: Engine, table: Table) -> Any:
    """An INSERT of the engine's own dialect, which knows ON CONFLICT."""
    dialect = engine.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise StoreError(f"the {dialect} database is not supported: use SQLite or PostgreSQL")


def insert_ignore(engine: Engine, table: Table) -> Insert:
    """INSERT that skips rows whose unique key is already stored."""
    statement: Insert = _dialect_insert(engine, table).on_conflict_do_nothing()
    return statement


def upsert(engine: Engine, table: Table, keys: Sequence[str]) -> Insert:
    """INSERT that replaces every other column of a row whose `keys` are already stored."""
    statement = _dialect_insert(engine, table)
    updated = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    upserting: Insert = statement.on_conflict_do_update(index_elements=list(keys), set_=updated)
    return upserting
