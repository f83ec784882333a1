"""The evaluation protocol of docs/model-evaluation.md, measured into a plain, JSON-ready `Evaluation`.

Time split (train on plays before the 70th percentile of stream times, test on songs first heard after)
and a random split by song (labelled optimistic), each over several seeds, each with the reference rows
fitted on the same split, plus the data hygiene that must be read beside any score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from musicflow.core.perf import collector_paused
from musicflow.features.merge import source_label
from musicflow.model.dataset import Split, ZeroStrategy, lone_time_split, random_split, time_split
from musicflow.model.hygiene import balanced_check, pattern_sizes, source_mix
from musicflow.model.reports import Coverage, Evaluation, SplitEvaluation, Spread, left_out_of
from musicflow.model.snapshot import Snapshot
from musicflow.model.split_scores import GROUPS, MODELS, Scored, answerable, fit_and_score
from musicflow.model.training_rows import RowKind
from musicflow.store.ports import Store

DEFAULT_SEEDS = (0, 1, 2)
# How the splits are drawn. 2: a time split's training zeros are drawn from the store as it stood at
# its cut (`dataset.zeros_at_cut`); under 1 they could never be a song the listener streamed later.
PROTOCOL = 2
SKIPS_NOTE = (
    "the AUC against skips compares streamed songs with songs you started and skipped: you chose to start "
    "them, so they look like your taste, and a value near or below 0.5 means the model cannot tell a "
    "skip from a stream, not that it is wrong about your taste"
)
METRICS = (
    "auc",
    "auc_others",
    "auc_skipped",
    "auc_catalog",
    "auc_shipped",
    "sp_plus",
    "mae",
    "rmse",
    "sp_plus_window",
    "sp_exposure",
)
Progress = Callable[[str, float], None]


SplitBuilder = Callable[..., Split]
SPLITS: Mapping[str, tuple[SplitBuilder, bool]] = {
    "time": (time_split, False),
    "random": (random_split, True),
    "lone": (lone_time_split, False),  # benchmarks: a listener alone, in a store that holds others
}


def evaluate_profile(
    snapshot: Snapshot,
    profile: str,
    *,
    strategy: ZeroStrategy,
    params: Mapping[str, Any],
    seeds: Sequence[int] = DEFAULT_SEEDS,
    splits: Sequence[str] = ("time", "random"),
    store: Store | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    profile_id = snapshot.profiles[profile]
    results = []
    made_up: list[tuple[str, str]] = []  # (split, what the zeros lacked and what made up for it)
    notes: list[str] = []  # what could not be measured, on any split, said once
    steps = len(splits) * len(seeds)
    for i, name in enumerate(splits):
        builder, optimistic = SPLITS[name]
        runs = []
        for j, seed in enumerate(seeds):
            if progress:
                progress(f"evaluating: {name} split, seed {seed}", (i * len(seeds) + j) / steps)
            with collector_paused():  # tens of thousands of rows, tables and facts, none cyclic
                split = builder(snapshot, profile_id, strategy, seed, store)
                scored = fit_and_score(snapshot, profile_id, split, strategy, seed, params)
            note = split.draw.note()
            if note:
                made_up.append((name, note))
            runs.append((split, scored))
        results.append(_summarise(name, optimistic, list(seeds), runs, snapshot.allow_spotify))
        notes += [note for _, scored in runs for note in scored.notes]
    notes = list(dict.fromkeys(notes))
    notes += [f"{name} split: {note}" for name, note in made_up[:1]]
    notes += [_pattern_note(s) for s in results[:1] if s.features.patterns.auc_raw is not None]
    if any("skipped" in s.test_sizes for s in results):
        notes.append(SKIPS_NOTE)
    coverage = coverage_of(snapshot, profile_id)
    return Evaluation(profile, strategy.label, results, coverage, notes, protocol=PROTOCOL)


def evaluated_left_out(
    snapshot: Snapshot,
    profile: str,
    *,
    strategy: ZeroStrategy,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    splits: Sequence[str] = ("time", "random"),
    store: Store | None = None,
) -> dict[str, str]:
    """What `evaluate_profile` would find the models it evaluates leave out, without fitting them: the
    feature checks of each split's training rows, as the evaluation records them (its first seed)."""
    profile_id = snapshot.profiles[profile]
    checks = []
    for name in splits:
        with collector_paused():
            split = SPLITS[name][0](snapshot, profile_id, strategy, seeds[0], store)
            checks.append((name, balanced_check(split.train, snapshot.allow_spotify)[1]))
    return left_out_of(checks)


def _summarise(
    name: str,
    optimistic: bool,
    seeds: list[int],
    runs: list[tuple[Split, Scored]],
    allow_spotify: bool,
) -> SplitEvaluation:
    first_split, first = runs[0]
    metrics = {
        model: {
            metric: Spread.of([s.results[model].get(metric) for _, s in runs if model in s.results])
            for metric in METRICS
        }
        for model in (*MODELS, *GROUPS)
        if any(model in s.results for _, s in runs)
    }
    return SplitEvaluation(
        split=name,
        optimistic=optimistic,
        seeds=seeds,
        metrics=metrics,
        train_sizes=_sizes(first_split.train),
        test_sizes=_sizes(first_split.test),
        features=first.check,
        source_mix=source_mix(first_split.train),
        cutoff=first_split.cutoff,
        answered=_sizes(answerable(first_split.test, first_split, allow_spotify)),
    )


def _pattern_note(split: SplitEvaluation) -> str:
    """How the training rows were checked for a leak through missing features (see `balance.py`)."""
    check = split.features.patterns
    rows = pattern_sizes(check.rows)
    left_out = (
        f"; not trained on (one class lacks them): {', '.join(check.left_out)}" if check.left_out else ""
    )
    return (
        f"which features a song has (audio / metadata / none) tells streamed songs from zeros with AUC "
        f"{check.auc_raw:.2f} in the training rows of the {split.split} split ({rows}){left_out}; the model "
        f"trains on them weighed so that it tells them apart with AUC {check.auc_weighted or 0.5:.2f}"
    )


def _sizes(rows: Sequence[Any]) -> dict[str, int]:
    counts = Counter(RowKind.STREAMED.value if r.is_positive else r.kind.value for r in rows)
    return dict(sorted(counts.items()))


def coverage_of(snapshot: Snapshot, profile_id: int) -> Coverage | None:
    """Share of the listener's played songs and streams with features, and the sources they came from."""
    plays = snapshot.plays.get(profile_id)
    if plays is None:
        return None
    streams = Counter(plays.song[plays.is_stream].tolist())
    songs = set(plays.song.tolist())
    covered = [s for s in songs if snapshot.songs[s].has_features]
    by_source: Counter[str] = Counter()
    for song in covered:
        by_source.update({source_label(a) for a in snapshot.songs[song].features.contributors()})
    total_streams = sum(streams.values())
    return Coverage(
        songs=len(songs),
        songs_with_features=len(covered),
        streams=total_streams,
        streams_with_features=sum(streams[s] for s in covered),
        by_source=dict(by_source),
    )
