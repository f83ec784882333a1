"""Table definitions shared by the SQL adapter and the migrations."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from musicflow.core.feature_spec import FEATURES, Kind

metadata = MetaData()

profiles = Table(
    "profiles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    # The highest model version number given (numbers are never given twice, removed versions' neither).
    Column("model_versions_given", Integer, nullable=False, server_default=text("0")),
)

# The highest id given so far of a kind of row (`profiles`): ids are never given twice, a deleted
# profile's neither (SQLite alone would give the highest id left plus one).
ids_given = Table(
    "ids_given",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# A listener's library (YourLibrary.json of an export): saved songs and albums, followed and banned
# artists and songs. It has no dates; each import replaces the profile's whole library.
library_entries = Table(
    "library_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("artist", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("spotify_id", String(32)),
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
    Column("match_key", Text, index=True),
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
    # In time order, so an export (which is in time order) fills the index sequentially.
    UniqueConstraint("profile_id", "ended_minute", "track_id", "ms_played", name="uq_plays_identity"),
    Index("ix_plays_track", "track_id"),  # a track's plays: which spelling is most played, who played it
)


def _feature_columns() -> list[Column[object]]:
    """One nullable column per feature of the table in `core.feature_spec` (missing = NULL, never 0)."""
    types = {Kind.FLOAT: Float, Kind.INT: Integer, Kind.BOOL: Boolean}
    return [Column(spec.name, types[spec.kind]) for spec in FEATURES]


catalogs = Table(
    "catalogs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("file_name", Text, nullable=False),
    Column("format", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", Float, nullable=False),
)

# Catalogs the user removed, so that the bundled one is not imported again on its own (0018).
removed_catalogs = Table(
    "removed_catalogs",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("removed_at", Float, nullable=False),
)

catalog_tracks = Table(
    "catalog_tracks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("catalog_id", Integer, ForeignKey("catalogs.id", ondelete="CASCADE"), nullable=False),
    Column("spotify_id", String(32), index=True),
    Column("match_key", Text, nullable=False, index=True),
    Column("song", Text, nullable=False),
    Column("artists", Text, nullable=False),
    *_feature_columns(),
)

# What each source said of each track: one row per (track, source), every value with its origin and time.
track_features = Table(
    "track_features",
    metadata,
    Column("track_id", Integer, ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
    Column("source", String(32), primary_key=True),
    Column("origin", Text),
    Column("spotify_id", String(32)),
    Column("isrc", String(16)),
    Column("fetched_at", Float, nullable=False),
    *_feature_columns(),
)

# A source that answered "not found" is not asked again for that track until the entry expires.
fetch_misses = Table(
    "fetch_misses",
    metadata,
    Column("track_id", Integer, ForeignKey("tracks.id", ondelete="CASCADE"), primary_key=True),
    Column("source", String(32), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# A source that asked us to wait (a long Retry-After) is not asked again before `resume_at`.
source_pauses = Table(
    "source_pauses",
    metadata,
    Column("source", String(32), primary_key=True),
    Column("resume_at", Float, nullable=False),
    Column("reason", Text, nullable=False),
)

# Audio files of the user's already analysed (or found unusable): a rescan skips them while unchanged.
audio_files = Table(
    "audio_files",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("file_name", Text, nullable=False),
    Column("track_id", Integer, ForeignKey("tracks.id", ondelete="SET NULL")),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text),
    Column("analyzed_at", Float, nullable=False),
)

# A trained model version: its metadata here, its artifact files under <data_dir>/models/<artifact_dir>.
# JSON columns are TEXT holding canonical JSON, so both backends store and return the same bytes.
model_versions = Table(
    "model_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("data_fingerprint", String(128), nullable=False),
    Column("feature_names", Text, nullable=False),
    Column("parameters", Text, nullable=False),
    Column("evaluation", Text, nullable=False),
    Column("library_versions", Text, nullable=False),
    Column("artifact_dir", Text, nullable=False),
    UniqueConstraint("profile_id", "version", name="uq_model_versions_number"),
)

# One row per artifact file of a version, with the checksum that loading verifies.
model_artifacts = Table(
    "model_artifacts",
    metadata,
    Column(
        "model_version_id",
        Integer,
        ForeignKey("model_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("name", String(128), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
)

# Named pointers to a version of a profile: `champion` is the version that serves predictions.
model_aliases = Table(
    "model_aliases",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("alias", String(32), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
    ForeignKeyConstraint(
        ["profile_id", "version"],
        ["model_versions.profile_id", "model_versions.version"],
        name="fk_model_aliases_version",
    ),
)

# Every move of an alias, so a rollback knows where to go back to and a person can see why it moved.
model_alias_moves = Table(
    "model_alias_moves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("alias", String(32), nullable=False),
    Column("from_version", Integer),
    Column("to_version", Integer, nullable=False),
    Column("moved_at", Float, nullable=False),
    Column("reason", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Index("ix_model_alias_moves_profile", "profile_id", "alias", "id"),
)

# An access token of the API and the page: only its SHA-256 is kept (the token is shown once, when made);
# it reaches one profile, to read (`read`) or also to change (`write`) its data. A revoked token stays
# listed with when it was revoked, and opens nothing.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("scope", String(8), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
    Column("expires_at", Float),  # None: until revoked
)

# Every prediction answered by the API and the page (and by the CLI when asked): whose, which song as
# answered, by which model version, what it said, when. No client address, no token. Kept for
# `prediction_log_days`; removed with the profile.
prediction_log = Table(
    "prediction_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("song", Text, nullable=False),
    Column("artist", Text, nullable=False),
    Column("spotify_id", String(32)),
    Column("model_version", Integer, nullable=False),
    Column("predicted", Float, nullable=False),
    Column("asked_at", Float, nullable=False),
    Column("via", String(8), nullable=False),
    Index("ix_prediction_log_profile_time", "profile_id", "asked_at"),
)

# Work the server does for a listener in the background (an upload: ingest, features, training), kept so
# that it resumes after a restart and its outcome can be asked for. `digest` is the uploaded files'
# SHA-256: the same export uploaded again is the same job.
jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("stage", Text, nullable=False),
    Column("progress", Text, nullable=False),
    Column("result", Text),
    Column("error", Text),
    Column("digest", String(64)),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("reason", Text),  # why it was queued: an upload, new plays, the schedule
    Index("ix_jobs_state", "state", "created_at"),
    Index("ix_jobs_profile_digest", "profile_id", "digest"),
)

# When the schedule (retrains, feature refreshes) last ran, by name: a restart does not run it again at once.
job_schedule = Table(
    "job_schedule",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("ran_at", Float, nullable=False),
)

# Which import (a job: an upload, or an `ingest` run) holds each play: a play two exports hold is linked to
# both, so taking one import back removes only the plays no other holds.
play_imports = Table(
    "play_imports",
    metadata,
    Column("play_id", Integer, ForeignKey("plays.id", ondelete="CASCADE"), primary_key=True),
    Column("import_id", String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_play_imports_import", "import_id"),
)
