"""Scheduled jobs: each job says why it was queued, and the store remembers when the schedule last ran
(so a restarted server does not queue the day's jobs again at once).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("reason", sa.Text))
    op.create_table(
        "job_schedule",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("ran_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_schedule")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("reason")
