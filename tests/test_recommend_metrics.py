"""What the recommendation benchmark counts: hits, recall and NDCG of a hand-made ranking, the rankings
its baselines make, and the history cut at T that the model and artist affinity are built from."""

from __future__ import annotations

import math

import numpy as np
import pytest
from benchmarks.recommend_quality import (
    AFFINITY,
    CHOSEN,
    CHOSEN_CAPPED,
    CHOSEN_WAY_LISTED,
    MIXED,
    MUSICFLOW,
    POPULARITY,
    SPLICED,
    WEIGHED_LISTED,
    Candidates,
    Cut,
    Result,
    Scores,
    by_later_artists,
    capped,
    capped_name,
    hits_at,
    ndcg_at,
    parse_options,
    played_songs,
    ranked,
    recall_at,
    spliced,
    spliced_name,
    with_chosen,
)

from musicflow.app.history_before import HistoryBefore
from musicflow.app.ranker_choice import FIRST_OF_WAY, WEIGHED, RankerChoice
from musicflow.core.songs import credited_artists
from musicflow.store.ports import CatalogSong, LibraryEntry, PlayFact, TrackFact

# Later-streamed songs 3, 7 and 9 ranked 2nd (twice: two versions), 5th and 7th; -1 is not one. A fourth
# later-streamed song is among the candidates but not in this ranking.
RANKING = [-1, 3, 3, -1, 7, -1, 9]
RELEVANT = 4


def test_hits_count_each_later_streamed_song_once_within_k():
    assert [hits_at(RANKING, k) for k in (1, 2, 3, 5, 7, 100)] == [0, 1, 1, 2, 3, 3]


def test_recall_is_hits_over_the_later_streamed_songs_among_the_candidates():
    assert recall_at(RANKING, 5, RELEVANT) == 0.5
    assert recall_at(RANKING, 100, RELEVANT) == 0.75
    assert recall_at([-1, -1], 2, 0) == 0.0


def test_ndcg_discounts_hits_by_rank_against_the_best_possible_order():
    ideal = 1 + 1 / math.log2(3) + 1 / math.log2(4) + 1 / math.log2(5)
    gained = 1 / math.log2(3) + 1 / math.log2(6)
    assert ndcg_at(RANKING, 5, RELEVANT) == pytest.approx(gained / ideal)
    assert ndcg_at(RANKING, 2, RELEVANT) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert ndcg_at([3, 7, 9, 4, -1], 10, RELEVANT) == pytest.approx(1.0)
    assert ndcg_at([-1, 3], 1, RELEVANT) == 0.0


def test_scores_hold_each_metric_at_10_20_50_and_100_and_average_over_seeds():
    first = Scores.of([5] + [-1] * 59 + [6], relevant=2)
    assert first.hits == (1.0, 1.0, 1.0, 2.0)
    assert first.recall == (0.5, 0.5, 0.5, 1.0)
    assert first.ndcg[0] == pytest.approx(1 / (1 + 1 / math.log2(3)))
    second = Scores.of([-1] * 100, relevant=2)
    assert Scores.mean([first, second]).hits == (0.5, 0.5, 0.5, 1.0)
    assert Scores.mean([first, second]).top_hits == 1.0


def test_rankings_keep_the_candidates_only_and_break_ties_in_turn():
    keep = np.array([True, True, True, True, False])
    popularity = np.array([50.0, -1.0, 80.0, 50.0, 99.0])
    affinity = np.array([3.0, 3.0, 0.0, 0.0, 9.0])
    tiebreak = np.array([0.9, 0.1, 0.5, 0.2, 0.0])
    assert ranked(keep, tiebreak, popularity).tolist() == [2, 3, 0, 1]  # no popularity: last
    assert ranked(keep, tiebreak, affinity, popularity).tolist() == [0, 1, 2, 3]
    assert ranked(keep, tiebreak, affinity).tolist() == [1, 0, 3, 2]


def test_the_per_artist_cap_keeps_the_best_songs_of_each_artist():
    artists = [("a",), ("a",), ("a",), ("b",), ("c",)]
    assert capped(np.array([0, 1, 2, 3, 4]), artists, per_artist=2, limit=10) == [0, 1, 3, 4]
    assert capped(np.array([2, 3, 1, 0, 4]), artists, per_artist=1, limit=2) == [2, 3]


def test_a_song_counts_for_every_artist_it_credits_as_recommend_counts_it():
    """One song per artist: "Asake; Wizkid" takes Wizkid's place too, as in `recommend`'s list."""
    credits = [("wizkid",), ("asake", "wizkid"), ("asake",), ("rema",)]
    assert capped(np.array([0, 1, 2, 3]), credits, per_artist=1, limit=10) == [0, 2, 3]
    assert credits[1] == credited_artists("Asake; Wizkid")


class _History:
    """Two profiles' plays of three tracks."""

    def __init__(self) -> None:
        self.facts = [
            PlayFact(1, 10, 50, 60_000, None, None),
            PlayFact(1, 11, 150, 60_000, None, None),
            PlayFact(2, 12, 150, 60_000, None, None),
            PlayFact(1, 10, 200, 60_000, None, None),
        ]
        self.tracks = [TrackFact(i, f"song {i}", "artist", None, f"artist\x1fsong {i}") for i in (10, 11, 12)]

    def profile_ids(self) -> dict[str, int]:
        return {"me": 1, "other": 2}

    def plays(self, profile_id: int | None = None) -> list[PlayFact]:
        return [f for f in self.facts if profile_id in (None, f.profile_id)]

    def played_tracks(self, profile_id: int | None = None) -> list[TrackFact]:
        played = {f.track_id for f in self.plays(profile_id)}
        return [t for t in self.tracks if t.track_id in played]

    def library(self, profile_id: int) -> list[LibraryEntry]:
        return []

    def catalog_songs(self, row_ids: object) -> list[CatalogSong]:
        return []

    def catalog_row_ids(self) -> list[int]:
        return []


def test_the_history_at_t_holds_the_listeners_plays_before_t_and_everyone_elses():
    before = HistoryBefore(_History(), profile_id=1, cutoff=150)
    assert [(f.track_id, f.ended_at) for f in before.plays(1)] == [(10, 50)]
    assert [t.track_id for t in before.played_tracks(1)] == [10]
    assert [(f.profile_id, f.track_id) for f in before.plays()] == [(1, 10), (2, 12)]
    assert [t.track_id for t in before.played_tracks()] == [10, 12]


def _result(**hits: float) -> Result:
    names = {
        "musicflow": MUSICFLOW,
        "popularity": POPULARITY,
        "affinity": AFFINITY,
        "mixed": MIXED,
        "listed": capped_name(MUSICFLOW),
        "mixed_listed": capped_name(MIXED),
        "weighed_listed": capped_name(WEIGHED),
        "spliced": spliced_name(MUSICFLOW),
        "spliced_listed": capped_name(spliced_name(MUSICFLOW)),
        "mixed_spliced": spliced_name(MIXED),
        "mixed_spliced_listed": capped_name(spliced_name(MIXED)),
    }
    scores = {names[k]: Scores((0.0, 0.0, v), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0)) for k, v in hits.items()}
    return Result("x", 0, 100, 10, 10, scores, 0.0, {})


def test_what_recommend_ranks_by_is_scored_as_chosen_and_as_listed():
    """The way chosen is scored as it ranks and as `recommend` lists it by default (no song played before
    T, 2 per artist, its first 20 the chosen way's, then predicted streams x popularity²), beside the
    chosen way throughout as listed; how the other ways would list is not shown."""
    now = _result(
        musicflow=9,
        popularity=1,
        affinity=7,
        mixed=14,
        listed=8,
        mixed_listed=12,
        weighed_listed=11,
        spliced=5,
        spliced_listed=4,
        mixed_spliced=13,
        mixed_spliced_listed=15,
    )
    unchosen = with_chosen(now, None)  # no choice: predicted streams
    assert unchosen.scores[CHOSEN] == now.scores[MUSICFLOW]
    assert unchosen.scores[CHOSEN_CAPPED] == now.scores[capped_name(spliced_name(MUSICFLOW))]
    assert unchosen.scores[CHOSEN_WAY_LISTED] == now.scores[capped_name(MUSICFLOW)]
    choice = RankerChoice(MIXED, {MUSICFLOW: 6, POPULARITY: 5, AFFINITY: 7, MIXED: 18}, 400, 0)
    mixed = with_chosen(now, choice)
    assert mixed.scores[CHOSEN] == now.scores[MIXED] and mixed.scores[MUSICFLOW] == now.scores[MUSICFLOW]
    assert mixed.scores[CHOSEN_CAPPED] == now.scores[capped_name(spliced_name(MIXED))]
    assert mixed.scores[CHOSEN_WAY_LISTED] == now.scores[capped_name(MIXED)]
    assert capped_name(MIXED) not in mixed.scores and capped_name(MUSICFLOW) not in mixed.scores
    # the list whose first 20 are the chosen way's splices that way's, whichever it is
    assert unchosen.scores[SPLICED] == now.scores[spliced_name(MUSICFLOW)]
    assert mixed.scores[SPLICED] == now.scores[spliced_name(MIXED)]
    assert mixed.scores[WEIGHED_LISTED] == now.scores[capped_name(WEIGHED)]
    assert spliced_name(MIXED) not in mixed.scores and spliced_name(MUSICFLOW) not in mixed.scores


def test_a_spliced_list_takes_the_first_20_of_one_order_then_the_other_with_no_song_twice():
    """Songs 0-23: 0, 1 and 2 by one artist, the others by one each; the second order is the first
    reversed. Capped, the artist's third song is never listed, in either part."""
    assert FIRST_OF_WAY == 20
    first = np.arange(24)
    artists = [("a",), ("a",), ("a",), *((f"s{i}",) for i in range(3, 24))]
    assert spliced(first, first[::-1], None, 23) == [*range(20), 23, 22, 21]
    assert spliced(first, first[::-1], artists, 100) == [0, 1, *range(3, 21), 23, 22, 21]


def test_a_song_is_dated_by_its_earliest_release_and_undated_songs_stay_candidates() -> None:
    """At T a song released after T did not exist: the benchmark leaves it out of the candidates, and
    keeps a song no catalog row dates."""
    import datetime as dt

    import polars as pl

    from musicflow.scale.frames import release_times as _release_times

    rows = pl.DataFrame(
        {
            "release_year": [2020, 0, None, 1999],
            "release_month": [5, 3, None, 0],
            "release_day": [2, 1, None, 31],
        }
    )
    found = _release_times(rows)
    assert found[0] == dt.datetime(2020, 5, 2, tzinfo=dt.UTC).timestamp()
    assert found[3] == dt.datetime(1999, 1, 31, tzinfo=dt.UTC).timestamp()  # month 0: January
    assert math.isinf(found[1]) and math.isinf(found[2])


def test_the_list_as_recommend_shows_it_holds_no_song_played_before_t() -> None:
    """`recommend` lists no song the listener played, even for a few seconds: a candidate song is played
    when any of its rows' Spotify ids or keys is among the songs played before T, streamed or not."""
    import numpy as np
    import polars as pl

    candidates = Candidates(
        frame=pl.DataFrame(),
        song=np.array([0, 0, 1, 2]),  # rows 0 and 1: one song, under two keys
        ids=["id0", None, "id1", None],
        keys=["k0", "k0 live", "k1", "k2"],
        artist=["a", "b", "c"],
        credits=[("a",), ("b",), ("c",)],
        popularity=np.zeros(3),
        released=np.full(3, np.inf),
    )
    streamed, skipped_only = frozenset({"id1"}), frozenset({"k0 live"})
    cut = Cut("x", 1, 100, streamed, {}, {}, 0, streamed | skipped_only)
    assert played_songs(candidates, cut).tolist() == [True, True, False]


def test_the_ceilings_rank_only_the_songs_of_artists_the_listener_went_on_to_stream() -> None:
    """A ceiling knows which artists the listener streamed a new song of after T: it keeps every
    candidate of theirs (hit or not) and no other, and never one left out of the candidates."""
    import numpy as np
    import polars as pl

    candidates = Candidates(
        frame=pl.DataFrame(),
        song=np.arange(5),
        ids=[None] * 5,
        keys=[f"k{i}" for i in range(5)],
        artist=["a", "a", "b", "c", "c"],
        credits=[("a",), ("a",), ("b",), ("c",), ("c",)],
        popularity=np.zeros(5),
        released=np.full(5, np.inf),
    )
    labels = np.array([-1, 7, -1, -1, 8])  # songs 1 (by a) and 4 (by c) were streamed after T
    keep = np.array([True, True, True, True, False])  # song 4 is not a candidate (say, released after T)
    assert by_later_artists(candidates, keep, labels).tolist() == [True, True, False, False, False]


def test_the_benchmarks_options_are_read_before_anything_is_built(capsys: pytest.CaptureFixture[str]):
    asked = parse_options(["--chosen", "--seeds=3", "--evidence", "1,2", "emb400"])
    assert (asked.names, asked.chosen, asked.seeds, asked.evidence) == (["emb400"], True, 3, [1.0, 2.0])
    for wrong in (["--seeds=x"], ["--seeds=0"], ["--evidence"], ["--evidence", "a"], ["--bogus"]):
        with pytest.raises(SystemExit) as stopped:
            parse_options(wrong)
        assert stopped.value.code == 2
        assert capsys.readouterr().err.startswith("Error: ")
