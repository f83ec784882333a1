"""The count model: LightGBM with a Poisson or Tweedie loss, small and regularised.

Follows the scikit-learn estimator contract (parameters set in `__init__` and nothing else, learned
state in attributes ending with `_`), so `clone`, `get_params` and grid searches work. The target is
heavy-tailed (half the songs are streamed once), which is why a count loss beats L2 here, and why the
booster is fitted on log(1 + streams) by default (`target_transform`; `predict` answers in streams).
Given the same data and `random_state`, the fitted model is the same, bit for bit (single-threaded,
deterministic mode).

With `anchor_columns`, a second booster is fitted on those columns alone (the listener's history) and
averaged in, raw score with raw score, weighted by `anchor_weight`; the two are written as one booster
(`blend.py`). On the public listeners this average ranks new songs better than either booster alone:
the booster on every column leans on audio features that, for some listeners, carry less than their
history (`docs/model-quality.md`, "Anchored on the listener's history"). The history booster may learn
from other values of the same rows (`fit`'s `anchor_X`: the history as it stood when each song was
found, `found_affinity.py`).
"""

from __future__ import annotations

from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from musicflow.model.blend import blend_models
from musicflow.model.stream_scale import Matrix, streams_from

# "log1p": fitted on log(1 + streams), which tempers the heavy tail (a song streamed 30 times no longer
# dominates the loss) and ranks new songs better; predictions are turned back into streams.
TARGET_TRANSFORMS = ("log1p", "none")


class CountRegressor(RegressorMixin, BaseEstimator):  # type: ignore[misc]
    """Predicts how many times a song will be streamed; see the module docstring."""

    def __init__(
        self,
        objective: str = "tweedie",
        tweedie_variance_power: float = 1.3,
        n_estimators: int = 300,
        learning_rate: float = 0.03,
        num_leaves: int = 15,
        max_depth: int = 5,
        min_child_samples: int = 20,
        reg_lambda: float = 5.0,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        max_bin: int = 63,
        n_jobs: int = 1,
        random_state: int = 0,
        feature_names: tuple[str, ...] | None = None,
        target_transform: str = "log1p",
        anchor_columns: tuple[str, ...] | None = None,
        anchor_weight: float = 0.5,
        anchor_estimators: int | None = None,
    ) -> None:
        self.objective = objective
        self.tweedie_variance_power = tweedie_variance_power
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.max_bin = max_bin
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.feature_names = feature_names
        self.target_transform = target_transform
        self.anchor_columns = anchor_columns
        self.anchor_weight = anchor_weight
        self.anchor_estimators = anchor_estimators

    def lightgbm_params(self) -> dict[str, Any]:
        """The parameters as LightGBM names them (stored with the model)."""
        params: dict[str, Any] = {
            "objective": self.objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_data_in_leaf": self.min_child_samples,
            "lambda_l2": self.reg_lambda,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1.0 else 0,
            "feature_fraction": self.colsample_bytree,
            "max_bin": self.max_bin,
            "num_threads": self.n_jobs,
            "seed": self.random_state,
            "deterministic": True,
            "force_col_wise": True,
            "verbose": -1,
        }
        if self.objective == "tweedie":
            params["tweedie_variance_power"] = self.tweedie_variance_power
        return params

    def fit(
        self,
        X: Matrix,  # noqa: N803 - scikit-learn's names
        y: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
        anchor_X: Matrix | None = None,  # noqa: N803
    ) -> CountRegressor:
        """Fit on `X`; with `anchor_columns`, the history booster learns those columns of `anchor_X`
        when given (the same rows, each with the listener's history as it stood when the song was
        found: `found_affinity.py`), of `X` otherwise."""
        x, y_checked = validate_data(
            self, X, y, ensure_all_finite="allow-nan", y_numeric=True, dtype=np.float64
        )
        if x.shape[0] < 2:
            raise ValueError(f"a count model needs more than 1 sample, got n_samples = {x.shape[0]}")
        if np.any(np.asarray(y_checked) < 0):
            raise ValueError("counts cannot be negative")
        names: list[str] | Literal["auto"] = list(self.feature_names) if self.feature_names else "auto"
        if self.feature_names and len(self.feature_names) != x.shape[1]:
            raise ValueError(f"{len(self.feature_names)} feature names for {x.shape[1]} columns")
        if self.target_transform not in TARGET_TRANSFORMS:
            raise ValueError(f"unknown target transform {self.target_transform!r}")
        label = np.log1p(y_checked) if self.target_transform == "log1p" else y_checked
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weight is not None and (weight.shape != (x.shape[0],) or np.any(weight < 0)):
            raise ValueError("sample weights must be one non-negative number per row")
        if weight is not None and not weight.any():
            raise ValueError("all sample weights are zero: there is nothing to learn from")
        anchored = self._anchored(names, x.shape[1])
        # Boosters that are blended are read as text once, by the blend (`_train`'s `blended`).
        booster = self._train(x, label, weight, names, blended=anchored is not None)
        if anchored is not None:
            source = x if anchor_X is None else np.asarray(anchor_X, dtype=np.float64)
            if source.shape != x.shape:
                raise ValueError(f"anchor_X is {source.shape}, X {x.shape}: they must be the same rows")
            history = np.full_like(x, np.nan)
            history[:, anchored] = source[:, anchored]
            anchor = self._train(history, label, weight, names, self.anchor_estimators, blended=True)
            blended = blend_models(
                booster.model_to_string(), anchor.model_to_string(), 1.0 - self.anchor_weight
            )
            booster = lgb.Booster(model_str=blended)
        self.booster_ = booster
        return self

    def _train(
        self,
        x: Matrix,
        label: Matrix,
        weight: Matrix | None,
        names: list[str] | Literal["auto"],
        rounds: int | None = None,
        blended: bool = False,
    ) -> lgb.Booster:
        """A booster of `rounds` trees (default `n_estimators`); with fewer, each tree learns as much
        more as keeps their total learning rate the same. `blended`: only its model text will be read
        (LightGBM's training booster writes the same text as the lighter one it otherwise turns into,
        through a round trip of that text that the blend would repeat)."""
        data = lgb.Dataset(
            x,
            label=label,
            weight=weight,
            feature_name=names,
            params={"max_bin": self.max_bin, "verbose": -1},
        )
        trees = self.n_estimators if rounds is None else rounds
        if trees < 1:
            raise ValueError(f"a booster needs at least one tree, got {trees}")
        params = self.lightgbm_params()
        if trees != self.n_estimators:
            params["learning_rate"] = self.learning_rate * self.n_estimators / trees
        return lgb.train(params, data, num_boost_round=trees, keep_training_booster=blended)

    def _anchored(self, names: list[str] | Literal["auto"], width: int) -> list[int] | None:
        """The indices of the anchor columns, or None when there is nothing to anchor on: no anchor
        asked for, none of its columns in the data, or nothing but them (the blend would be the same)."""
        if not self.anchor_columns:
            return None
        if not 0.0 <= self.anchor_weight <= 1.0:
            raise ValueError(f"anchor_weight is between 0 and 1, got {self.anchor_weight}")
        if names == "auto":
            raise ValueError("anchor_columns needs feature_names to find the columns by name")
        wanted = set(self.anchor_columns)
        indices = [i for i, name in enumerate(names) if name in wanted]
        if not indices or len(indices) == width or self.anchor_weight == 0.0:
            return None
        return indices

    def predict(self, X: Matrix) -> Matrix:  # noqa: N803
        check_is_fitted(self, "booster_")
        x = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        raw = np.asarray(self.booster_.predict(x, num_threads=1), dtype=np.float64)
        return streams_from(raw, self.target_transform)

    def contributions(self, X: Matrix) -> Matrix:  # noqa: N803
        """Per-feature contributions (log scale) plus the bias in the last column, per row."""
        check_is_fitted(self, "booster_")
        return np.asarray(self.booster_.predict(X, pred_contrib=True, num_threads=1), dtype=np.float64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.positive_only = True
        return tags
