"""Loose song keys recomputed: a bracket saying where a song is from, and a dashed label ending
"Version", name the same recording.

A listener of Hindi film music streamed "Piya Milenge (From \"Raanjhanaa\")" 29 times and "Piya
Milenge" once: two songs in their counts, so asked about "Piya Milenge" MusicFlow said they had
streamed it once. The dashed " - From ..." was already the song itself; the bracketed "(From \"...\")",
"(Love Theme From ...)", "(From the Motion Picture ...)" and "(... Soundtrack)" now are too, as are
" - Radio Version", " - Original Version", " - 7\" Single Version" and " - <album> LP Version". A
bracket naming another length ("(Extended Version)", "(10 Minute Version)") is no longer taken for the
song. "(From Love)", part of a title, stays.
Only titles holding "from", "version" or "soundtrack" can change key (`match_key_0021`); those are
read, and only the keys that change are rewritten, in `tracks` and `catalog_tracks`.

As in 0017, two spellings of one recording mostly become one key, so no feature answer is wrong; the
catalog's misses of every track whose key this revision gave are forgotten, so the next fetch asks for
them again. The few longer takes split from their song (9 of those titles) keep the features they were
answered with: the song's, not the take's own.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

from musicflow.store.migrations.frozen.catalog_misses import forget_catalog_misses
from musicflow.store.migrations.frozen.match_key_0021 import CHANGED_WORDS, match_key
from musicflow.store.migrations.frozen.rekeying import rekey_songs

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    forget_catalog_misses(conn, sorted(rekey_songs(conn, match_key, CHANGED_WORDS)))


def downgrade() -> None:
    """Keys stay as they are: the older code reads them as keys it does not make, and finds less."""
