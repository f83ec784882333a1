"""Answers a version of a song was given for the song itself, from before revision 0015, forgotten.

Before revision 0015 a live version, a remix or an acoustic version had the song's loose key, so the
catalog answered "Everlong - Live at the Pantages Theatre" with the studio "Everlong": its features, and
its Spotify id, which the track then took as its own (a track without an id takes the one a source
resolved). 0015 rekeyed the tracks but left those answers, so an upgraded store still counted the live
version's streams as the studio song's (both had one Spotify id) and trained on the studio song's
features for it.

For each track whose key 0015 changed: a Spotify id that none of its plays carries and that no catalog
row of its own key holds is cleared, with every feature answer and miss of the track (they were answers
for another recording); otherwise, each catalog answer that no catalog row of the track's key or id gave
is forgotten, with the catalog's misses. The next feature fetch (`musicflow features fetch`, or the
server's scheduled refresh) asks for those songs again, by their own key.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from musicflow.store.migrations.frozen.match_key_0006 import match_key as key_before
from musicflow.store.migrations.frozen.match_key_0015 import VERSION_WORDS

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CATALOG_SOURCE = "catalog"  # the catalog source's name, as stored in track_features and fetch_misses

tracks = sa.table("tracks", *(sa.column(c) for c in ("id", "name", "artist", "spotify_id", "match_key")))
plays = sa.table("plays", sa.column("track_id"), sa.column("spotify_id"))
catalog_tracks = sa.table("catalog_tracks", sa.column("spotify_id"), sa.column("match_key"))
track_features = sa.table(
    "track_features", sa.column("track_id"), sa.column("source"), sa.column("spotify_id")
)
fetch_misses = sa.table("fetch_misses", sa.column("track_id"), sa.column("source"))


def upgrade() -> None:
    conn = op.get_bind()
    named = sa.or_(*(tracks.c.name.ilike(f"%{word}%") for word in VERSION_WORDS))
    rows = conn.execute(
        sa.select(tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.spotify_id, tracks.c.match_key).where(
            named
        )
    ).all()
    for track_id, name, artist, spotify_id, key in rows:
        if key is None or key_before(artist, name) == key:
            continue  # 0015 left its key alone: every answer it was given was asked by its own key
        carried = _carried(conn, track_id)
        if spotify_id and spotify_id not in carried and not _held(conn, spotify_id, key):
            conn.execute(tracks.update().where(tracks.c.id == track_id).values(spotify_id=None))
            conn.execute(track_features.delete().where(track_features.c.track_id == track_id))
            conn.execute(fetch_misses.delete().where(fetch_misses.c.track_id == track_id))
            continue
        _forget_catalog_answers(conn, track_id, key, {spotify_id} if spotify_id else set())


def _carried(conn: Any, track_id: int) -> set[str]:
    """The Spotify ids the export gave the track's plays."""
    query = sa.select(plays.c.spotify_id).where(plays.c.track_id == track_id, plays.c.spotify_id.is_not(None))
    return {row[0] for row in conn.execute(query.distinct())}


def _held(conn: Any, spotify_id: str, key: str) -> bool:
    """Whether a catalog row of this key holds this id (the recording the track is)."""
    query = sa.select(sa.literal(1)).where(
        catalog_tracks.c.spotify_id == spotify_id, catalog_tracks.c.match_key == key
    )
    return conn.execute(query.limit(1)).first() is not None


def _forget_catalog_answers(conn: Any, track_id: int, key: str, own: set[str]) -> None:
    """The track's catalog answer, unless a catalog row of its key, or of its own id, gave it."""
    query = sa.select(track_features.c.spotify_id).where(
        track_features.c.track_id == track_id, track_features.c.source == CATALOG_SOURCE
    )
    answer = conn.execute(query).first()
    if answer is None:
        return
    answered_by = answer[0]
    if answered_by in own or (answered_by and _held(conn, answered_by, key)):
        return
    if answered_by is None and _key_held(conn, key):
        return
    of_catalog = (track_features.c.track_id == track_id) & (track_features.c.source == CATALOG_SOURCE)
    conn.execute(track_features.delete().where(of_catalog))
    conn.execute(
        fetch_misses.delete().where(
            fetch_misses.c.track_id == track_id, fetch_misses.c.source == CATALOG_SOURCE
        )
    )


def _key_held(conn: Any, key: str) -> bool:
    query = sa.select(sa.literal(1)).where(catalog_tracks.c.match_key == key)
    return conn.execute(query.limit(1)).first() is not None


def downgrade() -> None:
    """Nothing to restore: the answers forgotten were another recording's, and are asked for again."""
