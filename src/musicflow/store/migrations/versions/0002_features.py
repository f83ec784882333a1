"""Feature catalogs, per-source track features, the negative cache and source pauses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from musicflow.store.migrations.frozen.match_key_0002 import match_key

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The feature table as of this revision (frozen here: later revisions add columns of their own).
FEATURE_COLUMNS: tuple[tuple[str, type[sa.Float[float] | sa.Integer | sa.Boolean]], ...] = (
    ("danceability", sa.Float),
    ("energy", sa.Float),
    ("key", sa.Integer),
    ("loudness", sa.Float),
    ("mode", sa.Integer),
    ("speechiness", sa.Float),
    ("acousticness", sa.Float),
    ("instrumentalness", sa.Float),
    ("liveness", sa.Float),
    ("valence", sa.Float),
    ("tempo", sa.Float),
    ("time_signature", sa.Integer),
    ("energy_estimate", sa.Float),
    ("danceability_estimate", sa.Float),
    ("duration_ms", sa.Integer),
    ("explicit", sa.Boolean),
    ("popularity", sa.Integer),
    ("release_year", sa.Integer),
    ("release_month", sa.Integer),
    ("release_day", sa.Integer),
    ("n_artists", sa.Integer),
    ("n_markets", sa.Integer),
)


def feature_columns() -> list[sa.Column[object]]:
    return [sa.Column(name, kind) for name, kind in FEATURE_COLUMNS]


def upgrade() -> None:
    with op.batch_alter_table("tracks") as batch:
        batch.add_column(sa.Column("match_key", sa.Text))
        batch.create_index("ix_tracks_match_key", ["match_key"])
    _fill_match_keys()
    op.create_table(
        "catalogs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.Float, nullable=False),
    )
    op.create_table(
        "catalog_tracks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("catalog_id", sa.Integer, sa.ForeignKey("catalogs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("spotify_id", sa.String(32)),
        sa.Column("match_key", sa.Text, nullable=False),
        sa.Column("song", sa.Text, nullable=False),
        sa.Column("artists", sa.Text, nullable=False),
        *feature_columns(),
    )
    op.create_index("ix_catalog_tracks_spotify_id", "catalog_tracks", ["spotify_id"])
    op.create_index("ix_catalog_tracks_match_key", "catalog_tracks", ["match_key"])
    op.create_table(
        "track_features",
        sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("origin", sa.Text),
        sa.Column("spotify_id", sa.String(32)),
        sa.Column("isrc", sa.String(16)),
        sa.Column("fetched_at", sa.Float, nullable=False),
        *feature_columns(),
    )
    op.create_table(
        "fetch_misses",
        sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "source_pauses",
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("resume_at", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


def _fill_match_keys() -> None:
    """Tracks stored before this revision get their loose matching key."""
    conn = op.get_bind()
    tracks = sa.table(
        "tracks", sa.column("id"), sa.column("name"), sa.column("artist"), sa.column("match_key")
    )
    rows = conn.execute(sa.select(tracks.c.id, tracks.c.name, tracks.c.artist)).all()
    if rows:
        conn.execute(
            tracks.update().where(tracks.c.id == sa.bindparam("tid")).values(match_key=sa.bindparam("key")),
            [{"tid": r.id, "key": match_key(r.artist, r.name)} for r in rows],
        )


def downgrade() -> None:
    op.drop_table("source_pauses")
    op.drop_table("fetch_misses")
    op.drop_table("track_features")
    op.drop_table("catalog_tracks")
    op.drop_table("catalogs")
    with op.batch_alter_table("tracks") as batch:
        batch.drop_index("ix_tracks_match_key")
        batch.drop_column("match_key")
