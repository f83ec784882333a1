"""Where a song sits against the listener's own streamed songs: taste that carries to new artists.

Artist affinity says nothing about an artist the listener never streamed. These columns do: how far the
song's audio features lie from the centre of the listener's streamed songs (weighted by log streams,
each feature in units of its spread among those songs), and how its release year sits against the
years of the songs they stream. Computed from the training period's streamed songs only, and for a
song among them without its own contribution (model-evaluation.md, trap 5).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from musicflow.core.songs import FeatureValue

AUDIO = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
    "tempo",
    "loudness",
)
YEAR = "release_year"
TASTE_COLUMNS = ("taste_distance", "year_gap")


@dataclass
class _Sums:
    weight: float = 0.0
    total: float = 0.0
    squares: float = 0.0


@dataclass
class TasteIndex:
    """Weighted sums per feature over the listener's streamed songs, and each song's own share."""

    sums: dict[str, _Sums] = field(default_factory=dict)
    own: dict[int, tuple[float, Mapping[str, float]]] = field(default_factory=dict)

    @classmethod
    def of(cls, songs: Iterable[tuple[int, int, Mapping[str, FeatureValue]]]) -> TasteIndex:
        """`songs`: (song id, streams, values) of the streamed songs the split may know."""
        index = cls()
        for song, streams, values in songs:
            weight = math.log1p(streams)
            kept = {n: float(values[n]) for n in (*AUDIO, YEAR) if values.get(n) is not None}
            if weight <= 0 or not kept:
                continue
            index.own[song] = (weight, kept)
            for name, value in kept.items():
                sums = index.sums.setdefault(name, _Sums())
                sums.weight += weight
                sums.total += weight * value
                sums.squares += weight * value * value
        return index

    def columns(self, values: Mapping[str, FeatureValue], song: int | None) -> tuple[float, float]:
        """(distance to the centre of the listener's songs, release year minus their mean year); NaN
        where the song lacks the values or the listener's songs give no centre."""
        weight, own = self.own.get(song, (0.0, {})) if song is not None else (0.0, {})
        squares, used = 0.0, 0
        for name in AUDIO:
            value = values.get(name)
            centre = self._centre(name, weight, own)
            if value is None or centre is None:
                continue
            mean, spread = centre
            squares += ((float(value) - mean) / spread) ** 2
            used += 1
        distance = math.sqrt(squares / used) if used else math.nan
        year, centre = values.get(YEAR), self._centre(YEAR, weight, own)
        gap = float(year) - centre[0] if year is not None and centre is not None else math.nan
        return distance, gap

    def _centre(self, name: str, weight: float, own: Mapping[str, float]) -> tuple[float, float] | None:
        sums = self.sums.get(name)
        if sums is None:
            return None
        mine = own.get(name)
        w, total, squares = sums.weight, sums.total, sums.squares
        if mine is not None:
            w, total, squares = w - weight, total - weight * mine, squares - weight * mine * mine
        if w <= 1e-9:
            return None
        mean = total / w
        spread = math.sqrt(max(squares / w - mean * mean, 0.0))
        return mean, spread if spread > 1e-9 else 1.0
