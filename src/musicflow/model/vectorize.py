"""The one function that turns a song's features and the listener's artist affinity into model input.

Training, evaluation, single predictions and batch scoring all call `vectorize`, so they cannot drift
apart. Values from the `spotify` source are left out unless the layout allows them (Spotify's Developer
Policy forbids training models on Spotify content; the user decides). A missing value stays NaN, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.core.songs import FeatureValue
from musicflow.features.merge import MergedFeatures
from musicflow.model.affinity import ArtistAffinity

SPOTIFY_SOURCE = "spotify"
KEY_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
KEY_COLUMNS = (*(f"key_{name}" for name in KEY_NAMES), "key_unknown")
NUMERIC_FEATURES = tuple(name for name in FEATURE_NAMES if name != "key")
RELEASE_PARTS = ("release_year", "release_month", "release_day")
RELEASE_PRECISION = "release_date_precision"
AFFINITY_COLUMNS = (
    "artist_streams",
    "artist_songs",
    "artist_share",
    "artist_first_days",
    "artist_last_days",
)

Vector = npt.NDArray[np.float64]


def required_features(column: str) -> tuple[str, ...]:
    """The feature-table values a column is computed from: it is usable only if all of them are."""
    if column in KEY_COLUMNS:
        return ("key",)
    if column == RELEASE_PRECISION:
        return RELEASE_PARTS
    if column in AFFINITY_COLUMNS:
        return ()
    return (column,)


ALL_COLUMNS: tuple[str, ...] = (*NUMERIC_FEATURES, *KEY_COLUMNS, RELEASE_PRECISION, *AFFINITY_COLUMNS)


@dataclass(frozen=True)
class FeatureLayout:
    """Which columns the model uses, in order; fixed at training time and stored with the model."""

    columns: tuple[str, ...]
    allow_spotify: bool = False
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    _numeric: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)
    _keys: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = [c for c in self.columns if c not in ALL_COLUMNS]
        if unknown:
            raise ValueError(f"unknown model columns: {', '.join(unknown)}")
        index = {name: i for i, name in enumerate(self.columns)}
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_numeric", tuple((n, index[n]) for n in NUMERIC_FEATURES if n in index))
        object.__setattr__(self, "_keys", tuple(index[c] for c in KEY_COLUMNS if c in index))

    @property
    def width(self) -> int:
        return len(self.columns)

    def index_of(self, column: str) -> int | None:
        return self._index.get(column)

    def without(self, dropped: Sequence[str]) -> FeatureLayout:
        return FeatureLayout(tuple(c for c in self.columns if c not in dropped), self.allow_spotify)

    @classmethod
    def full(cls, allow_spotify: bool = False) -> FeatureLayout:
        return cls(ALL_COLUMNS, allow_spotify)


def usable_values(features: MergedFeatures, allow_spotify: bool) -> dict[str, FeatureValue]:
    """The values a model may use: everything but Spotify's own, unless the user allowed those."""
    usable = features if allow_spotify else features.without(SPOTIFY_SOURCE)
    return dict(usable.values)


def vectorize(
    features: MergedFeatures, affinity: ArtistAffinity, layout: FeatureLayout, out: Vector | None = None
) -> Vector:
    """Fill `out` (or a new row) with the model input of one song for one listener."""
    row = out if out is not None else np.empty(layout.width, dtype=np.float64)
    row.fill(math.nan)
    values = usable_values(features, layout.allow_spotify)
    for name, index in layout._numeric:
        value = values.get(name)
        if value is not None:
            row[index] = float(value)
    if layout._keys:
        _fill_key(row, layout, values.get("key"))
    precision = layout.index_of(RELEASE_PRECISION)
    if precision is not None and "release_year" in values:
        row[precision] = float(sum(1 for part in RELEASE_PARTS if part in values))
    _fill_affinity(row, layout, affinity)
    return row


def vectorize_many(
    items: Sequence[tuple[MergedFeatures, ArtistAffinity]], layout: FeatureLayout
) -> npt.NDArray[np.float64]:
    """Rows of `vectorize`, one per item, in one preallocated matrix."""
    matrix = np.empty((len(items), layout.width), dtype=np.float64)
    for i, (features, affinity) in enumerate(items):
        vectorize(features, affinity, layout, matrix[i])
    return matrix


def _fill_key(row: Vector, layout: FeatureLayout, key: FeatureValue | None) -> None:
    """One-hot key; a key that was not detected (-1) or is missing is "unknown"."""
    for index in layout._keys:
        row[index] = 0.0
    known = key is not None and 0 <= int(key) <= 11
    column = KEY_COLUMNS[int(key)] if known and key is not None else "key_unknown"
    hot = layout.index_of(column)
    if hot is not None:
        row[hot] = 1.0


def _fill_affinity(row: Vector, layout: FeatureLayout, affinity: ArtistAffinity) -> None:
    """Streams and songs on a log scale (the difference between 0 and 10 streams matters more than
    between 500 and 510), the share of the listener's streams, and days since first and last streamed."""
    streams = layout.index_of("artist_streams")
    if streams is not None:
        row[streams] = math.log1p(affinity.streams)
    songs = layout.index_of("artist_songs")
    if songs is not None:
        row[songs] = math.log1p(affinity.songs)
    share = layout.index_of("artist_share")
    if share is not None:
        row[share] = affinity.share
    first = layout.index_of("artist_first_days")
    if first is not None:
        row[first] = affinity.first_days  # NaN when the artist was never streamed
    last = layout.index_of("artist_last_days")
    if last is not None:
        row[last] = affinity.last_days
