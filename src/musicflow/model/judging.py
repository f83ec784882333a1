"""How right the predictions were: each model version's logged predictions against what the listener
streamed after the last play that version learned from.

A song asked several times of one version is judged once, on the last value given. Its outcome is its
streams (plays of `stream_min_ms` or more) after the cut-off, matched by the loose song key, so another
spelling of the same song counts. The figures: AUC of the songs streamed since against those not (how
often a streamed song was given more than one not streamed), Spearman among the streamed (did more
predicted streams mean more streams), and calibration: per band of predicted streams, the mean
predicted beside the mean streamed. Each figure needs five songs on each side it compares, else none.
The model predicts a song's streams over a listener's history, while the plays since the cut-off cover
`window_days`: calibration is read with that window in mind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from musicflow.core.songs import match_key
from musicflow.core.timezone import iso_utc
from musicflow.model.metrics import auc, spearman
from musicflow.store.ports import LoggedPrediction

BANDS = ((0.0, 1.0), (1.0, 3.0), (3.0, 10.0), (10.0, 30.0))
DAY_S = 86_400.0


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    songs: int
    mean_predicted: float | None
    mean_streams: float | None

    def as_document(self) -> dict[str, object]:
        return {
            "predicted_from": self.low,
            "predicted_to": self.high,
            "songs": self.songs,
            "mean_predicted": _round(self.mean_predicted),
            "mean_streams": _round(self.mean_streams),
        }


# Where a version's cut-off comes from: the last play it learned from, as it recorded it; when it was made
# (an older version that did not record its last play); or its first logged prediction (a version whose
# record is gone altogether: nothing after that can have been learned from).
LAST_PLAY = "last play"
WHEN_MADE = "when made"
FIRST_PREDICTION = "first prediction"


@dataclass(frozen=True)
class Judgement:
    """One model version's predictions, judged."""

    version: int
    cut_off: float  # the last play it learned from (Unix seconds), or a later time that stands for it
    cut_off_from: str  # LAST_PLAY, WHEN_MADE or FIRST_PREDICTION
    removed: bool  # the version was removed (`models prune`); its logged predictions are judged all the same
    songs: int  # distinct songs it was asked about
    streamed: int  # of those, streamed after the cut-off
    plays_after: int  # the listener's plays after the cut-off, in the store now
    window_days: float  # from the cut-off to the last play in the store
    auc: float | None
    spearman: float | None
    bands: tuple[Band, ...]

    @property
    def cut_off_exact(self) -> bool:
        return self.cut_off_from == LAST_PLAY

    def as_document(self) -> dict[str, object]:
        return {
            "model_version": self.version,
            "removed": self.removed,
            "cut_off_at": iso_utc(self.cut_off),
            "cut_off_exact": self.cut_off_exact,
            "cut_off_from": self.cut_off_from,
            "songs": self.songs,
            "streamed": self.streamed,
            "plays_after": self.plays_after,
            "window_days": round(self.window_days, 1),
            "auc": _round(self.auc),
            "spearman": _round(self.spearman),
            "calibration": [band.as_document() for band in self.bands],
        }


def judge(
    version: int,
    cut_off: float,
    cut_off_from: str,
    logged: Sequence[LoggedPrediction],
    streams: Sequence[tuple[str, int]],
    plays: Sequence[int],
    *,
    removed: bool = False,
) -> Judgement:
    """`logged`: the version's predictions, oldest first; `streams`: (song key, when) of every stream of
    the listener; `plays`: when each of their plays ended; `cut_off_from`: where `cut_off` comes from."""
    given: dict[str, float] = {}
    for entry in logged:
        given[match_key(entry.artist, entry.song)] = entry.predicted  # the last value given wins
    after = _streams_after(streams, cut_off)
    keys = list(given)
    predicted = np.array([given[k] for k in keys], dtype=np.float64)
    outcome = np.array([after.get(k, 0) for k in keys], dtype=np.float64)
    streamed = outcome > 0
    later = [ended for ended in plays if ended > cut_off]
    return Judgement(
        version=version,
        cut_off=cut_off,
        cut_off_from=cut_off_from,
        removed=removed,
        songs=len(keys),
        streamed=int(streamed.sum()),
        plays_after=len(later),
        window_days=(max(later) - cut_off) / DAY_S if later else 0.0,
        auc=auc(predicted[streamed], predicted[~streamed]),
        spearman=spearman(predicted[streamed], outcome[streamed]),
        bands=tuple(_band(low, high, predicted, outcome, judged=bool(later)) for low, high in BANDS),
    )


def _streams_after(streams: Sequence[tuple[str, int]], cut_off: float) -> Mapping[str, int]:
    counted: dict[str, int] = {}
    for key, ended in streams:
        if ended > cut_off:
            counted[key] = counted.get(key, 0) + 1
    return counted


def _band(low: float, high: float, predicted: np.ndarray, outcome: np.ndarray, *, judged: bool) -> Band:
    """The songs predicted in [low, high): their mean prediction and mean streams since the cut-off. The
    latter is unknown (None), not 0, while no play after the cut-off is in the store (`judged`): no song
    is judged yet. With one play after it, a song not streamed since has 0 streams, its outcome."""
    inside = (predicted >= low) & ((predicted < high) if high < BANDS[-1][1] else (predicted <= high))
    if not inside.any():
        return Band(low, high, 0, None, None)
    since = float(outcome[inside].mean()) if judged else None
    return Band(low, high, int(inside.sum()), float(predicted[inside].mean()), since)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
