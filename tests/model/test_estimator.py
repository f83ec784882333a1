from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.utils.estimator_checks import check_estimator

from musicflow.model.estimator import CountRegressor


def test_follows_the_scikit_learn_contract() -> None:
    results = check_estimator(
        CountRegressor(n_estimators=50, learning_rate=0.1, min_child_samples=5), on_fail=None
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
    contributions = model.contributions(x[:3])
    np.testing.assert_allclose(np.exp(contributions.sum(axis=1)), first[:3], rtol=1e-6)
