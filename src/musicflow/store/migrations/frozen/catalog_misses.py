"""Forgetting the bundled catalog's "not found" of tracks whose loose key a revision made (0017, 0020):
a key that now joins two spellings may find a catalog row the old one missed. Frozen like the keys;
never edit it in place."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

CATALOG_SOURCE = "catalog"  # the catalog source's name, as stored in fetch_misses
IN_CHUNK = 500  # keys per IN (...) list, well under every backend's limit on bound parameters


def forget_catalog_misses(conn: Any, keys: list[str]) -> None:
    """The catalog's "not found" of every track keyed by one of `keys`: the catalog may know it now."""
    tracks = sa.table("tracks", sa.column("id"), sa.column("match_key"))
    fetch_misses = sa.table("fetch_misses", sa.column("track_id"), sa.column("source"))
    for at in range(0, len(keys), IN_CHUNK):
        keyed = sa.select(tracks.c.id).where(tracks.c.match_key.in_(keys[at : at + IN_CHUNK]))
        conn.execute(
            fetch_misses.delete().where(
                fetch_misses.c.source == CATALOG_SOURCE, fetch_misses.c.track_id.in_(keyed)
            )
        )
