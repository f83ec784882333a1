"""Warm feature lookup: 5,000 tracks whose features are all cached, through MusicFlow's lookup path
(the store's `features_of` + merge by precedence), against one bulk SELECT of the same rows measured in
the same process. Target: within 2x of the bulk SELECT.

Usage: python -m benchmarks.features_warm [--tracks N] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from musicflow.config import Settings
from musicflow.core.feature_spec import AUDIO_FEATURES
from musicflow.core.plays import ExportFormat, Play
from musicflow.core.songs import FeatureRecord
from musicflow.features.merge import merged_features
from musicflow.store import open_store
from musicflow.store.schema import track_features
from musicflow.store.sql import SqlStore

PRECEDENCE = ["catalog", "reccobeats", "audio_files", "spotify"]


def fill(store: SqlStore, tracks: int) -> list[int]:
    """`tracks` played tracks, each with a catalog answer and, for half, a ReccoBeats one."""
    rng = random.Random(3)
    profile = store.ensure_profile("bench")
    store.add_plays(
        profile,
        [
            Play(
                1_600_000_000 + 60 * n,
                200_000,
                f"Song {n}",
                f"Artist {n % 300}",
                None,
                None,
                None,
                None,
                ExportFormat.BASIC,
            )
            for n in range(tracks)
        ],
    )
    pending = store.features.pending_tracks(profile, "catalog", time.time())
    for source, share in (("catalog", 1.0), ("reccobeats", 0.5)):
        answers = {
            p.track_id: FeatureRecord(
                source,
                {
                    name: rng.random()
                    for name in AUDIO_FEATURES
                    if name not in ("key", "mode", "time_signature")
                }
                | {"key": rng.randint(0, 11), "mode": 1, "tempo": 120.0, "duration_ms": 200_000},
            )
            for p in pending
            if rng.random() < share
        }
        store.features.save_answers(source, answers, now=time.time(), miss_ttl_s=1.0)
    return [p.track_id for p in pending]


def ours(store: SqlStore, ids: list[int]) -> int:
    merged = merged_features(store.features, ids, PRECEDENCE)
    return sum(len(m.values) for m in merged.values())


def bulk_select(store: SqlStore, ids: list[int]) -> int:
    with store.engine.connect() as conn:
        rows = conn.execute(select(track_features).where(track_features.c.track_id.in_(ids))).all()
    return len(rows)


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tracks", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        store = open_store(Settings(data_dir=Path(data_dir)))
        try:
            ids = fill(store, args.tracks)
            ours(store, ids), bulk_select(store, ids)  # warm the page cache and the statement cache
            ours_times, bulk_times = [], []
            for _ in range(args.repeat):  # interleaved, so both see the same machine
                ours_times += timed(lambda: ours(store, ids), 1)
                bulk_times += timed(lambda: bulk_select(store, ids), 1)
            ours_s, bulk_s = statistics.median(ours_times), statistics.median(bulk_times)
        finally:
            store.close()
    print(f"tracks:                 {len(ids):,} (all cached; 1.5 source answers per track)")
    print(f"lookup + merge (ours):  {ours_s * 1000:8.1f} ms  ({len(ids) / ours_s:,.0f} tracks/s)")
    print(f"one bulk SELECT:        {bulk_s * 1000:8.1f} ms")
    print(f"ratio (medians):        {ours_s / bulk_s:8.2f}x  (target <= 2x)")
    print(f"ratio (best runs):      {min(ours_times) / min(bulk_times):8.2f}x")


if __name__ == "__main__":
    main()
