"""Plays found by their track: how often a song was played, and who played it, without reading them all.

Choosing between two stored spellings of a song (the most played wins), the tracks only one listener
played (deleting a profile, undoing an import) and a track's plays all look plays up by track; without
this index each of those read every play of every listener (about a millisecond per question for one
listener's 17,000 plays, and growing with every listener a store holds).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_plays_track", "plays", ["track_id"])


def downgrade() -> None:
    op.drop_index("ix_plays_track", table_name="plays")
