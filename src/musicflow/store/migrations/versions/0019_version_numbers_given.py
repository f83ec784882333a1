"""The highest model version number a profile was given: before this revision the next version took the
highest number among the versions left, so a version removed with the plays it learned from (an import
taken back) could see its number given again, and a logged prediction of the old version read as the
new one's. Numbers are now never given twice.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends (a batch copy of the table would cascade its deletes on SQLite).
    op.add_column(
        "profiles", sa.Column("model_versions_given", sa.Integer, nullable=False, server_default=sa.text("0"))
    )
    op.execute(
        "UPDATE profiles SET model_versions_given = COALESCE("
        "(SELECT MAX(version) FROM model_versions WHERE model_versions.profile_id = profiles.id), 0)"
    )


def downgrade() -> None:
    op.drop_column("profiles", "model_versions_given")
