"""`predict --input`: 5,000 songs of the store's catalogs, in bulk against one song at a time.

The demo listener is ingested, its features fetched and a model trained (once, in a work folder); the
songs are 5,000 rows of the bundled catalog nobody asked about yet. Both paths run on fresh copies of the
same store: the bulk path (`MusicFlow.predict_many`) and the per-song lookups it replaced (the
`Predictor.predict_many` loop), and their predictions are compared. Target: under 2.5 s, at least 20x
faster, identical predictions.

Usage: python -m benchmarks.batch_predict [--songs 5000] [--workdir /tmp/musicflow-bench-predict]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import polars as pl

from musicflow.app.predicting import Unanswered
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.core.songs import SongRequest
from musicflow.demo import export_path
from musicflow.features.catalog_files import bundled_catalog_path

PROFILE = "default"


def trained(folder: Path) -> Path:
    done = folder / ".trained"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        with MusicFlow.open(Settings(data_dir=folder)) as app:
            with export_path() as demo:
                app.ingest([demo], PROFILE)
            app.fetch_features(PROFILE)
            app.train(PROFILE, force=True)
        done.touch()
    return folder


def songs(count: int) -> list[SongRequest]:
    with bundled_catalog_path() as path:
        rows = pl.read_parquet(path, columns=["song", "artists"]).drop_nulls().slice(10_000, count)
    return [SongRequest(s, a.split("; ")[0]) for s, a in rows.iter_rows()]


def fresh_copy(folder: Path, name: str) -> Settings:
    target = folder.parent / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target)
    return Settings(data_dir=target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--songs", type=int, default=5_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/musicflow-bench-predict"))
    args = parser.parse_args()
    folder = trained(args.workdir / "trained")
    requests = songs(args.songs)
    with MusicFlow.open(fresh_copy(folder, "bulk")) as app:
        app.serving.get(PROFILE)
        start = time.perf_counter()
        bulk = app.predict_many(PROFILE, requests)
        bulk_s = time.perf_counter() - start
    with MusicFlow.open(fresh_copy(folder, "one-by-one")) as app:
        serving = app.serving.get(PROFILE)
        start = time.perf_counter()
        one_by_one = [app.predict_many(PROFILE, [request], serving=serving)[0] for request in requests]
        single_s = time.perf_counter() - start
    same = [a.reason if isinstance(a, Unanswered) else a.streams for a in bulk] == [
        a.reason if isinstance(a, Unanswered) else a.streams for a in one_by_one
    ]
    answered = sum(not isinstance(a, Unanswered) for a in bulk)
    print(f"predict --input: {len(requests):,} catalog songs never asked before ({answered:,} predicted)")
    for label, seconds in (
        ("bulk (MusicFlow.predict_many)", bulk_s),
        ("one song at a time (before)", single_s),
    ):
        print(f"  {label:<30} {seconds:6.2f} s  ({seconds / len(requests) * 1e3:.2f} ms a song)")
    print(f"  speed-up {single_s / bulk_s:.1f}x (target at least 20x, under 2.5 s); identical: {same}")


if __name__ == "__main__":
    main()
