"""Loose song keys recomputed: a " - <the song's own artist> Version" suffix is the song itself.

Catalogs tell a soundtrack's recordings apart by who sings them: "Into the Unknown - Panic! At The Disco
Version" by Panic! At The Disco is their "Into the Unknown - From \"Frozen 2\"". Stores made before this
revision keyed the two apart, so a listener's streams of one spelling were not counted as the other's,
and a catalog row of one was recommended as "another version" of the other. Only titles ending in
"Version" can change key (`match_key_0017`); those are read, and only the keys that change are
rewritten, in `tracks` and `catalog_tracks`.

No feature answer is forgotten, unlike 0016 after 0015: 0015 split a key, so answers given by the
song's catalog rows to its versions were another recording's; here two keys of one recording become
one, so every answer a track was given by its old key still came from its own recording. What merging
can make wrong is a "not found": a track the catalog missed by its old key may be found by the new one
(the catalog held only the other spelling). The catalog's misses of every track whose key is now one
that this revision gave are forgotten, so the next feature fetch asks for those songs again rather
than waiting for the misses to expire (`miss_ttl_days`). Other sources search by name or Spotify id,
never by this key: their misses stand.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

from musicflow.store.migrations.frozen.catalog_misses import forget_catalog_misses
from musicflow.store.migrations.frozen.match_key_0017 import VERSION_WORDS, match_key
from musicflow.store.migrations.frozen.rekeying import rekey_songs

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    forget_catalog_misses(conn, sorted(rekey_songs(conn, match_key, VERSION_WORDS)))


def downgrade() -> None:
    """Keys stay as they are: the older code reads them as keys it does not make, and finds less."""
