"""The plain values ingest produces, independent of any export format or store."""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple


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


def normalise(text: str) -> str:
    """Fold case, Unicode forms and runs of white space, so spellings of one name compare equal."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@lru_cache(maxsize=1 << 16)
def track_key(artist: str, track: str) -> str:
    """The identity of a song across export formats, which do not all carry a Spotify id."""
    return f"{normalise(artist)}\x1f{normalise(track)}"
