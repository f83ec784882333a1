"""A two-part count model: will the listener stream the song at all, and how much if they do.

The expected streams are P(streamed) x E[streams | streamed]: a LightGBM classifier on every row (the
zeros included, weighed like the one-part model's rows) and a `CountRegressor` on the streamed rows
only, so "how much" is learnt among songs the listener did stream, not mostly from telling zeros apart.
"""

from __future__ import annotations

from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from musicflow.model.estimator import CountRegressor, Matrix


class TwoPartRegressor(CountRegressor):
    """`CountRegressor`'s parameters for both parts; `booster_` is the classifier, `count_` the count."""

    def fit(
        self,
        X: Matrix,  # noqa: N803 - scikit-learn's names
        y: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> TwoPartRegressor:
        x = np.asarray(X, dtype=np.float64)
        target = np.asarray(y, dtype=np.float64)
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        streamed = target > 0
        counts = CountRegressor(**self.get_params())
        self.count_ = counts.fit(x[streamed], target[streamed], None if weight is None else weight[streamed])
        params: dict[str, Any] = {**self.lightgbm_params(), "objective": "binary"}
        params.pop("tweedie_variance_power", None)
        names: list[str] | Literal["auto"] = list(self.feature_names) if self.feature_names else "auto"
        data = lgb.Dataset(
            x, label=streamed.astype(np.float64), weight=weight, feature_name=names, params={"verbose": -1}
        )
        self.booster_ = lgb.train(params, data, num_boost_round=self.n_estimators)
        self.n_features_in_ = x.shape[1]
        return self

    def predict(self, X: Matrix) -> Matrix:  # noqa: N803
        x = np.asarray(X, dtype=np.float64)
        chance = np.asarray(self.booster_.predict(x, num_threads=1), dtype=np.float64)
        return chance * self.count_.predict(x)
