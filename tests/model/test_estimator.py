from __future__ import annotations

from typing import Any

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


def _anchored_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(4)
    x = rng.random((600, 5))
    x[rng.random((600, 5)) < 0.1] = np.nan
    y = rng.poisson(1 + 3 * np.nan_to_num(x[:, 1]) + np.nan_to_num(x[:, 4])).astype(np.float64)
    return x, y


NAMES = ("a", "b", "c", "d", "e")


def test_an_anchored_model_is_the_average_of_a_full_and_a_history_only_booster() -> None:
    x, y = _anchored_data()
    plain = CountRegressor(n_estimators=40, feature_names=NAMES).fit(x, y)
    history = np.full_like(x, np.nan)
    history[:, [1, 4]] = x[:, [1, 4]]
    # 10 trees that learn four times as much each: the same total learning rate as 40
    alone = CountRegressor(n_estimators=10, learning_rate=0.12, feature_names=NAMES).fit(history, y)
    anchored = CountRegressor(
        n_estimators=40,
        feature_names=NAMES,
        anchor_columns=("e", "b"),
        anchor_weight=0.25,
        anchor_estimators=10,
    ).fit(x, y)
    assert anchored.booster_.num_trees() == 50
    raw = np.asarray(anchored.booster_.predict(x, raw_score=True))
    full_raw = np.asarray(plain.booster_.predict(x, raw_score=True))
    history_raw = np.asarray(alone.booster_.predict(history, raw_score=True))
    expected = 0.75 * full_raw + 0.25 * history_raw
    np.testing.assert_allclose(raw, expected, rtol=0, atol=1e-12)
    assert not np.allclose(anchored.predict(x), plain.predict(x))
    contributions = anchored.contributions(x[:5])  # reasons still add up to the answer
    answered = np.expm1(np.exp(contributions.sum(axis=1)))
    np.testing.assert_allclose(answered, anchored.predict(x[:5]), rtol=1e-6)


@pytest.mark.parametrize("anchor", [("zzz",), NAMES])
def test_an_anchor_on_no_column_or_on_every_column_is_the_plain_model(anchor: tuple[str, ...]) -> None:
    x, y = _anchored_data()
    plain = CountRegressor(n_estimators=30, feature_names=NAMES).fit(x, y)
    anchored = CountRegressor(n_estimators=30, feature_names=NAMES, anchor_columns=anchor).fit(x, y)
    np.testing.assert_array_equal(anchored.predict(x), plain.predict(x))


def test_an_anchor_needs_column_names_and_a_weight_between_0_and_1() -> None:
    x, y = _anchored_data()
    with pytest.raises(ValueError, match="feature_names"):
        CountRegressor(n_estimators=5, anchor_columns=("a",)).fit(x, y)
    with pytest.raises(ValueError, match="between 0 and 1"):
        CountRegressor(n_estimators=5, feature_names=NAMES, anchor_columns=("a",), anchor_weight=2).fit(x, y)
    with pytest.raises(ValueError, match="at least one tree"):
        CountRegressor(n_estimators=5, feature_names=NAMES, anchor_columns=("a",), anchor_estimators=0).fit(
            x, y
        )


def test_the_history_booster_learns_from_anchor_x_when_given() -> None:
    x, y = _anchored_data()
    params: dict[str, Any] = {
        "n_estimators": 30,
        "feature_names": NAMES,
        "anchor_columns": ("b",),
        "anchor_estimators": 10,
    }
    own = CountRegressor(**params).fit(x, y)
    same = CountRegressor(**params).fit(x, y, anchor_X=x.copy())
    np.testing.assert_array_equal(same.predict(x), own.predict(x))
    other = x.copy()
    other[:, 1] = x[::-1, 1]  # the history column of other rows: the history booster learns noise
    other[:, 0] = 99.0  # a column the history booster never reads
    moved = CountRegressor(**params).fit(x, y, anchor_X=other)
    assert not np.allclose(moved.predict(x), own.predict(x))
    plain = CountRegressor(**{**params, "anchor_columns": None}).fit(x, y)
    full_raw = np.asarray(plain.booster_.predict(x, raw_score=True))
    history = np.full_like(x, np.nan)
    history[:, 1] = other[:, 1]
    alone = CountRegressor(n_estimators=10, learning_rate=0.09, feature_names=NAMES).fit(history, y)
    history[:, 1] = x[:, 1]  # answering, it reads the rows' own history
    expected = 0.5 * full_raw + 0.5 * np.asarray(alone.booster_.predict(history, raw_score=True))
    np.testing.assert_allclose(moved.booster_.predict(x, raw_score=True), expected, rtol=0, atol=1e-12)


def test_anchor_x_of_other_rows_is_refused() -> None:
    x, y = _anchored_data()
    model = CountRegressor(n_estimators=5, feature_names=NAMES, anchor_columns=("b",))
    with pytest.raises(ValueError, match="same rows"):
        model.fit(x, y, anchor_X=x[:10])
