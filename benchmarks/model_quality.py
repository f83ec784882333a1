"""Model quality on real public listeners, under the evaluation protocol described in the README.

Ingests emb400, ashleyjmurray, mungeraiden, efrrowini and taniksha19 into one store as separate profiles
(cached in .bench/listeners.db), fetches features from the bundled catalog, and prints for each listener
the time-split table (other listeners' songs as zeros) of our model against the reference rows, over
several seeds, with test sizes and the features left out by the missingness check.

Usage: python -m benchmarks.model_quality [ZERO_STRATEGY] [SEEDS]   e.g. `others 5`, `skips+others 3`
"""

from __future__ import annotations

import sys
import time

from benchmarks.listeners_store import LISTENERS, listeners_store
from musicflow.model.dataset import ZeroStrategy
from musicflow.model.evaluate import evaluate_profile
from musicflow.model.scoring import AFFINITY, OURS
from musicflow.model.snapshot import load_snapshot


def main() -> None:
    strategy = ZeroStrategy.parse(sys.argv[1] if len(sys.argv) > 1 else "others")
    seeds = tuple(range(int(sys.argv[2]) if len(sys.argv) > 2 else 5))
    store, settings = listeners_store()
    snapshot = load_snapshot(store, stream_min_ms=30_000, precedence=settings.feature_precedence)
    print(f"zero strategy: {strategy.label}; seeds: {len(seeds)}; target: AUC >= 0.80, Sp+ >= 0.25\n")
    for name in LISTENERS:
        started = time.perf_counter()
        evaluation = evaluate_profile(
            snapshot, name, strategy=strategy, params={}, seeds=seeds, splits=("time",), store=store
        )
        split = evaluation.splits[0]
        print(
            f"== {name} ({time.perf_counter() - started:.1f} s), coverage: {_coverage(evaluation.coverage)}"
        )
        print(f"   test: {split.test_sizes}  train: {split.train_sizes}")
        print(f"   {'model':26} {'AUC others':>13} {'AUC skips':>13} {'Sp+':>13} {'MAE':>13} {'RMSE':>13}")
        for model, metrics in split.metrics.items():
            cells = [metrics[k].text() for k in ("auc_others", "auc_skipped", "sp_plus", "mae", "rmse")]
            print(f"   {model:26} " + " ".join(f"{c:>13}" for c in cells))
        print(f"   left out: {', '.join(split.features.dropped)}")
        print(f"   verdict: {_verdict(split)}\n")


def _coverage(coverage: dict[str, object]) -> str:
    songs, with_features = coverage["songs"], coverage["songs_with_features"]
    streams, covered = coverage["streams"], coverage["streams_with_features"]
    assert isinstance(songs, int) and isinstance(with_features, int)
    assert isinstance(streams, int) and isinstance(covered, int)
    return f"{with_features}/{songs} songs, {covered / max(streams, 1):.0%} of streams"


def _verdict(split: object) -> str:
    auc = split.headline(OURS, "auc_others")  # type: ignore[attr-defined]
    sp = split.headline(OURS, "sp_plus")  # type: ignore[attr-defined]
    auc_ref = split.headline(AFFINITY, "auc_others")  # type: ignore[attr-defined]
    sp_ref = split.headline(AFFINITY, "sp_plus")  # type: ignore[attr-defined]
    met = auc is not None and sp is not None and auc >= 0.80 and sp >= 0.25
    beats = auc is not None and auc_ref is not None and auc > auc_ref and (sp or 0) > (sp_ref or 0)
    beat = "beats" if beats else "does not beat"
    return f"target {'met' if met else 'not met'}; {beat} affinity alone on both"


if __name__ == "__main__":
    main()
