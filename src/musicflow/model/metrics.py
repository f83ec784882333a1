"""The protocol's headline metrics: Sp+ (how much), AUC (whether), MAE and RMSE of the clipped count.

The AUC is scikit-learn's `roc_auc_score`, computed here as it computes it (the area under the ROC
curve by the trapezoidal rule, through the same points): one evaluation asks for a hundred AUCs, and
the checks around scikit-learn's own took most of their time. tests/model/test_metrics.py holds the
two to the same value, to the last bit.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

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
    scores = np.r_[positive_scores, zero_scores].astype(np.float64)
    if not np.isfinite(scores).all():
        raise ValueError("an AUC of scores that are not all finite numbers")
    labels = np.r_[np.ones(len(positive_scores)), np.zeros(len(zero_scores))]
    order = np.argsort(scores, kind="stable")[::-1]  # highest first; ties are counted together below
    scores, labels = scores[order], labels[order]
    # The last row of each distinct score: the thresholds of the ROC curve.
    ends = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    true_pos = np.cumsum(labels)[ends]  # whole numbers: exact in any order within a tie
    false_pos = 1 + ends.astype(np.float64) - true_pos
    if len(false_pos) > 2:  # points on a straight segment do not change the area: left out, as sklearn does
        corners = np.r_[True, np.logical_or(np.diff(false_pos, 2), np.diff(true_pos, 2)), True]
        true_pos, false_pos = true_pos[corners], false_pos[corners]
    tpr = np.r_[0.0, true_pos] / true_pos[-1]
    fpr = np.r_[0.0, false_pos] / false_pos[-1]
    return float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2.0, dtype=np.float64))


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
