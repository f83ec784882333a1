"""Batch scoring: rows per second and peak memory, against LightGBM's own prediction as the floor.

A catalog of 5,000,000 rows is resampled from the public catalogs in ../shared/data/catalogs (read as
`catalog add` reads them) and written as native Parquet, and the same rows as CSV (as polars writes it:
quoted where a title holds a comma). The model has the parameters `train` uses (`model_params`: a
booster of 300 trees on every column averaged with one of 100 trees on the listener's history, 400 trees
in all), trained on synthetic rows; the listener's history is made up over the catalog's artists. Each
measurement runs in a fresh process, so its peak memory is its own:

(a) `Booster.predict` on the whole feature matrix, already in memory: the floor;
(b) `score --engine local`, Parquet to Parquet, end to end;
(c) `score --engine dask` on a two-worker `LocalCluster` (peak memory of the client and each worker);
(d) `score --engine local`, the same rows as CSV to Parquet, end to end (the CSV is converted to native
    Parquet slices first), and that conversion alone.

Targets: (b) at least 50 % of (a)'s rows per second, with peak memory under 1.5 GB; (c) within 1.5x
of (b)'s time; (d)'s conversion at most a third of (b)'s time, with (d)'s peak memory under 1.5 GB as
(b)'s. (b) is also timed at 0.5M and 1M rows: its time should grow linearly (exponent ~1).

Usage: python -m benchmarks.scoring [--rows 5000000] [--workdir /tmp/musicflow-bench-scoring]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import resource
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from musicflow.features.catalog_files import read_catalog
from musicflow.model.estimator import CountRegressor
from musicflow.model.params import model_params
from musicflow.model.vectorize import FeatureLayout
from musicflow.scale.engines import DaskEngine, LocalEngine
from musicflow.scale.frames import checked, parquet_rows, read_slice
from musicflow.scale.job import JobInput, run_job
from musicflow.scale.pack import ScoringPack, model_sha256
from musicflow.scale.score_rows import model_input
from musicflow.scale.staging import file_rows, native_frame, stage

CATALOGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "catalogs"
GROWTH = (500_000, 1_000_000)
MIB = 1024 * 1024


def source_rows() -> Any:
    """Every readable row of every public catalog, in the native layout."""
    import polars as pl

    frames = []
    for path in sorted(CATALOGS.glob("*/*.csv")):
        try:
            frames.append(native_frame(list(read_catalog(path))))
        except Exception as exc:  # noqa: BLE001 - a benchmark reports a file it cannot use and goes on
            print(f"  skipped {path.name}: {exc}")
    return pl.concat(frames).drop("source_row")


def catalog_of(rows: int, folder: Path) -> Path:
    path = folder / f"catalog-{rows}.parquet"
    if not path.exists():
        base = source_rows()
        sample = base.sample(rows, with_replacement=True, seed=rows)
        sample.write_parquet(path, row_group_size=100_000)
        print(f"  generated {path.name}: {rows:,} rows resampled from {base.height:,} catalog rows")
    return path


def csv_of(catalog: Path) -> Path:
    """The same rows as CSV, written by polars a batch at a time."""
    import polars as pl

    path = catalog.with_suffix(".csv")
    if not path.exists():
        pl.scan_parquet(catalog).sink_csv(path)
    return path


def made_up_pack(catalog: Path) -> ScoringPack:
    """A model with the parameters `train` uses (two boosters written as one) on synthetic rows, and a
    listener of 2,000 artists."""
    import polars as pl

    layout = FeatureLayout.full()
    rng = np.random.default_rng(0)
    x = rng.random((20_000, layout.width))
    x[rng.random(x.shape) < 0.05] = np.nan
    y = np.minimum(rng.poisson(1 + 4 * np.nan_to_num(x[:, 0])), 30).astype(np.float64)
    booster = CountRegressor(**model_params({}), feature_names=layout.columns).fit(x, y).booster_
    text = booster.model_to_string()
    sample = pl.read_parquet(catalog, columns=["spotify_id", "song", "artists"], n_rows=200_000)
    artists = sample.get_column("artists").drop_nulls().unique().sort().head(2_000).to_list()
    affinity = {
        a.split(";")[0].strip().casefold(): (
            int(s),
            1 + int(s) // 5,
            s / 1e4,
            float(s) * 3,
            float(s) / 2,
            0.1,
        )
        for a, s in zip(artists, rng.integers(1, 400, len(artists)), strict=True)
    }
    played = sample.drop_nulls().head(3_000)
    return ScoringPack(
        "bench",
        1,
        text,
        model_sha256(text),
        layout.columns,
        False,
        "log1p",
        artist_affinity=affinity,
        played_songs={
            f"{a.casefold()}\x1f{s.casefold()}": (1, 1, 0.001, 10.0, 1.0, 0.1)
            for a, s in zip(
                played.get_column("artists").to_list(), played.get_column("song").to_list(), strict=True
            )
        },
        played_ids={i: f"x\x1f{i}" for i in played.get_column("spotify_id").to_list()},
    )


def peak_rss_mib() -> float:
    """This process's own peak resident memory (VmHWM): unlike `ru_maxrss`, not inherited across exec
    from the process that started it."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def raw_floor(pack: ScoringPack, catalog: Path, threads: int) -> dict[str, Any]:
    """(a): the whole matrix built first (not timed), then one `Booster.predict`."""
    import lightgbm as lgb

    good, _ = checked(read_slice(catalog, 0, parquet_rows(catalog)))
    _, _, matrix = model_input(pack, good)
    del good
    booster = lgb.Booster(model_str=pack.model_text)
    start = time.perf_counter()
    booster.predict(matrix, num_threads=threads)
    return {"seconds": time.perf_counter() - start, "rows": len(matrix), "client_mib": peak_rss_mib()}


def local_run(pack: ScoringPack, catalog: Path, folder: Path) -> dict[str, Any]:
    start = time.perf_counter()
    summary = run_job(pack, _input(catalog), folder / "local.parquet", LocalEngine())
    return {"seconds": time.perf_counter() - start, "rows": summary.rows_scored, "client_mib": peak_rss_mib()}


def conversion_run(catalog: Path, folder: Path) -> dict[str, Any]:
    """(d)'s first step alone: the CSV file converted to native Parquet slices, as `score` does."""
    start = time.perf_counter()
    slices, _ = stage(file_rows(catalog, None), folder / "staged", 250_000)
    seconds = time.perf_counter() - start
    rows = sum(parquet_rows(path) for path in slices)
    shutil.rmtree(folder / "staged")
    return {"seconds": seconds, "rows": rows, "client_mib": peak_rss_mib()}


def dask_run(pack: ScoringPack, catalog: Path, folder: Path) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        start = time.perf_counter()
        summary = run_job(pack, _input(catalog), folder / "dask.parquet", DaskEngine(client))
        seconds = time.perf_counter() - start
        workers = client.run(peak_rss_mib)
    return {
        "seconds": seconds,
        "rows": summary.rows_scored,
        "client_mib": peak_rss_mib(),
        "workers_mib": sorted(workers.values()),
    }


def _input(catalog: Path) -> JobInput:
    return JobInput.of_file(catalog, lambda: file_rows(catalog, None))  # rows: for a CSV file only


def in_fresh_process(target: Any, *args: Any) -> dict[str, Any]:
    """`target(*args)` in a new process, so the peak memory it reports is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        result: dict[str, Any] = pool.submit(target, *args).result()
    return result


def report(label: str, result: dict[str, Any]) -> float:
    rate = float(result["rows"] / result["seconds"])
    memory = f"client peak {result['client_mib']:,.0f} MiB"
    if "workers_mib" in result:
        memory += ", workers " + ", ".join(f"{m:,.0f}" for m in result["workers_mib"]) + " MiB"
    print(f"  {label:<42} {result['seconds']:7.1f} s  {rate:>12,.0f} rows/s  {memory}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/musicflow-bench-scoring"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    threads = LocalEngine().threads
    print(f"catalogs of {args.rows:,} rows and less ({threads} cores)")
    catalog = catalog_of(args.rows, args.workdir)
    pack = made_up_pack(catalog)
    floor = report(
        f"(a) Booster.predict, {threads} threads", in_fresh_process(raw_floor, pack, catalog, threads)
    )
    local = in_fresh_process(local_run, pack, catalog, args.workdir)
    local_rate = report("(b) score --engine local", local)
    on_dask = in_fresh_process(dask_run, pack, catalog, args.workdir)
    report("(c) score --engine dask, 2 workers", on_dask)
    text = csv_of(catalog)
    from_csv = in_fresh_process(local_run, pack, text, args.workdir)
    report("(d) score --engine local, CSV to Parquet", from_csv)
    converting = in_fresh_process(conversion_run, text, args.workdir)
    report("(d) of which converting the CSV", converting)
    print(f"  (b) / (a) rows per second: {local_rate / floor:.0%} (target at least 50 %)")
    print(f"  (b) peak memory: {local['client_mib']:,.0f} MiB (target under 1,536 MiB)")
    print(f"  (c) time / (b) time: {on_dask['seconds'] / local['seconds']:.2f}x (target at most 1.5x)")
    print(
        f"  (d) time / (b) time: {from_csv['seconds'] / local['seconds']:.2f}x, converting"
        f" {converting['seconds'] / local['seconds']:.0%} of (b)'s time (target at most 33 %)"
    )
    more = from_csv["client_mib"] / local["client_mib"] - 1
    print(
        f"  (d) peak memory: {from_csv['client_mib']:,.0f} MiB, {more:+.0%} on (b)'s (target under 1,536 MiB)"
    )
    sizes, times = [], []
    for rows in (*GROWTH, args.rows):
        result = (
            local
            if rows == args.rows
            else in_fresh_process(local_run, pack, catalog_of(rows, args.workdir), args.workdir)
        )
        sizes.append(rows)
        times.append(result["seconds"])
        print(f"  (b) at {rows:>9,} rows: {result['seconds']:6.1f} s, peak {result['client_mib']:,.0f} MiB")
    exponent = np.polyfit(np.log(sizes), np.log(times), 1)[0]
    print(f"  (b) time grows as rows^{exponent:.2f} from {sizes[0]:,} to {sizes[-1]:,} rows (1.00 = linear)")
    assert math.isfinite(exponent)


if __name__ == "__main__":
    main()
