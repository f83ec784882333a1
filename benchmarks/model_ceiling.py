"""What the model's inputs allow: our model against one fitted on the test songs themselves.

For each public listener with at least 2,000 streams, under the time split with other listeners' songs
as zeros (the protocol of `model_quality`), two models are scored on the same answerable test songs:
- ours, trained on the plays before the split, as `train` trains it;
- "in period": a model fitted on the test songs themselves, with the same columns (the audio features,
  metadata and the listener's history before the split), scored by 5-fold cross-validation grouped by
  artist (a song is never predicted by a model that saw another song of its artist in the test period);
- "past + period": ours, trained on the plays before the split and on the other folds' test songs.

Both know the test period's taste, which no model trained on the past alone can; the second also has
the past's many songs. Their Sp+ (among the streamed test songs) and their AUC on songs by artists new
to the listener show what these columns can tell about a listener's new songs when the taste of the
time is known: a rough ceiling for any model of these columns (rough: the test period holds a few
hundred songs per listener). It is a ceiling of the columns, not of the listener: a new input (genres,
albums, ...) can move it.

Usage: python -m benchmarks.model_ceiling [SEEDS]
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import GroupKFold

from benchmarks.listeners_store import listeners_store
from benchmarks.model_quality import TARGET_NEW_AUC, TARGET_SP, eligible
from musicflow.model import metrics
from musicflow.model.dataset import Split, ZeroStrategy, time_split
from musicflow.model.estimator import CountRegressor
from musicflow.model.hygiene import layout_for, training_rows
from musicflow.model.params import model_params
from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.model.split_scores import answerable, matrix, targets
from musicflow.model.stream_scale import Matrix
from musicflow.model.training_rows import Row
from musicflow.model.vectorize import FeatureLayout

FOLDS = 5
# Smaller than the default: a listener's test period holds a few hundred songs, not thousands.
IN_PERIOD_TREES, IN_PERIOD_LEAF = 150, 10
COLUMNS = (
    "Sp+ ours",
    "Sp+ in period",
    "Sp+ past+period",
    "AUC new ours",
    "AUC new in period",
    "AUC new past+period",
)


def main() -> None:
    seeds = range(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    store, settings = listeners_store()
    snapshot = load_snapshot(store, stream_min_ms=30_000, precedence=settings.feature_precedence)
    print(f"seeds: {len(seeds)}; {FOLDS} folds grouped by artist; in-period model: {IN_PERIOD_TREES} trees\n")
    print(f"{'listener':15}{'streamed':>10}" + "".join(f"{c:>21}" for c in COLUMNS))
    rows: list[list[float | None]] = []
    for name in eligible(snapshot):
        measured = [_measure(snapshot, name, seed) for seed in seeds]
        runs = [r for r in measured if r is not None]
        if not runs:
            print(f"{name:15}{'too few':>10}")
            continue
        means = [_mean([run[i] for run in runs]) for i in range(len(COLUMNS))]
        rows.append(means)
        streamed = f"{int(_mean([run[-1] for run in runs]) or 0)}"
        print(f"{name:15}{streamed:>10}" + "".join(f"{_num(v):>21}" for v in means))
    means = [_mean([row[i] for row in rows]) for i in range(len(COLUMNS))]
    print(f"{'mean':15}{'':>10}" + "".join(f"{_num(v):>21}" for v in means))
    print(
        f"\nknowing the test period: Sp+ {_num(means[1])} in period, {_num(means[2])} past+period "
        f"(target {TARGET_SP}); AUC on new artists {_num(means[4])} in period, {_num(means[5])} "
        f"past+period (target {TARGET_NEW_AUC})"
    )


def _measure(snapshot: Snapshot, name: str, seed: int) -> list[float | None] | None:
    split = time_split(snapshot, snapshot.profiles[name], ZeroStrategy.parse("others"), seed)
    train, weights, check = training_rows(split.train, snapshot.allow_spotify)
    layout = layout_for(check, snapshot.allow_spotify)
    test = answerable(split.test, split, snapshot.allow_spotify)
    streamed = [r for r in test if r.is_positive]
    if len(streamed) < 2 * FOLDS:
        return None
    past = Past(matrix(train, split, layout), targets(train), weights)
    ours = _ours(layout, seed).fit(past.x, past.y, sample_weight=past.weights)
    new = [r for r in test if split.affinity.of(r.artist_key, r.song_id).streams == 0]
    return [
        metrics.spearman(ours.predict(matrix(streamed, split, layout)), targets(streamed)),
        metrics.spearman(_in_period(streamed, split, layout, seed, None), targets(streamed)),
        metrics.spearman(_in_period(streamed, split, layout, seed, past), targets(streamed)),
        _auc(new, ours.predict(matrix(new, split, layout))),
        _auc(new, _in_period(new, split, layout, seed, None)),
        _auc(new, _in_period(new, split, layout, seed, past)),
        float(len(streamed)),
    ]


@dataclass(frozen=True)
class Past:
    """The training rows of the split, as ours learns from them."""

    x: Matrix
    y: Matrix
    weights: Matrix | None


def _ours(layout: FeatureLayout, seed: int) -> CountRegressor:
    return CountRegressor(**{**model_params({}), "random_state": seed, "feature_names": layout.columns})


def _in_period(rows: list[Row], split: Split, layout: FeatureLayout, seed: int, past: Past | None) -> Matrix:
    """Out-of-fold predictions of a model fitted on `rows` themselves (and on the past, when given),
    folds grouped by artist."""
    x, y = matrix(rows, split, layout), targets(rows)
    artists = [r.artist_key for r in rows]
    predicted = np.zeros(len(rows))
    folds = GroupKFold(n_splits=min(FOLDS, len(set(artists))))
    for fit_on, scored in folds.split(x, groups=artists):
        if past is None:
            model = CountRegressor(
                n_estimators=IN_PERIOD_TREES,
                min_child_samples=IN_PERIOD_LEAF,
                random_state=seed,
                feature_names=layout.columns,
            )
            predicted[scored] = model.fit(x[fit_on], y[fit_on]).predict(x[scored])
            continue
        weights = np.ones(len(past.y)) if past.weights is None else past.weights
        both_x = np.vstack([past.x, x[fit_on]])
        both_y = np.concatenate([past.y, y[fit_on]])
        both_w = np.concatenate([weights, np.full(len(fit_on), float(np.mean(weights)))])
        model = _ours(layout, seed).fit(both_x, both_y, sample_weight=both_w)
        predicted[scored] = model.predict(x[scored])
    return predicted


def _auc(rows: list[Row], predicted: Matrix) -> float | None:
    truth = targets(rows) > 0
    return metrics.auc(predicted[truth], predicted[~truth]) if len(rows) >= 2 * FOLDS else None


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.mean(known) if known else None


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
