from __future__ import annotations

import math

import numpy as np

from musicflow.core.songs import match_key
from musicflow.features.merge import single_source
from musicflow.model.affinity import AffinityIndex
from musicflow.model.dataset import ZeroStrategy, as_of, time_split
from musicflow.model.hygiene import check_features, layout_for
from musicflow.model.snapshot import Snapshot, is_real_skip
from musicflow.model.song_groups import song_ids
from musicflow.model.training_rows import Row, RowKind
from musicflow.store.ports import TrackFact


def track(tid: int, artist: str, title: str, spotify_id: str | None = None) -> TrackFact:
    return TrackFact(tid, title, artist, spotify_id, match_key(artist, title))


def test_union_find_merges_ids_and_spellings_transitively() -> None:
    tracks = [
        track(1, "Queen", "Bohemian Rhapsody", "id-album"),
        track(2, "Queen", "Bohemian Rhapsody - Remastered 2011", "id-remaster"),
        track(3, "queen", "Bohemian Rhapsody (Remastered)", "id-remaster"),
        track(4, "Queen", "Under Pressure", "id-other"),
    ]
    songs = song_ids(tracks)
    assert songs[1] == songs[2] == songs[3] == 1
    assert songs[4] == 4


def test_affinity_leaves_out_the_rows_own_plays() -> None:
    index = AffinityIndex([(1, "queen", 10), (2, "queen", 3), (3, "abba", 4)])
    assert index.of("queen", 1).streams == 3 and index.of("queen", 1).songs == 1
    assert index.of("queen", None).streams == 13
    assert index.of("abba", 1).streams == 4
    assert index.of("nobody").streams == 0


def test_affinity_recency_and_share_leave_out_the_rows_own_plays() -> None:
    day = 86_400
    index = AffinityIndex(
        [(1, "queen", 10, 0, 50 * day), (2, "queen", 2, 40 * day, 90 * day), (3, "abba", 8, 0, 10 * day)],
        reference=100 * day,
    )
    whole = index.of("queen")
    assert whole.share == 12 / 20 and whole.first_days == 100 and whole.last_days == 10
    without_one = index.of("queen", 1)  # only song 2's plays remain
    assert without_one.share == 2 / 20 and without_one.first_days == 60 and without_one.last_days == 10
    without_two = index.of("queen", 2)
    assert without_two.first_days == 100 and without_two.last_days == 50
    alone = index.of("abba", 3)  # no other song by the artist: no history at all
    assert alone.streams == 0 and math.isnan(alone.first_days) and math.isnan(alone.last_days)


def test_time_split_affinity_knows_no_future_plays(snapshot: Snapshot) -> None:
    split = time_split(snapshot, snapshot.profiles["me"], ZeroStrategy.parse("skips+others"), 0)
    plays = snapshot.plays[snapshot.profiles["me"]]
    assert split.cutoff is not None
    before = plays.ended_at < split.cutoff
    assert not before.all()
    streamed_before = plays.song[before & plays.is_stream].tolist()
    known_artist = 0
    for song in set(plays.song[~before].tolist()) - set(plays.song[before].tolist()):
        artist = snapshot.songs[song].artist_key
        streams_before = sum(1 for s in streamed_before if snapshot.songs[s].artist_key == artist)
        affinity = split.affinity.of(artist, song)
        assert affinity.streams == streams_before
        assert affinity.streams == 0 or affinity.last_days > 0  # last streamed before the cutoff
        known_artist += streams_before > 0
    assert known_artist > 0  # some new songs are by artists streamed before: the count is checked
    test_songs = {r.song_id for r in split.test}
    theirs = (RowKind.STREAMED, RowKind.SKIPPED)  # a training zero may be a later song: the test below
    assert not test_songs & {r.song_id for r in split.train if r.kind in theirs}
    assert all(
        r.kind != RowKind.STREAMED or r.song_id not in set(plays.song[before].tolist()) for r in split.test
    )


def test_a_time_splits_training_zeros_are_drawn_as_a_model_trained_at_the_cut_draws_them(
    snapshot: Snapshot,
) -> None:
    """At the cut nobody knows which songs the listener will stream next: a song they went on to stream
    may be a training zero (as it may for the model that serves), never a song they played before the
    cut. The test zeros are songs they never played, none of them a training zero."""
    me = snapshot.profiles["me"]
    plays = snapshot.plays[me]
    future_zeros = 0
    for seed in range(3):
        split = time_split(snapshot, me, ZeroStrategy.parse("others"), seed)
        assert split.cutoff is not None
        played_before = set(plays.song[plays.ended_at < split.cutoff].tolist())
        streamed_later = {r.song_id for r in split.test if r.is_positive}
        train_zeros = {r.song_id for r in split.train if not r.is_positive}
        test_zeros = {r.song_id for r in split.test if not r.is_positive}
        assert train_zeros and test_zeros
        assert not train_zeros & played_before
        assert not test_zeros & set(plays.song.tolist())
        assert not train_zeros & test_zeros
        # as many as the streamed songs of the training side (one zero each): none lost to the test's
        assert len(train_zeros) == sum(1 for r in split.train if r.is_positive)
        future_zeros += len(train_zeros & streamed_later)
    assert future_zeros > 0


def test_the_snapshot_at_a_cut_forgets_the_listeners_later_plays_and_the_songs_only_they_knew(
    snapshot: Snapshot,
) -> None:
    me, a = snapshot.profiles["me"], snapshot.profiles["a"]
    plays = snapshot.plays[me]
    cutoff = int(np.quantile(plays.ended_at, 0.5))
    at_cut = as_of(snapshot, me, cutoff)
    assert (at_cut.plays[me].ended_at < cutoff).all()
    assert len(at_cut.plays[me].song) == int((plays.ended_at < cutoff).sum())
    assert at_cut.plays[a] is snapshot.plays[a]
    others = {s for p, v in snapshot.plays.items() if p != me for s in v.song.tolist()}
    later_only = set(plays.song.tolist()) - set(at_cut.plays[me].song.tolist()) - others
    assert later_only and not later_only & set(at_cut.songs)
    keys = {match_key(snapshot.songs[s].artist, snapshot.songs[s].name) for s in later_only}
    assert keys <= snapshot.played_keys and not keys & at_cut.played_keys
    assert set(snapshot.songs) - set(at_cut.songs) == later_only


def test_extended_flags_tell_skips_from_interruptions() -> None:
    assert is_real_skip(5_000, "fwdbtn", True, 30_000)
    assert is_real_skip(5_000, None, None, 30_000)  # basic export: cannot tell, counted
    assert not is_real_skip(5_000, "endplay", False, 30_000)
    assert not is_real_skip(40_000, "fwdbtn", True, 30_000)


def _row(kind: RowKind, target: int, **values: float) -> Row:
    features = single_source("catalog", values, "x")
    return Row(0, kind, target, features, "artist")


def test_a_feature_present_only_for_positives_is_dropped() -> None:
    rng = np.random.default_rng(0)
    positives = [_row(RowKind.STREAMED, 2, energy=rng.random(), popularity=50) for _ in range(100)]
    zeros = [_row(RowKind.OTHERS, 0, energy=rng.random()) for _ in range(100)]
    check = check_features(positives + zeros, allow_spotify=False)
    assert "popularity" in check.dropped and "energy" not in check.dropped
    layout = layout_for(check, allow_spotify=False)
    assert "popularity" not in layout.columns and "energy" in layout.columns
