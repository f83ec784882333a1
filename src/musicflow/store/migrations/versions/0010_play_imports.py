"""Which import holds each play, so that one import can be taken back.

Plays stored before this revision are linked to one import per profile, "before imports were recorded":
no later undo removes them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
import time
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "play_imports",
        sa.Column("play_id", sa.Integer, sa.ForeignKey("plays.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("import_id", sa.String(32), sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_play_imports_import", "play_imports", ["import_id"])
    conn = op.get_bind()
    now = time.time()
    for (profile_id,) in conn.execute(sa.text("SELECT DISTINCT profile_id FROM plays")).all():
        import_id = uuid.uuid4().hex
        conn.execute(
            sa.text(
                "INSERT INTO jobs (id, profile_id, kind, state, stage, progress, result, error, digest,"
                " attempts, created_at, updated_at) VALUES (:id, :profile, 'ingest', 'done', 'done', '{}',"
                " :result, NULL, NULL, 1, :now, :now)"
            ),
            {
                "id": import_id,
                "profile": profile_id,
                "result": json.dumps({"note": "plays ingested before imports were recorded"}),
                "now": now,
            },
        )
        conn.execute(
            sa.text(
                "INSERT INTO play_imports (play_id, import_id) SELECT id, :import FROM plays"
                " WHERE profile_id = :profile"
            ),
            {"import": import_id, "profile": profile_id},
        )


def downgrade() -> None:
    op.drop_index("ix_play_imports_import", "play_imports")
    op.drop_table("play_imports")
