"""A second model family on the same rows: a small neural network (scikit-learn's multi-layer
perceptron, on the CPU), measured by `model_ablation` beside our boosted trees and the plain model.

Its input is ours: the same rows, weights and columns (`hygiene.training_rows`, `layout_for`), each
column standardised, a missing value set to the training median with a column saying it was missing;
and a learned artist embedding: a one-hot of the row's artist (artists with at least `MIN_ARTIST_ROWS`
training rows; the rest, and every artist new to the listener, share one "other" input), which the first
layer turns into a learned vector per artist. The target is log(1 + streams), as our model's; the
prediction is brought back to streams. Benchmark code: shipped only if it wins on the design listeners.

PyTorch, which the issue names as an example, installs from PyPI with its CUDA libraries (several GB);
scikit-learn's network is already a dependency, and at this size (two hidden layers of 64 and 32) it
trains in seconds on two cores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from musicflow.model.dataset import Split
from musicflow.model.split_scores import matrix, targets
from musicflow.model.stream_scale import Matrix
from musicflow.model.training_rows import Row
from musicflow.model.vectorize import FeatureLayout

NEURAL = "neural (MLP)"
NO_EMBEDDING = "neural without artists"
BLEND = "ours + neural"
HIDDEN = (64, 32)
MIN_ARTIST_ROWS = 2
MAX_ITERATIONS = 200


class _Inputs:
    """Column statistics of the training rows, and the artists that get their own input."""

    def __init__(self, values: Matrix, artists: Sequence[str]) -> None:
        with np.errstate(all="ignore"):
            self.median = np.nan_to_num(np.nanmedian(values, axis=0), nan=0.0)
            filled = np.where(np.isnan(values), self.median, values)
            self.mean = filled.mean(axis=0)
            self.scale = np.where(filled.std(axis=0) > 0, filled.std(axis=0), 1.0)
        self.missing = np.isnan(values).any(axis=0)  # columns that are missing somewhere in training
        counts = Counter(artists)
        kept = sorted(a for a, n in counts.items() if n >= MIN_ARTIST_ROWS)
        self.artist_at = {artist: i for i, artist in enumerate(kept)}

    def of(self, values: Matrix, artists: Sequence[str]) -> object:
        from scipy import sparse

        filled = np.where(np.isnan(values), self.median, values)
        dense = (filled - self.mean) / self.scale
        flags = np.isnan(values[:, self.missing]).astype(np.float64)
        other = len(self.artist_at)
        columns = np.array([self.artist_at.get(a, other) for a in artists], dtype=np.int64)
        onehot = sparse.csr_matrix(
            (np.ones(len(artists)), (np.arange(len(artists)), columns)), shape=(len(artists), other + 1)
        )
        return sparse.hstack([sparse.csr_matrix(np.hstack([dense, flags])), onehot], format="csr")


def neural_predictions(
    train: Sequence[Row],
    weights: npt.NDArray[np.float64] | None,
    test: Sequence[Row],
    split: Split,
    layout: FeatureLayout,
    seed: int,
    embed: bool = True,
) -> Matrix:
    """Fit the network on `train` (weighted) and predict streams for `test`; `embed`: with the artist
    input."""
    from sklearn.neural_network import MLPRegressor

    values = matrix(train, split, layout)
    inputs = _Inputs(values, [r.artist_key for r in train] if embed else ["" for _ in train])
    network = MLPRegressor(
        hidden_layer_sizes=HIDDEN,
        alpha=1e-3,
        learning_rate_init=1e-3,
        max_iter=MAX_ITERATIONS,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=seed,
    )
    target = np.log1p(np.clip(targets(train), 0.0, None))
    artists = [r.artist_key for r in train] if embed else ["" for _ in train]
    network.fit(inputs.of(values, artists), target, sample_weight=weights)
    tested = [r.artist_key for r in test] if embed else ["" for _ in test]
    predicted = network.predict(inputs.of(matrix(test, split, layout), tested))
    return np.expm1(np.clip(np.asarray(predicted, dtype=np.float64), 0.0, None))
