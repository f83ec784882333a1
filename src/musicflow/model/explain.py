"""LightGBM's per-feature contributions, said in words a person understands.

A contribution is on the model's log scale: positive pushes the predicted streams up. The words describe
the song's value against the training median ("calmer than most songs you play"), and the sign says
which way it pushed; for artist affinity, how much the listener already plays the artist.
Every feature has sentences of its own, and one answer never gives the same sentence twice.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from musicflow.core.feature_spec import AUDIO_FEATURES
from musicflow.core.plurals import share, times
from musicflow.model.vectorize import ARTIST_HISTORY_COLUMNS, GENRE_MATCH

ARTIST_STREAMS = "artist_streams"
ARTIST_HISTORY = frozenset(ARTIST_HISTORY_COLUMNS)
# The one reason every audio feature a song lacks gives together (a song no source knows the sound of
# is not "spoken words unknown", "tempo unknown", ... five ways).
UNKNOWN_SOUND = "audio_features"
UNKNOWN_SOUND_WORDS = "no source knows how it sounds (its audio features)"
_AUDIO = frozenset(AUDIO_FEATURES)

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
    "artist_genre_match": "how well the artist's genres match yours",
}

# The dates of the listener's history of the artist: (words above the training median, words at or
# below it, words when the listener streamed no other song by the artist, so the column has no value).
# Each column of the listener's history has sentences of its own: two never say the same in one answer.
HISTORY_WORDS: Mapping[str, tuple[str, str, str]] = {
    "artist_first_days": (
        "you have streamed this artist for a long time",
        "you discovered this artist recently",
        "you have not discovered this artist yet",
    ),
    "artist_last_days": (
        "you have not streamed this artist for a while",
        "you streamed this artist recently",
        "no stream of this artist, recent or old",
    ),
}


# Audio and metadata columns said as a comparison with the training median: (above it, below it); a
# value at the median is "typical of the songs you play".
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
    "release_month": ("released later in the year", "released earlier in the year"),
    "release_day": ("released later in the month", "released earlier in the month"),
    "popularity": ("more popular", "less popular"),
    "n_markets": ("available in more countries", "available in fewer countries"),
}
# A value no source gave, where "its <label> is not known" would not read ("its popularity is not known"
# does); a missing audio feature is said with the others (UNKNOWN_SOUND).
MISSING_WORDS: Mapping[str, str] = {
    "explicit": "whether its lyrics are explicit is not known",
    "n_artists": "how many artists it credits is not known",
    "n_markets": "in how many countries it is available is not known",
    "release_date_precision": "its release date is not known",
}
# How precisely the release date is known: the number of its parts (year, month, day) a source gave.
PRECISION_WORDS = {1: "release date known to the year only", 2: "release date known to the month"}


@dataclass(frozen=True)
class Contribution:
    feature: str
    value: float | None
    effect: float  # on the model's log scale of predicted streams
    words: str
    # What it changed in the estimate the listener reads, in streams: the estimate minus the one without
    # this push (every other as it is); None where it was not measured (a model of an objective whose
    # output MusicFlow does not compute itself).
    streams: float | None = None

    def as_dict(self) -> dict[str, object]:
        value = None if self.value is None or math.isnan(self.value) else round(self.value, 4)
        moved = None if self.streams is None else round(self.streams, 4)
        return {
            "feature": self.feature,
            "value": value,
            "effect": round(self.effect, 4),
            "streams": moved,
            "words": self.words,
        }

    @property
    def arrow(self) -> str:
        """Which way it moved the prediction: up, down, or not at all."""
        return "↑" if self.effect > 0 else "↓" if self.effect < 0 else "·"

    @property
    def signed_words(self) -> str:
        """The reason as a list of reasons in text gives it: "↓ more spoken words than most songs you
        play" lowered the estimate, which the words alone do not say (a reason among those under "why"
        reads as one for the song)."""
        return f"{self.arrow} {self.words}"


def describe(feature: str, value: float, median: float | None, effect: float) -> str:
    """One contribution in words; `median` is the feature's median over the training rows.

    The listener's history of an artist leaves the song's own plays out (`model/affinity.py`): for a
    song never played (what recommendations hold) it is the artist's whole history. A prediction words
    its reasons about the artist from the listener's own counts instead (`model/history_words.py`)."""
    if feature in ("artist_streams", "artist_songs"):  # log(1 + count) in the model's row
        count = 0 if math.isnan(value) else round(math.expm1(value))
        if feature == "artist_streams":
            return (
                f"you streamed this artist {times(count)}" if count else "you have never streamed this artist"
            )
        if not count:
            return "you have streamed no other song by this artist"
        return f"you streamed {count:,} other song{'' if count == 1 else 's'} by this artist"
    if feature == UNKNOWN_SOUND:
        return UNKNOWN_SOUND_WORDS
    if feature == "artist_share":
        if math.isnan(value) or value <= 0:
            return "this artist is none of what you stream"
        return f"this artist is {share(value)} of what you stream"
    if feature == GENRE_MATCH:
        if math.isnan(value):
            return "this artist's genres are not known"
        closer = value > median_or(median, value)
        return f"this artist's genres are {'close to' if closer else 'far from'} yours ({value:.0%} match)"
    if feature in HISTORY_WORDS:
        high, low, none = HISTORY_WORDS[feature]
        if math.isnan(value):
            return none
        return high if value > median_or(median, value) else low
    if feature.startswith("key_"):
        key = feature.removeprefix("key_")
        return f"key is {key}" if value >= 1 else f"key is not {key}"
    label = LABELS.get(feature, feature)
    if math.isnan(value):
        return MISSING_WORDS.get(feature, f"its {label} is not known")  # an absence the model reads
    if feature == "explicit":
        return "explicit lyrics" if value else "clean lyrics"
    if feature == "mode":
        return "major key" if value else "minor key"
    if feature == "time_signature":
        return f"{value:.0f} beats to the bar" if value > 1 else "beats to the bar not detected"
    if feature == "n_artists":
        return "one artist credited" if value <= 1 else f"{value:.0f} artists credited"
    if feature == "release_date_precision":
        return PRECISION_WORDS.get(round(value), "release date known to the day")
    middle = median_or(median, math.nan)
    if value == middle:
        return f"{label} typical of the songs you play"
    if feature in COMPARED:
        more, less = COMPARED[feature]
        return f"{more if value > middle else less} than most songs you play"
    return f"{'high' if value > middle else 'low'} {label}"


def median_or(median: float | None, default: float) -> float:
    return default if median is None or math.isnan(median) else median


def top_contributions(
    columns: Sequence[str],
    row: Sequence[float],
    effects: Sequence[float],
    medians: Mapping[str, float],
    limit: int = 5,
) -> list[Contribution]:
    """The features that moved this prediction the most, strongest first (bias term excluded); a
    sentence already given by a stronger feature is not given again (the next feature takes its place).

    When the listener streamed no other song by the artist, the columns of their history of the artist
    all say that one fact: they are given as one reason, `artist_streams`, with their effects summed
    ("you have never streamed Foo Fighters" once, not four ways), in the place of the first of them."""
    strength = np.asarray(effects[: len(columns)], dtype=np.float64).copy()
    streams_at, history_at = _history_columns(tuple(columns))
    merged_at = None
    if history_at and _no_other_song(row, streams_at):
        merged_at = _merged(strength, history_at)
    sound_at = _merged(strength, _unknown_sound(columns, row))
    order = np.argsort(-np.abs(strength), kind="stable").tolist()  # ties keep the columns' order
    found: list[Contribution] = []
    said: set[str] = set()
    for i in order:
        if len(found) == limit or strength[i] == 0:
            break
        feature, value = columns[i], float(row[i])
        if i == merged_at:
            feature, value = ARTIST_STREAMS, float(row[streams_at]) if streams_at is not None else 0.0
        elif i == sound_at:
            feature, value = UNKNOWN_SOUND, math.nan
        effect = float(strength[i])
        words = describe(feature, value, medians.get(feature), effect)
        if words in said:
            continue
        said.add(words)
        found.append(Contribution(feature, value, effect, words))
    return found


def _merged(strength: np.ndarray, at: Sequence[int]) -> int | None:
    """The effects of the columns `at` that moved the prediction summed into the first of them (the
    others set to 0), where there are several; that column's index, else None."""
    moved = [i for i in at if strength[i] != 0]
    if len(moved) < 2:
        return None
    total = float(strength[moved].sum())
    strength[moved] = 0.0
    strength[moved[0]] = total
    return moved[0]


def _unknown_sound(columns: Sequence[str], row: Sequence[float]) -> list[int]:
    """Where the row lacks an audio feature (and its key, unknown with them), when it lacks any."""
    lacking = [i for i, column in enumerate(columns) if column in _AUDIO and math.isnan(float(row[i]))]
    if lacking and "key_unknown" in columns:
        key_at = list(columns).index("key_unknown")
        if float(row[key_at]) >= 1:
            lacking.append(key_at)
    return sorted(lacking)


@functools.lru_cache(maxsize=16)
def _history_columns(columns: tuple[str, ...]) -> tuple[int | None, tuple[int, ...]]:
    """Where a model's columns hold the artist's streams, and each column of the artist's history."""
    streams_at = columns.index(ARTIST_STREAMS) if ARTIST_STREAMS in columns else None
    return streams_at, tuple(i for i, column in enumerate(columns) if column in ARTIST_HISTORY)


def _no_other_song(row: Sequence[float], streams_at: int | None) -> bool:
    """Whether the row's artist has no other song in the listener's streams (log(1 + 0), or unknown)."""
    if streams_at is None:
        return True
    value = float(row[streams_at])
    return math.isnan(value) or round(math.expm1(value)) == 0
