"""Loose song keys recomputed: titles ending in " - 2021" now match their plain spelling.

Stores made before this revision computed the keys of tracks and catalog rows without folding a year-only
suffix; only the keys that change are rewritten.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from musicflow.store.migrations.frozen.match_key_0006 import match_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SUFFIXED = "% - %"  # only titles with " - " can carry a year-only suffix


def upgrade() -> None:
    conn = op.get_bind()
    _rekey(conn, "tracks", "name", "artist", lambda title, artist: match_key(artist, title))
    _rekey(conn, "catalog_tracks", "song", "artists", _catalog_key)


def _catalog_key(song: str, artists: str) -> str:
    primary = artists.split("; ")[0] if artists else ""
    return match_key(primary, song) if song and primary else ""


def _rekey(conn: Any, name: str, title: str, artist: str, key_of: Callable[[str, str], str]) -> None:
    """Rewrite the keys of the rows of `name` whose title may end in a year, where the key changes."""
    table = sa.table(name, *(sa.column(c) for c in ("id", title, artist, "match_key")))
    columns = (table.c.id, table.c[title], table.c[artist], table.c.match_key)
    rows = conn.execute(sa.select(*columns).where(table.c[title].like(SUFFIXED))).all()
    changed = [{"rid": rid, "key": new} for rid, song, by, old in rows if (new := key_of(song, by)) != old]
    if changed:
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("rid")).values(match_key=sa.bindparam("key")),
            changed,
        )


def downgrade() -> None:
    """Keys stay as they are: the older code reads them the same way."""
