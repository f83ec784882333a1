"""The port every feature source implements, and the values that cross it.

A source is asked about a batch of songs and answers, per song, with validated features, with "not
found" (so the job can remember the miss), or not at all (it could not decide: ask again next run).
Whole-batch failures are our own exceptions: `RateLimitedError` (pause the job until `resume_at`),
`UpstreamUnavailableError` (retry budget spent), `UpstreamAuthError`, `InvalidPayloadError`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from musicflow.features.spec import FeatureValue


@dataclass(frozen=True, slots=True)
class TrackQuery:
    """A song to find: `key` is the store's track key (normalised artist + title)."""

    key: str
    song: str
    artist: str
    spotify_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeatureRecord:
    """What one source knows of one song; `values` passed `spec.validate_values`."""

    source: str
    values: Mapping[str, FeatureValue]
    spotify_id: str | None = None
    isrc: str | None = None
    fetched_at: float = field(default_factory=time.time)
    origin: str | None = None  # which catalog or file, where the source has several


@dataclass(frozen=True, slots=True)
class NotFound:
    """The source answered and does not know this song (kept in a negative cache for a while)."""

    source: str
    reason: str = "not found"


SourceAnswer = FeatureRecord | NotFound


class FeatureSource(Protocol):
    """An adapter that gets features for songs; one module under `features/` each."""

    name: str
    batch_size: int

    def fetch(self, queries: Sequence[TrackQuery]) -> dict[str, SourceAnswer]:
        """Answers keyed by `TrackQuery.key`; a key left out was not decided and is asked again later."""
        ...


class Clock(Protocol):
    """Time as the HTTP clients see it, injected so tests and benchmarks need not really wait."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
