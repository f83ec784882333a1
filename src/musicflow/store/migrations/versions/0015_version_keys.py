"""Loose song keys recomputed: a live version, a remix, an acoustic version (...) is no longer the song.

Stores made before this revision keyed "Despacito - Remix", "Everlong - Live at ..." and "Dormant Craving
(Instrumental Version)" as the plain song, so their streams counted as the original's and a catalog row
of either answered for the other. Only titles that hold a word naming a kind of version can change key
(`match_key_0015`); those are read, and only the keys that change are rewritten, in `tracks` and
`catalog_tracks`.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from musicflow.store.migrations.frozen.match_key_0015 import VERSION_WORDS, match_key

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    _rekey(conn, "tracks", "name", "artist", lambda title, artist: match_key(artist, title))
    _rekey(conn, "catalog_tracks", "song", "artists", _catalog_key)


def _catalog_key(song: str, artists: str) -> str:
    primary = artists.split("; ")[0] if artists else ""
    return match_key(primary, song) if song and primary else ""


def _rekey(conn: Any, name: str, title: str, artist: str, key_of: Callable[[str, str], str]) -> None:
    """Rewrite the keys of the rows of `name` whose title may name a version, where the key changes."""
    table = sa.table(name, *(sa.column(c) for c in ("id", title, artist, "match_key")))
    columns = (table.c.id, table.c[title], table.c[artist], table.c.match_key)
    named = sa.or_(*(table.c[title].ilike(f"%{word}%") for word in VERSION_WORDS))
    rows = conn.execute(sa.select(*columns).where(named)).all()
    changed = [{"rid": rid, "key": new} for rid, song, by, old in rows if (new := key_of(song, by)) != old]
    if changed:
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("rid")).values(match_key=sa.bindparam("key")),
            changed,
        )


def downgrade() -> None:
    """Keys stay as they are: the older code reads them as keys it does not make, and finds less."""
