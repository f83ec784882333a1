"""Drift in numbers a person can check: shares of streams to artists, and the mean of a feature."""

from __future__ import annotations

from musicflow.model.drift import MIN_RECENT_STREAMS, Stream, measure_drift


def streams(artists: list[str], energy: float = 0.5, spread: float = 0.1) -> list[Stream]:
    """Streams of these artists in turn, their energy around `energy`."""
    return [
        Stream(artist, {"energy": energy + spread * ((i % 5) - 2) / 2}) for i, artist in enumerate(artists)
    ]


LEARNED = streams(["a", "b", "c", "d"] * 100)


def test_too_few_streams_since_say_nothing():
    drift = measure_drift(3, 1.0, LEARNED, streams(["x"] * (MIN_RECENT_STREAMS - 1)))
    assert not drift.enough and not drift.drifted and drift.new_artist_share is None
    assert drift.summary.startswith(f"Too few plays since to tell: {MIN_RECENT_STREAMS - 1} streams")


def test_the_same_artists_and_sound_are_no_drift():
    drift = measure_drift(3, 1.0, LEARNED, streams(["b", "a", "d", "c"] * 30))
    assert drift.enough and not drift.drifted
    assert (
        drift.new_artist_share == 0.0 and drift.artist_distance is not None and drift.artist_distance < 0.01
    )
    assert (
        drift.summary == "Your 120 streams since model v3 learned are like those it learned from: no drift."
    )


def test_streams_to_artists_never_seen_are_drift_and_say_how_many():
    drift = measure_drift(3, 1.0, LEARNED, streams(["a"] * 30 + ["new"] * 90))
    assert drift.drifted and drift.artists_moved and drift.new_artist_share == 0.75
    assert "75% of them went to artists it never saw you stream" in drift.summary
    assert drift.summary.endswith("Train a new model to follow.")


def test_a_sound_moved_half_a_deviation_is_drift_and_says_which_way():
    drift = measure_drift(3, 1.0, LEARNED, streams(["a", "b", "c", "d"] * 30, energy=0.6), retrain="queued")
    assert drift.drifted and not drift.artists_moved
    (energy,) = drift.moved_features
    assert energy.name == "energy" and round(energy.before, 3) == 0.5 and round(energy.since, 3) == 0.6
    assert "their energy is higher (0.60 against 0.50" in drift.summary
    assert drift.summary.endswith("A retrain is queued.")
