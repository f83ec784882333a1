"""The reasons of a prediction in words: each feature says something of its own, no answer says one thing
twice, and what is said is true of the value (a share of 0 is none, a value at the median is typical)."""

from __future__ import annotations

import math

from musicflow.model.evidence import EVIDENCE, evidence_words
from musicflow.model.explain import Contribution, describe, top_contributions
from musicflow.model.history_words import history_words, worded
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


def test_an_artist_with_no_other_song_is_one_reason_not_one_per_column() -> None:
    """Five columns of the artist's history all say "never streamed": one reason carries their summed
    effect, and the other places go to the next features."""
    columns = [*NEVER_STREAMED, "tempo", "energy", "valence"]
    row = [*NEVER_STREAMED.values(), 150.0, 0.9, 0.2]
    effects = [-0.3, -0.2, -0.1, -0.25, -0.15, 0.0, 0.12, 0.11, -0.05, 1.0]  # the last: the bias term
    medians = {"tempo": 120.0, "energy": 0.5, "valence": 0.5}
    found = top_contributions(columns, row, effects, medians, limit=4)
    assert [c.feature for c in found] == ["artist_streams", "tempo", "energy", "valence"]
    assert math.isclose(found[0].effect, -1.0)
    worded = [history_words(c, SongHistory(0, "Foo Fighters", 0, 0, 0.0)).words for c in found]
    assert worded[0] == "you have never streamed Foo Fighters"
    assert sum("Foo Fighters" in words or "artist" in words for words in worded) == 1


def test_an_artist_with_other_songs_keeps_a_reason_per_column() -> None:
    columns = ["artist_streams", "artist_songs", "artist_first_days", "tempo"]
    row = [math.log1p(40), math.log1p(5), 300.0, 150.0]
    effects = [0.4, 0.3, 0.2, 0.1, 1.0]
    found = top_contributions(columns, row, effects, {"artist_first_days": 200.0, "tempo": 120.0})
    assert [c.feature for c in found] == columns


def test_when_the_artist_was_first_and_last_streamed_is_said_as_a_month() -> None:
    """A one-year history found most of its artists in its first weeks: "recently" would misname them."""
    may_2019, april_2020 = 1_556_755_200, 1_587_772_800  # 2019-05-02, 2020-04-25 (UTC)
    history = SongHistory(0, "Ed Sheeran", 277, 30, 0.013, artist_since=may_2019, artist_until=april_2020)
    first = Contribution("artist_first_days", 364.0, 0.2, describe("artist_first_days", 364.0, 365.0, 0.2))
    last = Contribution("artist_last_days", 3.0, 0.1, describe("artist_last_days", 3.0, 30.0, 0.1))
    assert first.words == "you discovered this artist recently"  # the model's own comparison
    assert history_words(first, history).words == "you have streamed Ed Sheeran since May 2019"
    assert history_words(last, history).words == "you last streamed Ed Sheeran in April 2020"


def test_an_artist_streamed_in_one_month_only_is_one_reason_not_two() -> None:
    """A single stream of the Ramones made "since September 2024" and "last ... in September 2024" two
    reasons of one fact: they are one, with both pushes, in the place their sum takes."""
    september = 1_725_667_200  # 2024-09-07 (UTC)
    history = SongHistory(0, "Ramones", 1, 1, 0.0001, artist_since=september, artist_until=september + 3600)
    reasons = [
        Contribution("popularity", 20.0, -0.24, "less popular than most songs you play", -0.09),
        Contribution("artist_first_days", 400.0, 0.25, "you have streamed this artist for a long time", 0.06),
        Contribution("artist_last_days", 400.0, 0.24, "you have not streamed this artist for a while", 0.06),
    ]
    said = worded(reasons, history)
    assert [c.words for c in said] == [
        "you streamed Ramones only in September 2024",
        "less popular than most songs you play",
    ]
    assert said[0].effect == 0.49 and said[0].streams == 0.12


def test_thin_evidence_names_the_artist_and_counts_their_other_songs() -> None:
    """Beside "you streamed 3 songs by The Goo Goo Dolls" (Iris among them), "few songs by this artist"
    read as a contradiction: it counts the other songs, as the estimate does, and names the artist."""
    words = evidence_words(2.0, 7.2, 3.06)
    assert words is not None
    leaned = Contribution(EVIDENCE, 2.0, -0.7, words, 3.06 - 7.2)
    songs = Contribution(
        "artist_songs", math.log1p(2), 0.2, "you streamed 2 other songs by this artist", 1.06
    )
    history = SongHistory(52, "The Goo Goo Dolls", 60, 3, 0.005)
    reasons = worded([leaned, songs], history)
    assert len(reasons) == 1  # their count is said once
    said = reasons[0].words
    assert said.startswith("you streamed only 2 other songs by The Goo Goo Dolls, so the estimate leans down")
    assert "(7.2 from the model alone)" in said
    assert (evidence_words(1.0, 7.2, 3.06) or "").startswith("you streamed only 1 other song by this artist,")


def test_a_song_no_source_knows_the_sound_of_says_so_once_not_feature_by_feature():
    """Its missing audio features are one reason, with their effects summed; a missing release year,
    which is no sound, stays its own; a share too small to show is "under 0.1%", not "0.0%"."""
    columns = ["speechiness", "tempo", "key_C", "key_unknown", "release_year", "artist_share"]
    row = [math.nan, math.nan, 0.0, 1.0, math.nan, 0.0004]
    effects = [0.3, 0.2, 0.0, 0.1, -0.25, -0.05, 1.0]
    found = top_contributions(columns, row, effects, {"artist_share": 0.01})
    assert [(c.words, round(c.effect, 6)) for c in found] == [
        ("no source knows how it sounds (its audio features)", 0.6),
        ("its release year is not known", -0.25),
        ("this artist is under 0.1% of what you stream", -0.05),
    ]
    assert found[0].as_dict()["feature"] == "audio_features" and found[0].as_dict()["value"] is None
    known = top_contributions(columns, [0.1, 120.0, 1.0, 0.0, 2001.0, 0.2], effects, {"tempo": 100.0})
    assert "no source knows how it sounds (its audio features)" not in [c.words for c in known]
