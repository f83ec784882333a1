"""Thin evidence: a song by an artist the listener knows from few songs is estimated near their base
rate; a favourite artist's song keeps the model's estimate; an artist new to them is left alone."""

from __future__ import annotations

import numpy as np
import pytest

from musicflow.model.evidence import EVIDENCE_SONGS, base_rate, evidence_weight, toward_base_rate


def test_one_streamed_song_of_an_artist_weighs_little_and_a_favourites_catalogue_much():
    predicted = np.array([28.0, 28.0, 28.0, 0.4])
    songs = np.array([1.0, 60.0, 3.0, 0.0])  # one song of theirs, sixty, three, an artist new to them
    estimate = toward_base_rate(predicted, songs, base=0.5)
    one, sixty, three, new = estimate.tolist()
    assert one == pytest.approx(0.5 + (28.0 - 0.5) / (1 + EVIDENCE_SONGS))
    assert one < three < sixty < 28.0
    assert sixty > 0.9 * 28.0  # a favourite artist's song keeps nearly all of the model's estimate
    assert new == 0.4  # nothing is known of the artist: the model's estimate stands


def test_a_low_prediction_by_a_thinly_known_artist_rises_toward_the_base_rate():
    assert toward_base_rate(np.array([0.1]), np.array([1.0]), base=0.5)[0] == pytest.approx(0.4)


def test_without_a_base_rate_the_model_alone_answers():
    predicted = np.array([28.0, 3.0])
    assert toward_base_rate(predicted, np.array([1.0, 0.0]), base=None).tolist() == [28.0, 3.0]
    assert toward_base_rate(np.empty(0), np.empty(0), base=1.0).size == 0


def test_the_weight_grows_with_the_songs_streamed():
    weights = evidence_weight(np.array([0.0, 1.0, 2.0, 10.0, 100.0]))
    assert weights[0] == 1.0
    assert list(weights[1:]) == sorted(weights[1:]) and weights[1] == pytest.approx(1 / (1 + EVIDENCE_SONGS))


def test_the_base_rate_is_the_model_on_songs_by_artists_new_to_the_listener():
    predicted = np.array([9.0, 0.2, 0.4, 0.9, 30.0])
    songs = np.array([4.0, 0.0, 0.0, 0.0, 1.0])
    assert base_rate(predicted, songs) == pytest.approx(0.4)
    assert base_rate(predicted[[0, 4]], songs[[0, 4]]) is None


def test_a_thinly_known_artist_s_move_is_said_and_a_favourite_s_or_a_small_one_is_not():
    from musicflow.model.evidence import evidence_words

    said = evidence_words(1.0, 28.0, 7.4)
    assert said is not None and "leans down" in said and "28.0 from the model alone" in said
    assert "leans up" in (evidence_words(2.0, 0.1, 0.9) or "")
    assert evidence_words(30.0, 28.0, 25.5) is None  # a favourite artist: not thin evidence
    assert evidence_words(1.0, 0.6, 0.5) is None  # barely moved
    assert evidence_words(0.0, 3.0, 3.0) is None  # an artist new to the listener
