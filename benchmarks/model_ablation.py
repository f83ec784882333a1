"""Each difference between our model and the plain one, taken one at a time, on the same rows.

For each listener of a set (`plain_model.listener_sets`; designs are chosen on `design`), each seed's
time split (other listeners' songs as zeros, the default), the model as shipped and the model with one
design choice undone are fitted on the same training rows and scored on the same test rows, beside the
plain model (`plain_model.py`). The choices: the blend with a booster on the listener's history alone,
the availability weighting, zeros drawn to match the streamed songs' feature availability, the four
artist columns beyond the artist's streams, the log target and the Tweedie power, the booster's
settings, the metadata columns, and the listener's skip-only songs as zeros (the plain model has
them); and one not shipped: the history booster learning the history as it stood when each song was
found (`found_history.py`). Beside them, a second model family on our rows and columns: a small neural
network (`neural_model.py`).

`--zeros=lone:shipped` measures each listener as if alone in their store (the `lone:` mode of
`model_quality`: training zeros from the shipped list rebuilt from half the other listeners, test zeros
the songs the other half streamed); "zeros unmatched" is then the shipped model (it redraws zeros of
other listeners only).

`--store=N` measures each listener in a store of few listeners: the others are halved at random per
seed as in the `lone:` mode, and the store holds N of the first half (the shipped list is rebuilt from
the whole first half); the test zeros are the songs the second half streamed, as there. `--zeros=`
then names the zeros drawn from that store, with the default fill (catalog songs, then the shipped
list), and a ratio after a colon: `others+shipped:0.5` draws half the zeros from each.

Usage: python -m benchmarks.model_ablation [SEEDS] [SET or NAME ...] [--designs=NAME,NAME] [--zeros=...]
    [--store=N]
e.g. `2 design`, `5 report --designs=shipped,plain`, `2 design --zeros=lone:shipped`,
`2 design --store=1 --zeros=others+shipped:0.5`
"""

from __future__ import annotations

import dataclasses
import functools
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from benchmarks.found_history import found_history
from benchmarks.listeners_store import SHARED, listeners_store
from benchmarks.model_quality import LONE, chosen
from benchmarks.neural_model import BLEND, NEURAL, NO_EMBEDDING, neural_predictions
from benchmarks.plain_model import PLAIN, plain_predictions, skip_rows, with_skips_tested
from musicflow.core.feature_spec import AUDIO_FEATURES
from musicflow.ingest.library_export import parse_library
from musicflow.model.dataset import (
    DEFAULT_ZEROS,
    TIME_SPLIT_QUANTILE,
    Split,
    ZeroStrategy,
    _only,
    _TimeCut,
    listener_rows,
    lone_time_split,
    time_split,
    zeros_at_cut,
)
from musicflow.model.estimator import CountRegressor
from musicflow.model.hygiene import layout_for, training_rows
from musicflow.model.library_marks import LibraryMarks
from musicflow.model.params import model_params
from musicflow.model.shipped import songs_streamed_by
from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.model.split_scores import (
    NEW_ARTISTS,
    SplitRows,
    answerable,
    matrix,
    score,
    score_groups,
    targets,
)
from musicflow.model.stream_scale import Matrix
from musicflow.model.training_rows import Row, RowKind, ZeroSource
from musicflow.model.vectorize import AFFINITY_COLUMNS, ARTIST_HISTORY_COLUMNS, KEY_COLUMNS, model_matrix
from musicflow.model.zeros import in_turns, others_zeros, wanted_zeros, zero_row
from musicflow.store.ports import Store

# LightGBM's own defaults, as the plain model has them (ours: see `CountRegressor`).
LIGHTGBM_DEFAULTS: Mapping[str, Any] = {
    "learning_rate": 0.1,
    "num_leaves": 31,
    "max_depth": -1,
    "min_child_samples": 20,
    "reg_lambda": 0.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "max_bin": 255,
}


@dataclass(frozen=True)
class Design:
    """Our model with some of its choices undone (the defaults: as shipped)."""

    params: Mapping[str, Any] = field(default_factory=dict)  # over `model_params`
    weighted: bool = True  # availability weighting (`balance.py`)
    matched_zeros: bool = True  # training zeros drawn per availability pattern (`zeros.py`)
    affinity: tuple[str, ...] = AFFINITY_COLUMNS  # artist columns
    metadata: bool = True  # columns beyond the audio features and the artist's
    skips: bool = False  # the listener's skip-only songs as training zeros
    found: bool = False  # the history booster learns the history as it stood when each song was found


DESIGNS: dict[str, Design] = {
    "shipped": Design(),
    "no blend": Design(params={"anchor_columns": None}),
    "no weighting": Design(weighted=False),
    "zeros unmatched": Design(matched_zeros=False),
    "streams only": Design(affinity=("artist_streams",)),
    "no genres": Design(affinity=ARTIST_HISTORY_COLUMNS),
    "raw target": Design(params={"target_transform": "none"}),
    "tweedie 1.5": Design(params={"tweedie_variance_power": 1.5}),
    "lgbm defaults": Design(params=LIGHTGBM_DEFAULTS),
    "no metadata": Design(metadata=False),
    "skips as zeros": Design(skips=True),
    "history as found": Design(found=True),
    # Beyond the plain model's differences: the size of the boosters and the weight of the history.
    "150 trees": Design(params={"n_estimators": 150, "anchor_estimators": 50}),
    "600 trees": Design(params={"n_estimators": 600, "anchor_estimators": 200}),
    "history weight 0.3": Design(params={"anchor_weight": 0.3}),
    "history weight 0.7": Design(params={"anchor_weight": 0.7}),
}
PLAIN_DESIGNS = (PLAIN, f"{PLAIN}, no skips")
# The library of the listener's export as two more columns: measured apart, never a headline figure. It
# has no dates and is taken at the export's end, so in a time split it knows which songs the listener
# went on to save; only listeners whose export has one are scored (the others: n/a).
LIBRARY = "with the library (leaks)"
METRICS = ("auc_others", "sp_plus", "auc_new", "auc_skipped")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    picked = [a.removeprefix("--designs=") for a in sys.argv[1:] if a.startswith("--designs=")]
    zeros = [a.removeprefix("--zeros=") for a in sys.argv[1:] if a.startswith("--zeros=")]
    stores = [int(a.removeprefix("--store=")) for a in sys.argv[1:] if a.startswith("--store=")]
    lone = bool(zeros) and zeros[0].startswith(LONE)
    strategy = DEFAULT_ZEROS
    if zeros:
        sources, _, ratio = zeros[0].removeprefix(LONE).partition(":")
        parsed = ZeroStrategy.parse(sources, float(ratio or 1))
        strategy = dataclasses.replace(parsed, fill=DEFAULT_ZEROS.fill) if stores else parsed
    seeds = tuple(range(int(args[0]) if args else 2))
    store, settings = listeners_store()
    snapshot = load_snapshot(store, stream_min_ms=30_000, precedence=settings.feature_precedence)
    names = chosen(snapshot, args[1:] or ["design"])
    designs = picked[0].split(",") if picked else [*DESIGNS, NEURAL, NO_EMBEDDING, BLEND, *PLAIN_DESIGNS]
    alone = " (as a listener alone in their store)" if lone else ""
    alone = f" (in a store of {stores[0]} other listeners)" if stores else alone
    print(f"seeds: {len(seeds)}; listeners: {', '.join(names)}; zeros: {strategy.label}{alone}\n")
    results: dict[str, dict[str, dict[str, float | None]]] = {}  # listener -> design -> metric
    for name in names:
        started = time.perf_counter()
        size = stores[0] if stores else None
        measured = measure(snapshot, name, designs, seeds, store, strategy, lone, size)
        if measured is not None:
            results[name] = measured
        print(f"({name}: {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print_table(results, designs)


def measure(
    snapshot: Snapshot,
    name: str,
    designs: Sequence[str],
    seeds: Sequence[int],
    store: Store | None,
    strategy: ZeroStrategy = DEFAULT_ZEROS,
    lone: bool = False,
    store_size: int | None = None,
) -> dict[str, dict[str, float | None]] | None:
    """Design -> metric -> mean over the seeds, for one listener; None when nothing could be scored."""
    profile_id = snapshot.profiles[name]
    allow = snapshot.allow_spotify
    train_skips, test_skips = skip_rows(snapshot, profile_id)
    runs: dict[str, list[dict[str, float | None]]] = {d: [] for d in designs}
    for seed in seeds:
        if store_size is not None:
            split = small_store_split(snapshot, profile_id, strategy, seed, store, store_size)
        else:
            builder = lone_time_split if lone else time_split
            split = builder(snapshot, profile_id, strategy, seed, store)
        split = with_skips_tested(split, test_skips)
        test = answerable(split.test, split, allow)
        if sum(r.is_positive for r in test) < 10:
            return None
        for design in designs:
            if design in PLAIN_DESIGNS:
                skips = train_skips if design == PLAIN else []
                predicted = plain_predictions(split, skips, test, seed, allow)
            elif design == LIBRARY:
                with_library = fit_with_library(snapshot, name, split, seed, test)
                if with_library is None:
                    runs[design].append(dict.fromkeys(METRICS))
                    continue
                predicted = with_library
            elif design in (NEURAL, BLEND, NO_EMBEDDING):
                train, weights, check = training_rows(list(split.train), allow)
                layout = layout_for(check, allow)
                embed = design != NO_EMBEDDING
                predicted = neural_predictions(train, weights, test, split, layout, seed, embed)
                if design == BLEND:  # the mean of the two in log(1 + streams)
                    ours = fit_ours(snapshot, profile_id, split, DESIGNS["shipped"], train_skips, seed, test)
                    predicted = np.expm1((np.log1p(predicted) + np.log1p(np.clip(ours, 0.0, None))) / 2)
            else:
                predicted = fit_ours(snapshot, profile_id, split, DESIGNS[design], train_skips, seed, test)
            runs[design].append(_scores(test, predicted, split, allow))
    return {d: {m: _mean([r[m] for r in rs]) for m in METRICS} for d, rs in runs.items()}


def fit_ours(
    snapshot: Snapshot,
    profile_id: int,
    split: Split,
    design: Design,
    skips: Sequence[Row],
    seed: int,
    test: Sequence[Row],
) -> Matrix:
    """Our model as `fit_and_score` fits it, with the choices `design` undoes, on the rows `test`."""
    allow = snapshot.allow_spotify
    rows = list(split.train)
    if not design.matched_zeros:
        rows = _unmatched(snapshot, profile_id, split, seed)
    if design.skips:
        rows += skips
    train, balanced, check = training_rows(rows, allow)
    layout = layout_for(check, allow)
    weights: Matrix | None = balanced
    if not design.weighted:
        train, weights = rows, None
    dropped = [c for c in AFFINITY_COLUMNS if c not in design.affinity]
    if not design.metadata:
        kept = {*AUDIO_FEATURES, *KEY_COLUMNS, *AFFINITY_COLUMNS}
        dropped += [c for c in layout.columns if c not in kept]
    layout = layout.without(dropped)
    params = {**model_params(design.params), "random_state": seed, "feature_names": layout.columns}
    table = SplitRows.of(train, split, allow)
    found = None
    if design.found:  # the same values but the affinity, as it stood when each song was found
        history = found_history(snapshot, profile_id, split).table(train, seed)
        found = None if history is None else model_matrix(table.values, history, layout)
    x, y = table.matrix(layout), targets(train)
    model = CountRegressor(**params).fit(x, y, sample_weight=weights, anchor_X=found)
    return model.predict(matrix(test, split, layout))


def library_columns(snapshot: Snapshot, name: str, rows: Sequence[Row]) -> Matrix | None:
    """Per row: the song is in the listener's Liked Songs, its artist followed (their export's
    `YourLibrary.json`, taken at the export's end: it knows what came after the cut-off); None without
    one."""
    marks = _library_of(name)
    if marks is None:
        return None
    columns = np.zeros((len(rows), 2))
    for i, row in enumerate(rows):
        song = snapshot.songs[row.song_id]
        standing = marks.of_song(song.artist, song.name)
        columns[i] = (float(standing.saved), float(standing.followed))
    return columns


@functools.cache
def _library_of(name: str) -> LibraryMarks | None:
    """The listener's library from their export in the shared data, read once."""
    path = SHARED / "histories" / "basic" / name / "YourLibrary.json"
    if not path.exists():
        return None
    return LibraryMarks.of(parse_library(orjson.loads(path.read_bytes())).entries)


def fit_with_library(
    snapshot: Snapshot, name: str, split: Split, seed: int, test: Sequence[Row]
) -> Matrix | None:
    """Our model with the library's two columns beside its own (a leak in this split: see `LIBRARY`)."""
    allow = snapshot.allow_spotify
    train, balanced, check = training_rows(list(split.train), allow)
    layout = layout_for(check, allow)
    extra_train = library_columns(snapshot, name, train)
    extra_test = library_columns(snapshot, name, test)
    if extra_train is None or extra_test is None:
        return None
    columns = [*layout.columns, "saved", "artist_followed"]
    params = {**model_params({}), "random_state": seed, "feature_names": columns}
    model = CountRegressor(**params).fit(
        np.hstack([matrix(train, split, layout), extra_train]), targets(train), sample_weight=balanced
    )
    return model.predict(np.hstack([matrix(test, split, layout), extra_test]))


def small_store_split(
    snapshot: Snapshot, profile_id: int, strategy: ZeroStrategy, seed: int, store: Store | None, size: int
) -> Split:
    """`lone_time_split` with the listener in a store of `size` of the first half of the others (the
    same halves, the same test zeros, whatever the strategy and its ratio)."""
    cut = _TimeCut.of(snapshot, profile_id, TIME_SPLIT_QUANTILE)
    train = listener_rows(snapshot, cut.plays, cut.before, ZeroSource.SKIPS in strategy.sources)
    test = listener_rows(snapshot, cut.plays, cut.after, False)
    rng = np.random.default_rng(seed)
    others = sorted(p for p in snapshot.plays if p != profile_id)
    halves = rng.permutation(len(others))
    donors = [others[int(i)] for i in halves[: len(others) // 2]]
    positives = [row for row in train + test if row.is_positive]
    testers = _only(snapshot, profile_id, set(others) - set(donors))
    count = round(len(positives) * (1 - TIME_SPLIT_QUANTILE))
    zero_test = others_zeros(testers, profile_id, wanted_zeros(positives, count, snapshot.allow_spotify), rng)
    zeros_of = dataclasses.replace(strategy, shipped=tuple(songs_streamed_by(snapshot, set(donors))))
    in_store = _only(snapshot, profile_id, set(donors[:size]))
    zero_train, draw = zeros_at_cut(in_store, profile_id, cut.cutoff, zeros_of, train, rng, store, zero_test)
    return cut.split("lone", snapshot, train + zero_train, test + zero_test, zeros=zeros_of, draw=draw)


def _unmatched(snapshot: Snapshot, profile_id: int, split: Split, seed: int) -> list[Row]:
    """The split's training rows with its zeros of other listeners drawn again, as many, owner-balanced
    but regardless of which features they have (never a test zero)."""
    drawn = [r for r in split.train if r.kind is RowKind.OTHERS]
    tested = {r.song_id for r in split.test}
    played = set(snapshot.plays[profile_id].song.tolist())
    pools = [
        sorted(set(plays.song[plays.is_stream].tolist()) - played - tested)
        for owner, plays in sorted(snapshot.plays.items())
        if owner != profile_id
    ]
    rng = np.random.default_rng(1_000 + seed)
    songs = in_turns([p for p in pools if p], len(drawn), rng)
    zeros = [zero_row(snapshot, song, RowKind.OTHERS) for song in sorted(songs)]
    return [r for r in split.train if r.kind is not RowKind.OTHERS] + zeros


def _scores(test: Sequence[Row], predicted: Matrix, split: Split, allow: bool) -> dict[str, float | None]:
    scores = score(test, predicted)
    new = score_groups(test, predicted, split, allow)[NEW_ARTISTS]
    return {
        "auc_others": scores["auc_others"],
        "sp_plus": scores["sp_plus"],
        "auc_new": new["auc_others"],
        "auc_skipped": scores["auc_skipped"],
    }


Results = Mapping[str, Mapping[str, Mapping[str, float | None]]]  # listener -> design -> metric -> mean


def print_table(results: Results, designs: Sequence[str]) -> None:
    """Per listener AUC / Sp+ of each design; then the means over listeners, with the differences from
    the shipped model and the listener it changes most for the worse."""
    names = list(results)
    print(f"{'design':22}" + "".join(f"{n[:15]:>16}" for n in names) + "   (AUC / Sp+)")
    for design in designs:
        cells = [
            f"{_num(results[n][design]['auc_others'])}/{_num(results[n][design]['sp_plus'])}" for n in names
        ]
        print(f"{design:22}" + "".join(f"{c:>16}" for c in cells))
    print()
    heads = ("AUC", "dAUC", "Sp+", "dSp+", "AUC new", "dAUC new", "AUC skips", "worst dAUC")
    print(f"{'design':22}" + "".join(f"{h:>11}" for h in heads))
    base = "shipped" if "shipped" in designs else designs[0]
    for design in designs:
        means = {m: _mean([results[n][design][m] for n in names]) for m in METRICS}
        bases = {m: _mean([results[n][base][m] for n in names]) for m in METRICS}
        deltas = [
            (results[n][design]["auc_others"] or 0) - (results[n][base]["auc_others"] or 0)
            for n in names
            if results[n][design]["auc_others"] is not None
        ]
        worst = min(deltas) if deltas else None
        cells = [
            _num(means["auc_others"]),
            _delta(means["auc_others"], bases["auc_others"]),
            _num(means["sp_plus"]),
            _delta(means["sp_plus"], bases["sp_plus"]),
            _num(means["auc_new"]),
            _delta(means["auc_new"], bases["auc_new"]),
            _num(means["auc_skipped"]),
            _num(worst, signed=True),
        ]
        print(f"{design:22}" + "".join(f"{c:>11}" for c in cells))


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.mean(known) if known else None


def _delta(value: float | None, base: float | None) -> str:
    return "n/a" if value is None or base is None else f"{value - base:+.3f}"


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


if __name__ == "__main__":
    main()
