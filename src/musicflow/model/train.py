"""Training one listener's model: dataset, evaluation under the protocol, then the model that serves.

The evaluation fits on held-out splits (time and random, several seeds); the model that serves is then
fitted on everything, with the same zero strategy and parameters, and without any feature the evaluated
models left out (so that the evaluation shown describes the model that serves), nor any the checks of
every row leave out. Deterministic: the same store, options and seed give the same model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from musicflow.core.perf import collector_paused
from musicflow.errors import Hint, NotEnoughDataError, ProfileNotFoundError
from musicflow.model.dataset import ZeroStrategy, all_rows, zero_strategy_for
from musicflow.model.evaluate import DEFAULT_SEEDS, evaluate_profile, evaluated_left_out
from musicflow.model.evidence import BASE_RATE, base_rate, toward_base_rate
from musicflow.model.hygiene import layout_for, training_rows
from musicflow.model.params import model_params
from musicflow.model.predict import verdict_thresholds
from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.model.split_scores import SplitRows, targets
from musicflow.model.stream_scale import Matrix
from musicflow.model.trained import TrainedModel
from musicflow.store.ports import Store

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]

DEFAULT_PRECEDENCE = ("catalog", "reccobeats", "audio_files", "spotify")


@dataclass(frozen=True)
class TrainingOptions:
    zeros: ZeroStrategy | None = None  # None: `auto` (`dataset.zero_strategy_for`)
    params: Mapping[str, Any] = field(default_factory=dict)  # CountRegressor parameters
    seeds: Sequence[int] = DEFAULT_SEEDS
    splits: Sequence[str] = ("time", "random")
    seed: int = 0
    stream_min_ms: int = 30_000
    precedence: Sequence[str] = DEFAULT_PRECEDENCE
    allow_spotify: bool = False


def train_profile(
    store: Store, profile: str, options: TrainingOptions | None = None, progress: Progress | None = None
) -> TrainedModel:
    """Build the dataset of `profile`, evaluate it under the protocol, fit the model that serves."""
    options = options or TrainingOptions()
    _report(progress, "reading plays and features", 0.0)
    snapshot = load_snapshot(
        store,
        stream_min_ms=options.stream_min_ms,
        precedence=options.precedence,
        allow_spotify=options.allow_spotify,
    )
    return train_on_snapshot(snapshot, profile, options, store, progress)


def train_on_snapshot(
    snapshot: Snapshot,
    profile: str,
    options: TrainingOptions,
    store: Store | None = None,
    progress: Progress | None = None,
) -> TrainedModel:
    if profile not in snapshot.profiles or snapshot.profiles[profile] not in snapshot.plays:
        raise ProfileNotFoundError(f"no plays for the profile '{profile}'", hint=Hint.INGEST, profile=profile)
    strategy = options.zeros or zero_strategy_for(snapshot)
    try:
        evaluation = evaluate_profile(
            snapshot,
            profile,
            strategy=strategy,
            params=options.params,
            seeds=options.seeds,
            splits=options.splits,
            store=store,
            progress=_scaled(progress, 0.05, 0.85),
        )
        _report(progress, "training the model on the whole history", 0.9)
        model = fit_final(snapshot, profile, strategy, options, store, left_out=evaluation.left_out())
    except NotEnoughDataError as error:
        raise _of_profile(error, profile, strategy) from None
    model.evaluation = evaluation.as_dict()
    _report(progress, "done", 1.0)
    return model


def fit_final(
    snapshot: Snapshot,
    profile: str,
    strategy: ZeroStrategy,
    options: TrainingOptions,
    store: Store | None,
    left_out: Mapping[str, str] | None = None,
) -> TrainedModel:
    """The model that serves: every row, features checked for leaks on those rows, and without those the
    evaluated models leave out (`left_out`, feature -> why; found from the evaluation's splits when not
    given)."""
    return fit_final_on_rows(snapshot, profile, strategy, options, store, left_out)[0]


def fit_final_on_rows(
    snapshot: Snapshot,
    profile: str,
    strategy: ZeroStrategy,
    options: TrainingOptions,
    store: Store | None,
    left_out: Mapping[str, str] | None = None,
) -> tuple[TrainedModel, Matrix]:
    """`fit_final`, and the rows it was fitted on as the model reads them."""
    if left_out is None:
        left_out = evaluated_left_out(
            snapshot, profile, strategy=strategy, seeds=options.seeds, splits=options.splits, store=store
        )
    with collector_paused():  # tens of thousands of rows, tables and facts, none cyclic
        return _fit_final_on_rows(snapshot, profile, strategy, options, store, left_out)


def _fit_final_on_rows(
    snapshot: Snapshot,
    profile: str,
    strategy: ZeroStrategy,
    options: TrainingOptions,
    store: Store | None,
    left_out: Mapping[str, str],
) -> tuple[TrainedModel, Matrix]:
    split = all_rows(snapshot, snapshot.profiles[profile], strategy, options.seed, store)
    rows, weights, check = training_rows(split.train, snapshot.allow_spotify)
    for feature, reason in left_out.items():
        check.dropped.setdefault(feature, f"the model evaluated left it out: {reason}")
    layout = layout_for(check, snapshot.allow_spotify)
    table = SplitRows.of(rows, split, snapshot.allow_spotify)
    x, y = table.matrix(layout), targets(rows)
    params = {**model_params(options.params), "random_state": options.seed, "feature_names": layout.columns}
    from musicflow.model.estimator import CountRegressor  # LightGBM and scikit-learn: training needs them

    estimator = CountRegressor(**params).fit(x, y, sample_weight=weights)
    songs = table.artist_songs()
    fitted = estimator.predict(x)
    served = base_rate(fitted, songs)
    predicted = toward_base_rate(fitted, songs, served)  # the verdicts compare what is served
    for name, reason in check.dropped.items():
        log.info("feature %s left out: %s", name, reason)
    plays = snapshot.plays[snapshot.profiles[profile]]
    model = TrainedModel(
        model_text=estimator.booster_.model_to_string(),
        layout=layout,
        profile=profile,
        params={k: v for k, v in estimator.get_params().items() if k != "feature_names"},
        evaluation={},
        fingerprint=snapshot.fingerprint,
        medians={c: _median(x[:, i]) for i, c in enumerate(layout.columns)},
        thresholds=verdict_thresholds(predicted[y > 0].tolist()),
        training={
            # The last play the model learned from: the plays after it judge its predictions.
            "last_play_at": int(plays.ended_at.max()),
            "plays": len(plays.ended_at),
            # What a song by an artist known from few songs is estimated toward (`evidence.py`).
            BASE_RATE: served,
            "rows": {k: int(v) for k, v in _class_sizes(rows).items()},
            "zero_strategy": strategy.label,
            "zeros": split.draw.as_dict(),
            "dropped_features": check.dropped,
            "features": check.as_dict(),
        },
    )
    return model, x


def _of_profile(error: NotEnoughDataError, profile: str, strategy: ZeroStrategy) -> NotEnoughDataError:
    """The error as the profile's, saying so when the zeros lacked only because the settings named their
    sources (the automatic choice makes up for what they lack)."""
    if error.hint is Hint.ADD_ZEROS and not strategy.fillers:
        return NotEnoughDataError(
            f"{error}; the zeros come from {strategy.label} only, as the settings ask: the automatic "
            "choice (auto) would make up for what they lack from a catalog and the songs MusicFlow ships",
            hint=Hint.AUTO_ZEROS,
            profile=profile,
        )
    error.profile = error.profile or profile
    return error


def _class_sizes(rows: Sequence[Any]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for row in rows:
        name = "streamed" if row.is_positive else row.kind.value
        sizes[name] = sizes.get(name, 0) + 1
    return sizes


def _median(column: np.ndarray[Any, Any]) -> float:
    known = column[~np.isnan(column)]
    return float(np.median(known)) if len(known) else 0.0


def _report(progress: Progress | None, message: str, fraction: float) -> None:
    if progress:
        progress(message, fraction)


def _scaled(progress: Progress | None, start: float, end: float) -> Progress | None:
    if progress is None:
        return None
    outer = progress
    return lambda message, fraction: outer(message, start + (end - start) * fraction)


__all__ = ["NotEnoughDataError", "TrainingOptions", "train_profile"]
