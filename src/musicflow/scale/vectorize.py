"""`model.vectorize.vectorize`, column by column: the same model input for a whole partition at once.

Calling `vectorize` row by row costs more than LightGBM's prediction itself, so batch scoring fills the
matrix one column at a time with numpy. Tests keep both equal on the same rows; the rules are the
same: a missing value is NaN, the key is one-hot with "unknown" for a missing or undetected key, the
release date's precision counts the parts known, and artist affinity is on a log scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from musicflow.model.vectorize import KEY_COLUMNS, RELEASE_PARTS, RELEASE_PRECISION

if TYPE_CHECKING:
    import polars as pl

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AffinityColumns:
    """The listener's affinity for each row's artist, one array per part of `ArtistAffinity`."""

    streams: Floats
    songs: Floats
    share: Floats
    first_days: Floats
    last_days: Floats


def feature_array(frame: pl.DataFrame, name: str) -> Floats:
    """A feature column as floats, NaN where missing (or where the file has no such column)."""
    import polars as pl

    if name not in frame.columns:
        return np.full(frame.height, np.nan)
    return frame.get_column(name).cast(pl.Float64).to_numpy(allow_copy=True).astype(np.float64, copy=False)


def model_matrix(frame: pl.DataFrame, columns: Sequence[str], affinity: AffinityColumns) -> Floats:
    """The model input of every row of `frame` (native catalog columns), in the layout's column order."""
    matrix = np.full((frame.height, len(columns)), np.nan, dtype=np.float64)
    index = {name: i for i, name in enumerate(columns)}
    for name, i in index.items():
        if name in KEY_COLUMNS or name == RELEASE_PRECISION or name.startswith("artist_"):
            continue
        matrix[:, i] = feature_array(frame, name)
    _fill_keys(matrix, index, feature_array(frame, "key"))
    if RELEASE_PRECISION in index:
        matrix[:, index[RELEASE_PRECISION]] = _release_precision(frame)
    _fill_affinity(matrix, index, affinity)
    return matrix


def _fill_keys(matrix: Floats, index: dict[str, int], key: Floats) -> None:
    positions = [index[c] for c in KEY_COLUMNS if c in index]
    if not positions:
        return
    matrix[:, positions] = 0.0
    known = ~np.isnan(key) & (key >= 0) & (key <= 11)
    pitch = np.where(known, key, 0).astype(np.int64)
    for hot, column in enumerate(KEY_COLUMNS[:12]):
        at = index.get(column)
        if at is not None:
            matrix[known & (pitch == hot), at] = 1.0
    unknown = index.get("key_unknown")
    if unknown is not None:
        matrix[~known, unknown] = 1.0


def _release_precision(frame: pl.DataFrame) -> Floats:
    present = [~np.isnan(feature_array(frame, part)) for part in RELEASE_PARTS]
    counted = np.sum(present, axis=0).astype(np.float64)
    return np.where(present[0], counted, np.nan)


def _fill_affinity(matrix: Floats, index: dict[str, int], affinity: AffinityColumns) -> None:
    parts = {
        "artist_streams": log1p_exactly(affinity.streams),
        "artist_songs": log1p_exactly(affinity.songs),
        "artist_share": affinity.share,
        "artist_first_days": affinity.first_days,
        "artist_last_days": affinity.last_days,
    }
    for name, values in parts.items():
        at = index.get(name)
        if at is not None:
            matrix[:, at] = values


def log1p_exactly(values: Floats) -> Floats:
    """`math.log1p` of each value, as `vectorize` computes it: numpy's log1p differs from it in the last
    bit for some values, which could move a prediction across a split. Counts repeat, so each distinct
    value is computed once."""
    distinct, where = np.unique(values, return_inverse=True)
    logs = np.array([math.log1p(v) for v in distinct.tolist()], dtype=np.float64)
    return logs[where].reshape(values.shape) if len(values) else np.empty(0)
