"""The port every store adapter implements; the rest of MusicFlow knows only this."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from musicflow.features.base import SourceAnswer, TrackQuery
from musicflow.features.catalog_formats.model import CatalogRow
from musicflow.features.spec import FeatureValue
from musicflow.ingest.models import Play


@dataclass(frozen=True)
class TrackStreams:
    track: str
    artist: str
    spotify_id: str | None
    streams: int
    plays: int
    ms_played: int


@dataclass(frozen=True)
class ListeningSummary:
    plays: int
    streams: int
    tracks: int
    first_ended_at: int | None
    last_ended_at: int | None


class Store(Protocol):
    def ensure_profile(self, name: str) -> int:
        """The id of the profile, created on first use."""
        ...

    def profile_id(self, name: str) -> int | None: ...

    def profiles(self) -> list[str]: ...

    def add_plays(self, profile_id: int, plays: Sequence[Play]) -> int:
        """Store plays in one transaction, ignoring ones already stored; returns how many were new."""
        ...

    def track_streams(
        self, profile_id: int, stream_min_ms: int, limit: int | None = None
    ) -> list[TrackStreams]:
        """Tracks with at least one stream, most streamed first."""
        ...

    def listening_summary(self, profile_id: int, stream_min_ms: int) -> ListeningSummary: ...

    def close(self) -> None: ...


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

    def remove_catalog(self, name: str) -> bool: ...

    def catalogs(self) -> list[CatalogInfo]: ...

    def catalog_matches(
        self, spotify_ids: Sequence[str], match_keys: Sequence[str]
    ) -> tuple[dict[str, list[StoredFeatures]], dict[str, list[StoredFeatures]]]: ...

    def pending_tracks(
        self, profile_id: int, source: str, now: float, limit: int | None = None
    ) -> list[PendingTrack]: ...

    def save_answers(
        self, source: str, answers: Mapping[int, SourceAnswer], *, now: float, miss_ttl_s: float
    ) -> None: ...

    def features_of(self, track_ids: Sequence[int]) -> dict[int, list[StoredFeatures]]: ...

    def misses_of(self, track_ids: Sequence[int], now: float) -> dict[int, dict[str, str]]: ...

    def profile_tracks(self, profile_id: int, stream_min_ms: int) -> list[ProfileTrack]: ...

    def find_track(self, song: str, artist: str) -> PendingTrack | None: ...

    def ensure_track(self, song: str, artist: str, spotify_id: str | None = None) -> PendingTrack: ...

    def audio_fingerprints(self) -> set[str]: ...

    def remember_audio_file(
        self, fingerprint: str, file_name: str, track_id: int | None, outcome: str, reason: str | None
    ) -> None: ...

    def pause_source(self, source: str, resume_at: float, reason: str) -> None: ...

    def source_pause(self, source: str) -> SourcePause | None: ...

    def clear_pause(self, source: str) -> None: ...
