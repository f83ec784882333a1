"""Model quality on real public listeners, under the evaluation protocol described in the README.

Ingests every public history in ../shared/data into one store as separate profiles (cached, see
listeners_store.py), fetches features from the bundled catalog, and prints for each listener with at
least 2,000 streams the time-split table (other listeners' songs as zeros) of our model against the
reference rows, and for songs by artists the listener streams or new to them, and by what a prediction
rests on; then one line per listener and the means, against the quality targets.

Usage: python -m benchmarks.model_quality [ZERO_STRATEGY] [SEEDS] [ZEROS_PER_STREAMED_SONG] [NAME ...]
e.g. `others 5 2`, `skips+others 3 1 emb400 pikachu`

`lone:STRATEGY` (e.g. `lone:skips+catalog`, `lone:shipped`) measures the zeros of a listener alone in
their store: the other listeners are halved at random per seed, the training zeros come from STRATEGY
with "others" and "shipped" (the list shipped with the package, rebuilt here from the first half only)
drawn from the first half, and every strategy is tested against songs the second half streamed.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence

from benchmarks.listeners_store import ALL_LISTENERS, listeners_store
from musicflow.model.dataset import DEFAULT_ZEROS, WINDOW_DAYS, ZeroStrategy
from musicflow.model.evaluate import evaluate_profile
from musicflow.model.reports import Coverage, SplitEvaluation
from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.model.split_scores import AFFINITY, NEW_ARTISTS, OURS

MIN_STREAMS = 2_000
TARGET_AUC, TARGET_SP, TARGET_NEW_AUC = 0.80, 0.20, 0.70
LONE = "lone:"
COLUMNS = ("auc_others", "auc_skipped", "sp_plus", "mae", "rmse")


def main() -> None:
    args = sys.argv[1:]
    ratio = float(args[2]) if len(args) > 2 else DEFAULT_ZEROS.ratio
    lone = bool(args) and args[0].startswith(LONE)
    strategy = ZeroStrategy.parse(args[0].removeprefix(LONE), ratio) if args else DEFAULT_ZEROS
    split_name = "lone" if lone else "time"
    seeds = tuple(range(int(args[1]) if len(args) > 1 else 5))
    store, settings = listeners_store()
    snapshot = load_snapshot(store, stream_min_ms=30_000, precedence=settings.feature_precedence)
    names = args[3:] or eligible(snapshot)
    alone = " (as a listener alone in their store)" if lone else ""
    print(f"zeros: {strategy.label} x{strategy.ratio:g}{alone}; seeds: {len(seeds)}; ", end="")
    print(f"listeners: {len(names)}")
    print(f"targets: AUC >= {TARGET_AUC}, Sp+ >= {TARGET_SP}, AUC on new artists >= {TARGET_NEW_AUC}\n")
    summary = []
    for name in names:
        started = time.perf_counter()
        evaluation = evaluate_profile(
            snapshot, name, strategy=strategy, params={}, seeds=seeds, splits=(split_name,), store=store
        )
        split = evaluation.splits[0]
        _print_listener(name, split, evaluation.coverage, time.perf_counter() - started)
        summary.append((name, split))
    _print_summary(summary)


def eligible(snapshot: Snapshot) -> list[str]:
    """The public listeners with at least MIN_STREAMS streams."""
    names = []
    for name in ALL_LISTENERS:
        plays = snapshot.plays.get(snapshot.profiles.get(name, -1))
        if plays is not None and int(plays.is_stream.sum()) >= MIN_STREAMS:
            names.append(name)
    return names


def _print_listener(name: str, split: SplitEvaluation, coverage: Coverage | None, seconds: float) -> None:
    print(f"== {name} ({seconds:.1f} s), features: {_coverage(coverage)}")
    print(f"   test: {split.test_sizes}, answered: {split.answered}  train: {split.train_sizes}")
    print(f"   {'model':28} {'AUC others':>13} {'AUC skips':>13} {'Sp+':>13} {'MAE':>13} {'RMSE':>13}")
    for model, metrics in split.metrics.items():
        cells = [metrics[k].text() for k in COLUMNS]
        print(f"   {model:28} " + " ".join(f"{c:>13}" for c in cells))
    print(f"   left out: {', '.join(split.features.dropped)}")
    patterns = split.features.patterns
    print(f"   which features a song has tells the classes apart: AUC {_num(patterns.auc_raw)} raw, ", end="")
    print(f"{_num(patterns.auc_weighted)} as weighed for training\n")


SUMMARY: tuple[tuple[str, str, str], ...] = (
    ("AUC", OURS, "auc"),
    ("Sp+", OURS, "sp_plus"),
    ("AUC affinity", AFFINITY, "auc"),
    ("Sp+ affinity", AFFINITY, "sp_plus"),
    ("AUC new artists", NEW_ARTISTS, "auc"),
    (f"Sp+ {WINDOW_DAYS}d", OURS, "sp_plus_window"),
    (f"Sp+ {WINDOW_DAYS}d aff.", AFFINITY, "sp_plus_window"),
    ("Sp days-streams", OURS, "sp_exposure"),
)


def _print_summary(summary: Sequence[tuple[str, SplitEvaluation]]) -> None:
    """One line per listener and the means. `Sp+ 30d`: Sp+ against the streams within 30 days of each
    test song's first play (songs first played 30 days or more before the export's end); `Sp
    days-streams`: how the days a test song had to gather streams rank its streams (see `Exposure`)."""
    print(f"{'listener':15}" + "".join(f"{h:>16}" for h, _, _ in SUMMARY) + f"{'answered':>16}")
    columns: list[list[float]] = [[] for _ in SUMMARY]
    for name, split in summary:
        values = [split.headline(model, metric) for _, model, metric in SUMMARY]
        for column, value in zip(columns, values, strict=True):
            if value is not None:
                column.append(value)
        answered = f"{split.answered.get('streamed', 0)}/{split.test_sizes.get('streamed', 0)}"
        print(f"{name:15}" + "".join(f"{_num(v):>16}" for v in values) + f"{answered:>16}")
    means = [statistics.mean(c) if c else None for c in columns]
    print(f"{'mean':15}" + "".join(f"{_num(v):>16}" for v in means))
    beats = sum(1 for _, s in summary if (s.headline(OURS, "auc") or 0) > (s.headline(AFFINITY, "auc") or 0))
    auc, sp, new = means[0], means[1], means[4]
    print(
        f"\nmean AUC {_verdict(auc, TARGET_AUC)}, mean Sp+ {_verdict(sp, TARGET_SP)}, "
        f"mean AUC on new artists {_verdict(new, TARGET_NEW_AUC)}; "
        f"above artist affinity alone on AUC for {beats} of {len(summary)} listeners"
    )


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _verdict(value: float | None, target: float) -> str:
    met = value is not None and value >= target
    return f"{_num(value)} ({'met' if met else 'not met'}: target {target})"


def _coverage(coverage: Coverage | None) -> str:
    if coverage is None:
        return "none"
    share = coverage.streams_with_features / max(coverage.streams, 1)
    return f"{coverage.songs_with_features}/{coverage.songs} songs, {share:.0%} of streams"


if __name__ == "__main__":
    main()
