"""A profile's row, made on first use with an id never given before.

Every place that may make a profile (an import, a job, a token, a model version) comes here, so that
its id comes from the one counter (`ids_given`): SQLite alone gives the highest id left plus one, and a
profile made after the newest one was deleted would take its id, the name under which other listeners'
model versions still record the deleted one's figures ("deleted profile 3").
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection, Engine, select, update

from musicflow.store.db import insert_ignore
from musicflow.store.schema import ids_given, profiles

PROFILES: Final = "profiles"


def profile_row(engine: Engine, conn: Connection, name: str) -> int:
    """The id of the profile named `name`, made now if there is none (inside the caller's transaction)."""
    found = conn.execute(select(profiles.c.id).where(profiles.c.name == name)).scalar()
    if found is not None:
        return int(found)
    given = conn.execute(
        update(ids_given)
        .where(ids_given.c.name == PROFILES)
        .values(value=ids_given.c.value + 1)
        .returning(ids_given.c.value)
    ).scalar_one()
    # Another process may make the same name meanwhile (PostgreSQL): theirs stands, this id goes unused.
    conn.execute(insert_ignore(engine, profiles), [{"id": int(given), "name": name}])
    return int(conn.execute(select(profiles.c.id).where(profiles.c.name == name)).scalar_one())
