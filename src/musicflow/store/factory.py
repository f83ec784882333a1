"""Opening the configured store: engine set-up, SQLite tuning, and schema migration to the latest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from musicflow.config import Settings
from musicflow.errors import Hint, NoStoreError, StoreError
from musicflow.store.migrate import upgrade_to_latest
from musicflow.store.sql import SqlStore

# Page cache per connection: the default 2 MB makes index updates of a large import thrash.
SQLITE_CACHE_KIB = 64 * 1024


def open_store(settings: Settings, *, create: bool = True) -> SqlStore:
    """The store named by the settings, migrated and ready. `create=False`: a SQLite store whose file is
    not there is not made (with its folder), but a `NoStoreError` naming where it was looked for (a
    server database is always there to be asked)."""
    missing = sqlite_file(settings)
    if not create and missing is not None and not missing.exists():
        raise NoStoreError(
            f"no MusicFlow store is in {missing.parent} (there is no {missing.name}; {_NAMED_BY})",
            hint=Hint.INGEST,
        )
    engine = create_store_engine(settings)
    upgrade_to_latest(engine)
    return SqlStore(engine)


_NAMED_BY = "MUSICFLOW_DATA_DIR or MUSICFLOW_DATABASE_URL names where it is"


def store_place(settings: Settings) -> str:
    """Where the store the settings name is, in words a person can act on: the SQLite file's folder,
    else the setting that names the database (never its URL, which may hold a password)."""
    file = sqlite_file(settings)
    if file is not None:
        return f"the store in {file.parent}"
    return "the database MUSICFLOW_DATABASE_URL names"


def sqlite_file(settings: Settings) -> Path | None:
    """The file of the SQLite store the settings name; None for another database or one in memory."""
    try:
        url = make_url(settings.effective_database_url)
    except ArgumentError:
        return None  # said by `create_store_engine`, where the URL is used
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def create_store_engine(settings: Settings) -> Engine:
    url_text = settings.effective_database_url
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise StoreError(f"MUSICFLOW_DATABASE_URL is not a database URL: {exc}") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url_text, url.database, settings.sqlite_busy_timeout_ms)
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        try:
            return create_engine(url, pool_pre_ping=True)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"cannot use the PostgreSQL store: {exc}") from exc
    raise StoreError(f"the '{backend}' database is not supported: use SQLite or PostgreSQL")


def _sqlite_engine(url_text: str, database: str | None, busy_timeout_ms: int) -> Engine:
    if database and database != ":memory:":
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the data directory for {database}: {exc}") from exc
    engine = create_engine(url_text, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are zeroed, not left in free pages
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    return engine
