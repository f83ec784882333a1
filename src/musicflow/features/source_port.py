"""The port every feature source implements, and the values that cross it.

A source is asked about a batch of songs and answers, per song, with validated features, with "not
found" (so the job can remember the miss), or not at all (it could not decide: ask again next run).
Whole-batch failures are our own exceptions: `RateLimitedError` (pause the job until `resume_at`),
`UpstreamUnavailableError` (retry budget spent), `UpstreamAuthError`, `InvalidPayloadError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from musicflow.core.songs import SourceAnswer, TrackQuery

BUNDLED_CATALOG = "bundled"  # the catalog shipped with MusicFlow, as the store names it


class FeatureSource(Protocol):
    """An adapter that gets features for songs; one module under `features/` each."""

    name: str
    batch_size: int

    def fetch(self, queries: Sequence[TrackQuery]) -> dict[str, SourceAnswer]:
        """Answers keyed by `TrackQuery.key`; a key left out was not decided and is asked again later."""
        ...
