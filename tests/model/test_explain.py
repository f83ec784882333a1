"""The reasons of a prediction in words: each feature says something of its own, no answer says one thing
twice, and what is said is true of the value (a share of 0 is none, a value at the median is typical)."""

from __future__ import annotations

import math

from musicflow.model.explain import Contribution, describe, top_contributions
from musicflow.model.history_words import history_words
from musicflow.model.listener import SongHistory
from musicflow.model.vectorize import AFFINITY_COLUMNS, ALL_COLUMNS

# Values each column may hold in a model's row: unknown, zero, small, at the median, large.
VALUES = (math.nan, 0.0, 0.3, 1.0, 4.0, 250.0)
NEVER_STREAMED = {  # the row of a song by an artist the listener never streamed (log(1 + 0) = 0)
    "artist_streams": 0.0,
    "artist_songs": 0.0,
    "artist_share": 0.0,
    "artist_first_days": math.nan,
    "artist_last_days": math.nan,
    "artist_genre_match": math.nan,  # genres not known either
}


def test_two_features_never_say_the_same_sentence():
    said: dict[str, set[str]] = {}
    for feature in ALL_COLUMNS:
        for value in VALUES:
            for effect in (-0.2, 0.2):
                said.setdefault(describe(feature, value, 1.0, effect), set()).add(feature)
    shared = {words: features for words, features in said.items() if len(features) > 1}
    assert shared == {}


def test_an_artist_never_streamed_is_said_once_per_feature_and_truly():
    sentences = [describe(f, NEVER_STREAMED[f], 0.5, -0.1) for f in AFFINITY_COLUMNS]
    assert len(set(sentences)) == len(sentences), sentences
    assert describe("artist_share", 0.0, 0.01, -0.1) == "this artist is none of what you stream"


def test_a_value_at_the_median_is_typical_not_above_or_below():
    assert describe("tempo", 120.0, 120.0, 0.1) == "tempo typical of the songs you play"
    assert describe("tempo", 121.0, 120.0, 0.1) == "faster than most songs you play"
    assert describe("n_artists", 1.0, 1.0, 0.1) == "one artist credited"
    assert describe("release_date_precision", 1.0, 3.0, 0.1) == "release date known to the year only"


def test_a_sentence_already_given_is_not_given_again():
    """Two columns said alike (here one column twice): the weaker one gives way to the next feature."""
    columns = ["tempo", "tempo", "energy", "valence"]
    row = [150.0, 150.0, 0.9, 0.9]
    effects = [0.5, 0.4, 0.3, 0.2, 1.0]  # the last is the bias term
    medians = {"tempo": 120.0, "energy": 0.5, "valence": 0.5}
    found = top_contributions(columns, row, effects, medians, limit=3)
    assert [c.words for c in found] == [
        "faster than most songs you play",
        "more energetic than most songs you play",
        "more cheerful than most songs you play",
    ]
    assert [c.effect for c in found] == [0.5, 0.3, 0.2]


def test_the_history_words_of_a_prediction_are_each_their_own():
    """A prediction words its artist reasons from the listener's counts; for an artist never streamed,
    and for a song streamed alone of its artist, each column still says something of its own, and
    nothing denies the streams of the song itself."""

    def reasons(history: SongHistory) -> list[str]:
        return [
            history_words(Contribution(f, v, -0.1, describe(f, v, 0.5, -0.1)), history).words
            for f, v in NEVER_STREAMED.items()
        ]

    never = reasons(SongHistory(0, "Dua Lipa", 0, 0, 0.0))
    alone = reasons(SongHistory(12, "Dua Lipa", 12, 1, 0.01))
    for words in (never, alone):
        assert len(set(words)) == len(words), words
    said = " / ".join(alone)
    assert "never" not in said and "not discovered" not in said and "none of" not in said, said
    assert "you know Dua Lipa from this song alone" in said


def test_the_genre_match_is_said_against_the_training_median() -> None:
    assert (
        describe("artist_genre_match", 0.26, 0.1, 0.2)
        == "this artist's genres are close to yours (26% match)"
    )
    assert (
        describe("artist_genre_match", 0.02, 0.1, -0.2)
        == "this artist's genres are far from yours (2% match)"
    )
    assert describe("artist_genre_match", math.nan, 0.1, -0.2) == "this artist's genres are not known"
