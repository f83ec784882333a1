"""The plain model every quality figure is read beside, and the listeners designs are chosen on.

The plain model: LightGBM with a Tweedie objective and its default settings, 300 trees, on the
audio features and log(1 + the listener's streams of the song's artist before the split, without the
row's own plays), fitted on the clipped stream counts, unweighted, on the same training rows as ours
plus the listener's skip-only songs of the training period as zeros. What one writes first: a model
that does not beat it is not worth its design. Benchmark code, not product.

The listeners are split once, by a seeded shuffle of their names, into a design set (designs are
chosen on it) and a report set (the figures in the README): a figure on the listeners a design was
chosen on flatters it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import lightgbm as lgb
import numpy as np

from benchmarks.listeners_store import ALL_LISTENERS
from musicflow.core.feature_spec import AUDIO_FEATURES, FEATURE_NAMES
from musicflow.model.dataset import TIME_SPLIT_QUANTILE, Split, _TimeCut, listener_rows
from musicflow.model.snapshot import Snapshot
from musicflow.model.stream_scale import Matrix
from musicflow.model.training_rows import Row, RowKind
from musicflow.model.vectorize import feature_table, usable_values

PLAIN = "plain model"
PLAIN_TREES = 300
# The split of the public listeners: names sorted, shuffled with this seed (fixed once), the
# first half to choose designs on, the rest to report on. Fixed before any design was compared on it.
SETS_SEED = 19
SETS = ("design", "report")
_AUDIO_AT = [i for i, name in enumerate(FEATURE_NAMES) if name in AUDIO_FEATURES]


def listener_sets() -> dict[str, tuple[str, ...]]:
    """The design set and the report set (every public listener; the benchmarks score those eligible)."""
    names = sorted(ALL_LISTENERS)
    order = [names[int(i)] for i in np.random.default_rng(SETS_SEED).permutation(len(names))]
    half = len(order) // 2
    return {"design": tuple(order[:half]), "report": tuple(order[half:])}


def skip_rows(snapshot: Snapshot, profile_id: int) -> tuple[list[Row], list[Row]]:
    """The listener's skip-only songs of the time split: before the cut-off (zeros the plain model
    trains on) and among the songs first heard after it (test zeros: the AUC against skips)."""
    cut = _TimeCut.of(snapshot, profile_id, TIME_SPLIT_QUANTILE)
    before = listener_rows(snapshot, cut.plays, cut.before, True)
    after = listener_rows(snapshot, cut.plays, cut.after, True)
    return (
        [r for r in before if r.kind is RowKind.SKIPPED],
        [r for r in after if r.kind is RowKind.SKIPPED],
    )


def with_skips_tested(split: Split, tested: Sequence[Row]) -> Split:
    """The split with the listener's skip-only test songs among its test rows, unless it has some."""
    if any(r.kind is RowKind.SKIPPED for r in split.test):
        return split
    return dataclasses.replace(split, test=[*split.test, *tested])


def plain_matrix(rows: Sequence[Row], split: Split, allow_spotify: bool) -> Matrix:
    """The audio features as the catalogs give them (key as a number) and the log of the artist's
    streams before the split, without the row's own plays."""
    values = feature_table([usable_values(r.features, allow_spotify) for r in rows])[:, _AUDIO_AT]
    streams = [split.affinity.of(r.artist_key, r.song_id).streams for r in rows]
    logged = np.array([math.log1p(s) for s in streams], dtype=np.float64).reshape(-1, 1)
    return np.hstack([values, logged])


def fit_plain(rows: Sequence[Row], split: Split, seed: int, allow_spotify: bool) -> lgb.LGBMRegressor:
    """The plain model fitted on `rows` (ours' training rows and the skip-only songs before the split)."""
    model = lgb.LGBMRegressor(
        objective="tweedie",
        n_estimators=PLAIN_TREES,
        n_jobs=1,
        random_state=seed,
        deterministic=True,
        force_col_wise=True,
        verbose=-1,
    )
    targets = np.array([r.target for r in rows], dtype=np.float64)
    return model.fit(plain_matrix(rows, split, allow_spotify), targets)


def plain_predictions(
    split: Split, skips: Sequence[Row], test: Sequence[Row], seed: int, allow_spotify: bool
) -> Matrix:
    """The plain model, trained on the split's training rows and `skips` (unless the split trains on
    skip-only songs already), on the rows `test`."""
    extra = [] if any(r.kind is RowKind.SKIPPED for r in split.train) else skips
    model = fit_plain([*split.train, *extra], split, seed, allow_spotify)
    return np.asarray(model.predict(plain_matrix(test, split, allow_spotify)), dtype=np.float64)
