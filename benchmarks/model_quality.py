"""Model quality on real public listeners, under the evaluation protocol described in the README.

Ingests every public history in ../shared/data into one store as separate profiles (cached, see
listeners_store.py), fetches features from the bundled catalog, and prints for each listener with at
least 2,000 streams the time-split table (other listeners' songs as zeros) of our model against the
reference rows and the plain model (`plain_model.py`: fitted in the same run, on the same training rows,
scored on the same test rows), and for songs by artists the listener streams or new to them, and by what
a prediction rests on; then one line per listener and the means, against the quality targets. The
listener's skip-only songs first heard after the split are test rows too (the AUC against skips); the
headline AUC is against other listeners' songs.

Usage: python -m benchmarks.model_quality [ZERO_STRATEGY] [SEEDS] [ZEROS_PER_STREAMED_SONG] [NAME ...]
e.g. `others 5 1 report`, `others 2 1 design`, `skips+others 3 1 emb400 pikachu`

NAME `design` or `report` stands for the listeners of that set (`plain_model.listener_sets`): designs are
chosen on the design set, the README reports the report set. No name: every eligible listener.

`lone:STRATEGY` (e.g. `lone:skips+catalog`, `lone:shipped`) measures the zeros of a listener alone in
their store: the other listeners are halved at random per seed, the training zeros come from STRATEGY
with "others" and "shipped" (the list shipped with the package, rebuilt here from the first half only)
drawn from the first half, and every strategy is tested against songs the second half streamed.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from benchmarks.listeners_store import ALL_LISTENERS, listeners_store
from benchmarks.plain_model import PLAIN, SETS, listener_sets, plain_predictions, skip_rows, with_skips_tested
from musicflow.model.dataset import DEFAULT_ZEROS, WINDOW_DAYS, ZeroStrategy
from musicflow.model.evaluate import SPLITS, coverage_of
from musicflow.model.reports import Coverage, FeatureCheck, Spread
from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.model.split_scores import (
    AFFINITY,
    GROUPS,
    MODELS,
    NEW_ARTISTS,
    OURS,
    answerable,
    exposure_scores,
    fit_and_score,
    score,
    score_groups,
)
from musicflow.store.ports import Store

MIN_STREAMS = 2_000
# The targets set for the model, leave-listeners-out.
TARGET_AUC, TARGET_SP, TARGET_NEW_AUC = 0.86, 0.20, 0.75
LONE = "lone:"
COLUMNS = ("auc_others", "auc_skipped", "sp_plus", "mae", "rmse")
PLAIN_NEW = f"{PLAIN}: artists new to you"
METRICS = ("auc", "auc_others", "auc_skipped", "sp_plus", "mae", "rmse", "sp_plus_window", "sp_exposure")


@dataclass
class Measured:
    """One listener over the seeds: model or group -> metric -> spread, and what was trained and tested."""

    metrics: dict[str, dict[str, Spread]]
    train_sizes: dict[str, int]
    test_sizes: dict[str, int]
    answered: dict[str, int]
    check: FeatureCheck

    def headline(self, model: str, metric: str) -> float | None:
        spread = self.metrics.get(model, {}).get(metric)
        return spread.mean if spread is not None else None

    def spread(self, model: str, metric: str) -> float | None:
        spread = self.metrics.get(model, {}).get(metric)
        return spread.std if spread is not None else None


def main() -> None:
    args = sys.argv[1:]
    ratio = float(args[2]) if len(args) > 2 else DEFAULT_ZEROS.ratio
    lone = bool(args) and args[0].startswith(LONE)
    strategy = ZeroStrategy.parse(args[0].removeprefix(LONE), ratio) if args else DEFAULT_ZEROS
    split_name = "lone" if lone else "time"
    seeds = tuple(range(int(args[1]) if len(args) > 1 else 5))
    store, settings = listeners_store()
    snapshot = load_snapshot(store, stream_min_ms=30_000, precedence=settings.feature_precedence)
    names = chosen(snapshot, args[3:])
    alone = " (as a listener alone in their store)" if lone else ""
    print(f"zeros: {strategy.label} x{strategy.ratio:g}{alone}; seeds: {len(seeds)}; ", end="")
    print(f"listeners: {len(names)} ({', '.join(names)})")
    print(f"targets: AUC >= {TARGET_AUC}, Sp+ >= {TARGET_SP}, AUC on new artists >= {TARGET_NEW_AUC}\n")
    summary = []
    for name in names:
        started = time.perf_counter()
        measured = measure(snapshot, name, strategy, seeds, split_name, store)
        coverage = coverage_of(snapshot, snapshot.profiles[name])
        _print_listener(name, measured, coverage, time.perf_counter() - started)
        summary.append((name, measured))
    _print_summary(summary)


def chosen(snapshot: Snapshot, asked: Sequence[str]) -> list[str]:
    """The eligible listeners of the sets named in `asked` (`design`, `report`), and the names given."""
    if not asked:
        return eligible(snapshot)
    sets = listener_sets()
    wanted = [name for word in asked for name in (sets[word] if word in SETS else (word,))]
    return [name for name in eligible(snapshot) if name in wanted] + [
        name for name in wanted if name not in ALL_LISTENERS
    ]


def eligible(snapshot: Snapshot) -> list[str]:
    """The public listeners with at least MIN_STREAMS streams."""
    names = []
    for name in ALL_LISTENERS:
        plays = snapshot.plays.get(snapshot.profiles.get(name, -1))
        if plays is not None and int(plays.is_stream.sum()) >= MIN_STREAMS:
            names.append(name)
    return names


def measure(
    snapshot: Snapshot,
    name: str,
    strategy: ZeroStrategy,
    seeds: Sequence[int],
    split_name: str = "time",
    store: Store | None = None,
    params: Mapping[str, object] | None = None,
) -> Measured:
    """Ours, the reference rows and the plain model on each seed's split of `name`, as the product
    evaluates ours (`fit_and_score`), with the listener's skip-only test songs among the test rows."""
    profile_id = snapshot.profiles[name]
    builder, _ = SPLITS[split_name]
    allow = snapshot.allow_spotify
    train_skips, test_skips = skip_rows(snapshot, profile_id)
    runs: list[dict[str, dict[str, float | None]]] = []
    first = None
    for seed in seeds:
        split = with_skips_tested(builder(snapshot, profile_id, strategy, seed, store), test_skips)
        scored = fit_and_score(snapshot, profile_id, split, strategy, seed, dict(params or {}))
        test = answerable(split.test, split, allow)
        plain = plain_predictions(split, train_skips, test, seed, allow)
        scored.results[PLAIN] = score(test, plain) | exposure_scores(test, plain, split)
        scored.results[PLAIN_NEW] = score_groups(test, plain, split, allow)[NEW_ARTISTS]
        runs.append(scored.results)
        first = first or (split, scored, test)
    assert first is not None
    split, scored, test = first
    models = [m for m in (*MODELS, PLAIN, *GROUPS, PLAIN_NEW) if any(m in r for r in runs)]
    return Measured(
        metrics={m: {k: Spread.of([r[m].get(k) for r in runs if m in r]) for k in METRICS} for m in models},
        train_sizes=_sizes(split.train),
        test_sizes=_sizes(split.test),
        answered=_sizes(test),
        check=scored.check,
    )


def _sizes(rows: Sequence[object]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        kind = "streamed" if row.is_positive else row.kind.value  # type: ignore[attr-defined]
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))


def _print_listener(name: str, measured: Measured, coverage: Coverage | None, seconds: float) -> None:
    print(f"== {name} ({seconds:.1f} s), features: {_coverage(coverage)}")
    print(f"   test: {measured.test_sizes}, answered: {measured.answered}  train: {measured.train_sizes}")
    print(f"   {'model':28} {'AUC others':>13} {'AUC skips':>13} {'Sp+':>13} {'MAE':>13} {'RMSE':>13}")
    for model, metrics in measured.metrics.items():
        cells = [metrics[k].text() for k in COLUMNS]
        print(f"   {model[:28]:28} " + " ".join(f"{c:>13}" for c in cells))
    print(f"   left out: {', '.join(measured.check.dropped)}")
    patterns = measured.check.patterns
    print(f"   which features a song has tells the classes apart: AUC {_num(patterns.auc_raw)} raw, ", end="")
    print(f"{_num(patterns.auc_weighted)} as weighed for training\n")


SUMMARY: tuple[tuple[str, str, str], ...] = (
    ("AUC", OURS, "auc_others"),
    ("AUC plain", PLAIN, "auc_others"),
    ("AUC skips", OURS, "auc_skipped"),
    ("skips plain", PLAIN, "auc_skipped"),
    ("Sp+", OURS, "sp_plus"),
    ("Sp+ plain", PLAIN, "sp_plus"),
    ("AUC affinity", AFFINITY, "auc_others"),
    ("AUC new", NEW_ARTISTS, "auc_others"),
    ("new plain", PLAIN_NEW, "auc_others"),
    (f"Sp+ {WINDOW_DAYS}d", OURS, "sp_plus_window"),
)


def _print_summary(summary: Sequence[tuple[str, Measured]]) -> None:
    """One line per listener (mean ± spread over the seeds) and the means over listeners. `Sp+ 30d`: Sp+
    against the streams within 30 days of each test song's first play (songs first played 30 days or
    more before the export's end)."""
    print(f"{'listener':15}" + "".join(f"{h:>15}" for h, _, _ in SUMMARY) + f"{'answered':>12}")
    columns: list[list[float]] = [[] for _ in SUMMARY]
    for name, measured in summary:
        values = [measured.headline(model, metric) for _, model, metric in SUMMARY]
        spreads = [measured.spread(model, metric) for _, model, metric in SUMMARY]
        for column, value in zip(columns, values, strict=True):
            if value is not None:
                column.append(value)
        answered = f"{measured.answered.get('streamed', 0)}/{measured.test_sizes.get('streamed', 0)}"
        cells = [_cell(v, s) for v, s in zip(values, spreads, strict=True)]
        print(f"{name:15}" + "".join(f"{c:>15}" for c in cells) + f"{answered:>12}")
    means = [statistics.mean(c) if c else None for c in columns]
    print(f"{'mean':15}" + "".join(f"{_num(v):>15}" for v in means))
    ours_auc = [(m.headline(OURS, "auc_others"), m.headline(PLAIN, "auc_others")) for _, m in summary]
    scored = [(a, b) for a, b in ours_auc if a is not None and b is not None]
    above_plain = sum(1 for a, b in scored if a > b)
    above_affinity = sum(
        1
        for _, m in summary
        if (m.headline(OURS, "auc_others") or 0) > (m.headline(AFFINITY, "auc_others") or 0)
    )
    auc, sp, new = means[0], means[4], means[7]
    print(
        f"\nmean AUC {_verdict(auc, TARGET_AUC)}, mean Sp+ {_verdict(sp, TARGET_SP)}, "
        f"mean AUC on new artists {_verdict(new, TARGET_NEW_AUC)}; "
        f"AUC above the plain model for {above_plain} of {len(scored)} listeners, "
        f"above artist affinity alone for {above_affinity} of {len(summary)}"
    )


def _cell(value: float | None, spread: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}±{spread:.3f}" if spread else f"{value:.3f}"


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
