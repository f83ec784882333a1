"""Fitting the model and its reference rows on one split, and scoring each on the split's test rows.

Every model trains on the same rows with the same weights (`balance.py`), and is scored on the test
songs the model can answer (features from a source, or an artist the listener streamed before the split),
over all of them and for each kind of song separately: by artists the listener streams or new to them,
with audio features, with metadata only, or known by their artist alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from musicflow.errors import NotEnoughDataError
from musicflow.model import metrics
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.basis import Basis, basis_from
from musicflow.model.dataset import MIN_POSITIVES, Split, ZeroStrategy, all_rows
from musicflow.model.evidence import base_rate, toward_base_rate
from musicflow.model.hygiene import layout_for, training_rows
from musicflow.model.params import model_params, reference_params
from musicflow.model.reports import NO_LISTENER_NOTE, FeatureCheck
from musicflow.model.shipped import song_keys
from musicflow.model.snapshot import Snapshot
from musicflow.model.stream_scale import Matrix
from musicflow.model.training_rows import Row, RowKind
from musicflow.model.vectorize import (
    AFFINITY_COLUMNS,
    ARTIST_HISTORY_COLUMNS,
    FeatureLayout,
    affinity_table,
    feature_table,
    model_matrix,
)

if TYPE_CHECKING:
    from musicflow.model.estimator import CountRegressor

OURS = "ours"
MEAN = "training mean"
AFFINITY = "artist affinity alone"
NO_LISTENER = "no data of this listener"
MODELS = (OURS, AFFINITY, MEAN, NO_LISTENER)
KNOWN_ARTISTS = f"{OURS}: artists you stream"
NEW_ARTISTS = f"{OURS}: artists new to you"
BASIS_GROUPS = {
    Basis.AUDIO: f"{OURS}: audio features",
    Basis.METADATA: f"{OURS}: metadata only",
    Basis.HISTORY: f"{OURS}: history only",
}
GROUPS = (KNOWN_ARTISTS, NEW_ARTISTS, *BASIS_GROUPS.values())
ZERO_KINDS = (RowKind.OTHERS, RowKind.SKIPPED, RowKind.CATALOG, RowKind.SHIPPED)


@dataclass
class Scored:
    """The scores of one split: model or group -> metric -> value; the hygiene; what could not be fitted."""

    results: dict[str, dict[str, float | None]]
    check: FeatureCheck
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SplitRows:
    """Rows of one split as the model reads them, looked up once however many models read them: each
    row's usable feature values (`feature_table`) and its artist affinity on the split's training side
    (`affinity_table`); `matrix` makes the model input of any layout from them (`model_matrix`, as
    `vectorize_many` does)."""

    rows: list[Row]
    affinities: list[ArtistAffinity]
    values: Matrix
    affinity: Matrix
    allow_spotify: bool

    @classmethod
    def of(cls, rows: Sequence[Row], split: Split, allow_spotify: bool) -> SplitRows:
        of = split.affinity.of
        affinities = [of(r.artist_key, r.song_id) for r in rows]
        values = feature_table([r.usable(allow_spotify) for r in rows])
        return cls(list(rows), affinities, values, affinity_table(affinities), allow_spotify)

    def matrix(self, layout: FeatureLayout) -> Matrix:
        if layout.allow_spotify != self.allow_spotify:
            raise ValueError("the layout and the rows disagree on Spotify's values")
        return model_matrix(self.values, self.affinity, layout)

    def artist_songs(self) -> Matrix:
        """Per row, how many other songs of its artist the listener streamed on the training side."""
        return self.affinity[:, 1].copy()

    def bases(self) -> list[Basis | None]:
        """What a prediction of each row would rest on (`basis_of`)."""
        allow = self.allow_spotify
        return [basis_from(r.availability(allow), a) for r, a in zip(self.rows, self.affinities, strict=True)]

    def answerable(self) -> SplitRows:
        """The rows a prediction could be made for (`answerable`)."""
        return self.where([basis is not None for basis in self.bases()])

    def where(self, mask: Sequence[bool]) -> SplitRows:
        kept = np.array(mask, dtype=np.bool_).reshape(len(self.rows))
        return SplitRows(
            [r for r, m in zip(self.rows, mask, strict=True) if m],
            [a for a, m in zip(self.affinities, mask, strict=True) if m],
            self.values[kept],
            self.affinity[kept],
            self.allow_spotify,
        )


def matrix(rows: Sequence[Row], split: Split, layout: FeatureLayout) -> Matrix:
    return SplitRows.of(rows, split, layout.allow_spotify).matrix(layout)


def artist_songs(rows: Sequence[Row], split: Split) -> Matrix:
    """Per row, how many other songs of its artist the listener streamed on the training side."""
    return np.array([split.affinity.of(r.artist_key, r.song_id).songs for r in rows], dtype=np.float64)


def served_base_rate(
    model: CountRegressor, train: Sequence[Row], split: Split, layout: FeatureLayout
) -> float | None:
    """The listener's base rate (`evidence.py`) of a model fitted on `train`."""
    return base_rate(model.predict(matrix(train, split, layout)), artist_songs(train, split))


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


def answerable(rows: Sequence[Row], split: Split, allow_spotify: bool) -> list[Row]:
    """The rows a prediction could be made for, knowing what the split's training side knows."""
    return SplitRows.of(rows, split, allow_spotify).answerable().rows


def fit_and_score(
    snapshot: Snapshot,
    profile_id: int,
    split: Split,
    strategy: ZeroStrategy,
    seed: int,
    params: Mapping[str, Any],
) -> Scored:
    """Ours and the reference rows, all fitted on `split.train`, scored on the answerable test rows."""
    allow = snapshot.allow_spotify
    train, weights, check = training_rows(split.train, allow)
    trained = SplitRows.of(train, split, allow)
    tested = SplitRows.of(split.test, split, allow).answerable()
    test = tested.rows
    layout = layout_for(check, allow)
    y = targets(train)
    results: dict[str, dict[str, float | None]] = {}
    x = trained.matrix(layout)
    ours = _fit(model_params(params), seed, x, y, weights, layout)
    served = base_rate(ours.predict(x), trained.artist_songs())  # predictions as MusicFlow answers them
    predicted = toward_base_rate(ours.predict(tested.matrix(layout)), tested.artist_songs(), served)
    results[OURS] = score(test, predicted) | exposure_scores(test, predicted, split)
    results.update(_score_groups(tested, predicted))
    alone = FeatureLayout(ARTIST_HISTORY_COLUMNS, allow)
    reference = _fit(reference_params(params), seed, trained.matrix(alone), y, weights)
    affinity_predicted = reference.predict(tested.matrix(alone))
    results[AFFINITY] = score(test, affinity_predicted) | exposure_scores(test, affinity_predicted, split)
    results[MEAN] = score(test, np.full(len(test), float(np.average(y, weights=weights))))
    scored = Scored(results, check)
    zeros = split.zeros or strategy
    blind = _no_listener_model(snapshot, profile_id, split, zeros, seed, layout, params)
    if isinstance(blind, str):
        scored.notes.append(f"{NO_LISTENER_NOTE}: {blind}")
    elif blind is not None:
        model, features = blind
        results[NO_LISTENER] = score(test, model.predict(tested.matrix(features)))
    return scored


def exposure_scores(rows: Sequence[Row], predicted: Matrix, split: Split) -> dict[str, float | None]:
    """Sp+ against the streams within a fixed window after each song's first play (the songs that had
    the whole window), and how much the days a song had to gather streams rank its streams (a fact of
    the data, the same for every model; see `Exposure`)."""
    exposure = split.exposure
    positive = [i for i, r in enumerate(rows) if r.is_positive]
    windowed = [i for i in positive if rows[i].song_id in exposure.windowed]
    window_truth = np.array([exposure.windowed[rows[i].song_id] for i in windowed], dtype=np.float64)
    days = np.array([exposure.days.get(rows[i].song_id, np.nan) for i in positive], dtype=np.float64)
    truth = targets([rows[i] for i in positive])
    known = ~np.isnan(days)
    return {
        "sp_plus_window": metrics.spearman(predicted[windowed], window_truth),
        "sp_exposure": metrics.spearman(days[known], truth[known]),
    }


def score_groups(
    rows: Sequence[Row], predicted: Matrix, split: Split, allow_spotify: bool
) -> dict[str, dict[str, float | None]]:
    """`score` for songs by artists the listener streams and by new ones, and for each basis."""
    return _score_groups(SplitRows.of(rows, split, allow_spotify), predicted)


def _score_groups(table: SplitRows, predicted: Matrix) -> dict[str, dict[str, float | None]]:
    rows = table.rows
    known = np.array([a.streams > 0 for a in table.affinities], dtype=np.bool_)
    bases = table.bases()
    groups: dict[str, npt.NDArray[np.bool_]] = {KNOWN_ARTISTS: known, NEW_ARTISTS: ~known}
    for basis, name in BASIS_GROUPS.items():
        groups[name] = np.array([b is basis for b in bases], dtype=np.bool_)
    return {
        name: score([r for r, m in zip(rows, mask.tolist(), strict=True) if m], predicted[mask])
        for name, mask in groups.items()
    }


def _fit(
    params: Mapping[str, Any],
    seed: int,
    x: Matrix,
    y: Matrix,
    weights: Matrix | None = None,
    layout: FeatureLayout | None = None,
) -> CountRegressor:
    from musicflow.model.estimator import CountRegressor  # LightGBM and scikit-learn: fitting needs them

    names = {"feature_names": layout.columns} if layout is not None else {}
    model = CountRegressor(**{**params, "random_state": seed, **names})
    return model.fit(x, y, sample_weight=weights)


def _no_listener_model(
    snapshot: Snapshot,
    profile_id: int,
    split: Split,
    strategy: ZeroStrategy,
    seed: int,
    layout: FeatureLayout,
    params: Mapping[str, Any],
) -> tuple[CountRegressor, FeatureLayout] | str | None:
    """A model of another listener, never shown a song this listener played nor its test zeros, or the
    reason there is none (None where there is nothing to say: the store holds no other listener).

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
    avoid = frozenset(song_keys(snapshot, set(snapshot.plays[profile_id].song.tolist())))
    try:
        rows = [
            r
            for r in all_rows(others_only, surrogate, strategy, seed, avoid=avoid).train
            if r.song_id not in listener_songs
        ]
    except NotEnoughDataError:
        return (
            f"the other listener's history is too small to learn from (fewer than {MIN_POSITIVES} streamed"
            " songs)"
        )
    try:
        rows, weights, _ = training_rows(rows, snapshot.allow_spotify)
    except NotEnoughDataError:
        return "the other listener's songs that you never played lack streamed songs or zeros"
    features_only = layout.without(AFFINITY_COLUMNS)
    if not features_only.width:
        return "no audio feature or metadata passed the checks, and your listening history is not its to use"
    model = _fit(reference_params(params), seed, matrix(rows, split, features_only), targets(rows), weights)
    return model, features_only


def _busiest_other_profile(snapshot: Snapshot, profile_id: int) -> int | None:
    streamed = {
        pid: len(set(plays.song[plays.is_stream].tolist()))
        for pid, plays in snapshot.plays.items()
        if pid != profile_id
    }
    return max(streamed, key=lambda pid: (streamed[pid], -pid)) if streamed else None
