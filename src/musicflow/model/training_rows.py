"""A training or test row: one song, why it is in the set, and how many times the listener streamed it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from musicflow.features.merge import MergedFeatures

MAX_STREAMS = 30


class RowKind(StrEnum):
    STREAMED = "streamed"  # the listener streamed it: a positive
    SKIPPED = "skipped"  # the listener heard it and never played it 30 s
    OTHERS = "others"  # another listener in the store streamed it; this one never played it
    CATALOG = "catalog"  # a catalog song nobody in the store played
    SHIPPED = "shipped"  # a song other people streamed, from the list shipped with MusicFlow


class ZeroSource(StrEnum):
    """Where the zeros of a training set come from (a combination of these is the zero strategy)."""

    SKIPS = "skips"
    OTHERS = "others"
    CATALOG = "catalog"
    SHIPPED = "shipped"


@dataclass(frozen=True, slots=True)
class Row:
    song_id: int
    kind: RowKind
    target: int
    features: MergedFeatures
    artist_key: str

    @property
    def is_positive(self) -> bool:
        return self.target > 0


def clipped(streams: int) -> int:
    return min(max(streams, 0), MAX_STREAMS)
