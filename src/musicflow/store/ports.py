"""The ports every store adapter implements; the rest of MusicFlow knows only these.

`Store` is the whole store: profiles and plays, and one port per aggregate beside them (`features`,
`history`, `models`). The SQL adapter (`sql.py` and the modules it builds on) satisfies them
structurally; only the composition root (`MusicFlow.open`, through `open_store`) names it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NamedTuple, Protocol

from musicflow.core.plays import Play
from musicflow.core.songs import CatalogRow, FeatureValue, SourceAnswer, TrackQuery


@dataclass(frozen=True)
class TrackStreams:
    track: str
    artist: str
    spotify_id: str | None
    streams: int
    plays: int
    ms_played: int
    track_id: int = 0  # the store's track (of a song's counts: the track whose spelling names it)
    match_key: str = ""  # the track's loose key, which songs are merged on (`model/song_groups.py`)


@dataclass(frozen=True)
class ListeningSummary:
    plays: int
    streams: int
    tracks: int
    first_ended_at: int | None
    last_ended_at: int | None


class Store(Protocol):
    """Profiles and plays, and the ports of the other aggregates, all over one database."""

    @property
    def features(self) -> FeatureStore: ...

    @property
    def history(self) -> HistoryStore: ...

    @property
    def models(self) -> ModelStore: ...

    @property
    def tokens(self) -> TokenStore: ...

    @property
    def prediction_log(self) -> PredictionLogStore: ...

    @property
    def jobs(self) -> JobStore: ...

    def ensure_profile(self, name: str) -> int:
        """The id of the profile, created on first use."""
        ...

    def profile_id(self, name: str) -> int | None: ...

    def profiles(self, *, holding_data: bool = False) -> list[str]:
        """Every profile's name; with `holding_data`, those of the profiles holding a play or a library
        entry (not one only a token made, nor an upload that stored nothing)."""
        ...

    def add_plays(self, profile_id: int, plays: Sequence[Play], import_id: str | None = None) -> int:
        """Store plays in one transaction, ignoring ones already stored; returns how many were new.
        `import_id`: link every one of them, new or already stored, to that import (a job)."""
        ...

    def release_import(self, import_id: str) -> bool:
        """Forget which plays an import holds when another import holds exactly the same plays (the same
        export read again: it brought nothing, and taking back the first must take its plays), or when
        it holds none; False, keeping them, otherwise. An import holding some of another's plays is
        another export (an extended history beside a basic one, an older download): it keeps its
        record, and taking back the other keeps the plays it holds too."""
        ...

    def plays_brought(self, import_id: str) -> int:
        """How many plays the import holds that no other import holds: the plays it brought, over every
        run of it (a job taken up again finds stored what its first run stored), and what taking it
        back would remove."""
        ...

    def undo_import(self, profile_id: int, import_id: str) -> ImportUndone:
        """Take an import back: remove the plays no other import holds (and the tracks no play is left
        of), keep the others, and forget the import's links; one transaction."""
        ...

    def track_streams(
        self, profile_id: int, stream_min_ms: int, limit: int | None = None, *, streamed_only: bool = True
    ) -> list[TrackStreams]:
        """Tracks with at least one stream (every track played, without `streamed_only`), most streamed
        first: each spelling of a song apart (`model/song_streams.py` counts songs)."""
        ...

    def listening_summary(self, profile_id: int, stream_min_ms: int) -> ListeningSummary: ...

    def replace_library(self, profile_id: int, entries: Sequence[LibraryEntry]) -> int:
        """Make `entries` the profile's library (what it saved, followed and banned), replacing the one
        stored before in one transaction (an export's library is a picture of one moment); returns how
        many are stored."""
        ...

    def tracks_only_of(self, profile_id: int) -> list[int]:
        """The tracks no other profile played: those deleting the profile removes."""
        ...

    def delete_profile(self, profile_id: int) -> ProfileErasure:
        """Remove the profile and everything stored of it, in one transaction: its plays, library, model
        records, tokens, and the tracks (with their features) that no other profile played."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ImportUndone:
    """What taking an import back did: plays removed, plays kept because another import holds them, and
    tracks removed because no play was left of them. `first_play_id`: the smallest id of the plays removed
    (a model version whose cut-off reaches it learned from them); None when none was. The application adds
    what became of the models: the versions removed with the plays, and whether a retrain is queued."""

    removed: int
    kept: int
    tracks: int
    first_play_id: int | None = None
    model_versions_removed: tuple[int, ...] = ()
    serving_version: int | None = None  # the version serving after it (None: none serves)
    retrain_queued: bool = False

    def as_document(self) -> dict[str, object]:
        """Its one JSON form (`ingest undo --format json`, `DELETE /api/uploads/{id}`)."""
        return {
            "plays_removed": self.removed,
            "plays_kept": self.kept,
            "tracks_removed": self.tracks,
            "model_versions_removed": list(self.model_versions_removed),
            "serving_version": self.serving_version,
            "retrain_queued": self.retrain_queued,
        }


@dataclass(frozen=True)
class ProfileErasure:
    """What deleting a profile removed from the store."""

    plays: int
    tracks: int
    model_versions: int
    tokens: int
    logged_predictions: int
    jobs: int
    library_entries: int = 0


@dataclass(frozen=True)
class CatalogInfo:
    name: str
    file_name: str
    format: str
    rows: int
    imported_at: float


@dataclass(frozen=True)
class PendingTrack:
    """A stored track and the query a source needs to look it up."""

    track_id: int
    query: TrackQuery


@dataclass(frozen=True)
class ProfileTrack:
    track_id: int
    track: str
    artist: str
    spotify_id: str | None
    streams: int


class StoredFeatures(NamedTuple):
    """What one source said of one track: values (missing ones left out), where from, and when.

    A named tuple: a warm lookup builds one per cached answer, thousands per training run.
    """

    source: str
    origin: str | None
    fetched_at: float
    values: Mapping[str, FeatureValue]
    spotify_id: str | None
    isrc: str | None

    @property
    def label(self) -> str:
        """`catalog:bundled`, `audio_files:song.flac`, or just the source where it has one origin."""
        return f"{self.source}:{self.origin}" if self.origin else self.source


@dataclass(frozen=True)
class SourcePause:
    source: str
    resume_at: float
    reason: str


class FeatureStore(Protocol):
    """Where catalogs and every source's answers are kept, so no question is asked twice."""

    def import_catalog(self, name: str, file_name: str, format_name: str, rows: Iterable[CatalogRow]) -> int:
        """Replace the catalog `name` with `rows`, all or nothing; returns the rows stored."""
        ...

    def remove_catalog(self, name: str) -> bool:
        """Remove the catalog of this name (False: there is none), and remember that it was removed
        until a catalog of that name is imported again (`catalog_removed`)."""
        ...

    def catalog_removed(self, name: str) -> bool:
        """Whether the user removed the catalog of this name and has not imported one of it since."""
        ...

    def catalogs(self) -> list[CatalogInfo]: ...

    def catalog_rows(self, name: str) -> Iterator[CatalogRow]:
        """Every row of the catalog `name` as it was imported, read a batch at a time."""
        ...

    def catalog_columns(self, name: str, batch: int) -> Iterator[dict[str, list[Any]]]:
        """The rows of `catalog_rows`, `batch` at a time as columns: `spotify_id`, `song`, `artists` (the
        names joined by "; "), `line` (as in the row), `match_key` (the loose key of its first artist and
        its song, as stored at import: "" for a row without either), and one column per feature (None
        where missing)."""
        ...

    def catalog_columns_of(self, row_ids: Sequence[int]) -> Iterator[dict[str, list[Any]]]:
        """The catalog rows of these ids (`line` of `catalog_columns`), in that form, in id order, a few
        hundred at a time: what a second look at rows chosen in a first pass reads."""
        ...

    def catalog_matches(
        self, spotify_ids: Sequence[str], match_keys: Sequence[str]
    ) -> tuple[dict[str, list[StoredFeatures]], dict[str, list[StoredFeatures]]]: ...

    def catalog_repeats(self) -> dict[str, list[tuple[int, StoredFeatures]]]:
        """Every loose key more than one catalog row holds (in any catalog; not the empty key of a row
        without song or artist), with its rows as `catalog_matches` gives them, each beside its id (`line`
        of `catalog_columns`), in id order: which one a song of several entries is listed as is chosen
        of these, once per list."""
        ...

    def pending_tracks(
        self, profile_id: int, source: str, now: float, limit: int | None = None
    ) -> list[PendingTrack]: ...

    def save_answers(
        self, source: str, answers: Mapping[int, SourceAnswer], *, now: float, miss_ttl_s: float
    ) -> None: ...

    def features_of(self, track_ids: Sequence[int]) -> dict[int, list[StoredFeatures]]: ...

    def misses_of(self, track_ids: Sequence[int], now: float) -> dict[int, dict[str, str]]: ...

    def profile_tracks(self, profile_id: int, stream_min_ms: int) -> list[ProfileTrack]: ...

    def catalog_revision(self) -> tuple[tuple[str, float, int], ...]: ...

    def catalog_entries(self) -> list[tuple[str | None, str, StoredFeatures]]: ...

    def catalog_names(self, match_keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The song and primary artist of a catalog row of each loose key, as the catalog spells them;
        keys no catalog has are left out."""
        ...

    def catalog_keys(self) -> list[str]:
        """The loose key of every catalog row, each once: what near names are looked for among, without
        reading the rows (a one-shot command asking one name)."""
        ...

    def catalog_credits(self) -> list[tuple[str, str, str]]:
        """The catalog rows credited to more than one artist, as (loose key, song, artists joined by
        "; "), in the order they were imported: a song asked by an artist it features is found by it."""
        ...

    def tracks_revision(self) -> tuple[int, int]: ...

    def track_keys(self, after_id: int = 0) -> list[tuple[int, str, str]]: ...

    def tracks_by_id(
        self, track_ids: Sequence[int], *, played: bool = False
    ) -> dict[int, tuple[PendingTrack, int]]: ...

    def find_track(self, song: str, artist: str) -> PendingTrack | None: ...

    def tracks_by_spotify_id(self, spotify_ids: Sequence[str]) -> dict[str, PendingTrack]:
        """The stored track of each of these Spotify ids: one holding the id, else one of the song a
        catalog row of that id is (its loose key); the most played where several are. Ids of neither are
        left out."""
        ...

    def ensure_track(self, song: str, artist: str, spotify_id: str | None = None) -> PendingTrack: ...

    def find_tracks(self, songs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], PendingTrack]:
        """`find_track` for many (song, artist) pairs at once; pairs not stored are left out."""
        ...

    def ensure_tracks(self, songs: Sequence[tuple[str, str, str | None]]) -> None:
        """`ensure_track` for many (song, artist, Spotify id) at once."""
        ...

    def audio_fingerprints(self) -> set[str]: ...

    def remember_audio_file(
        self, fingerprint: str, file_name: str, track_id: int | None, outcome: str, reason: str | None
    ) -> None: ...

    def pause_source(self, source: str, resume_at: float, reason: str) -> None: ...

    def source_pause(self, source: str) -> SourcePause | None: ...

    def clear_pause(self, source: str) -> None: ...


# -- models -----------------------------------------------------------------------------------------
CHAMPION = "champion"
ANY_VERSION: Literal["any"] = "any"


class VersionStatus(StrEnum):
    """What the last check of a version's artifact files found."""

    READY = "ready"
    DAMAGED = "damaged"


class MoveReason(StrEnum):
    """Why an alias moved: the history keeps it so a person can tell a decision from an automatism."""

    PROMOTE = "promote"
    ROLLBACK = "rollback"
    AUTO_PROMOTE = "auto-promote"
    FORCED = "forced"


@dataclass(frozen=True)
class ModelMetadata:
    """What a training run knows of the version it registers; every mapping must be JSON."""

    data_fingerprint: str
    feature_names: Sequence[str]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    evaluation: Mapping[str, Any] = field(default_factory=dict)
    library_versions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArtifactRecord:
    """One artifact file of a version, as registered: loading refuses it if the bytes differ."""

    name: str
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class NewModelVersion:
    metadata: ModelMetadata
    artifacts: tuple[ArtifactRecord, ...]
    created_at: float


@dataclass(frozen=True)
class ModelVersion:
    """A registered version: numbered per profile from 1, its artifacts under `artifact_dir`."""

    profile: str
    version: int
    created_at: float
    status: VersionStatus
    data_fingerprint: str
    feature_names: tuple[str, ...]
    parameters: Mapping[str, Any]
    evaluation: Mapping[str, Any]
    library_versions: Mapping[str, str]
    artifact_dir: str
    artifacts: tuple[ArtifactRecord, ...]
    is_champion: bool = False


@dataclass(frozen=True)
class AliasMove:
    """One move of an alias: `from_version` is None for the first champion of a profile."""

    profile: str
    alias: str
    from_version: int | None
    to_version: int
    moved_at: float
    reason: MoveReason
    note: str


class ModelStore(Protocol):
    """Where model versions, aliases and alias moves are recorded (artifact bytes live in files)."""

    def add_version(
        self,
        profile: str,
        new: NewModelVersion,
        place_files: Callable[[int], str],
        *,
        profile_id: int | None = None,
    ) -> ModelVersion:
        """Number and record a version in one transaction, serialised per profile.

        `place_files(number)` moves the artifacts to their final directory and returns it (relative to
        the models folder); it runs inside the transaction, so a failure or a kill at any point leaves no
        row behind, and no other writer of the profile can take the same number meanwhile. `profile_id`:
        the id the profile had when the version's data was read; if it is no longer the profile's (it
        was deleted meanwhile) nothing is recorded and ProfileNotFoundError says so. Without it, a profile
        unknown yet is made.
        """
        ...

    def versions(self, profile: str) -> list[ModelVersion]:
        """The profile's versions, newest first."""
        ...

    def version(self, profile: str, number: int) -> ModelVersion | None: ...

    def alias_target(self, profile: str, alias: str) -> int | None: ...

    def move_alias(
        self,
        profile: str,
        alias: str,
        to_version: int,
        *,
        reason: MoveReason,
        note: str,
        now: float,
        expected_from: int | Literal["any"] | None = ANY_VERSION,
    ) -> AliasMove | None:
        """Point the alias at `to_version` and record the move, in one transaction.

        Returns None when the alias already points there. With `expected_from`, refuses (raising
        `ChampionMovedError`) when the alias no longer points where the caller saw it.
        """
        ...

    def alias_moves(self, profile: str, alias: str) -> list[AliasMove]:
        """Every move of the alias, newest first."""
        ...

    def set_status(self, profile: str, number: int, status: VersionStatus) -> None: ...

    def replace_artifact(self, profile: str, version: int, artifact: ArtifactRecord) -> None:
        """Record new bytes for one artifact file of a version (its checksum and size; the file is the
        caller's to replace)."""
        ...

    def remove_versions(
        self,
        profile: str,
        choose: Callable[[Sequence[ModelVersion], Sequence[AliasMove]], Collection[int]],
        record: Callable[[Sequence[ModelVersion]], None],
        *,
        champion_too: bool = False,
    ) -> list[ModelVersion]:
        """Remove the versions `choose` picks, in one transaction serialised per profile (as `add_version`).

        `choose(versions, moves)` sees the profile's versions and the champion's moves, newest first, under
        the profile's lock, so nothing it decided on can change before the rows go; the champion is never
        removed (picking it is refused and nothing is removed), unless `champion_too`: then the profile is
        left with no champion (what it learned from was taken back). `record(removed)` runs inside the
        transaction before it commits: a failure there keeps every row. Returns the removed versions (an
        unknown profile has none); their artifact files are the caller's to delete.
        """
        ...


# -- history ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlayFact:
    """One play, as much as the model may know of it (no device, place or account data)."""

    profile_id: int
    track_id: int
    ended_at: int
    ms_played: int
    reason_end: str | None
    skipped: bool | None
    play_id: int = 0  # the store's id: plays stored later have larger ones (a model's cut-off names it)


@dataclass(frozen=True, slots=True)
class TrackFact:
    track_id: int
    name: str
    artist: str
    spotify_id: str | None
    match_key: str


@dataclass(frozen=True, slots=True)
class CatalogSong:
    """A catalog row, for sampling songs nobody in the store played."""

    row_id: int
    origin: str
    spotify_id: str | None
    match_key: str
    song: str
    artist: str
    values: dict[str, FeatureValue]


class LibraryKind(StrEnum):
    """What a library entry is: from `YourLibrary.json` of a Spotify export."""

    SAVED_SONG = "saved_song"  # "tracks": the listener's Liked Songs
    SAVED_ALBUM = "saved_album"  # "albums"
    FOLLOWED_ARTIST = "followed_artist"  # "artists"
    BANNED_SONG = "banned_song"  # "bannedTracks": "hide this song"
    BANNED_ARTIST = "banned_artist"  # "bannedArtists": "don't play this artist"


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One entry of a listener's library: `name` is the song or the album ("" for an artist)."""

    kind: LibraryKind
    artist: str
    name: str = ""
    spotify_id: str | None = None  # of the song, album or artist


class HistoryStore(Protocol):
    """What the model reads of the listening history: one bulk query per call, narrowed to a profile."""

    def profile_ids(self) -> dict[str, int]: ...

    def plays(self, profile_id: int | None = None) -> list[PlayFact]: ...

    def played_tracks(self, profile_id: int | None = None) -> list[TrackFact]: ...

    def library(self, profile_id: int) -> list[LibraryEntry]:
        """The profile's library as last imported (empty when no export held one)."""
        ...

    def catalog_songs(self, row_ids: Sequence[int]) -> list[CatalogSong]: ...

    def catalog_row_ids(self) -> list[int]: ...


# -- access tokens ----------------------------------------------------------------------------------
TokenScope = Literal["read", "write"]


@dataclass(frozen=True)
class StoredToken:
    """An access token as stored: never the token itself, only its digest."""

    id: int
    profile: str
    scope: TokenScope
    created_at: float
    revoked_at: float | None
    expires_at: float | None = None  # None: until revoked


class TokenStore(Protocol):
    """Where access tokens are kept, by the SHA-256 of each."""

    def add_token(
        self, profile: str, digest: str, scope: TokenScope, now: float, expires_at: float | None = None
    ) -> StoredToken:
        """Record a token for the profile (created if new, with no data yet)."""
        ...

    def token_by_digest(self, digest: str) -> StoredToken | None: ...

    def tokens(self, profile: str | None = None) -> list[StoredToken]:
        """Every token (of the profile), oldest first, revoked ones included."""
        ...

    def revoke_token(self, token_id: int, now: float) -> StoredToken | None:
        """Mark the token revoked (if not already); None when there is no such token."""
        ...


# -- the prediction log -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LoggedPrediction:
    """One prediction a listener was given: the song as answered, the model version, the value, when,
    and through what (`api`, `page` or `cli`)."""

    profile: str
    song: str
    artist: str
    spotify_id: str | None
    model_version: int
    predicted: float
    asked_at: float
    via: str


class PredictionLogStore(Protocol):
    """Where predictions given are recorded, in batches."""

    def append(self, entries: Sequence[LoggedPrediction]) -> int:
        """Record the entries in one transaction (those of profiles gone meanwhile are dropped); how many."""
        ...

    def entries(self, profile: str | None = None, since: float | None = None) -> list[LoggedPrediction]:
        """The recorded predictions (of the profile, from `since`), oldest first."""
        ...

    def prune(self, before: float) -> int:
        """Remove the entries older than `before`; how many."""
        ...


# -- jobs ---------------------------------------------------------------------------------------------
JobState = Literal["queued", "running", "done", "failed", "undone"]


@dataclass(frozen=True)
class Job:
    """Background work for a profile, as stored: where it is, how far, and how it ended."""

    id: str
    profile: str
    kind: str
    state: JobState
    stage: str
    progress: Mapping[str, Any]
    result: Mapping[str, Any] | None
    error: str | None
    digest: str | None
    attempts: int
    created_at: float
    updated_at: float
    reason: str | None = None  # why it was queued (an upload, new plays, the schedule), when said


class JobStore(Protocol):
    """Where jobs are kept, claimed by one runner at a time, and updated as they go."""

    def add_job(
        self, job_id: str, profile: str, kind: str, digest: str | None, now: float, reason: str | None = None
    ) -> Job:
        """A queued job for the profile (made, with no data yet, if new), with why it was queued."""
        ...

    def schedule_ran(self, name: str) -> float | None:
        """When the schedule `name` last ran, if it ever did."""
        ...

    def claim_schedule(self, name: str, last: float | None, now: float) -> bool:
        """Record that the schedule runs at `now`, only if it last ran at `last` (one runner wins)."""
        ...

    def job(self, job_id: str) -> Job | None: ...

    def jobs(self, profile: str | None = None) -> list[Job]:
        """Newest first."""
        ...

    def job_with_digest(self, profile: str, digest: str) -> Job | None:
        """The profile's upload of the same files that has neither failed nor been taken back, if any: an
        export taken back (or whose job failed) may be sent again, and is then taken in by a new job."""
        ...

    def waiting(self, profile: str, kind: str) -> Job | None:
        """The profile's queued job of this kind, if any."""
        ...

    def last_finished(self, profile: str) -> float | None:
        """When a job of the profile last finished or was taken back (an ingest, an upload, a training,
        an import undone): a server reads the listener again when it moves, whichever process ran it."""
        ...

    def claim_next(self, now: float) -> Job | None:
        """Mark the oldest queued job running (one claimer wins) and return it."""
        ...

    def update_job(
        self,
        job_id: str,
        now: float,
        *,
        state: JobState | None = None,
        stage: str | None = None,
        progress: Mapping[str, Any] | None = None,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
        digest: str | None = None,
    ) -> None: ...

    def requeue_running(self, now: float, stale_before: float) -> int:
        """Jobs left running by a runner that stopped, known by a row not touched since `stale_before` (a
        live runner touches its job's row at least every `HEARTBEAT_S`): queued again, so that a
        restart resumes them; how many."""
        ...
