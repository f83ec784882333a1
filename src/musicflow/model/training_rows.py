"""A training or test row: one song, why it is in the set, and how many times the listener streamed it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from musicflow.core.songs import FeatureValue
from musicflow.features.merge import MergedFeatures
from musicflow.model.basis import Availability, availability_of_values
from musicflow.model.vectorize import usable_values

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
    # `usable_values` of the features and their availability pattern, by `allow_spotify`: a row is
    # drawn, weighed, checked and vectorised several times in one training run, and looked up once.
    _usable: dict[bool, tuple[Mapping[str, FeatureValue], Availability]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def is_positive(self) -> bool:
        return self.target > 0

    def usable(self, allow_spotify: bool) -> Mapping[str, FeatureValue]:
        """The values of the row's features a model may use (`usable_values`), not to be modified."""
        return self._looked_up(allow_spotify)[0]

    def availability(self, allow_spotify: bool) -> Availability:
        """Which of those values the row has (`basis.availability_of`)."""
        return self._looked_up(allow_spotify)[1]

    def _looked_up(self, allow_spotify: bool) -> tuple[Mapping[str, FeatureValue], Availability]:
        found = self._usable.get(allow_spotify)
        if found is None:
            values = usable_values(self.features, allow_spotify)
            found = self._usable[allow_spotify] = (values, availability_of_values(values))
        return found


def clipped(streams: int) -> int:
    return min(max(streams, 0), MAX_STREAMS)
