"""The plain values ingest produces, independent of any export format or store."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from musicflow.core.songs import track_key


class SkipReason(StrEnum):
    """Why a row of a history file did not become a music play."""

    PODCAST = "podcast episode"
    AUDIOBOOK = "audiobook chapter"
    VIDEO = "video"
    NO_TRACK = "no track or artist name"
    INVALID = "invalid record"


class ExportFormat(StrEnum):
    BASIC = "basic"
    EXTENDED = "extended"


class Play(NamedTuple):
    """One music play, holding only what later steps need (no IP, device, country or user name).

    A named tuple rather than a dataclass: an export holds hundreds of thousands of these, and a tuple
    is several times cheaper to build.
    """

    ended_at: int  # Unix seconds, UTC; minute resolution in the basic format
    ms_played: int
    track: str
    artist: str
    album: str | None
    spotify_id: str | None
    reason_end: str | None
    skipped: bool | None
    source: ExportFormat

    @property
    def ended_minute(self) -> int:
        return self.ended_at // 60

    @property
    def track_key(self) -> str:
        return track_key(self.artist, self.track)
