"""Profiles, tracks and plays.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "tracks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("track_key", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("artist", sa.Text, nullable=False),
        sa.Column("album", sa.Text),
        sa.Column("spotify_id", sa.String(32)),
    )
    op.create_index("ix_tracks_spotify_id", "tracks", ["spotify_id"])
    op.create_table(
        "plays",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "profile_id",
            sa.Integer,
            sa.ForeignKey("profiles.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id"), nullable=False),
        sa.Column("ended_at", sa.BigInteger, nullable=False),
        sa.Column("ended_minute", sa.BigInteger, nullable=False),
        sa.Column("ms_played", sa.Integer, nullable=False),
        sa.Column("spotify_id", sa.String(32)),
        sa.Column("reason_end", sa.String(32)),
        sa.Column("skipped", sa.Boolean),
        sa.Column("source", sa.String(16), nullable=False),
        sa.UniqueConstraint("profile_id", "track_id", "ended_minute", "ms_played", name="uq_plays_identity"),
    )
    op.create_index("ix_plays_profile_ended", "plays", ["profile_id", "ended_at"])


def downgrade() -> None:
    op.drop_table("plays")
    op.drop_table("tracks")
    op.drop_table("profiles")
