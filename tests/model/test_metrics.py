"""The protocol's AUC is scikit-learn's, to the last bit, and None where it is not defined."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from musicflow.model.metrics import MIN_FOR_RANKING, auc


def _sklearn(positive: np.ndarray, zeros: np.ndarray) -> float:
    labels = np.r_[np.ones(len(positive)), np.zeros(len(zeros))]
    return float(roc_auc_score(labels, np.r_[positive, zeros]))


@pytest.mark.parametrize("seed", range(40))
def test_auc_is_scikit_learns_to_the_last_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    positive_count, zero_count = rng.integers(MIN_FOR_RANKING, 3000, size=2)
    # Counts of streams, predictions rounded to a few values (many ties) or continuous ones.
    decimals = [0, 1, 2, 8][seed % 4]
    positive = np.round(rng.gamma(2.0, 2.0, positive_count), decimals)
    zeros = np.round(rng.gamma(1.5, 2.0, zero_count), decimals)
    assert auc(positive, zeros) == _sklearn(positive, zeros)


def test_auc_of_ties_constant_scores_and_perfect_orders() -> None:
    same = np.full(10, 3.0)
    assert auc(same, same) == _sklearn(same, same) == 0.5
    low, high = np.arange(6, dtype=np.float64), np.arange(10, 16, dtype=np.float64)
    assert auc(high, low) == _sklearn(high, low) == 1.0
    assert auc(low, high) == _sklearn(low, high) == 0.0
    mixed = np.array([0.0, -0.0, 1.0, 1.0, 2.0, 0.5])
    assert auc(mixed, mixed[::-1] + 0.25) == _sklearn(mixed, mixed[::-1] + 0.25)


def test_auc_is_none_with_too_few_rows_on_either_side() -> None:
    few, many = np.arange(MIN_FOR_RANKING - 1.0), np.arange(50.0)
    assert auc(few, many) is None
    assert auc(many, few) is None


def test_auc_refuses_scores_that_are_not_numbers() -> None:
    with pytest.raises(ValueError, match="finite"):
        auc(np.array([1.0, 2.0, np.nan, 3.0, 4.0]), np.arange(5.0))
