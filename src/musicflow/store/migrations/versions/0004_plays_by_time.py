"""Plays keyed in time order: one index instead of two, and imports append to it instead of scattering.

The identity of a play stays (profile, minute it ended, track, ms played); only the column order of its
unique index changes, so that a history file, which is in time order, fills the index sequentially.
The index on (profile, ended_at) goes: the identity index now serves time-window queries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_plays_profile_ended", table_name="plays")
    with op.batch_alter_table("plays") as batch:
        batch.drop_constraint("uq_plays_identity", type_="unique")
        batch.create_unique_constraint(
            "uq_plays_identity", ["profile_id", "ended_minute", "track_id", "ms_played"]
        )


def downgrade() -> None:
    with op.batch_alter_table("plays") as batch:
        batch.drop_constraint("uq_plays_identity", type_="unique")
        batch.create_unique_constraint(
            "uq_plays_identity", ["profile_id", "track_id", "ended_minute", "ms_played"]
        )
    op.create_index("ix_plays_profile_ended", "plays", ["profile_id", "ended_at"])
