"""Loose song keys recomputed where an artist's one name reads as several credits.

A credit text is keyed by its first artist, so "Tyler, The Creator" was keyed "tyler": one artist with
"Tyler", whose 58 catalog songs a listener of 838 streams of Tyler, The Creator was told were by an
artist they streamed; "Earth, Wind & Fire" was "Earth", "Chloe x Halle" joined "Chlöe", "The Features"
joined "The The" (the "feat" of "Features") and "Lil Nas X" was "Lil Nas". Now a credit beginning with a
name of the shipped list of one-artist names (`core/data/one_artist_names.txt`) is that artist,
"feat"/"ft" join credits as whole words only, and a joining word with nothing on one side joins
nothing (`match_key_0022`). Catalog rows whose credits were split at a comma of such a name ("Tyler;
The Creator; Kali Uchis") have them joined back ("Tyler, The Creator; Kali Uchis"). "Extended" and
"slow" name kinds of version: "Song (Extended Version)" and "Song - Extended" are one key, "an
extended version" of the song in what a listener reads. And a cue of a score ("Main Title", "End
Credits", "Love Theme") keeps the work it is from: Jerry Goldsmith's "Main Title (From \"Rudy\")" and
"Main Title (From \"Stagecoach\")" were one song.

Only rows whose artist text holds a joining mark, or whose title holds "extended", "slow" or "from",
are read, and only
what changes is written, in `tracks` (the key) and `catalog_tracks` (the key and the artists). The
catalog's misses of every track now keyed by one of the rewritten keys are forgotten, so the next fetch
asks for them again.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from musicflow.store.migrations.frozen.artist_rekeying import rekey_artists
from musicflow.store.migrations.frozen.catalog_misses import forget_catalog_misses
from musicflow.store.migrations.frozen.match_key_0022 import (
    CHANGED_MARKS,
    CHANGED_WORDS,
    first_credits,
    match_key,
)
from musicflow.store.migrations.frozen.rekeying import rekey_songs

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    given = rekey_artists(conn, match_key, first_credits, CHANGED_MARKS)
    given |= rekey_songs(conn, match_key, CHANGED_WORDS)
    forget_catalog_misses(conn, sorted(given))


def downgrade() -> None:
    """Keys stay as they are: the older code reads them as keys it does not make, and finds less."""
