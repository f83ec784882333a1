"""The port every store adapter implements; the rest of MusicFlow knows only this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

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
