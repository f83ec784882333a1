"""The prediction log: what each listener was told, so that later plays can judge it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "prediction_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("song", sa.Text, nullable=False),
        sa.Column("artist", sa.Text, nullable=False),
        sa.Column("spotify_id", sa.String(32)),
        sa.Column("model_version", sa.Integer, nullable=False),
        sa.Column("predicted", sa.Float, nullable=False),
        sa.Column("asked_at", sa.Float, nullable=False),
        sa.Column("via", sa.String(8), nullable=False),
    )
    op.create_index("ix_prediction_log_profile_time", "prediction_log", ["profile_id", "asked_at"])


def downgrade() -> None:
    op.drop_index("ix_prediction_log_profile_time", "prediction_log")
    op.drop_table("prediction_log")
