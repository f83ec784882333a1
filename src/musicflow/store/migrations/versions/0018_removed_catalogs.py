"""Catalogs the user removed: the bundled catalog is imported the first time a store needs one, and
before this revision it came back at the next question after `catalog remove bundled`. The store now
remembers the removal until the catalog is added again.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "removed_catalogs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("removed_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("removed_catalogs")
