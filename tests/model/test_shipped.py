"""The zeros of a listener alone in their store: songs other people streamed, shipped with MusicFlow."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.core.songs import match_key
from musicflow.features.merge import MergedFeatures
from musicflow.model.dataset import ZeroStrategy, all_rows, exposure_of, lone_time_split
from musicflow.model.evaluate import evaluate_profile
from musicflow.model.reports import NO_LISTENER_NOTE
from musicflow.model.shipped import FIRST_ID, SHIPPED_FILE, shipped_songs, song_keys, songs_streamed_by
from musicflow.model.snapshot import ProfilePlays, Snapshot
from musicflow.model.split_scores import NO_LISTENER, OURS
from musicflow.model.train import TrainingOptions, train_on_snapshot
from musicflow.model.training_rows import RowKind, ZeroSource

FAST = {"n_estimators": 60, "learning_rate": 0.1}
DAY = 86_400


def test_the_shipped_list_holds_songs_and_no_trace_of_when_or_who() -> None:
    frame = pl.read_parquet(SHIPPED_FILE)
    assert frame.columns == ["song_key", "artist_key", "listeners", *FEATURE_NAMES]
    songs = shipped_songs()
    assert len(songs) == frame.height > 1_000
    assert all(song.listeners >= 1 for song in songs)
    with_features = sum(1 for song in songs if song.values)
    assert 0 < with_features < len(songs)  # songs no catalog knows are zeros by their artist
    assert len({song.key for song in songs}) == len(songs)


def test_the_shipped_list_keys_songs_as_a_listeners_history_does() -> None:
    """A remix or a live version other people streamed is a song of its own in the list, as in the
    listener's history: a listener who streamed only the remix may learn the original as a zero, never
    the remix."""
    keys = {song.key for song in shipped_songs()}
    for artist, title in [
        ("Luis Fonsi", "Despacito"),
        ("Luis Fonsi", "Despacito - Remix"),
        ("Lil Nas X", "Old Town Road"),
        ("Lil Nas X", "Old Town Road (Remix)"),
        ("Foo Fighters", "Everlong"),
        ("Foo Fighters", "Everlong (Acoustic Version)"),
        ("Foo Fighters", "Everlong - Live at the Pantages Theatre, Los Angeles, CA - August 2006"),
    ]:
        assert match_key(artist, title) in keys, title


def test_a_listener_alone_learns_zeros_from_songs_others_streamed_never_their_own(snapshot: Snapshot) -> None:
    me = snapshot.profiles["me"]
    mine = song_keys(snapshot, snapshot.plays[me].song.tolist())
    alone = dataclasses.replace(snapshot, plays={me: snapshot.plays[me]}, played_keys=mine)
    pool = tuple(songs_streamed_by(snapshot, [snapshot.profiles["a"], snapshot.profiles["b"]]))
    strategy = ZeroStrategy(frozenset({ZeroSource.SHIPPED}), shipped=pool)
    rows = all_rows(alone, me, strategy, seed=0).train
    zeros = [row for row in rows if not row.is_positive]
    assert zeros and all(row.kind is RowKind.SHIPPED for row in zeros)
    shipped_keys = {song.key for song in pool}
    assert shipped_keys & mine  # the pool holds songs the listener played: they must be left out
    zero_keys = {pool[FIRST_ID - row.song_id].key for row in zeros}
    assert len(zero_keys) == len(zeros) and not zero_keys & mine
    streamed = sum(1 for row in rows if row.is_positive)
    assert len(zeros) == min(streamed, len(shipped_keys - mine))


def test_training_alone_in_a_store_uses_the_shipped_list(snapshot: Snapshot) -> None:
    me = snapshot.profiles["me"]
    alone = dataclasses.replace(snapshot, plays={me: snapshot.plays[me]})
    options = TrainingOptions(params=FAST, seeds=(0,), splits=("time",))
    model = train_on_snapshot(alone, "me", options)
    assert model.training["zero_strategy"] == "shipped, then catalog"
    assert model.training["rows"]["shipped"] > 0


def test_the_lone_split_tests_on_songs_no_training_zero_shares(snapshot: Snapshot) -> None:
    me = snapshot.profiles["me"]
    strategy = ZeroStrategy.parse("skips+shipped")
    split = lone_time_split(snapshot, me, strategy, seed=0)
    train_zeros = [row for row in split.train if not row.is_positive]
    test_zeros = [row for row in split.test if not row.is_positive]
    assert {row.kind for row in train_zeros} == {RowKind.SHIPPED, RowKind.SKIPPED}
    assert test_zeros and {row.kind for row in test_zeros} == {RowKind.OTHERS}
    tested = song_keys(snapshot, [row.song_id for row in test_zeros])
    assert split.zeros is not None and split.zeros.shipped
    pool = split.zeros.shipped
    drawn = {pool[FIRST_ID - row.song_id].key for row in train_zeros if row.kind is RowKind.SHIPPED}
    assert not tested & drawn
    testers = {p for p in snapshot.plays if p != me} - _donors(snapshot, pool, me)
    streamed_by_testers = {s for p in testers for s in snapshot.plays[p].song.tolist()}
    assert {row.song_id for row in test_zeros} <= streamed_by_testers


def test_exposure_counts_streams_within_the_window_of_songs_that_had_it() -> None:
    plays = ProfilePlays(
        song=np.array([1, 1, 2, 1, 3, 4, 2], dtype=np.int64),
        ended_at=np.array([0, 1, 5, 40, 60, 80, 90], dtype=np.int64) * DAY,
        is_stream=np.array([True, True, False, True, True, True, True]),
        is_skip=np.array([False, False, True, False, False, False, False]),
    )
    exposure = exposure_of(plays, np.ones(7, dtype=np.bool_), window_days=30)
    assert exposure.days == {1: 90.0, 2: 85.0, 3: 30.0, 4: 10.0}
    # song 2's only stream came 85 days after its first play; song 4 had 10 days, not the whole window
    assert exposure.windowed == {1: 2, 3: 1}


def test_a_listener_without_usable_features_gets_no_blind_reference_and_no_traceback(
    snapshot: Snapshot,
) -> None:
    bare = {sid: dataclasses.replace(song, features=MergedFeatures()) for sid, song in snapshot.songs.items()}
    history_only = dataclasses.replace(snapshot, songs=bare)
    evaluation = evaluate_profile(
        history_only, "me", strategy=ZeroStrategy.parse("others"), params=FAST, seeds=(0,), splits=("time",)
    )
    time_split = evaluation.split("time")
    assert time_split is not None and OURS in time_split.metrics
    assert NO_LISTENER not in time_split.metrics
    assert any(note.startswith(f"{NO_LISTENER_NOTE}: ") for note in evaluation.notes)


def _donors(snapshot: Snapshot, pool: tuple[object, ...], me: int) -> set[int]:
    """The profiles whose streamed songs make up `pool` exactly."""
    others = sorted(p for p in snapshot.plays if p != me)
    for donor in others:
        if len(songs_streamed_by(snapshot, [donor])) == len(pool):
            return {donor}
    return set()
