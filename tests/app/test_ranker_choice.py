"""How a listener's recommendations are ranked: each way counted on their own past, the best picked only
when it found clearly more than MusicFlow's predicted streams, and said in words that give the counts."""

from __future__ import annotations

import numpy as np
import pytest

from musicflow.app import ranker_choice
from musicflow.app.ranker_choice import (
    AFFINITY,
    ALL_THREE,
    MARGIN,
    MIXED,
    MODEL,
    POPULARITY,
    RANKING_FACT,
    TOP,
    WAYS,
    RankerChoice,
    choose_ranker,
    existing_at,
    found_first,
    pick,
    places,
    rank_keys,
)
from musicflow.app.service import MusicFlow
from musicflow.app.training import training_options
from tests.trained import PROFILE


def test_a_way_is_picked_only_when_it_found_clearly_more_than_the_predicted_streams():
    assert pick({MODEL: 6, POPULARITY: 5, AFFINITY: 7, MIXED: 18}) == MIXED
    assert pick({MODEL: 18, POPULARITY: 1, AFFINITY: 18 + MARGIN - 1, MIXED: 4}) == MODEL
    assert pick({MODEL: 4, POPULARITY: 4, AFFINITY: 4 + MARGIN, MIXED: 0}) == AFFINITY
    # Popularity alone is counted but never picked: a list of the catalog's hits is nobody's own.
    assert pick({MODEL: 1, POPULARITY: 13, AFFINITY: 0, MIXED: 2}) == MODEL


def test_each_way_ranks_by_what_it_says():
    predicted = np.array([5.0, 1.0, 3.0, 0.5])
    popularity = np.array([10.0, 90.0, 50.0, -1.0])  # -1: the catalog has none
    streams = np.array([0.0, 0.0, 40.0, 40.0])
    order = {
        way: np.argsort(-rank_keys(way, predicted, popularity, streams)).tolist()
        for way in (MODEL, POPULARITY, AFFINITY)
    }
    assert order[MODEL] == [0, 2, 1, 3]
    assert order[POPULARITY] == [1, 2, 0, 3]
    assert order[AFFINITY] == [2, 3, 1, 0]  # the artist's streams, then popularity
    # Mixed: places 0..3 by predicted (0, 2, 1, 3) and by popularity (2, 0, 1, 3) averaged.
    assert places(predicted, np.sort(predicted)).tolist() == [0, 2, 1, 3]
    mixed = rank_keys(MIXED, predicted, popularity, streams)
    assert mixed.tolist() == [-2.0, -2.0, -2.0, -6.0]
    # All three: those places and the places in artist affinity's order (2, 3, 1, 0: 3, 2, 0, 1) summed.
    assert rank_keys(ALL_THREE, predicted, popularity, streams).tolist() == [-5.0, -4.0, -2.0, -7.0]


def test_a_song_counts_once_however_many_rows_it_has():
    keys = np.array([9.0, 8.0, 7.0, 6.0, 5.0])
    songs = np.array([0, 0, 1, 2, 3])  # rows 0 and 1: one song
    later = np.array([True, True, False, True, True])
    assert found_first(keys, songs, later, top=2) == 1  # songs 0 and 1: one later-streamed song
    assert found_first(keys, songs, later, top=3) == 2


def test_a_recorded_choice_reads_back_and_says_what_each_found():
    choice = RankerChoice(MIXED, {MODEL: 1, POPULARITY: 13, AFFINITY: 0, MIXED: 10}, 361, 1_761_281_946)
    assert RankerChoice.from_dict(choice.as_dict()) == choice
    assert choice.words() == (
        "Ranked by MusicFlow's predicted streams and the catalog's popularity together: on your own past,"
        " that found 10 of the songs you went on to stream in its first 100, where MusicFlow's predicted"
        " streams alone found 1."
    )
    assert RankerChoice.from_dict(None) is None  # a model trained before: ranked by predicted streams
    assert RankerChoice.from_dict({"ranker": "something else"}) is None


def test_the_choice_recorded_with_the_model_is_made_again_and_a_sample_of_a_large_catalog_will_do(
    trained_app: MusicFlow, monkeypatch: pytest.MonkeyPatch
):
    store, settings = trained_app._store, trained_app.settings
    profile_id = trained_app.require_profile(PROFILE)
    recorded = RankerChoice.from_dict(trained_app.serving.get(PROFILE).model.training[RANKING_FACT])
    made = choose_ranker(store, settings, training_options(settings), PROFILE, profile_id)
    assert made is not None and made == recorded  # the same store, the same choice
    monkeypatch.setattr(ranker_choice, "CHOICE_ROWS", 20_000)  # the bundled catalog: 95,489 rows
    sampled = choose_ranker(store, settings, training_options(settings), PROFILE, profile_id)
    assert sampled is not None and 0 < sampled.later < made.later  # a fifth of the songs to find
    assert all(sampled.found[way] <= TOP for way in WAYS) and sampled.ranker == pick(sampled.found)


def test_a_song_released_after_the_cut_is_no_candidate():
    """At the cut no list could hold a song that came out after it: its row is left out; a row no date
    is known of stays."""
    import datetime as dt

    import polars as pl

    cut = int(dt.datetime(2022, 6, 1, tzinfo=dt.UTC).timestamp())
    rows = pl.DataFrame(
        {
            "song": ["old", "that week", "after", "undated", "next year"],
            "release_year": [1999, 2022, 2022, 0, 2023],
            "release_month": [3, 5, 6, 1, None],
            "release_day": [1, 31, 2, 1, None],
        }
    )
    assert existing_at(rows, cut).get_column("song").to_list() == ["old", "that week", "undated"]
