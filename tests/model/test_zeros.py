"""Zeros shaped like the listener's own songs: drawn in the availability patterns of the streamed songs,
made up from other sources where one lacks them, and an error saying what to add when nothing is left."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from musicflow.cli.error_hints import message
from musicflow.core.songs import CatalogRow, FeatureRecord
from musicflow.errors import Hint, NotEnoughDataError
from musicflow.features.merge import MergedFeatures, single_source
from musicflow.model.basis import Availability, availability_of
from musicflow.model.dataset import (
    DEFAULT_ZEROS,
    FALLBACK_ZEROS,
    MIN_OTHER_LISTENERS,
    ZeroStrategy,
    all_rows,
    listener_rows,
    zero_strategy_for,
)
from musicflow.model.snapshot import ProfilePlays, Snapshot, load_snapshot
from musicflow.model.train import TrainingOptions, train_on_snapshot
from musicflow.model.zeros import catalog_zeros, others_zeros, wanted_zeros
from musicflow.store.sql import SqlStore
from tests.model.conftest import PRECEDENCE
from tests.model.synthetic import synthetic_store


def catalog_row(n: int, title: str, artist: str, **values: float) -> CatalogRow:
    return CatalogRow(f"{n:022d}", title, (artist,), dict(values), line=n + 2)


def test_catalog_zeros_skip_played_songs_and_match_the_listeners_feature_patterns(tmp_path: Path):
    store = synthetic_store(tmp_path, songs=200)
    try:
        full = {"energy": 0.5, "danceability": 0.5, "valence": 0.5, "key": 3, "duration_ms": 200_000}
        sparse = {"energy": 0.5}
        rows = [catalog_row(n, f"Song {n}", f"Artist {n % 60}", **full) for n in range(40)]  # played
        rows += [catalog_row(1000 + n, f"Unheard {n}", "Nobody", **full) for n in range(300)]
        rows += [catalog_row(2000 + n, f"Sparse {n}", "Nobody", **sparse) for n in range(300)]
        store.features.import_catalog("test", "test.csv", "native", rows)
        _features_again(store)  # importing a catalog drops cached catalog answers, the synthetic ones too
        snapshot = load_snapshot(store, stream_min_ms=30_000, precedence=PRECEDENCE)
        plays = snapshot.plays[snapshot.profiles["me"]]
        positives = [
            r for r in listener_rows(snapshot, plays, np.ones(len(plays.song), bool), False) if r.is_positive
        ]
        wanted = wanted_zeros(positives, 50, allow_spotify=False)
        zeros = catalog_zeros(store.history, snapshot, positives, wanted, np.random.default_rng(0))
    finally:
        store.close()
    assert 45 <= len(zeros) <= 50
    played_ids = {f"{n:022d}" for n in range(40)}
    assert not {z.features.spotify_id for z in zeros} & played_ids  # never a song somebody played
    assert all(z.kind.value == "catalog" and z.target == 0 for z in zeros)
    patterns = Counter(frozenset(z.features.values) for z in zeros)
    assert set(patterns) == {frozenset(full)}  # shaped like the listener's songs, never the sparse ones


def _features_again(store: SqlStore) -> None:
    rng = np.random.default_rng(1)
    answers = {}
    for n in range(200):
        found = store.features.find_track(f"Song {n}", f"Artist {n % 60}")
        if found is not None:
            values = {"energy": float(rng.random()), "danceability": 0.5, "valence": 0.5, "key": 1}
            answers[found.track_id] = FeatureRecord("reccobeats", {**values, "duration_ms": 200_000})
    store.features.save_answers("reccobeats", answers, now=0.0, miss_ttl_s=1.0)


# Zeros from the other listeners, made up from catalog and shipped songs: the rule `auto` follows in a
# store of several listeners (with fewer than five, `auto` takes the shipped songs straight away).
FAST = TrainingOptions(
    zeros=DEFAULT_ZEROS, params={"n_estimators": 60, "learning_rate": 0.1}, seeds=(0,), splits=("time",)
)


def reported_shape(snapshot: Snapshot, with_features: int = 5) -> Snapshot:
    """Every song the listener streamed has audio features; of the songs only the others played, a few."""
    mine = set(snapshot.plays[snapshot.profiles["me"]].song.tolist())
    kept = set(sorted(set(snapshot.songs) - mine)[:with_features])
    songs = {
        song_id: song if song_id in mine | kept else dataclasses.replace(song, features=MergedFeatures())
        for song_id, song in snapshot.songs.items()
    }
    return dataclasses.replace(snapshot, songs=songs)


def test_other_listeners_without_features_for_the_drawn_songs_still_give_a_model(snapshot: Snapshot) -> None:
    shape = reported_shape(snapshot)
    model = train_on_snapshot(shape, "me", FAST)
    streamed = model.training["rows"]["streamed"]
    zeros = model.training["zeros"]
    assert zeros["wanted"] == {"audio": streamed}
    assert zeros["drawn"]["audio"] == {"others": 5, "shipped": streamed - 5}  # the others' 5, then shipped
    assert zeros["made_up"] == {"audio": {"shipped": streamed - 5}}
    # every zero the model learnt from has audio features, like every streamed song
    patterns = model.training["features"]["patterns"]["rows"]
    assert patterns == {"audio": {"streamed": streamed, "zeros": streamed}}
    assert "energy" not in model.training["dropped_features"]
    time_split = model.evaluation["splits"][0]
    assert time_split["metrics"]["ours"]["auc"]["mean"] > 0.6
    assert any("made up with" in note and "shipped" in note for note in model.evaluation["notes"])


def test_other_listeners_songs_are_drawn_like_the_streamed_songs_owner_balanced(snapshot: Snapshot) -> None:
    me = snapshot.profiles["me"]
    plays = snapshot.plays[me]
    mine = set(plays.song.tolist())
    theirs = sorted(set(snapshot.songs) - mine)
    bare = set(theirs[::2]) | set(sorted(mine)[::3])  # half the others' songs, a third of mine: no features
    songs = {
        song_id: dataclasses.replace(song, features=MergedFeatures()) if song_id in bare else song
        for song_id, song in snapshot.songs.items()
    }
    shape = dataclasses.replace(snapshot, songs=songs)
    positives = [
        row for row in listener_rows(shape, plays, np.ones(len(plays.song), bool), False) if row.is_positive
    ]
    wanted = wanted_zeros(positives, 60, allow_spotify=False)
    assert wanted[Availability.AUDIO] > wanted[Availability.NONE] > 10
    zeros = others_zeros(shape, me, wanted, np.random.default_rng(0))
    assert not {z.song_id for z in zeros} & mine
    assert Counter(availability_of(z.features, False) for z in zeros) == wanted
    for pattern in wanted:
        drawn = {z.song_id for z in zeros if availability_of(z.features, False) is pattern}
        for owner in ("a", "b"):  # each owner gave its turn, whichever else streamed the same song
            streamed_by = set(snapshot.plays[snapshot.profiles[owner]].song.tolist())
            assert len(drawn & streamed_by) >= len(drawn) // 2


def test_a_pattern_the_others_lack_is_made_up_from_the_catalog_then_the_shipped_songs(tmp_path: Path):
    store = synthetic_store(tmp_path, songs=200)
    try:
        full = {"energy": 0.5, "danceability": 0.5, "valence": 0.5, "key": 3, "duration_ms": 200_000}
        rows = [catalog_row(1000 + n, f"Unheard {n}", "Nobody", **full) for n in range(20)]
        store.features.import_catalog("test", "test.csv", "native", rows)
        _features_again(store)
        shape = reported_shape(load_snapshot(store, stream_min_ms=30_000, precedence=PRECEDENCE), 3)
        split = all_rows(shape, shape.profiles["me"], DEFAULT_ZEROS, 0, store)
    finally:
        store.close()
    streamed = sum(1 for row in split.train if row.is_positive)
    assert split.draw.wanted == {"audio": streamed}
    assert split.draw.drawn["audio"] == {"others": 3, "catalog": 20, "shipped": streamed - 23}
    assert split.draw.made_up == {"audio": {"catalog": 20, "shipped": streamed - 23}}
    zeros = [row for row in split.train if not row.is_positive]
    assert all(availability_of(row.features, False) is Availability.AUDIO for row in zeros)


def test_zeros_the_settings_limit_to_other_listeners_say_what_would_give_more(snapshot: Snapshot) -> None:
    options = dataclasses.replace(FAST, zeros=ZeroStrategy.parse("others"))
    with pytest.raises(NotEnoughDataError) as caught:
        train_on_snapshot(reported_shape(snapshot), "me", options)
    text = str(caught.value)
    assert re.search(r"\(audio: \d{2,} streamed, [0-5] zeros\)", text), text  # the others' few, no more
    assert "a catalog with audio features" in text and "another listener" in text
    assert "the automatic choice (auto) would make up for what they lack" in text
    assert caught.value.hint is Hint.AUTO_ZEROS and caught.value.profile == "me"
    assert message(caught.value).endswith("run `MUSICFLOW_MODEL_ZEROS=auto musicflow train --profile me`")


def test_too_few_streamed_songs_of_any_kind_ask_for_more_listening_history(snapshot: Snapshot) -> None:
    me = snapshot.profiles["me"]
    plays = snapshot.plays[me]
    streamed = sorted(set(plays.song[plays.is_stream].tolist()))[:24]
    kept = np.isin(plays.song, streamed)
    few = ProfilePlays(plays.song[kept], plays.ended_at[kept], plays.is_stream[kept], plays.is_skip[kept])
    metadata = single_source("catalog", {"duration_ms": 200_000}, "test")
    songs = dict(snapshot.songs)
    for song_id in streamed[8:16]:
        songs[song_id] = dataclasses.replace(songs[song_id], features=metadata)
    for song_id in streamed[16:]:
        songs[song_id] = dataclasses.replace(songs[song_id], features=MergedFeatures())
    thin = dataclasses.replace(snapshot, songs=songs, plays={**snapshot.plays, me: few})
    with pytest.raises(NotEnoughDataError) as caught:
        train_on_snapshot(thin, "me", FAST)
    text = str(caught.value)
    assert text.startswith("nothing to learn from: fewer than 10 streamed songs with the same kind")
    assert re.search(r"audio: \d streamed, \d+ zeros; metadata: \d streamed, \d+ zeros", text), text
    assert "more of this listener's listening history" in text
    assert message(caught.value).endswith("run `musicflow ingest my_spotify_data.zip --profile me`")


def test_auto_takes_the_shipped_songs_until_the_store_holds_several_other_listeners(
    snapshot: Snapshot,
) -> None:
    me = snapshot.profiles["me"]
    plays = snapshot.plays[me]
    for others, expected in ((0, FALLBACK_ZEROS), (1, FALLBACK_ZEROS), (MIN_OTHER_LISTENERS, DEFAULT_ZEROS)):
        store = dataclasses.replace(snapshot, plays={me: plays, **{me + 1 + i: plays for i in range(others)}})
        assert zero_strategy_for(store) == expected
