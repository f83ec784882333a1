"""Alembic, driven from code: every store is brought to the latest schema when it is opened.

Opening a store that is already at the latest revision is the common case and must be quick: the stored
revision is read with one plain query and compared with `LATEST` (a test keeps it equal to Alembic's
head), so Alembic itself, a few hundred milliseconds to import, loads only when there is work to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from musicflow.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
LATEST = "0023"
VERSION_TABLE = "alembic_version"


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str | None:
    """Alembic's head, read from the migration scripts (slow: for tests and for upgrades)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_to_latest(engine: Engine) -> None:
    try:
        if _stored_revision(engine) == LATEST:
            return
        from alembic import command

        command.upgrade(alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StoreError(f"cannot open the store at {engine.url!r}: {reason}") from exc


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
