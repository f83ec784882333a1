"""Per-feature contributions from tables (`TreeContributions`) against LightGBM's `pred_contrib`.

The booster has our model's shape: `CountRegressor` with the parameters `train` uses (300 trees on every
column averaged with 100 on the listener's history: 400 trees of at most 15 leaves, depth 5), fitted on
synthetic rows of 32 columns with missing values. Both sides run in this process, one thread each, on
the same rows; the time per row is the best of several repeats, for 1 row at a time and for batches of
32 and 1,000. The run also checks that both give the same numbers (contributions within 1e-10, raw
scores to the bit) and says how long the tables take to build.

Usage: python -m benchmarks.explain_speed [--repeats 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from musicflow.model.estimator import CountRegressor
from musicflow.model.params import model_params
from musicflow.model.tree_shap import TreeContributions
from musicflow.model.vectorize import AFFINITY_COLUMNS

WIDTH = 32
BATCHES = (1, 32, 1_000)


def synthetic(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((rows, WIDTH))
    x[rng.random(x.shape) < 0.05] = np.nan
    signal = np.nan_to_num(x)
    y = np.minimum(
        rng.poisson(1 + 4 * signal[:, 0] + 3 * signal[:, -2] + 2 * signal[:, 5] * signal[:, 9]), 30
    )
    return x, y.astype(np.float64)


def best_per_row(call: Callable[[], object], rows: int, repeats: int) -> float:
    """Microseconds per row: the best of `repeats` timings, each of enough calls to last ~0.2 s."""
    start = time.perf_counter()
    call()
    calls = max(1, int(0.2 / max(time.perf_counter() - start, 1e-6)))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - start) / calls)
    return best / rows * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    names = tuple(f"column_{i}" for i in range(WIDTH - len(AFFINITY_COLUMNS))) + AFFINITY_COLUMNS
    x, y = synthetic(20_000, seed=0)
    booster = CountRegressor(**model_params({}), feature_names=names).fit(x, y).booster_
    model = booster.dump_model()
    leaves = [tree["num_leaves"] for tree in model["tree_info"]]
    print(f"booster: {len(leaves)} trees, {np.mean(leaves):.1f} leaves per tree, {WIDTH} columns")

    start = time.perf_counter()
    tables = TreeContributions(booster)
    print(f"tables built in {time.perf_counter() - start:.2f} s; fallback: {tables.fallback}")

    rows, _ = synthetic(max(BATCHES), seed=1)
    expected = booster.predict(rows, pred_contrib=True, num_threads=1)
    difference = float(np.abs(tables.contributions(rows) - expected).max())
    same_raw = bool(
        np.array_equal(tables.raw_score(rows), booster.predict(rows, raw_score=True, num_threads=1))
    )
    print(f"largest difference in a contribution: {difference:.1e}; raw scores identical: {same_raw}")

    print("time per row (us), best of", args.repeats)
    print(f"  {'rows':>6}  {'pred_contrib':>12}  {'tables':>8}  {'speed-up':>8}")
    for size in BATCHES:
        batch = rows[:size]
        theirs = best_per_row(
            partial(booster.predict, batch, pred_contrib=True, num_threads=1), size, args.repeats
        )
        ours = best_per_row(partial(tables.contributions, batch), size, args.repeats)
        print(f"  {size:>6}  {theirs:>12.1f}  {ours:>8.1f}  {theirs / ours:>7.1f}x")
    both = best_per_row(lambda: tables.raw_score_and_contributions(rows[:1]), 1, args.repeats)
    print(f"  raw score and contributions of 1 row from the tables: {both:.1f} us")


if __name__ == "__main__":
    main()
