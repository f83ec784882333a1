"""LightGBM's per-feature contributions, said in words a person understands.

A contribution is on the model's log scale: positive pushes the predicted streams up. The words describe
the song's value against the training median ("high energy", "low energy"), and the sign says which way
it pushed; for artist affinity, how much the listener already plays the artist.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

LABELS: Mapping[str, str] = {
    "danceability": "danceability",
    "energy": "energy",
    "loudness": "loudness",
    "mode": "major key",
    "speechiness": "spoken words",
    "acousticness": "acoustic sound",
    "instrumentalness": "instrumental",
    "liveness": "live-audience feel",
    "valence": "cheerfulness",
    "tempo": "tempo",
    "time_signature": "time signature",
    "energy_estimate": "energy (from your audio file)",
    "danceability_estimate": "danceability (from your audio file)",
    "duration_ms": "length",
    "explicit": "explicit lyrics",
    "popularity": "popularity",
    "release_year": "release year",
    "release_month": "release month",
    "release_day": "release day",
    "n_artists": "number of artists",
    "n_markets": "number of countries it is available in",
    "release_date_precision": "how precisely the release date is known",
}

# Listener-history columns: (words above the training median, words at or below it).
HISTORY_WORDS: Mapping[str, tuple[str, str]] = {
    "artist_share": (
        "this artist is a big part of what you stream",
        "this artist is a small part of what you stream",
    ),
    "artist_first_days": (
        "you have streamed this artist for a long time",
        "you discovered this artist recently",
    ),
    "artist_last_days": (
        "you have not streamed this artist for a while",
        "you streamed this artist recently",
    ),
}


# Audio and metadata columns said as a comparison with the training median: (above it, at or below it).
COMPARED: Mapping[str, tuple[str, str]] = {
    "tempo": ("faster", "slower"),
    "energy": ("more energetic", "calmer"),
    "danceability": ("more danceable", "less danceable"),
    "valence": ("more cheerful", "moodier"),
    "acousticness": ("more acoustic", "less acoustic"),
    "loudness": ("louder", "quieter"),
    "speechiness": ("more spoken words", "fewer spoken words"),
    "instrumentalness": ("more instrumental", "more vocal"),
    "liveness": ("more of a live feel", "more of a studio feel"),
    "duration_ms": ("longer", "shorter"),
    "release_year": ("newer", "older"),
    "popularity": ("more popular", "less popular"),
}


@dataclass(frozen=True)
class Contribution:
    feature: str
    value: float | None
    effect: float  # on the log scale of predicted streams
    words: str

    def as_dict(self) -> dict[str, object]:
        value = None if self.value is None or math.isnan(self.value) else round(self.value, 4)
        return {"feature": self.feature, "value": value, "effect": round(self.effect, 4), "words": self.words}


def describe(feature: str, value: float, median: float | None, effect: float) -> str:
    """One contribution in words; `median` is the feature's median over the training rows."""
    direction = "more streams" if effect > 0 else "fewer streams"
    if feature in ("artist_streams", "artist_songs"):  # log(1 + count) in the model's row
        count = 0 if math.isnan(value) else round(math.expm1(value))
        if feature == "artist_streams":
            return (
                f"you streamed this artist {_times(count)}"
                if count
                else "you have never streamed this artist"
            )
        if not count:
            return "you have streamed no other song by this artist"
        return f"you streamed {count:,} other song{'' if count == 1 else 's'} by this artist"
    if feature == "artist_share" and not math.isnan(value) and value > 0:
        return f"this artist is {value:.1%} of what you stream"
    if feature in HISTORY_WORDS:
        if math.isnan(value):
            return "you have streamed no other song by this artist"
        high, low = HISTORY_WORDS[feature]
        return high if value > median_or(median, value) else low
    if feature.startswith("key_"):
        key = feature.removeprefix("key_")
        return f"key is {key}" if value >= 1 else f"key is not {key}"
    if math.isnan(value):
        return f"{LABELS.get(feature, feature)} unknown ({direction})"
    if feature in COMPARED:
        more, less = COMPARED[feature]
        return f"{more if value > median_or(median, value) else less} than most songs you play"
    label = LABELS.get(feature, feature)
    level = "high" if value > median_or(median, value) else "low"
    if feature == "explicit":
        return "explicit lyrics" if value else "clean lyrics"
    if feature == "mode":
        return "major key" if value else "minor key"
    return f"{level} {label}"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count:,} times"


def median_or(median: float | None, default: float) -> float:
    return default if median is None or math.isnan(median) else median


def top_contributions(
    columns: Sequence[str],
    row: Sequence[float],
    effects: Sequence[float],
    medians: Mapping[str, float],
    limit: int = 5,
) -> list[Contribution]:
    """The features that moved this prediction the most, strongest first (bias term excluded)."""
    strength = -np.abs(np.asarray(effects[: len(columns)], dtype=np.float64))
    order = np.argsort(strength, kind="stable").tolist()  # ties keep the columns' order
    found: list[Contribution] = []
    for i in order[:limit]:
        if effects[i] == 0:
            break
        words = describe(columns[i], float(row[i]), medians.get(columns[i]), float(effects[i]))
        found.append(Contribution(columns[i], float(row[i]), float(effects[i]), words))
    return found
