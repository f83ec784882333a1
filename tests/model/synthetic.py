"""A small synthetic store: one listener who loves high-energy songs of a few artists, and two others."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from musicflow.config import Settings
from musicflow.core.plays import ExportFormat, Play
from musicflow.core.songs import FeatureRecord
from musicflow.store import open_store
from musicflow.store.sql import SqlStore

DAY = 86_400
START = 1_600_000_000


def play(ended_at: int, ms: int, title: str, artist: str, spotify_id: str | None = None) -> Play:
    return Play(ended_at, ms, title, artist, None, spotify_id, None, None, ExportFormat.BASIC)


def synthetic_store(path: Path, songs: int = 600, seed: int = 0) -> SqlStore:
    """`me` streams high-energy songs (more streams for more energy); `a` and `b` stream at random."""
    rng = np.random.default_rng(seed)
    store = open_store(Settings(data_dir=path, database_url=f"sqlite:///{path / 'synthetic.db'}"))
    energy = rng.random(songs)
    titles = [f"Song {i}" for i in range(songs)]
    artists = [f"Artist {i % 60}" for i in range(songs)]
    mine: list[Play] = []
    for i in range(songs):
        when = START + int(rng.integers(0, 300)) * DAY
        if energy[i] > 0.55 and rng.random() < 0.5:
            for k in range(1 + int(energy[i] * 8 * rng.random())):
                mine.append(play(when + k * 3600, 200_000, titles[i], artists[i]))
        elif rng.random() < 0.3:
            mine.append(play(when, 5_000, titles[i], artists[i]))
    store.add_plays(store.ensure_profile("me"), mine)
    for name in ("a", "b"):
        chosen = rng.choice(songs, size=songs // 3, replace=False)
        others = [
            play(START + int(rng.integers(0, 300)) * DAY, 180_000, titles[i], artists[i]) for i in chosen
        ]
        store.add_plays(store.ensure_profile(name), others)
    _save_features(store, energy, rng)
    return store


def _save_features(store: SqlStore, energy: np.ndarray, rng: np.random.Generator) -> None:
    answers = {}
    for i, value in enumerate(energy):
        found = store.features.find_track(f"Song {i}", f"Artist {i % 60}")
        if found is None:
            continue
        values = {
            "energy": float(value),
            "danceability": float(rng.random()),
            "valence": float(rng.random()),
            "key": int(rng.integers(-1, 12)),
            "duration_ms": int(rng.integers(120_000, 300_000)),
        }
        answers[found.track_id] = FeatureRecord("catalog", values, origin="test")
    store.features.save_answers("catalog", answers, now=0.0, miss_ttl_s=1.0)
