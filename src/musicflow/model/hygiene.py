"""Data hygiene: which features may enter the model, and the facts shown beside every score.

A feature enters only if positives and zeros have it with the same probability: when popularity exists
for catalog rows of one kind only, its absence tells the classes apart and the score is a leak, not taste
(model-evaluation.md, trap 2). Each kind of zero is checked on its own against the positives, on the rows
as the model sees them (weighted so that the pattern of availability says nothing about the class).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.errors import Hint, NotEnoughDataError
from musicflow.features.merge import source_label
from musicflow.model.balance import Weights, pattern_check, pattern_weights
from musicflow.model.reports import FeatureCheck
from musicflow.model.rows import Row, RowKind
from musicflow.model.vectorize import FeatureLayout, required_features, usable_values

MAX_AVAILABILITY_GAP = 0.05  # "a few points"
MIN_AVAILABILITY = 0.01  # below this a feature is as good as absent
MIN_ROWS_CHECKED = 30  # a zero kind with fewer rows cannot be checked meaningfully


def balanced_check(rows: Sequence[Row], allow_spotify: bool) -> tuple[Weights, FeatureCheck]:
    """The weights the model trains with (see `balance.py`), and the hygiene of the rows so weighed:
    whether the availability pattern still tells the classes apart, and which features are left out."""
    weights = pattern_weights(rows, allow_spotify)
    check = check_features(rows, allow_spotify, weights=weights.tolist())
    check.patterns = pattern_check(rows, weights, allow_spotify)
    return weights, check


def training_rows(rows: Sequence[Row], allow_spotify: bool) -> tuple[list[Row], Weights, FeatureCheck]:
    """The rows the model trains on (those `balanced_check` gives weight), their weights, the hygiene."""
    weights, check = balanced_check(rows, allow_spotify)
    kept = [row for row, weight in zip(rows, weights.tolist(), strict=True) if weight > 0]
    if not kept:
        raise NotEnoughDataError(
            f"too few zeros to train on ({_sizes(check.patterns.rows)}): the history of another "
            "listener or a catalog would give more",
            hint=Hint.FETCH_FEATURES,
        )
    return kept, weights[weights > 0], check


def _sizes(rows: dict[str, dict[str, int]]) -> str:
    return "; ".join(
        f"{pattern}: {counts.get('streamed', 0)} streamed, {counts.get('zeros', 0)} zeros"
        for pattern, counts in rows.items()
    )


def availability(rows: Sequence[tuple[Row, float]] | Sequence[Row], allow_spotify: bool) -> dict[str, float]:
    """Share of the (weighted) rows holding each feature-table value."""
    weighted = [item if isinstance(item, tuple) else (item, 1.0) for item in rows]
    total = sum(weight for _, weight in weighted)
    if not total:
        return {}
    present: defaultdict[str, float] = defaultdict(float)
    for row, weight in weighted:
        if weight:
            for name in usable_values(row.features, allow_spotify):
                present[name] += weight
    return {name: present[name] / total for name in FEATURE_NAMES}


def check_features(
    rows: Sequence[Row],
    allow_spotify: bool,
    max_gap: float = MAX_AVAILABILITY_GAP,
    weights: Sequence[float] | None = None,
) -> FeatureCheck:
    """Availability per class, as the model sees the rows (weighted by `weights`, see `balance.py`);
    features whose availability differs between classes are dropped."""
    weighted = list(zip(rows, weights if weights is not None else [1.0] * len(rows), strict=True))
    classes = _classes(weighted)
    check = FeatureCheck(rows={name: sum(1 for _, w in members if w) for name, members in classes.items()})
    shares = {name: availability(members, allow_spotify) for name, members in classes.items()}
    positives = shares.get(RowKind.STREAMED.value, {})
    overall = availability(weighted, allow_spotify)
    for feature in FEATURE_NAMES:
        check.availability[feature] = {name: round(s.get(feature, 0.0), 4) for name, s in shares.items()}
        if overall.get(feature, 0.0) < MIN_AVAILABILITY:
            check.dropped[feature] = "not available"
            continue
        for name, share in shares.items():
            if name == RowKind.STREAMED.value or check.rows[name] < MIN_ROWS_CHECKED:
                continue
            gap = abs(positives.get(feature, 0.0) - share.get(feature, 0.0))
            if gap > max_gap:
                check.dropped[feature] = (
                    f"available for {positives.get(feature, 0.0):.0%} of streamed songs but "
                    f"{share.get(feature, 0.0):.0%} of {name} zeros: its absence would tell them apart"
                )
                break
    return check


def layout_for(check: FeatureCheck, allow_spotify: bool) -> FeatureLayout:
    """The full layout without the columns computed from a dropped feature."""
    full = FeatureLayout.full(allow_spotify)
    dropped = [c for c in full.columns if any(f in check.dropped for f in required_features(c))]
    return full.without(dropped)


def _classes(rows: Sequence[tuple[Row, float]]) -> dict[str, list[tuple[Row, float]]]:
    classes: dict[str, list[tuple[Row, float]]] = {}
    for row, weight in rows:
        name = RowKind.STREAMED.value if row.is_positive else row.kind.value
        classes.setdefault(name, []).append((row, weight))
    return classes


def source_mix(rows: Sequence[Row]) -> dict[str, dict[str, int]]:
    """Which sources (and catalogs) the values of each class came from: they should look alike."""
    mix: dict[str, Counter[str]] = {}
    for row in rows:
        name = RowKind.STREAMED.value if row.is_positive else row.kind.value
        labels = {source_label(answer) for answer in row.features.contributors()}
        mix.setdefault(name, Counter()).update(labels)
    return {name: dict(counter) for name, counter in mix.items()}
