from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pytest

from musicflow.model.estimator import CountRegressor
from musicflow.model.tree_shap import ZERO_THRESHOLD, TreeContributions

Matrix = npt.NDArray[np.float64]
BASE = {"verbose": -1, "deterministic": True, "num_threads": 1, "seed": 3}


def _data(rows: int = 800, features: int = 6, seed: int = 0) -> tuple[Matrix, Matrix]:
    """Values on both sides of 0, missing at random, and a label that depends on the values, on
    whether the first is missing (LightGBM then splits "missing or not", at an infinite threshold),
    and on exact zeros in the second."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, (rows, features))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[rng.random(rows) < 0.2, 1] = 0.0
    missing = np.isnan(x[:, 0])
    clean = np.nan_to_num(x)
    y = 2.0 + 1.5 * missing + clean[:, 1] + (x[:, 1] == 0.0) + 3.0 * np.sin(4.0 * clean[:, -1]) * clean[:, -2]
    y = rng.poisson(np.maximum(y, 0.1)).astype(np.float64)
    return x, y


def _train(params: dict[str, Any], rounds: int = 25, features: int = 6) -> tuple[lgb.Booster, Matrix]:
    x, y = _data(features=features)
    booster = lgb.train({**BASE, **params}, lgb.Dataset(x, y, params={"verbose": -1}), rounds)
    return booster, x


def _awkward_rows(booster: lgb.Booster, features: int) -> Matrix:
    """Rows a split can get wrong: each split's feature exactly at its threshold and one step either
    side; NaN, 0, -0, values LightGBM reads as 0 and the first it does not, and infinities."""
    specials = [
        np.nan,
        0.0,
        -0.0,
        ZERO_THRESHOLD,
        -ZERO_THRESHOLD,
        np.nextafter(ZERO_THRESHOLD, 1.0),
        np.nextafter(-ZERO_THRESHOLD, -1.0),
        1e-36,
        np.inf,
        -np.inf,
    ]
    thresholds: set[tuple[int, float]] = set()

    def walk(node: dict[str, Any]) -> None:
        if "split_feature" in node:
            thresholds.add((int(node["split_feature"]), float(node["threshold"])))
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    rng = np.random.default_rng(1)
    rows = []
    for feature, threshold in sorted(thresholds):
        for value in (threshold, np.nextafter(threshold, -np.inf), np.nextafter(threshold, np.inf)):
            row = rng.uniform(-1.0, 1.0, features)
            row[feature] = value
            rows.append(row)
    for value in specials:
        rows.append(np.full(features, value))
        row = rng.uniform(-1.0, 1.0, features)
        row[rng.random(features) < 0.5] = value
        rows.append(row)
    return np.array(rows)


def _assert_same(booster: lgb.Booster, x: Matrix, **options: int) -> TreeContributions:
    tables = TreeContributions(booster, **options)
    assert tables.fallback is None
    expected = np.asarray(booster.predict(x, pred_contrib=True), dtype=np.float64)
    np.testing.assert_allclose(tables.contributions(x), expected, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(tables.raw_score(x), booster.predict(x, raw_score=True))
    raw, contributions = tables.raw_score_and_contributions(x)
    np.testing.assert_array_equal(raw, booster.predict(x, raw_score=True))
    np.testing.assert_allclose(contributions, expected, rtol=0, atol=1e-10)
    assert tables.expected_value == pytest.approx(expected[0, -1], abs=1e-12)
    return tables


MODELS = {
    "regression": {"objective": "regression", "num_leaves": 15, "max_depth": 6},
    "zero as missing": {"objective": "regression", "num_leaves": 15, "zero_as_missing": True},
    "no missing values": {"objective": "regression", "num_leaves": 15, "use_missing": False},
    "tweedie, shallow": {"objective": "tweedie", "num_leaves": 3, "max_depth": 2},
    "tweedie, our shape": {
        "objective": "tweedie",
        "num_leaves": 15,
        "max_depth": 5,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "feature_fraction": 0.8,
    },
    "tweedie, deep": {"objective": "tweedie", "num_leaves": 24, "max_depth": 10, "min_data_in_leaf": 3},
    "poisson, no average": {"objective": "poisson", "num_leaves": 7, "boost_from_average": False},
}


@pytest.mark.parametrize("params", MODELS.values(), ids=MODELS.keys())
def test_contributions_and_raw_score_equal_lightgbms(params: dict[str, Any]) -> None:
    booster, x = _train(params)
    _assert_same(booster, np.vstack([x[:200], _awkward_rows(booster, x.shape[1])]))


def test_a_tweedie_booster_starts_from_the_average_which_is_in_the_bias() -> None:
    booster, x = _train(MODELS["tweedie, our shape"])
    tables = _assert_same(booster, x[:50])
    _, y = _data()
    assert tables.expected_value == pytest.approx(np.log(y.mean()), abs=0.2)


@pytest.mark.parametrize("group_bits", [1, 3, 12])
def test_any_grouping_of_the_leaves_gives_the_same_numbers(group_bits: int) -> None:
    """1: a table per leaf or pair of sibling leaves; 12: tables indexed by two bytes."""
    booster, x = _train(MODELS["tweedie, deep"], rounds=8)
    _assert_same(booster, np.vstack([x[:100], _awkward_rows(booster, x.shape[1])]), group_bits=group_bits)


def test_a_feature_split_on_again_below_itself_counts_once() -> None:
    booster, x = _train({"objective": "regression", "num_leaves": 20, "max_depth": 8}, features=2)
    _assert_same(booster, np.vstack([x[:200], _awkward_rows(booster, 2)]))


def test_trees_without_a_split_are_their_leaf() -> None:
    x, _ = _data()
    y = np.full(len(x), 3.0)
    booster = lgb.train({**BASE, "objective": "regression"}, lgb.Dataset(x, y, params={"verbose": -1}), 5)
    tables = _assert_same(booster, x[:20])
    assert np.all(tables.contributions(x[:20])[:, :-1] == 0.0)


def test_the_count_model_blend_of_two_boosters() -> None:
    """The model as MusicFlow trains it: two boosters written as one with weighted leaves."""
    x, y = _data(rows=1500, features=8)
    names = ("a", "b", "c", "d", "e", "f", "artist_share", "artist_streams")
    model = CountRegressor(
        n_estimators=40,
        feature_names=names,
        anchor_columns=("artist_share", "artist_streams"),
        anchor_estimators=15,
        anchor_weight=0.4,
    ).fit(x, y)
    assert model.booster_.num_trees() == 55
    tables = _assert_same(model.booster_, np.vstack([x[:300], _awkward_rows(model.booster_, 8)]))
    rows = x[:300]
    np.testing.assert_allclose(tables.contributions(rows), model.contributions(rows), rtol=0, atol=1e-10)


def test_more_rows_than_one_chunk_and_no_rows() -> None:
    booster, x = _train(MODELS["regression"])
    tables = _assert_same(booster, x)
    assert tables.contributions(x[:0]).shape == (0, x.shape[1] + 1)
    assert tables.raw_score(x[:0]).shape == (0,)


def test_rows_of_the_wrong_width_are_refused() -> None:
    booster, x = _train(MODELS["regression"], rounds=2)
    tables = TreeContributions(booster)
    with pytest.raises(ValueError, match="6 features"):
        tables.contributions(x[:, :5])
    with pytest.raises(ValueError, match="6 features"):
        tables.raw_score(x[0])


def _categorical() -> tuple[lgb.Booster, Matrix]:
    x, y = _data()
    x[:, 4] = np.floor(np.abs(np.nan_to_num(x[:, 4])) * 6)
    y = y + 2.0 * (x[:, 4] == 3)
    data = lgb.Dataset(x, y, categorical_feature=[4], params={"verbose": -1})
    return lgb.train({**BASE, "objective": "regression", "num_leaves": 7}, data, 10), x


def test_a_model_the_tables_do_not_cover_is_answered_by_lightgbm_and_says_why() -> None:
    categorical, x = _categorical()
    deep, deep_x = _train({"objective": "regression", "num_leaves": 150, "min_data_in_leaf": 2}, rounds=2)
    assert max(_depths(deep)) > 10
    for booster, rows, reason in ((categorical, x, "categorical split"), (deep, deep_x, "splits deep")):
        tables = TreeContributions(booster)
        assert tables.fallback is not None and reason in tables.fallback
        expected = np.asarray(booster.predict(rows, pred_contrib=True), dtype=np.float64)
        np.testing.assert_array_equal(tables.contributions(rows), expected)
        np.testing.assert_array_equal(tables.raw_score(rows), booster.predict(rows, raw_score=True))
        assert tables.expected_value == pytest.approx(expected[0, -1])


def test_a_multiclass_model_is_answered_by_lightgbm() -> None:
    x, y = _data()
    booster = lgb.train(
        {**BASE, "objective": "multiclass", "num_class": 3}, lgb.Dataset(x, np.minimum(y, 2)), 3
    )
    tables = TreeContributions(booster)
    assert tables.fallback is not None and "multi-class" in tables.fallback
    np.testing.assert_array_equal(tables.contributions(x[:5]), booster.predict(x[:5], pred_contrib=True))


def _depths(booster: lgb.Booster) -> list[int]:
    def depth(node: dict[str, Any]) -> int:
        if "leaf_value" in node:
            return 0
        return 1 + max(depth(node["left_child"]), depth(node["right_child"]))

    return [depth(tree["tree_structure"]) for tree in booster.dump_model()["tree_info"]]


def test_models_loaded_one_after_another_each_answer_as_themselves() -> None:
    """The tables of the model last loaded are taken again for the same text, never for another's."""
    first, x = _train(MODELS["tweedie, our shape"])
    second, _ = _train(MODELS["regression"])
    for booster in (first, second, first, first):
        tables = TreeContributions.of_text(booster.model_to_string(), lambda: booster)  # noqa: B023
        expected = np.asarray(booster.predict(x[:100], pred_contrib=True), dtype=np.float64)
        np.testing.assert_allclose(tables.contributions(x[:100]), expected, rtol=0, atol=1e-10)
