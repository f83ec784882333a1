"""Alembic, driven from code: every store is brought to the latest schema when it is opened.

Opening a store that is already at the latest revision is the common case and must be quick: the stored
revision is read with one plain query and compared with `LATEST` (a test keeps it equal to Alembic's
head), so Alembic itself, a few hundred milliseconds to import, loads only when there is work to do.

Processes that open a store needing a migration at the same time (a server and `musicflow jobs run`
started together after an upgrade, a server's several workers) take turns: each migrates in one
transaction that first takes the store's lock (PostgreSQL: an advisory lock of the schema; SQLite: the
database's write lock) and reads the revision again once it holds it, so one migrates and the others
find the work done. One transaction also means that a migration stopped half-way leaves the store as it
was. A store at a revision this code does not know was made by a newer MusicFlow: it is refused with a
message saying so, never half-read.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from musicflow.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
LATEST = "0023"
VERSION_TABLE = "alembic_version"
# How long a process waits for another one's migration of a SQLite store (each try waits the busy
# timeout); PostgreSQL's advisory lock waits as long as the migration takes.
SQLITE_MIGRATION_WAIT_S = 900.0


def alembic_config(engine: Engine | None = None, *, connection: Connection | None = None) -> Config:
    """Alembic's configuration over our migrations: `env.py` migrates on `connection` (in the caller's
    transaction) when given, else in a transaction of its own on `engine`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """Alembic's head, read from the migration scripts (slow: for tests and for upgrades)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_to_latest(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            if _stored_revision(conn) == LATEST:
                return
        with _migrating(engine) as conn:
            stored = _stored_revision(conn)
            if stored == LATEST:
                return  # another process migrated it while this one waited
            from alembic import command

            config = alembic_config(connection=conn)
            _refuse_a_newer_store(config, stored, engine)
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StoreError(f"cannot open the store at {engine.url!r}: {reason}") from exc


def _stored_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if revision is None else str(revision)


def _refuse_a_newer_store(config: Config, stored: str | None, engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    if stored is None or stored in {
        script.revision for script in ScriptDirectory.from_config(config).walk_revisions()
    }:
        return
    raise StoreError(
        f"the store at {engine.url!r} was made by a newer MusicFlow (its schema is at revision {stored};"
        f" this version knows up to {LATEST}): run that newer version, or restore the backup made before"
        " it first opened the store"
    )


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the store's migration lock until it commits."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            with conn.begin():
                schema = str(conn.execute(text("SELECT current_schema()")).scalar())
                key = zlib.crc32(f"musicflow migrations {schema}".encode())
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
                yield conn
            return
        # Python's sqlite3 opens transactions by itself, and only before a change of rows: a change of
        # the schema before one would be committed at once. Here the transaction is ours, and it takes
        # the write lock first (BEGIN IMMEDIATE), which another process migrating holds until it is done.
        driver = conn.connection.driver_connection
        was = driver.isolation_level  # type: ignore[union-attr]
        driver.isolation_level = None  # type: ignore[union-attr]
        try:
            with conn.begin():
                _write_lock(conn)
                yield conn
        finally:
            driver.isolation_level = was  # type: ignore[union-attr]


def _write_lock(conn: Connection) -> None:
    deadline = time.monotonic() + SQLITE_MIGRATION_WAIT_S
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise
