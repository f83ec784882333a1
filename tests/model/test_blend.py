from __future__ import annotations

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pytest

from musicflow.model.blend import blend_models

PARAMS = {"objective": "tweedie", "verbose": -1, "num_leaves": 7, "deterministic": True, "seed": 1}


def _data() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    rng = np.random.default_rng(0)
    x = rng.random((600, 4))
    x[rng.random((600, 4)) < 0.1] = np.nan
    y = rng.poisson(1 + 3 * np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 3])).astype(np.float64)
    return x, y


def _boosters() -> tuple[lgb.Booster, lgb.Booster, npt.NDArray[np.float64]]:
    x, y = _data()
    full = lgb.train(PARAMS, lgb.Dataset(x, y), 30)
    first_column = np.full_like(x, np.nan)
    first_column[:, 0] = x[:, 0]
    alone = lgb.train(PARAMS, lgb.Dataset(first_column, y), 20)
    return full, alone, x


def test_the_blend_scores_and_explains_as_the_weighted_sum_of_both() -> None:
    full, alone, x = _boosters()
    blended = lgb.Booster(model_str=blend_models(full.model_to_string(), alone.model_to_string(), 0.7))
    assert blended.num_trees() == full.num_trees() + alone.num_trees()

    def raw(booster: lgb.Booster) -> npt.NDArray[np.float64]:
        return np.asarray(booster.predict(x, raw_score=True), dtype=np.float64)

    def explained(booster: lgb.Booster) -> npt.NDArray[np.float64]:
        return np.asarray(booster.predict(x, pred_contrib=True), dtype=np.float64)

    np.testing.assert_allclose(raw(blended), 0.7 * raw(full) + 0.3 * raw(alone), rtol=0, atol=1e-12)
    expected = 0.7 * explained(full) + 0.3 * explained(alone)
    np.testing.assert_allclose(explained(blended), expected, rtol=0, atol=1e-12)


def test_the_blend_survives_a_round_trip_through_its_text() -> None:
    full, alone, x = _boosters()
    blended = lgb.Booster(model_str=blend_models(full.model_to_string(), alone.model_to_string(), 0.5))
    again = lgb.Booster(model_str=blended.model_to_string())
    np.testing.assert_array_equal(again.predict(x), blended.predict(x))


def test_a_weight_of_one_is_the_first_booster() -> None:
    full, alone, x = _boosters()
    blended = lgb.Booster(model_str=blend_models(full.model_to_string(), alone.model_to_string(), 1.0))
    np.testing.assert_allclose(blended.predict(x), full.predict(x), rtol=1e-12)


def test_boosters_that_cannot_be_blended_are_refused() -> None:
    full, alone, _ = _boosters()
    x, y = _data()
    regression = lgb.train({**PARAMS, "objective": "regression"}, lgb.Dataset(x, y), 5)
    narrower = lgb.train(PARAMS, lgb.Dataset(x[:, :2], y), 5)
    with pytest.raises(ValueError, match="same objective"):
        blend_models(full.model_to_string(), regression.model_to_string(), 0.5)
    with pytest.raises(ValueError, match="same columns"):
        blend_models(full.model_to_string(), narrower.model_to_string(), 0.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        blend_models(full.model_to_string(), alone.model_to_string(), 1.5)
    with pytest.raises(ValueError, match="not a LightGBM model"):
        blend_models("hello", alone.model_to_string(), 0.5)
