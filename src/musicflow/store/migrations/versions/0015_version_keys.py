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

from alembic import op

from musicflow.store.migrations.frozen.match_key_0015 import VERSION_WORDS, match_key
from musicflow.store.migrations.frozen.rekeying import rekey_songs

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rekey_songs(op.get_bind(), match_key, VERSION_WORDS)


def downgrade() -> None:
    """Keys stay as they are: the older code reads them as keys it does not make, and finds less."""
