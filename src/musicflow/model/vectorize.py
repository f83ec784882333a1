"""The one vectoriser: songs' features and the listener's artist affinity into model input, by batch.

Training, evaluation, single predictions, lists and batch scoring of catalogs all call `model_matrix`
(a single song is a batch of one), so they cannot drift apart. Values from the `spotify` source are
left out unless the layout allows them (Spotify's Developer Policy forbids training models on Spotify
content; the user decides). A missing value stays NaN, never 0.
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
GENRE_MATCH = "artist_genre_match"  # how well the artist's genres match the listener's (`genres.py`)
AFFINITY_COLUMNS = (
    "artist_streams",
    "artist_songs",
    "artist_share",
    "artist_first_days",
    "artist_last_days",
    GENRE_MATCH,
)
# The listener's history of the artist itself: what "artist affinity alone" is measured on.
ARTIST_HISTORY_COLUMNS = tuple(c for c in AFFINITY_COLUMNS if c != GENRE_MATCH)

Vector = npt.NDArray[np.float64]
Floats = npt.NDArray[np.float64]
_FEATURE_AT = {name: i for i, name in enumerate(FEATURE_NAMES)}
# Affinity columns: (position in `affinity_table`, on a log scale: the difference between 0 and 10
# streams matters more than between 500 and 510).
_AFFINITY_PARTS = {
    "artist_streams": (0, True),
    "artist_songs": (1, True),
    "artist_share": (2, False),
    "artist_first_days": (3, False),
    "artist_last_days": (4, False),
    GENRE_MATCH: (5, False),
}


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
    _numeric_to: list[int] = field(init=False, repr=False, compare=False)
    _numeric_from: list[int] = field(init=False, repr=False, compare=False)
    _keys: list[int] = field(init=False, repr=False, compare=False)
    _key_at: npt.NDArray[np.int64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = [c for c in self.columns if c not in ALL_COLUMNS]
        if unknown:
            raise ValueError(f"unknown model columns: {', '.join(unknown)}")
        index = {name: i for i, name in enumerate(self.columns)}
        numeric = [n for n in NUMERIC_FEATURES if n in index]
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_numeric_to", [index[n] for n in numeric])
        object.__setattr__(self, "_numeric_from", [_FEATURE_AT[n] for n in numeric])
        object.__setattr__(self, "_keys", [index[c] for c in KEY_COLUMNS if c in index])
        key_at = np.array([index.get(c, -1) for c in KEY_COLUMNS], dtype=np.int64)
        object.__setattr__(self, "_key_at", key_at)

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


def feature_table(rows: Sequence[Mapping[str, FeatureValue]]) -> Floats:
    """The feature-table values of many songs, one row each in `FEATURE_NAMES` order, NaN where missing."""
    table = np.full((len(rows), len(FEATURE_NAMES)), math.nan, dtype=np.float64)
    for i, values in enumerate(rows):
        for name, value in values.items():
            at = _FEATURE_AT.get(name)
            if at is not None and value is not None:
                table[i, at] = float(value)
    return table


def affinity_table(affinities: Sequence[ArtistAffinity]) -> Floats:
    """Each song's artist affinity, one row each: streams, songs, share, first and last days, genre
    match."""
    return np.array([a.as_tuple() for a in affinities], dtype=np.float64).reshape(
        len(affinities), len(AFFINITY_COLUMNS)
    )


def model_matrix(values: Floats, affinity: Floats, layout: FeatureLayout) -> Floats:
    """The model input of a batch of songs, column by column: `values` from `feature_table` (or catalog
    columns in the same order), `affinity` from `affinity_table`. One row or a million, every
    prediction, training row and scored catalog row is made here."""
    rows = values.shape[0]
    matrix = np.full((rows, layout.width), math.nan, dtype=np.float64)
    if layout._numeric_to:
        matrix[:, layout._numeric_to] = values[:, layout._numeric_from]
    if layout._keys:
        _fill_keys(matrix, layout, values[:, _FEATURE_AT["key"]])
    precision = layout.index_of(RELEASE_PRECISION)
    if precision is not None:
        parts = ~np.isnan(values[:, [_FEATURE_AT[part] for part in RELEASE_PARTS]])
        matrix[:, precision] = np.where(parts[:, 0], parts.sum(axis=1).astype(np.float64), math.nan)
    for column, (at, logged) in _AFFINITY_PARTS.items():
        index = layout.index_of(column)
        if index is not None:
            matrix[:, index] = log1p_exactly(affinity[:, at]) if logged else affinity[:, at]
    return matrix


def vectorize_many(items: Sequence[tuple[MergedFeatures, ArtistAffinity]], layout: FeatureLayout) -> Floats:
    """The model input of songs known by their merged features and the listener's artist affinity."""
    values = feature_table([usable_values(features, layout.allow_spotify) for features, _ in items])
    return model_matrix(values, affinity_table([affinity for _, affinity in items]), layout)


def vectorize(
    features: MergedFeatures, affinity: ArtistAffinity, layout: FeatureLayout, out: Vector | None = None
) -> Vector:
    """The model input of one song (`vectorize_many` of one), written into `out` when given."""
    row: Vector = vectorize_many([(features, affinity)], layout)[0]
    if out is None:
        return row
    out[:] = row
    return out


def _fill_keys(matrix: Floats, layout: FeatureLayout, key: Floats) -> None:
    """One-hot key; a key that was not detected (-1) or is missing is "unknown"."""
    matrix[:, layout._keys] = 0.0
    whole = np.trunc(key)
    known = (whole >= 0) & (whole <= 11)  # False where the key is missing (NaN)
    pitch = np.where(known, whole, 12).astype(np.int64)  # 12: key_unknown
    hot = layout._key_at[pitch]
    chosen = hot >= 0
    matrix[np.flatnonzero(chosen), hot[chosen]] = 1.0


def log1p_exactly(values: Floats) -> Floats:
    """`math.log1p` of each value: numpy's log1p differs from it in the last bit for some values, which
    could move a prediction across a split. Counts repeat, so each distinct value is computed once."""
    if len(values) <= 8:
        return np.array([math.log1p(v) for v in values.tolist()], dtype=np.float64)
    distinct, where = np.unique(values, return_inverse=True)
    logs = np.array([math.log1p(v) for v in distinct.tolist()], dtype=np.float64)
    return logs[where].reshape(values.shape)
