from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_estimator

from musicflow.model.estimator import CountRegressor


def test_follows_the_scikit_learn_contract() -> None:
    results = check_estimator(
        CountRegressor(n_estimators=50, learning_rate=0.1, min_child_samples=5),
        on_fail=None,
        expected_failed_checks={
            "check_sample_weight_equivalence_on_dense_data": (
                "LightGBM's leaf sizes and row sampling count rows, so a weight of 2 is not two copies"
            )
        },
    )
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert not failed


def test_deterministic_given_a_seed_and_clonable() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((500, 6))
    x[rng.random((500, 6)) < 0.1] = np.nan
    y = rng.poisson(1 + 3 * np.nan_to_num(x[:, 0]))
    model = CountRegressor(n_estimators=40, subsample=0.7, random_state=3)
    first = model.fit(x, y).predict(x)
    second = clone(model).fit(x, y).predict(x)
    np.testing.assert_array_equal(first, second)
    assert clone(model).get_params() == model.get_params()
    contributions = model.contributions(x[:3])  # the booster fits log(1 + streams) on a log link
    np.testing.assert_allclose(np.expm1(np.exp(contributions.sum(axis=1))), first[:3], rtol=1e-6)


def test_without_a_target_transform_the_booster_predicts_streams() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((400, 4))
    y = rng.poisson(1 + 4 * x[:, 0])
    raw = CountRegressor(n_estimators=40, target_transform="none").fit(x, y)
    contributions = raw.contributions(x[:3])
    np.testing.assert_allclose(np.exp(contributions.sum(axis=1)), raw.predict(x[:3]), rtol=1e-6)
    logged = CountRegressor(n_estimators=40).fit(x, y)
    assert abs(logged.predict(x).mean() - y.mean()) < 0.5 * y.mean()  # answers in streams, not logs
    assert np.corrcoef(logged.predict(x), x[:, 0])[0, 1] > 0.8


def test_an_unknown_target_transform_is_refused() -> None:
    with pytest.raises(ValueError, match="target transform"):
        CountRegressor(target_transform="sqrt").fit(np.ones((5, 2)), np.arange(5))
