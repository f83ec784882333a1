"""Row weights that keep the pattern of missing features from telling streamed songs from zeros.

The listener's songs and the zeros are not known equally well: a catalog may know half of one listener's
songs and most of another's. Trained on them as they are, a model would learn "no features, so streamed"
(model-evaluation.md, trap 2). Each row is weighed so that, in both classes, the same share of the
weight falls on songs with audio features, with metadata only and with nothing but their artist: the
pattern then says nothing about the class. A pattern one class (almost) lacks cannot be balanced and is
left out of training. `pattern_check` shows how much the pattern told before and after weighing.

Within a pattern, the values catalogs hold for some songs and not others (`BALANCED_VALUES`: the release
year, popularity) are balanced too, where both classes have enough songs of each kind: otherwise a
catalog that dates more of the listener's songs than of the zeros makes "has a release year" tell the
classes apart, and the feature check (`hygiene.py`) has to leave the year out of the model altogether.
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


BALANCED_VALUES = ("release_year", "popularity")  # held by some catalogs' rows and not by others
Cell = tuple[Availability, tuple[str, ...] | None]  # None: a pattern's rows taken together


def patterns(rows: Sequence[Row], allow_spotify: bool) -> list[Availability]:
    return [row.availability(allow_spotify) for row in rows]


def cells(rows: Sequence[Row], allow_spotify: bool) -> list[Cell]:
    """Each row's pattern and which of `BALANCED_VALUES` it has: a cell of its own where both classes have
    at least MIN_ROWS_PER_PATTERN rows of that kind. The other rows of a pattern join its largest such
    cell (no row loses weight that its pattern alone would give it), or, where it has none, the pattern
    is one cell."""
    fine = [
        (row.availability(allow_spotify), tuple(v for v in BALANCED_VALUES if v in row.usable(allow_spotify)))
        for row in rows
    ]
    counts = Counter(zip(fine, (row.is_positive for row in rows), strict=True))
    sizes = Counter(fine)
    enough = [
        cell
        for cell in sizes
        if counts[(cell, True)] >= MIN_ROWS_PER_PATTERN and counts[(cell, False)] >= MIN_ROWS_PER_PATTERN
    ]
    largest: dict[Availability, Cell] = {}
    for cell in sorted(enough, key=lambda c: (-sizes[c], c[1] or ())):
        largest.setdefault(cell[0], cell)
    kept = set(enough)
    return [cell if cell in kept else largest.get(cell[0], (cell[0], None)) for cell in fine]


def pattern_weights(rows: Sequence[Row], allow_spotify: bool) -> Weights:
    """Weights making each availability pattern (and each kind of row within it, `cells`) hold the same
    share of both classes' weight.

    The shares are those of all rows together; each class keeps its total weight (its row count among
    the cells that are kept).
    """
    found = cells(rows, allow_spotify)
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
