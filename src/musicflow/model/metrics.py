"""The protocol's headline metrics: Sp+ (how much), AUC (whether), MAE and RMSE of the clipped count."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from sklearn.metrics import roc_auc_score

from musicflow.model.training_rows import MAX_STREAMS

Array = npt.NDArray[np.float64]
MIN_FOR_RANKING = 5  # fewer rows than this on either side: the metric is not reported


def spearman(a: Array, b: Array) -> float | None:
    """Rank correlation with average ranks for ties; None when it is undefined."""
    if len(a) < MIN_FOR_RANKING:
        return None
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return None
    return float(np.corrcoef(ra, rb)[0, 1])


def auc(positive_scores: Array, zero_scores: Array) -> float | None:
    if len(positive_scores) < MIN_FOR_RANKING or len(zero_scores) < MIN_FOR_RANKING:
        return None
    labels = np.r_[np.ones(len(positive_scores)), np.zeros(len(zero_scores))]
    return float(roc_auc_score(labels, np.r_[positive_scores, zero_scores]))


def mae(truth: Array, predicted: Array) -> float:
    return float(np.mean(np.abs(truth - np.clip(predicted, 0, MAX_STREAMS)))) if len(truth) else math.nan


def rmse(truth: Array, predicted: Array) -> float:
    if not len(truth):
        return math.nan
    return float(np.sqrt(np.mean((truth - np.clip(predicted, 0, MAX_STREAMS)) ** 2)))


def _ranks(values: Array) -> Array:
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values), dtype=np.float64)
    sorted_values = values[order]
    # Average the ranks of ties, so a constant block does not get an arbitrary order.
    _, starts, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        if count > 1:
            ranks[order[start : start + count]] = start + (count - 1) / 2
    return ranks
