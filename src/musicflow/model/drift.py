"""Drift: whether the plays since a model's cut-off have moved away from the plays it learned from.

Two views, each on streams (plays of `stream_min_ms` or more): the artists (the share of recent streams
going to artists the model never saw stream, and the total variation distance between the artists'
shares of streams before and since), and the sound (per audio feature, how far the mean of the recently
streamed songs moved, in standard deviations of the songs streamed before). A model whose listener moved
is judged on songs it knows least: its predictions go stale, and a retrain should follow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from musicflow.core.feature_spec import FEATURES, Group, Kind
from musicflow.core.songs import FeatureValue
from musicflow.core.timezone import iso_utc

# Fewer streams since the cut-off than this say nothing: a listener's week of one album looks like a new
# taste. With fewer, the artists' shares are too noisy (their distance grows as the sample shrinks).
MIN_RECENT_STREAMS = 100
# Above this share of recent streams to artists the model never saw, the listener has moved. Measured on
# the public extended exports split 70/30 in time: a listener going on gave 0.01 to 0.46 (0.46 over the
# five years of one export), another listener's plays 0.76 to 1.0 (one listener sharing the other's
# artists aside).
NEW_ARTIST_SHARE_LIMIT = 0.6
# Above this total variation distance between the artists' shares of streams (0: the same shares, 1: no
# artist in common), the listener's artists have moved. On the same exports: a listener going on 0.08 to
# 0.88 (favourites rotate), another listener's plays 0.88 to 1.0, the one sharing artists 0.97.
ARTIST_DISTANCE_LIMIT = 0.93
# Above this shift of an audio feature's mean (in standard deviations of the songs streamed before) the
# sound has moved: half a standard deviation is what statistics calls a medium effect. On the public
# export split 70/30 (erickmay, features from the bundled catalog), the listener going on moved no
# feature more than 0.35; another listener's plays moved valence and speechiness by 0.5 and more.
FEATURE_SHIFT_LIMIT = 0.5
# A feature is compared only where this many streams on each side have it.
MIN_FEATURE_STREAMS = 50
# The audio features the sound is compared on: the measured ones (not key, mode, time signature).
AUDIO_FEATURES = tuple(
    spec.name for spec in FEATURES if spec.group is Group.AUDIO and spec.kind is Kind.FLOAT
)


@dataclass(frozen=True)
class Stream:
    """One stream, as drift reads it: the artist's key and the song's features."""

    artist: str
    values: Mapping[str, FeatureValue]


@dataclass(frozen=True)
class FeatureShift:
    name: str
    before: float  # the mean over the streams the model learned from
    since: float  # the mean over the streams since
    shift: float  # (since - before) in standard deviations of the streams before

    @property
    def beyond(self) -> bool:
        return abs(self.shift) > FEATURE_SHIFT_LIMIT

    def as_document(self) -> dict[str, object]:
        return {
            "feature": self.name,
            "mean_learned": round(self.before, 3),
            "mean_since": round(self.since, 3),
            "shift_sd": round(self.shift, 2),
            "beyond_limit": self.beyond,
        }


@dataclass(frozen=True)
class Drift:
    """The plays since a version's cut-off set against those it learned from."""

    version: int
    cut_off: float
    streams_learned: int
    streams_since: int
    new_artist_share: float | None  # None: too few streams since to tell
    artist_distance: float | None
    features: tuple[FeatureShift, ...]  # largest shift first
    retrain: str | None = None  # the state of a retrain of the profile under way ("queued", "running")

    @property
    def enough(self) -> bool:
        return self.streams_since >= MIN_RECENT_STREAMS

    @property
    def artists_moved(self) -> bool:
        return bool(
            (self.new_artist_share or 0.0) > NEW_ARTIST_SHARE_LIMIT
            or (self.artist_distance or 0.0) > ARTIST_DISTANCE_LIMIT
        )

    @property
    def moved_features(self) -> tuple[FeatureShift, ...]:
        return tuple(shift for shift in self.features if shift.beyond)

    @property
    def drifted(self) -> bool:
        return self.enough and (self.artists_moved or bool(self.moved_features))

    @property
    def summary(self) -> str:
        """The verdict in plain words."""
        if not self.enough:
            return (
                f"Too few plays since to tell: {self.streams_since:,} streams since the last play model"
                f" v{self.version} learned from (at least {MIN_RECENT_STREAMS} are needed)."
            )
        if not self.drifted:
            return (
                f"Your {self.streams_since:,} streams since model v{self.version} learned are like those it"
                " learned from: no drift."
            )
        reasons = []
        if self.artists_moved:
            reasons.append(
                f"{_percent(self.new_artist_share)} of them went to artists it never saw you stream"
                f" (artists' shares {_percent(self.artist_distance)} apart)"
            )
        for shift in self.moved_features[:3]:
            way = "higher" if shift.shift > 0 else "lower"
            reasons.append(
                f"their {shift.name} is {way} ({shift.since:.2f} against {shift.before:.2f},"
                f" {abs(shift.shift):.1f} standard deviations)"
            )
        then = {
            "queued": " A retrain is queued.",
            "running": " A retrain is running.",
        }.get(self.retrain or "", " Train a new model to follow.")
        return (
            f"Your listening has moved away from what model v{self.version} learned: of your"
            f" {self.streams_since:,} streams since, " + "; ".join(reasons) + "." + then
        )

    def as_document(self) -> dict[str, object]:
        return {
            "model_version": self.version,
            "cut_off_at": iso_utc(self.cut_off),
            "streams_learned": self.streams_learned,
            "streams_since": self.streams_since,
            "enough_plays": self.enough,
            "drifted": self.drifted,
            "summary": self.summary,
            "new_artist_share": _round(self.new_artist_share),
            "artist_distance": _round(self.artist_distance),
            "features": [shift.as_document() for shift in self.features],
            "retrain": self.retrain,
            "limits": {
                "min_streams_since": MIN_RECENT_STREAMS,
                "new_artist_share": NEW_ARTIST_SHARE_LIMIT,
                "artist_distance": ARTIST_DISTANCE_LIMIT,
                "feature_shift_sd": FEATURE_SHIFT_LIMIT,
            },
        }


def measure_drift(
    version: int,
    cut_off: float,
    learned: Sequence[Stream],
    since: Sequence[Stream],
    retrain: str | None = None,
) -> Drift:
    """Drift of the streams `since` the cut-off from the streams `learned` before it."""
    if len(since) < MIN_RECENT_STREAMS or not learned:
        return Drift(version, cut_off, len(learned), len(since), None, None, (), retrain)
    before = Counter(stream.artist for stream in learned)
    after = Counter(stream.artist for stream in since)
    new_share = sum(count for artist, count in after.items() if artist not in before) / len(since)
    distance = 0.5 * sum(
        abs(before[artist] / len(learned) - after[artist] / len(since))
        for artist in before.keys() | after.keys()
    )
    shifts = [shift for name in AUDIO_FEATURES if (shift := _shift(name, learned, since)) is not None]
    shifts.sort(key=lambda s: -abs(s.shift))
    return Drift(version, cut_off, len(learned), len(since), new_share, distance, tuple(shifts), retrain)


def _shift(name: str, learned: Sequence[Stream], since: Sequence[Stream]) -> FeatureShift | None:
    before = _values(name, learned)
    after = _values(name, since)
    if len(before) < MIN_FEATURE_STREAMS or len(after) < MIN_FEATURE_STREAMS:
        return None
    spread = float(before.std())
    if spread == 0.0:
        return None
    mean_before, mean_after = float(before.mean()), float(after.mean())
    return FeatureShift(name, mean_before, mean_after, (mean_after - mean_before) / spread)


def _values(name: str, streams: Sequence[Stream]) -> np.ndarray:
    return np.array(
        [float(s.values[name]) for s in streams if s.values.get(name) is not None], dtype=np.float64
    )


def _percent(share: float | None) -> str:
    return f"{round((share or 0.0) * 100)}%"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
