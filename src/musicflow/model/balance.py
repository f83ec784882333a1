"""Row weights that keep the pattern of missing features from telling streamed songs from zeros.

The listener's songs and the zeros are not known equally well: a catalog may know half of one listener's
songs and most of another's. Trained on them as they are, a model would learn "no features, so streamed"
(model-evaluation.md, trap 2). Each row is weighed so that, in both classes, the same share of the
weight falls on songs with audio features, with metadata only and with nothing but their artist: the
pattern then says nothing about the class. A pattern one class (almost) lacks cannot be balanced and is
left out of training. `pattern_check` shows how much the pattern told before and after weighing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from musicflow.model.basis import Availability
from musicflow.model.reports import PatternCheck
from musicflow.model.training_rows import Row

MIN_ROWS_PER_PATTERN = 10  # fewer rows of one class in a pattern: the pattern is not trained on
Weights = npt.NDArray[np.float64]


def patterns(rows: Sequence[Row], allow_spotify: bool) -> list[Availability]:
    return [row.availability(allow_spotify) for row in rows]


def pattern_weights(rows: Sequence[Row], allow_spotify: bool) -> Weights:
    """Weights making each availability pattern hold the same share of both classes' weight.

    The shares are those of all rows together; each class keeps its total weight (its row count among
    the patterns that are kept).
    """
    found = patterns(rows, allow_spotify)
    positive = np.array([row.is_positive for row in rows], dtype=np.bool_)
    counts = Counter(zip(found, positive.tolist(), strict=True))
    kept = {
        p
        for p in set(found)
        if counts[(p, True)] >= MIN_ROWS_PER_PATTERN and counts[(p, False)] >= MIN_ROWS_PER_PATTERN
    }
    total_kept = sum(counts[(p, c)] for p in kept for c in (True, False))
    weights = np.zeros(len(rows), dtype=np.float64)
    if not total_kept:
        return weights
    class_total = {c: sum(counts[(p, c)] for p in kept) for c in (True, False)}
    for i, (pattern, is_positive) in enumerate(zip(found, positive.tolist(), strict=True)):
        if pattern not in kept:
            continue
        share = (counts[(pattern, True)] + counts[(pattern, False)]) / total_kept
        weights[i] = class_total[is_positive] * share / counts[(pattern, is_positive)]
    return weights


def pattern_check(rows: Sequence[Row], weights: Weights, allow_spotify: bool) -> PatternCheck:
    found = patterns(rows, allow_spotify)
    positive = np.array([row.is_positive for row in rows], dtype=np.bool_)
    check = PatternCheck()
    for pattern in Availability:
        members = np.array([p is pattern for p in found], dtype=np.bool_)
        if members.any():
            check.rows[pattern.value] = {
                "streamed": int((members & positive).sum()),
                "zeros": int((members & ~positive).sum()),
            }
            if not weights[members].any():
                check.left_out.append(pattern.value)
    check.auc_raw = _pattern_auc(found, positive, np.ones(len(rows)))
    check.auc_weighted = _pattern_auc(found, positive, weights)
    return check


def _pattern_auc(
    found: list[Availability], positive: npt.NDArray[np.bool_], weights: Weights
) -> float | None:
    """AUC of the best guess from the pattern alone: the weighted share of streamed rows in it."""
    from sklearn.metrics import roc_auc_score

    if len(set(positive[weights > 0].tolist())) < 2:
        return None
    share: dict[Availability, float] = {}
    for pattern in set(found):
        members = np.array([p is pattern for p in found], dtype=np.bool_)
        total = float(weights[members].sum())
        share[pattern] = float(weights[members & positive].sum()) / total if total else 0.0
    scores = np.array([share[p] for p in found], dtype=np.float64)
    return float(roc_auc_score(positive, scores, sample_weight=weights))
