"""A listener's library from the export (saved songs and albums, followed and banned artists and songs).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("profile_id", sa.Integer, sa.ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("artist", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("spotify_id", sa.String(32)),
    )
    op.create_index("ix_library_entries_profile_id", "library_entries", ["profile_id"])


def downgrade() -> None:
    op.drop_index("ix_library_entries_profile_id", "library_entries")
    op.drop_table("library_entries")
