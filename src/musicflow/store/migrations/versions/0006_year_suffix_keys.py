"""Loose song keys recomputed: titles ending in " - 2021" now match their plain spelling.

Stores made before this revision computed the keys of tracks and catalog rows without folding a year-only
suffix; only the keys that change are rewritten.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from musicflow.features.matching import match_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SUFFIXED = "% - %"  # only titles with " - " can carry a year-only suffix


def upgrade() -> None:
    conn = op.get_bind()
    tracks = sa.table("tracks", *(sa.column(c) for c in ("id", "name", "artist", "match_key")))
    rows = conn.execute(
        sa.select(tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.match_key).where(
            tracks.c.name.like(SUFFIXED)
        )
    ).all()
    _rewrite(conn, tracks, [(r.id, r.match_key, match_key(r.artist, r.name)) for r in rows])
    catalog = sa.table("catalog_tracks", *(sa.column(c) for c in ("id", "song", "artists", "match_key")))
    rows = conn.execute(
        sa.select(catalog.c.id, catalog.c.song, catalog.c.artists, catalog.c.match_key).where(
            catalog.c.song.like(SUFFIXED)
        )
    ).all()
    _rewrite(conn, catalog, [(r.id, r.match_key, _catalog_key(r.song, r.artists)) for r in rows])


def _catalog_key(song: str, artists: str) -> str:
    primary = artists.split("; ")[0] if artists else ""
    return match_key(primary, song) if song and primary else ""


def _rewrite(conn: Any, table: Any, keys: list[tuple[int, str, str]]) -> None:
    changed = [{"rid": rid, "key": new} for rid, old, new in keys if new != old]
    if changed:
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("rid")).values(match_key=sa.bindparam("key")),
            changed,
        )


def downgrade() -> None:
    """Keys stay as they are: the older code reads them the same way."""
