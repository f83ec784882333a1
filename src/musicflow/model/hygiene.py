"""Data hygiene: which features may enter the model, and the facts shown beside every score.

A feature enters only if positives and zeros have it with the same probability: when popularity exists
for catalog rows of one kind only, its absence tells the classes apart and the score is a leak, not taste
(model-evaluation.md, trap 2). Each kind of zero is checked on its own against the positives, on the rows
as the model sees them (weighted so that the pattern of availability says nothing about the class).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.errors import Hint, NotEnoughDataError
from musicflow.features.merge import source_label
from musicflow.model.balance import MIN_ROWS_PER_PATTERN, Weights, pattern_check, pattern_weights
from musicflow.model.reports import FeatureCheck
from musicflow.model.training_rows import Row, RowKind
from musicflow.model.vectorize import GENRE_MATCH, FeatureLayout, required_features

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
        raise nothing_to_learn(check.patterns.rows)
    return kept, weights[weights > 0], check


def nothing_to_learn(sizes: dict[str, dict[str, int]]) -> NotEnoughDataError:
    """The error of rows in which no availability pattern holds enough streamed songs and zeros, saying
    what would give them: songs like the streamed ones that the listener did not stream (a catalog with
    their features, another listener's history), or more of the listener's own history."""
    counts = pattern_sizes(sizes) or "no rows"
    enough = [p for p, c in sizes.items() if c.get("streamed", 0) >= MIN_ROWS_PER_PATTERN]
    if not enough:
        return NotEnoughDataError(
            f"nothing to learn from: fewer than {MIN_ROWS_PER_PATTERN} streamed songs with the same kind "
            f"of features ({counts}); more of this listener's listening history would give more",
            hint=Hint.INGEST,
        )
    return NotEnoughDataError(
        f"nothing to learn from: fewer than {MIN_ROWS_PER_PATTERN} zeros (songs the listener did not "
        f"stream) with the features of the streamed songs ({counts}); add a catalog with audio features "
        "(of the listener's songs and of songs they did not stream), or the listening history of "
        "another listener",
        hint=Hint.ADD_ZEROS,
    )


def pattern_sizes(rows: Mapping[str, Mapping[str, int]]) -> str:
    """The rows of each availability pattern, as notes and errors say them ("audio: 1,176 streamed, 1,060
    zeros; none: ...")."""
    return "; ".join(
        f"{pattern}: {counts.get('streamed', 0):,} streamed, {counts.get('zeros', 0):,} zeros"
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
            for name in row.usable(allow_spotify):
                present[name] += weight
    return {name: present[name] / total for name in FEATURE_NAMES}


def check_features(
    rows: Sequence[Row],
    allow_spotify: bool,
    max_gap: float = MAX_AVAILABILITY_GAP,
    weights: Sequence[float] | None = None,
) -> FeatureCheck:
    """Availability per class, as the model sees the rows; features whose availability differs between
    the streamed songs and a kind of zeros are dropped.

    With `weights` (see `balance.py`), the rows of weight 0 are left out and each kind of zeros is
    compared with the streamed songs weighed so that the two have the same share of each availability
    pattern (their own pattern weights): a kind that makes up for the zeros of one pattern is judged on
    the songs of that pattern. Without, every row counts once.
    """
    weighted = list(zip(rows, weights if weights is not None else [1.0] * len(rows), strict=True))
    classes = _classes(weighted)
    check = FeatureCheck(rows={name: sum(1 for _, w in members if w) for name, members in classes.items()})
    shares = {name: availability(members, allow_spotify) for name, members in classes.items()}
    streamed = RowKind.STREAMED.value
    compared: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    for name, members in classes.items():
        if name == streamed:
            continue
        if weights is None:
            compared[name] = (shares.get(streamed, {}), shares[name])
        else:
            compared[name] = _balanced(classes.get(streamed, []), members, allow_spotify)
            shares[name] = compared[name][1]
    overall = availability(weighted, allow_spotify)
    for feature in FEATURE_NAMES:
        check.availability[feature] = {name: round(s.get(feature, 0.0), 4) for name, s in shares.items()}
        if overall.get(feature, 0.0) < MIN_AVAILABILITY:
            check.dropped[feature] = "not available"
            continue
        for name, (positives, zeros) in compared.items():
            if check.rows[name] < MIN_ROWS_CHECKED:
                continue
            ours, theirs = positives.get(feature, 0.0), zeros.get(feature, 0.0)
            if abs(ours - theirs) > max_gap:
                check.dropped[feature] = (
                    f"available for {ours:.0%} of streamed songs but {theirs:.0%} of {name} zeros: "
                    "its absence would tell them apart"
                )
                break
    genres_left_out = _genres_left_out(check.rows)
    if genres_left_out:
        check.dropped[GENRE_MATCH] = genres_left_out
    return check


def _genres_left_out(rows: Mapping[str, int]) -> str | None:
    """Why the genre match is left out, or None. It enters when most zeros are other listeners' songs:
    with zeros from the shipped list or a catalog, which the public genre sources cover more than a
    listener's own songs, it learned that coverage and lost AUC on new songs (docs/model-quality.md)."""
    zeros = {
        name: n for name, n in rows.items() if name not in (RowKind.STREAMED.value, RowKind.SKIPPED.value)
    }
    others = zeros.get(RowKind.OTHERS.value, 0)
    if not zeros or others * 2 >= sum(zeros.values()):
        return None
    return "most zeros are not other listeners' songs: which songs have known genres would tell them apart"


def _balanced(
    positives: Sequence[tuple[Row, float]], zeros: Sequence[tuple[Row, float]], allow_spotify: bool
) -> tuple[dict[str, float], dict[str, float]]:
    """Availability of the streamed songs and of one kind of zeros, weighed by the pattern weights of
    these rows alone (the rows of weight 0 left out)."""
    ours = [row for row, weight in positives if weight]
    theirs = [row for row, weight in zeros if weight]
    weights = pattern_weights(ours + theirs, allow_spotify).tolist()
    return (
        availability(list(zip(ours, weights[: len(ours)], strict=True)), allow_spotify),
        availability(list(zip(theirs, weights[len(ours) :], strict=True)), allow_spotify),
    )


def layout_for(check: FeatureCheck, allow_spotify: bool) -> FeatureLayout:
    """The full layout without the columns computed from a dropped feature."""
    full = FeatureLayout.full(allow_spotify)
    dropped = [
        c for c in full.columns if c in check.dropped or any(f in check.dropped for f in required_features(c))
    ]
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
