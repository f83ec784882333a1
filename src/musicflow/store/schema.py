"""Table definitions shared by the SQL adapter and the migrations."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

profiles = Table(
    "profiles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
)

# Tracks are shared by all profiles: features fetched for a song serve every listener.
tracks = Table(
    "tracks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("track_key", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("artist", Text, nullable=False),
    Column("album", Text),
    Column("spotify_id", String(32), index=True),
)

# A play is identified by (profile, track, minute it ended, ms played): the fields both export formats
# share, so the same play from the basic and the extended export is stored once.
plays = Table(
    "plays",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("track_id", Integer, ForeignKey("tracks.id"), nullable=False),
    Column("ended_at", BigInteger, nullable=False),
    Column("ended_minute", BigInteger, nullable=False),
    Column("ms_played", Integer, nullable=False),
    Column("spotify_id", String(32)),
    Column("reason_end", String(32)),
    Column("skipped", Boolean),
    Column("source", String(16), nullable=False),
    UniqueConstraint("profile_id", "track_id", "ended_minute", "ms_played", name="uq_plays_identity"),
    Index("ix_plays_profile_ended", "profile_id", "ended_at"),
)
