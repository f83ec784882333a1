"""Predictions for one song or a list: streams, a verdict worded for a weak signal, and the reasons.

The verdict compares the prediction with what the same model predicts for songs the listener did
stream (quantiles stored at training time), and says so: "rated above 95 in 100 of the songs you
streamed" is true of the model's numbers, where "one of your favourites" at 3.7 predicted streams was
not (a listener's favourites have tens of streams; the model tells whether a song will be streamed far
better than how much, see README "What to expect"):

| predicted streams, against the listener's streamed songs | verdict |
|---|---|
| top 5 % | 😍 What a banger! The model rates it above 95 in 100 of the songs you streamed |
| top 25 % | 🎧 Your kind of song: the model rates it above 3 in 4 of the songs you streamed |
| above the median | 🙂 Worth a listen: the model rates it above half the songs you streamed |
| below the median | 🤷 Probably not your thing: the model rates it below half the songs you streamed |
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from musicflow.features.merge import MergedFeatures
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.basis import NOTHING_KNOWN, Basis, basis_of
from musicflow.model.evidence import EVIDENCE, evidence_words, one_toward_base_rate, toward_base_rate
from musicflow.model.explain import Contribution, top_contributions
from musicflow.model.library_marks import Ban
from musicflow.model.trained import TrainedModel
from musicflow.model.training_rows import MAX_STREAMS
from musicflow.model.vectorize import vectorize_many

VERDICTS = (
    ("q95", "😍 What a banger! The model rates it above 95 in 100 of the songs you streamed"),
    ("q75", "🎧 Your kind of song: the model rates it above 3 in 4 of the songs you streamed"),
    ("q50", "🙂 Worth a listen: the model rates it above half the songs you streamed"),
)
LOW_VERDICT = "🤷 Probably not your thing: the model rates it below half the songs you streamed"
BANNED = "banned"  # the reason of a firm zero: the listener banned the song or its artist
BANNED_BASIS = "your ban in Spotify (nothing else is known of this song)"
# A song the listener played of which nothing else is known: no source has its features and they
# streamed no other song of its artist (the model leaves a song's own plays out of its artist's history).
ONLY_ITS_PLAYS = "only_its_plays"
ONLY_ITS_PLAYS_BASIS = "your plays of this song only (nothing else is known of it)"
QUANTILES = {"q50": 0.5, "q75": 0.75, "q95": 0.95}


@dataclass(frozen=True)
class Prediction:
    streams: float
    verdict: str
    contributions: list[Contribution] = field(default_factory=list)
    basis: str = Basis.AUDIO.value  # what the prediction rests on (see `basis.py`)

    def as_dict(self) -> dict[str, object]:
        return {
            "streams": round(self.streams, 2),
            "verdict": self.verdict,
            "basis": self.basis,
            "contributions": [c.as_dict() for c in self.contributions],
        }


def basis_text(model: TrainedModel, features: MergedFeatures, affinity: ArtistAffinity) -> str:
    """What a prediction of this song rests on, in the listener's words."""
    basis = basis_of(features, affinity, model.layout.allow_spotify)
    return basis.value if basis is not None else NOTHING_KNOWN


def predict_streams(model: TrainedModel, features: MergedFeatures, affinity: ArtistAffinity) -> float:
    """Predicted streams of one song, without reasons (a batch of one)."""
    return predict_batch(model, [(features, affinity)], explain=0)[0].streams


def predict_song(
    model: TrainedModel, features: MergedFeatures, affinity: ArtistAffinity, explain: int = 5
) -> Prediction:
    """Streams, verdict and the `explain` strongest reasons behind this prediction (a batch of one)."""
    return predict_batch(model, [(features, affinity)], explain)[0]


def predict_batch(
    model: TrainedModel, items: Sequence[tuple[MergedFeatures, ArtistAffinity]], explain: int = 3
) -> list[Prediction]:
    """One prediction per item, scored in one call to LightGBM: every prediction is made here."""
    if not items:
        return []
    matrix = vectorize_many(items, model.layout)
    predicted, effects = model.predictions(matrix, explain=bool(explain))
    songs = np.array([affinity.songs for _, affinity in items], dtype=np.float64)
    streams = np.clip(toward_base_rate(predicted, songs, model.base_rate), 0.0, MAX_STREAMS)
    alone = predicted.tolist()
    predictions = []
    for i, value in enumerate(streams.tolist()):
        reasons = (
            reasons_for(model, matrix[i], effects[i], float(songs[i]), alone[i], value, explain)
            if effects is not None
            else []
        )
        basis = basis_text(model, *items[i])
        predictions.append(Prediction(float(value), verdict_for(model, float(value)), reasons, basis))
    return predictions


def reasons_for(
    model: TrainedModel,
    row: Sequence[float],
    effects: Sequence[float],
    songs: float,
    model_says: float,
    estimate: float,
    explain: int,
) -> list[Contribution]:
    """The `explain` strongest reasons behind one estimate (a row of the model's input and its features'
    contributions), first the artist's thin evidence where it moved the estimate (`songs`: the artist's
    songs the listener streamed; `model_says`: the model's own prediction): single predictions and
    recommendations give the same reasons for the same song."""
    # A few more than asked: the strongest on the model's scale may not move the streams the most.
    reasons = top_contributions(model.layout.columns, row, effects, model.medians, explain + SPARE_REASONS)
    reasons = _strongest_in_streams(model, effects, songs, estimate, reasons)
    model_says = min(max(model_says, 0.0), MAX_STREAMS)  # as the estimate is clipped
    leaned = evidence_words(songs, model_says, estimate) if explain else None
    if leaned is not None:  # first: it is what moved the number the listener reads last
        effect = math.log1p(estimate) - math.log1p(model_says)
        reasons = [Contribution(EVIDENCE, songs, effect, leaned, estimate - model_says), *reasons]
    return reasons[:explain]


SPARE_REASONS = 3


def _strongest_in_streams(
    model: TrainedModel, effects: Sequence[float], songs: float, estimate: float, reasons: list[Contribution]
) -> list[Contribution]:
    """Each reason with what it changed in the estimate, in streams (the estimate minus the one the
    model gives with the reason's push taken out of its raw score, the thin evidence weighed as for any
    estimate), the largest change first; as they came where the model's output is LightGBM's alone."""
    if not reasons:
        return reasons
    raw = math.fsum(effects)  # the contributions and the bias
    without = model.streams_of_raw([raw - reason.effect for reason in reasons])
    if without is None:
        return reasons
    base = model.base_rate
    moved = [  # weighed and clipped as every estimate is
        estimate - min(max(one_toward_base_rate(alone, songs, base), 0.0), MAX_STREAMS) for alone in without
    ]
    measured = [  # made, not `replace`d: this runs for every reason of every answer a server gives
        Contribution(reason.feature, reason.value, reason.effect, reason.words, change)
        for reason, change in zip(reasons, moved, strict=True)
    ]
    return sorted(measured, key=lambda reason: -abs(reason.streams or 0.0))


def only_its_plays(model: TrainedModel, artist: str, *, streamed: bool = True) -> Prediction | None:
    """The answer for a song the listener played of which nothing else is known: a song like it, by
    an artist they streamed nothing else of (`streamed`: they streamed this one; else nothing of the
    artist), gets what the model predicts for a song by an artist new to them (its base rate); None for
    a model that recorded no base rate."""
    base = model.base_rate
    if base is None:
        return None
    streams = min(max(base, 0.0), MAX_STREAMS)
    other = "no other song" if streamed else "no song"
    words = (
        f"no source has this song's features and you streamed {other} by {artist}, so a song like"
        " it gets what the model predicts for a song by an artist new to you"
    )
    reason = Contribution(ONLY_ITS_PLAYS, None, 0.0, words)  # the answer itself: it moved nothing
    return Prediction(streams, verdict_for(model, streams), [reason], ONLY_ITS_PLAYS_BASIS)


def banned(prediction: Prediction | None, ban: Ban, artist: str) -> Prediction:
    """A firm zero: the listener told Spotify never to play this song (or any song of its artist), which
    outweighs anything the model would say; the one reason given is theirs. Without a `prediction` (no
    source knows the song and the artist was never streamed) the ban alone answers."""
    what = "this song" if ban is Ban.SONG else f"{artist} (every song of theirs)"
    words = f"you banned {what} in Spotify, so you will not stream it"
    if prediction is not None:
        words += f"; the model would have said {prediction.streams:.1f}"
    model_says = prediction.streams if prediction is not None else 0.0
    return Prediction(
        0.0,
        f"🚫 You banned {'this song' if ban is Ban.SONG else artist} in Spotify",
        [Contribution(BANNED, None, -math.log1p(max(model_says, 0.0)), words, -max(model_says, 0.0))],
        prediction.basis if prediction is not None else BANNED_BASIS,
    )


def verdict_for(model: TrainedModel, streams: float) -> str:
    for quantile, words in VERDICTS:
        threshold = model.thresholds.get(quantile)
        if threshold is not None and streams >= threshold:
            return words
    return LOW_VERDICT


def verdict_thresholds(streamed_predictions: Sequence[float]) -> dict[str, float]:
    """Quantiles of the predictions for the songs the listener streamed (computed at training time)."""
    values = np.asarray(streamed_predictions, dtype=np.float64)
    if not len(values):
        return {}
    return {name: float(np.quantile(values, q)) for name, q in QUANTILES.items()}
