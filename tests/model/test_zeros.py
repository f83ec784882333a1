"""Catalog songs as zeros: never a song anyone played, and shaped like the listener's own songs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from musicflow.core.songs import CatalogRow, FeatureRecord
from musicflow.model.dataset import listener_rows
from musicflow.model.snapshot import load_snapshot
from musicflow.model.zeros import catalog_zeros
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
        zeros = catalog_zeros(store.history, snapshot, positives, 50, np.random.default_rng(0))
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
