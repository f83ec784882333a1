"""How model commands show their results to people."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from musicflow.app.results import evaluation_document, lineage_document, training_report_document
from musicflow.app.vocabulary import (
    COIN_TOSS,
    DEFAULT_PROFILE,
    FEATURE_NAMES,
    OURS,
    Evaluation,
    Prediction,
    age_words,
    ranks_above,
    row_name,
    streams_shown,
)
from musicflow.cli.render import moment, narrowest, print_whole
from musicflow.core.plurals import counted, listed, sentence
from musicflow.core.sizes import size_words
from musicflow.core.timezone import iso_utc

if TYPE_CHECKING:
    from musicflow.app.types import (
        AliasMove,
        FeatureCheck,
        ModelVersion,
        Pruning,
        Publication,
        Reproduction,
        SongRequest,
        SplitEvaluation,
        Spread,
        Training,
        TrainingRound,
        Unanswered,
    )

# What `models list` shows of each version: the time split's AUC against each kind of zeros, and Sp+.
VERSION_METRICS = (
    ("AUC others", "auc_others"),
    ("AUC skips", "auc_skipped"),
    ("AUC all", "auc"),
    ("Sp+", "sp_plus"),
)
# The availability patterns of `model/basis.py`, as the training report names the songs of each.
PATTERN_WORDS = {
    "audio": "with audio features",
    "metadata": "with metadata only",
    "none": "known by their artist only",
}
AUC_MEANING = (
    "AUC: how many times in 100 a model ranks a song you streamed above one you did not, as a share "
    "(0.75: 75 times in 100; 0.50: a coin toss)."
)
SP_MEANING = (
    "Sp+: how well its order of the songs you streamed matches how much you streamed them (0: chance)."
)
# What each AUC of `models list` ranks against, as its caption says it.
VERSION_AUC_WORDS = {
    "auc_others": "other listeners' songs",
    "auc_skipped": "your own skip-only songs",
    "auc": (
        "all songs you did not stream of the version's test (random catalog songs, where a version used"
        " them, flatter it)"
    ),
}


def version_caption(keys: Sequence[str]) -> str:
    """What `models list` says under its table, for the AUCs it shows (`keys`)."""
    against = listed([VERSION_AUC_WORDS[key] for key in keys if key in VERSION_AUC_WORDS])
    return (
        f"Time split. {AUC_MEANING} Against {against}. {SP_MEANING} A version newly trained serves only if"
        " it ranks your songs at least as well as the one serving, both measured on the same data."
    )


METRIC_COLUMNS = (
    ("AUC others", "auc_others"),
    ("AUC skips", "auc_skipped"),
    ("AUC all", "auc"),
    ("Sp+", "sp_plus"),
    ("MAE", "mae"),
    ("RMSE", "rmse"),
)
# The AUC a split's sentence names, the first this model has: (column, key, the songs it ranks against).
AUC_KINDS = (
    ("AUC others", "auc_others", "against songs other listeners streamed"),
    ("AUC skips", "auc_skipped", "against songs you only skipped"),
    ("AUC all", "auc", "against every test song you did not stream"),
)
# The rows of an evaluation table in the order they are read: this model, the references, then this model
# on each kind of song (a stored evaluation may come back with its models in another order).
ROW_ORDER = (
    "ours",
    "artist affinity alone",
    "training mean",
    "no data of this listener",
    "ours: artists you stream",
    "ours: artists new to you",
    "ours: audio features",
    "ours: metadata only",
    "ours: history only",
)


def _spread(value: Spread | None) -> str:
    if value is None or value.mean is None:
        return "n/a"
    return f"{value.mean:.2f}±{value.std:.2f}" if value.std else f"{value.mean:.2f}"


def evaluation(console: Console, found: Evaluation) -> None:
    """The evaluation tables: one per split, each with what its AUC means, then the data hygiene and the
    evaluation's own notes (what could not be measured, and why)."""
    for split in found.splits:
        label = split.label()
        title = sentence(label)
        shown = [(label, key) for label, key in METRIC_COLUMNS if _measured(split, key)]
        rows = [
            (row_name(model), [_spread(scores.get(key)) for _, key in shown])
            for model, scores in _in_order(split.metrics)
        ]
        table = _scores_table(title, [label for label, _ in shown], rows)
        if narrowest(console, table) > console.width:  # each number's spread on a line of its own
            stacked = [(name, [cell.replace("±", "\n±") for cell in cells]) for name, cells in rows]
            table = _scores_table(title, [label.replace(" ", "\n") for label, _ in shown], stacked)
        print_whole(console, table)
        auc = _auc_sentence(split)
        if auc:
            console.print(f"  {auc}", highlight=False)
        console.print(
            f"  {_tested(split)}; train: {_sizes(_streamed_first(split.train_sizes))};"
            f" seeds {', '.join(map(str, split.seeds))}",
            highlight=False,
        )
    if found.splits:
        hygiene(console, found.splits[0].features)
    if any("catalog" in split.test_sizes for split in found.splits):
        console.print(f"  note: {_catalog_note(found)}", highlight=False)
    coverage = found.coverage
    if coverage:
        console.print(
            f"Features: {coverage.songs_with_features:,} of {coverage.songs:,} songs, "
            f"{coverage.streams_with_features:,} of {coverage.streams:,} streams; "
            f"sources: {_sizes(coverage.by_source)}",
            highlight=False,
        )
    for note in found.notes:
        console.print(f"  note: {note}", highlight=False, markup=False)


def _scores_table(title: str, labels: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> Table:
    """The models' scores: the model's name wraps where the terminal is narrow, a number never does."""
    table = Table(title=title)
    table.add_column("model", overflow="fold")
    for label in labels:
        table.add_column(label, justify="right", no_wrap=True)
    for name, cells in rows:
        table.add_row(name, *cells)
    return table


def _in_order(metrics: Mapping[str, Mapping[str, Spread]]) -> list[tuple[str, Mapping[str, Spread]]]:
    place = {name: i for i, name in enumerate(ROW_ORDER)}
    return sorted(metrics.items(), key=lambda item: place.get(item[0], len(place)))


def _measured(split: SplitEvaluation, key: str) -> bool:
    return any(_spread(m.get(key)) != "n/a" for m in split.metrics.values())


def _auc_sentence(split: SplitEvaluation) -> str | None:
    """What this model's AUC means on this split, said with the first kind of zeros it was measured on."""
    for label, key, against in AUC_KINDS:
        auc = split.headline(OURS, key)
        if auc is not None:
            return f"{label} {auc:.2f}: this model {ranks_above(auc)}, {against} ({COIN_TOSS})"
    return None


def _catalog_note(found: Evaluation) -> str:
    """Why AUC all flatters the model when catalog songs were zeros, naming the honest AUCs measured."""
    honest = [
        words
        for key, words in (
            ("auc_skipped", "AUC skips (your own skip-only songs)"),
            ("auc_others", "AUC others (other listeners' songs)"),
        )
        if any(_measured(split, key) for split in found.splits)
    ]
    said = (
        "AUC all counts random catalog songs as zeros: they differ from anyone's listening, so it flatters "
        "the model"
    )
    if not honest:
        return said
    if len(honest) == 1:
        return f"{said}; {honest[0]} is the honest one"
    return f"{said}; {' and '.join(honest)} are the honest ones"


def hygiene(console: Console, check: FeatureCheck) -> None:
    """How often each feature is present in each class of training rows, and whether the model uses it."""
    classes = sorted({name for shares in check.availability.values() for name in shares})
    if not classes:
        return
    table = Table(title="Feature availability per class (training rows of the time split, evaluated above)")
    table.add_column("feature")
    for name in classes:
        table.add_column(name, justify="right")
    table.add_column("in the model evaluated")
    order = {name: i for i, name in enumerate(FEATURE_NAMES)}  # the feature table's, however it was stored
    for feature, shares in sorted(
        check.availability.items(), key=lambda f: (order.get(f[0], len(order)), f[0])
    ):
        cells = [f"{shares.get(name, 0.0):.0%}" for name in classes]
        table.add_row(feature, *cells, check.dropped.get(feature, "used"))
    console.print(table)


def training(console: Console, document: Mapping[str, Any]) -> None:
    """What the model that serves learned from (every row, not the time split's), the zeros made up, the
    features left out of it (those the evaluated model left out among them)."""
    rows = document.get("rows", {})
    console.print(
        f"The model that serves trained on every row: {_sizes(rows)}"
        f" (zeros: {document.get('zero_strategy', '?')}).",
        highlight=False,
    )
    zeros = document.get("zeros") or {}
    wanted = zeros.get("wanted") or {}
    for pattern, made_up in (zeros.get("made_up") or {}).items():
        console.print(
            f"  zeros {PATTERN_WORDS.get(pattern, pattern)}: {_sizes(made_up)} made up for what the "
            f"first sources lacked ({wanted.get(pattern, '?')} wanted)",
            highlight=False,
        )
    dropped = document.get("dropped_features") or {}
    for feature, reason in dropped.items():
        console.print(f"  left out: {feature}: {reason}", highlight=False, markup=False)
    from musicflow.app.ranker_choice import RankerChoice
    from musicflow.app.training import SONGS_NOT_ASKED

    unasked = int(document.get(SONGS_NOT_ASKED) or 0)
    if unasked:
        console.print(
            f"  note: {unasked:,} of your songs {'was' if unasked == 1 else 'were'} not yet asked of a"
            " feature source: `musicflow features fetch`, then `musicflow train`, may give the model more"
            " of their features",
            highlight=False,
            markup=False,
        )

    choice = RankerChoice.of_model(document)
    if choice is not None:
        # How `recommend` ranks a list capped per artist: the chosen way first, WEIGHED after FIRST_OF_WAY.
        console.print(f"Recommendations: {choice.words(spliced=True)}", highlight=False, markup=False)


def publication(console: Console, published: Publication) -> None:
    number = published.version.version
    reason = published.decision.reason
    if published.promoted:
        said = Text.assemble((f"Model v{number} registered and serving", "bold green"), f" ({reason}).")
    else:
        profile = published.version.profile
        named = f" --profile {profile}" if profile != DEFAULT_PROFILE else ""
        said = Text.assemble(
            (f"Model v{number} registered; the champion keeps serving", "bold yellow"),
            f" ({reason}). To serve it anyway: `musicflow models promote {number}{named}`.",
        )
    console.print(said, highlight=False)


def training_run(console: Console, run: Training) -> None:
    """What `train` shows: the evaluation, what the model was trained on, what the gate decided, and
    the old versions removed after it (when any were)."""
    found = Evaluation.from_dict(run.evaluation)
    evaluation(console, found)
    training(console, run.report)
    publication(console, run.publication)
    if run.pruned is not None and run.pruned.removed:
        pruned = run.pruned
        console.print(
            f"{_removed_words(pruned)}: kept are the champion, the version a rollback returns to and the"
            f" newest {pruned.keep_newest:,} (MUSICFLOW_MODEL_KEEP_VERSIONS).",
            highlight=False,
        )


def pruning(console: Console, pruned: Pruning) -> None:
    """What `models prune` shows: what was removed (or, with --dry-run, would be) and what is kept."""
    if not pruned.kept:
        console.print(f"'{pruned.profile}' has no model version: nothing to remove.", highlight=False)
        return
    if pruned.removed:
        console.print(_removed_words(pruned) + ".", highlight=False)
    else:
        versions = counted(len(pruned.kept), "model version")
        kept = (
            f"'{pruned.profile}' has one model version, which is kept"
            if len(pruned.kept) == 1
            else f"every one of the {versions} of '{pruned.profile}' is kept"
        )
        console.print(f"Nothing to remove: {kept}.", highlight=False)
        if pruned.leftover_bytes:
            console.print(
                f"Deleted {size_words(pruned.leftover_bytes)} of files an earlier removal had left.",
                highlight=False,
            )
    console.print(f"{'Would keep' if pruned.dry_run else 'Kept'}: {_kept_words(pruned)}.", highlight=False)
    if pruned.dry_run and pruned.removed:
        console.print("Nothing was removed (--dry-run).", highlight=False)


def _removed_words(pruned: Pruning) -> str:
    """What went: "Removed 3 old versions of 'default' (v3, v2, v1), freeing 21.4 MiB"."""
    named = ", ".join(f"v{r.version}" for r in pruned.removed)
    versions = f"{counted(len(pruned.removed), 'old version')} of '{pruned.profile}' ({named})"
    size = size_words(pruned.freed_bytes)
    if pruned.dry_run:
        return f"Would remove {versions}, freeing {size}"
    said = f"Removed {versions}, freeing {size}"
    if pruned.leftover_bytes:
        said += f" ({size_words(pruned.leftover_bytes)} of it files an earlier removal had left)"
    return said


def _kept_words(pruned: Pruning) -> str:
    """Each version kept and why: "the newest 5 versions, v9 (the champion), v8, ...; v2, which a
    rollback returns to"."""
    newest = pruned.newest_kept
    parts = []
    if pruned.champion is not None and pruned.champion not in newest:
        parts.append(f"the champion v{pruned.champion}")
    target = pruned.rollback_target
    if target is not None and target not in newest:
        parts.append(f"v{target}, which a rollback returns to")
    marks = {pruned.champion: " (the champion)", target: " (a rollback returns to it)"}
    listed = ", ".join(f"v{n}{marks.get(n, '')}" for n in newest)
    parts.append(f"the newest {counted(len(newest), 'version') if len(newest) > 1 else 'version'}, {listed}")
    return "; ".join(parts)


def training_round(console: Console, done: TrainingRound) -> None:
    """What `train --all` shows: one row per profile, its outcome, the version and why."""
    from rich.table import Table

    table = Table(title=f"Every profile trained ({done.engine} engine)")
    for column in ("profile", "outcome", "version", "data", "why"):
        table.add_column(column, overflow="fold")
    for p in done.profiles:
        version = f"v{p.version}" if p.version is not None else ""
        why = p.reason
        if p.versions_removed:
            why += f" ({counted(p.versions_removed, 'old version')} removed)"
        table.add_row(p.profile, p.outcome, version, p.data_fingerprint or "", why)
    console.print(table)
    failed = len(done.failed)
    if failed:
        others = "the other was" if len(done.profiles) - failed == 1 else "the others were"
        console.print(
            f"{counted(failed, 'profile')} failed: {others} trained all the same."
            if failed < len(done.profiles)
            else f"{'The profile' if failed == 1 else f'All {failed:,} profiles'} failed.",
            highlight=False,
        )


def reproduction(console: Console, rebuilt: Reproduction) -> None:
    """What `train --reproduce` shows: what was rebuilt from, and whether it predicts the same."""
    cut = moment(rebuilt.cut_off)
    console.print(
        f"Model v{rebuilt.version} of '{rebuilt.profile}' built again from its {rebuilt.plays:,} plays up to"
        f" {cut} and the features, options and seeds it recorded.",
        highlight=False,
    )
    if rebuilt.identical:
        console.print(
            f"Identical: on the {rebuilt.rows:,} songs it was trained on, the predictions differ by at most"
            f" {rebuilt.max_difference:.3g}"
            + (" (the model file is the same, byte for byte)." if rebuilt.same_model_file else "."),
            highlight=False,
        )
    else:
        console.print(
            f"Not identical: on the {rebuilt.rows:,} songs it was trained on, the predictions differ by up to"
            f" {rebuilt.max_difference:.3g} streams.",
            highlight=False,
        )
    for change in rebuilt.changes:
        console.print(f"  since then: {change}", highlight=False)
    if rebuilt.output is not None:
        console.print(f"The rebuilt model's files are in {rebuilt.output} (not registered).", highlight=False)


def training_document(run: Training) -> dict[str, object]:
    """What `train --format json` writes: the version, whether it serves and why, the evaluation and what
    it was trained on, their times in ISO 8601 (`results.evaluation_document`,
    `results.training_report_document`)."""
    published = run.publication
    return {
        "profile": published.version.profile,
        "version": published.version.version,
        "serving": published.promoted,
        "decision": published.decision.reason,
        "old_versions_removed": run.versions_removed,
        "evaluation": evaluation_document(run.evaluation),
        "training": training_report_document(run.report),
    }


def prediction(console: Console, answer: Prediction) -> None:
    query = answer.answer.song.query
    found = answer.answer.prediction
    if answer.matched:
        console.print(f"{answer.matched.did_you_mean} Answering for it:", highlight=False, markup=False)
    console.print(Text.assemble((query.song, "bold"), f" — {query.artist}"), highlight=False)
    if answer.in_history:
        console.print(f"  {answer.verdict}", highlight=False)
        like = f"  for a song like it: {streams_shown(found.streams)} predicted streams (of 0 to 30)"
        console.print(like, highlight=False)
    else:
        console.print(
            Text.assemble("  predicted streams: ", (streams_shown(found.streams), "bold"), " (of 0 to 30)"),
            highlight=False,
        )
        console.print(f"  {answer.verdict}", highlight=False)
    if answer.version_of:
        console.print(
            f"  ↺ {answer.version_of[:1].upper()}{answer.version_of[1:]}", highlight=False, markup=False
        )
    for fact in answer.library_facts:
        console.print(f"  {fact}", highlight=False, markup=False)
    if found.contributions:
        console.print("  why:")
        for contribution in found.contributions:
            console.print(f"    {contribution.signed_words}", highlight=False, markup=False)
    console.print(f"  based on {found.basis}", highlight=False, markup=False)
    console.print(f"  model v{answer.model_version}; {_features_from(answer)}", highlight=False)


def _features_from(answer: Prediction) -> str:
    """Where the song's features came from; an answer from the artist alone had none."""
    sources = ", ".join(sorted(answer.answer.song.merged.sources))
    return f"features from {sources}" if sources else "no source had features for this song"


def most_streams_first(
    requests: Sequence[SongRequest], answers: Sequence[Prediction | Unanswered]
) -> tuple[list[SongRequest], list[Prediction | Unanswered]]:
    """The songs and their answers, the most predicted streams first; songs with no answer last."""
    pairs = sorted(
        zip(requests, answers, strict=True),
        key=lambda pair: -pair[1].streams if isinstance(pair[1], Prediction) else math.inf,
    )
    return [request for request, _ in pairs], [answer for _, answer in pairs]


def prediction_table(
    console: Console,
    requests: Sequence[SongRequest],
    answers: Sequence[Prediction | Unanswered],
    title: str = "How much will you stream these?",
) -> None:
    versions = sorted({a.model_version for a in answers if isinstance(a, Prediction)})
    made_by = f" (model v{', v'.join(map(str, versions))})" if versions else ""
    table = Table(title=f"{title}{made_by}")
    for column in ("song", "artist", "predicted streams", "verdict"):  # a song played: "for a song like it"
        table.add_column(column, justify="right" if column == "predicted streams" else "left")
    for request, answer in zip(requests, answers, strict=True):
        if not isinstance(answer, Prediction):
            table.add_row(request.song, request.artist, "", answer.reason)
        else:
            verdict = answer.verdict
            if answer.matched:
                verdict = f"{verdict} ({answer.matched.did_you_mean})"
            table.add_row(request.song, request.artist, streams_shown(answer.streams), verdict)
    console.print(table)


def batch_summary(console: Console, answers: Sequence[Prediction | Unanswered], path: Path) -> None:
    failed = [a for a in answers if not isinstance(a, Prediction)]
    console.print(
        f"{len(answers) - len(failed):,} of {counted(len(answers), 'song')} predicted; written to {path}"
        + (f" ({len(failed):,} with the reason in the 'error' column)" if failed else ""),
        highlight=False,
    )


def versions(console: Console, profile: str, found: Sequence[ModelVersion]) -> None:
    """The profile's versions as a table (`found` is never empty: the command says why there is none)."""
    scores: list[list[float | None]] = []
    for version in found:
        time_split = Evaluation.from_dict(version.evaluation).split("time")
        scores.append([time_split.headline(OURS, key) if time_split else None for _, key in VERSION_METRICS])
    # A kind no listed version was measured against is left out (as the evaluation's table does); the
    # AUC against all songs not streamed stays, "n/a" or not.
    shown = [
        i
        for i, (_, key) in enumerate(VERSION_METRICS)
        if key in ("auc", "sp_plus") or any(row[i] is not None for row in scores)
    ]
    caption = version_caption([VERSION_METRICS[i][1] for i in shown])
    now = time.time()
    lines = [
        [
            f"v{version.version}",
            moment(version.created_at),
            age_words(now - version.created_at),
            "champion" if version.is_champion else "",
            str(version.status),
            *("n/a" if row[i] is None else f"{row[i]:.3f}" for i in shown),
        ]
        for version, row in zip(found, scores, strict=True)
    ]
    metrics = [VERSION_METRICS[i][0] for i in shown]
    table = _versions_table(f"Models of '{profile}'", metrics, lines)
    if narrowest(console, table) > console.width:  # the age goes (the date says it), headers wrap
        narrow = [[*line[:2], *line[3:]] for line in lines]
        table = _versions_table(f"Models of '{profile}'", metrics, narrow, narrow=True)
    print_whole(console, table)
    console.print(caption, highlight=False, soft_wrap=not console.is_terminal)  # a pipe gets one line


def _versions_table(
    title: str, metrics: Sequence[str], lines: Sequence[Sequence[str]], *, narrow: bool = False
) -> Table:
    """`models list`'s table: the words wrap where the terminal is narrow, the numbers never do."""
    table = Table(title=title)
    for column in ("version", "created", "age", "serving", "status"):
        if not (narrow and column == "age"):
            table.add_column(column, overflow="fold", no_wrap=column == "version")
    for label in metrics:
        table.add_column(label.replace(" ", "\n") if narrow else label, justify="right", no_wrap=True)
    for line in lines:
        table.add_row(*line)
    return table


VERSION_COLUMNS = ("version", "created", "champion", "status", *(key for _, key in VERSION_METRICS))
EVALUATION_COLUMNS = ("split", "model", "key", "metric", "mean", "std", "min", "max", "seeds")


def version_records(found: Sequence[ModelVersion]) -> list[dict[str, object]]:
    """What `models list` shows, as records for CSV and JSON: the time split's means, unrounded."""
    records: list[dict[str, object]] = []
    for version in found:
        time_split = Evaluation.from_dict(version.evaluation).split("time")
        records.append(
            {
                "version": version.version,
                "created": iso_utc(version.created_at),
                "champion": version.is_champion,
                "status": str(version.status),
                **{key: time_split.headline(OURS, key) if time_split else None for _, key in VERSION_METRICS},
            }
        )
    return records


def version_document(found: ModelVersion, learned: Mapping[str, Any] | None = None) -> dict[str, object]:
    """What `models show` shows, as one JSON document, every time in ISO 8601 as `created` is: its
    `evaluation` (`results.evaluation_document`), `learned_from`, its lineage (`results.lineage_document`;
    null for a version trained before versions recorded it)."""
    return {
        "profile": found.profile,
        "version": found.version,
        "created": iso_utc(found.created_at),
        "champion": found.is_champion,
        "status": str(found.status),
        "data_fingerprint": found.data_fingerprint,
        "features": list(found.feature_names),
        "libraries": dict(found.library_versions),
        "artifacts": {artifact.name: artifact.sha256 for artifact in found.artifacts},
        "evaluation": evaluation_document(found.evaluation),
        "learned_from": lineage_document(learned) if learned is not None else None,
    }


def evaluation_records(found: Evaluation) -> list[dict[str, object]]:
    """Every score of an evaluation, one record per split, model and metric (for CSV): `model` as the
    table names it ("this model", "artist history alone"), `key` as the JSON document does ("ours")."""
    return [
        {
            "split": split.split,
            "model": row_name(model),
            "key": model,
            "metric": metric,
            "mean": spread.mean,
            "std": spread.std,
            "min": spread.low,
            "max": spread.high,
            "seeds": spread.n,
        }
        for split in found.splits
        for model, scores in split.metrics.items()
        for metric, spread in scores.items()
        if spread.mean is not None
    ]


def version(console: Console, found: ModelVersion, learned: Mapping[str, Any] | None = None) -> None:
    console.print(
        Text.assemble(
            (f"Model v{found.version} of '{found.profile}'", "bold"),
            " (champion)" if found.is_champion else "",
            f", created {moment(found.created_at)}, {found.status}",
        ),
        highlight=False,
    )
    console.print(f"  data fingerprint: {found.data_fingerprint}", highlight=False)
    console.print(
        f"  features ({len(found.feature_names)}): {', '.join(found.feature_names)}", highlight=False
    )
    console.print(f"  libraries: {_sizes(found.library_versions)}", highlight=False)
    for artifact in found.artifacts:
        console.print(f"  {artifact.name}: sha256 {artifact.sha256}", highlight=False)
    for line in _learned_from(learned):
        console.print(f"  {line}", highlight=False)
    evaluation(console, Evaluation.from_dict(found.evaluation))


def _learned_from(learned: Mapping[str, Any] | None) -> list[str]:
    """What a version recorded of what it learned from, in a few lines (`train --reproduce` uses it)."""
    if learned is None:
        return ["learned from: not recorded (trained before versions recorded it; cannot be rebuilt)"]
    try:
        cut, features, code = learned["cut_off"], learned["features"], learned["code"]
        options = learned["options"]
        catalogs = ", ".join(
            f"{c['name']} ({counted(c['rows'], 'row')}, imported {iso_utc(c['imported_at'])})"
            for c in learned["catalogs"]
        )
        others = len(learned["plays"]) - 1
        return [
            f"learned from: {cut['plays']:,} plays up to {iso_utc(cut['last_play_at'])}"
            + (f", and those of {others} other listener{'s' if others != 1 else ''}" if others else ""),
            f"features: {features['tracks']:,} tracks, {features['answers']:,} source answers"
            f" (sha256 {features['digest']})",
            f"catalogs: {catalogs or 'none'}",
            f"code: musicflow {code.get('musicflow')}" + (f" (git {code['git']})" if code.get("git") else ""),
            f"zeros: {options['zeros']['label']}; seed {options['seed']}, evaluation seeds"
            f" {', '.join(str(s) for s in options['seeds'])}",
        ]
    except (KeyError, TypeError, ValueError):
        return ["learned from: recorded in a form this MusicFlow does not read"]


def move(console: Console, moved: AliasMove) -> None:
    before = f"v{moved.from_version}" if moved.from_version is not None else "nothing"
    console.print(
        f"The champion of '{moved.profile}' is now v{moved.to_version} (was {before}; {moved.reason}).",
        highlight=False,
    )


def _tested(split: SplitEvaluation) -> str:
    """The songs the scores are over: those the model could answer, of every test song (evaluations
    stored before the answered ones were kept give the test songs alone)."""
    tested, answered = _streamed_first(split.test_sizes), _streamed_first(split.answered)
    if not answered or answered == tested:
        return f"scored on {_sizes(tested)}"
    return f"scored on {_sizes(answered)} (the test songs it could answer, of {_sizes(tested)})"


def _streamed_first(sizes: Mapping[str, int]) -> dict[str, int]:
    """The listener's songs first, then the zeros by kind."""
    return dict(sorted(sizes.items(), key=lambda item: (item[0] != "streamed", item[0])))


def _sizes(sizes: Mapping[str, object]) -> str:
    return ", ".join(f"{_count(count)} {kind}" for kind, count in sizes.items()) or "none"


def _count(count: object) -> str:
    return f"{count:,}" if isinstance(count, int) else str(count)
