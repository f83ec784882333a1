"""Fitting the model and its reference rows on one split, and scoring each on the split's test rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from musicflow.errors import NotEnoughDataError
from musicflow.model import metrics
from musicflow.model.dataset import Split, ZeroStrategy, all_rows
from musicflow.model.estimator import CountRegressor, Matrix
from musicflow.model.hygiene import FeatureCheck, check_features, layout_for
from musicflow.model.rows import Row, RowKind
from musicflow.model.snapshot import Snapshot
from musicflow.model.vectorize import AFFINITY_COLUMNS, FeatureLayout, vectorize_many

OURS = "ours"
MEAN = "training mean"
AFFINITY = "artist affinity alone"
NO_LISTENER = "no data of this listener"
MODELS = (OURS, AFFINITY, MEAN, NO_LISTENER)
ZERO_KINDS = (RowKind.OTHERS, RowKind.SKIPPED, RowKind.CATALOG)


def matrix(rows: Sequence[Row], split: Split, layout: FeatureLayout) -> Matrix:
    return vectorize_many([(r.features, split.affinity.of(r.artist_key, r.song_id)) for r in rows], layout)


def targets(rows: Sequence[Row]) -> Matrix:
    return np.array([row.target for row in rows], dtype=np.float64)


def score(rows: Sequence[Row], predicted: Matrix) -> dict[str, float | None]:
    """Sp+ among streamed rows, AUC against every zero and each kind of zero, MAE and RMSE."""
    truth = targets(rows)
    positive = truth > 0
    kinds = np.array([row.kind.value for row in rows])
    result: dict[str, float | None] = {
        "sp_plus": metrics.spearman(predicted[positive], truth[positive]),
        "auc": metrics.auc(predicted[positive], predicted[~positive]),
        "mae": metrics.mae(truth, predicted),
        "rmse": metrics.rmse(truth, predicted),
    }
    for kind in ZERO_KINDS:
        result[f"auc_{kind.value}"] = metrics.auc(
            predicted[positive], predicted[~positive & (kinds == kind.value)]
        )
    return result


def fit_and_score(
    snapshot: Snapshot,
    profile_id: int,
    split: Split,
    strategy: ZeroStrategy,
    seed: int,
    params: Mapping[str, Any],
) -> tuple[dict[str, dict[str, float | None]], FeatureCheck]:
    """Ours and the reference rows, all fitted on `split.train`, scored on `split.test`."""
    check = check_features(split.train, snapshot.allow_spotify)
    layout = layout_for(check, snapshot.allow_spotify)
    y = targets(split.train)
    results: dict[str, dict[str, float | None]] = {}
    ours = CountRegressor(**{**params, "random_state": seed}).fit(matrix(split.train, split, layout), y)
    results[OURS] = score(split.test, ours.predict(matrix(split.test, split, layout)))
    alone = FeatureLayout(AFFINITY_COLUMNS, snapshot.allow_spotify)
    reference = CountRegressor(**{**params, "random_state": seed}).fit(matrix(split.train, split, alone), y)
    results[AFFINITY] = score(split.test, reference.predict(matrix(split.test, split, alone)))
    results[MEAN] = score(split.test, np.full(len(split.test), float(y.mean())))
    blind = _no_listener_model(snapshot, profile_id, split, strategy, seed, layout, params)
    if blind is not None:
        model, features = blind
        results[NO_LISTENER] = score(split.test, model.predict(matrix(split.test, split, features)))
    return results, check


def _no_listener_model(
    snapshot: Snapshot,
    profile_id: int,
    split: Split,
    strategy: ZeroStrategy,
    seed: int,
    layout: FeatureLayout,
    params: Mapping[str, Any],
) -> tuple[CountRegressor, FeatureLayout] | None:
    """A model of another listener, never shown a song this listener played nor its test zeros.

    Audio and metadata only (artist affinity is this listener's history). Its AUC on this listener's
    test rows should be near 0.5: if not, the zeros differ from the positives by something other than
    taste, and the score of our model is suspect.
    """
    surrogate = _busiest_other_profile(snapshot, profile_id)
    if surrogate is None:
        return None
    others_only = dataclasses.replace(
        snapshot, plays={k: v for k, v in snapshot.plays.items() if k != profile_id}
    )
    listener_songs = set(snapshot.plays[profile_id].song.tolist()) | {row.song_id for row in split.test}
    try:
        rows = [
            r
            for r in all_rows(others_only, surrogate, strategy, seed).train
            if r.song_id not in listener_songs
        ]
    except NotEnoughDataError:
        return None
    features_only = layout.without(AFFINITY_COLUMNS)
    model = CountRegressor(**{**params, "random_state": seed})
    return model.fit(matrix(rows, split, features_only), targets(rows)), features_only


def _busiest_other_profile(snapshot: Snapshot, profile_id: int) -> int | None:
    streamed = {
        pid: len(set(plays.song[plays.is_stream].tolist()))
        for pid, plays in snapshot.plays.items()
        if pid != profile_id
    }
    return max(streamed, key=lambda pid: (streamed[pid], -pid)) if streamed else None
