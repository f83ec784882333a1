"""Thin evidence: an estimate resting on few of an artist's songs moves toward the listener's base rate.

The model learns what a listener's affinity for an artist says from the songs they streamed, so one
song of an artist streamed 11 times can read as strongly as a favourite artist's whole catalogue: every
song of that artist then comes out near the top. The listener's streams of an artist are evidence in
proportion to how many of the artist's songs they streamed, n. A prediction for a song by an artist
the listener streamed is weighed against the listener's base rate by n / (n + EVIDENCE_SONGS):

    estimate = w * model's prediction + (1 - w) * base rate,  w = n / (n + EVIDENCE_SONGS)

The base rate is what the model predicts for a song whose artist is new to the listener (the median
of its predictions for such songs among the rows it learned from): with little evidence about an
artist, their song is estimated nearly as a stranger's. For an artist new to the listener (n = 0) the
model's own prediction stands: there it rests on the song's sound, not on the artist.

Single predictions, lists, catalog scoring, recommendations and the model's evaluation all apply it
(`toward_base_rate`), so they agree. EVIDENCE_SONGS was chosen on the design listeners of
benchmarks/recommend_quality.py (hits at 100 of the songs they went on to stream); the median streams
of the listener's streamed songs as the base rate was measured too, and lowered the AUC (it raises
songs the listener never streamed by an artist they streamed once).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EVIDENCE_SONGS = 3.0
BASE_RATE = "base_rate"  # the key of the base rate in a model's training facts
EVIDENCE = "artist_evidence"  # the reason that says the estimate leaned toward the base rate

Floats = npt.NDArray[np.float64]


def base_rate(predicted: Floats, songs: Floats) -> float | None:
    """The median of the model's predictions for songs by artists new to the listener (`songs`: the
    artist's songs the listener streamed, per prediction); None when there is no such song."""
    new = np.asarray(predicted, dtype=np.float64)[np.asarray(songs) <= 0]
    return float(np.median(new)) if len(new) else None


def evidence_weight(songs: Floats, k: float = EVIDENCE_SONGS) -> Floats:
    """How far the model's prediction is trusted: n / (n + k), n the artist's songs the listener
    streamed (1 for an artist new to them: the model's prediction stands)."""
    songs = np.maximum(np.asarray(songs, dtype=np.float64), 0.0)
    return np.where(songs > 0, songs / (songs + k), 1.0)


def toward_base_rate(
    predicted: Floats, songs: Floats, base: float | None, k: float = EVIDENCE_SONGS
) -> Floats:
    """Each prediction moved toward `base` by its evidence weight; unchanged when `base` is None (a
    model trained before the base rate was recorded)."""
    predicted = np.asarray(predicted, dtype=np.float64)
    if base is None or not len(predicted):
        return predicted
    weight = evidence_weight(songs, k)
    return weight * predicted + (1.0 - weight) * base


THIS_ARTIST = "this artist"  # named by the answer that knows the artist (`history_words`)


def one_toward_base_rate(
    predicted: float, songs: float, base: float | None, k: float = EVIDENCE_SONGS
) -> float:
    """`toward_base_rate` of one prediction, without arrays (what a reason changed is weighed so, a few
    times for every answer)."""
    if base is None or songs <= 0:
        return predicted
    weight = songs / (songs + k)
    return weight * predicted + (1.0 - weight) * base


SHOWN_FROM_STREAMS = 0.5  # a move this large (in predicted streams) is said among the reasons


def evidence_words(songs: float, model_says: float, estimate: float) -> str | None:
    """The reason a listener reads when thin evidence (fewer of the artist's songs streamed than
    EVIDENCE_SONGS: the model's estimate trusted less than half) moved the estimate: without it, the
    number they see would contradict reasons that all praise the artist. None when the evidence is not
    thin or the estimate barely moved."""
    if not 0 < songs < EVIDENCE_SONGS or abs(estimate - model_says) < SHOWN_FROM_STREAMS:
        return None
    way = "down" if estimate < model_says else "up"
    other = "1 other song" if round(songs) == 1 else f"{round(songs)} other songs"
    return (
        f"you streamed only {other} by {THIS_ARTIST}, so the estimate leans {way} toward what a song by"
        f" an artist new to you gets ({model_says:.1f} from the model alone)"
    )
