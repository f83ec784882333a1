"""Profile ids are never given twice.

SQLite gives a new row the highest id plus one: a profile made after the newest one was deleted took
its id, and what other listeners' model versions recorded of the deleted one ("deleted profile 3")
then named the newcomer. A counter that only grows (`ids_given`) now gives every profile its id, on
both backends. It starts above every id given so far that the store can still tell of: the highest
profile left (SQLite), or PostgreSQL's sequence, which remembers the deleted ones too.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ids_given",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    bind = op.get_bind()
    highest = int(bind.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM profiles")).scalar_one())
    if bind.dialect.name == "postgresql":
        sequence = bind.execute(sa.text("SELECT pg_get_serial_sequence('profiles', 'id')")).scalar()
        if sequence is not None:
            last, called = bind.execute(sa.text(f"SELECT last_value, is_called FROM {sequence}")).one()
            highest = max(highest, int(last) if called else int(last) - 1)
    bind.execute(
        sa.text("INSERT INTO ids_given (name, value) VALUES ('profiles', :value)"), {"value": highest}
    )


def downgrade() -> None:
    op.drop_table("ids_given")
