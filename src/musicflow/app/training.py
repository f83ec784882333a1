"""Training and publishing a listener's model: the settings turned into options, then the gate."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from musicflow.app.results import Training
from musicflow.config import Settings
from musicflow.errors import ConfigError, ConflictError, MusicflowError
from musicflow.model.dataset import MIN_POSITIVES, ZeroStrategy, zero_strategy_for
from musicflow.model.evaluate import evaluate_profile
from musicflow.model.lineage import ProfileCut, RunOptions, lineage_files
from musicflow.model.params import WITHOUT_ANCHOR
from musicflow.model.pruning import Pruning
from musicflow.model.publish import publish
from musicflow.model.registry import ModelMetadata, ModelRegistry
from musicflow.model.reports import Evaluation
from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.model.train import TrainingOptions, train_on_snapshot
from musicflow.model.trained import TrainedModel
from musicflow.store.ports import HistoryStore, ModelVersion, Store, TrackStreams

log = logging.getLogger(__name__)


SONGS_NOT_ASKED = "songs_not_asked"  # a training fact: songs no feature source was asked about yet


def training_options(settings: Settings) -> TrainingOptions:
    """What a training run takes from the settings."""
    return TrainingOptions(
        zeros=zero_strategy(settings.model_zeros),
        seeds=tuple(range(settings.model_evaluation_seeds)),
        stream_min_ms=settings.stream_min_ms,
        precedence=tuple(settings.feature_precedence),
        allow_spotify=settings.spotify_features_for_model,
    )


def training_snapshot(store: Store, options: TrainingOptions) -> Snapshot:
    """The store's plays and features as a training run with these options reads them."""
    return load_snapshot(
        store,
        stream_min_ms=options.stream_min_ms,
        precedence=options.precedence,
        allow_spotify=options.allow_spotify,
    )


@dataclass(frozen=True)
class Candidate:
    """A trained model not registered yet: its files and record, its training report, and the champion's
    evaluation on the same data where its stored one is not comparable (plain data: it crosses processes)."""

    profile: str
    artifacts: dict[str, bytes]
    metadata: ModelMetadata
    report: dict[str, Any]
    baseline: dict[str, Any] | None


def train_and_publish(
    store: Store,
    registry: ModelRegistry,
    settings: Settings,
    profile: str,
    force: bool,
    progress: Callable[[str, float], None] | None,
    *,
    songs_not_asked: int = 0,
) -> Training:
    candidate = train_candidate(store, registry, settings, profile, progress, songs_not_asked=songs_not_asked)
    keep = settings.model_keep_versions
    return publish_candidate(registry, candidate, force, keep_versions=keep, history=store.history)


def train_candidate(
    store: Store,
    registry: ModelRegistry,
    settings: Settings,
    profile: str,
    progress: Callable[[str, float], None] | None = None,
    *,
    songs_not_asked: int = 0,
) -> Candidate:
    """Train and evaluate the profile's model on what the store holds now; nothing is written.
    `songs_not_asked`: the listener's songs no configured feature source was asked about yet (their
    features, once fetched, would be learned from), recorded with the model."""
    options = training_options(settings)
    snapshot = training_snapshot(store, options)
    model = train_on_snapshot(snapshot, profile, options, store, progress)
    # How its recommendations will be ranked: the way that found the most of the listener's later songs
    # on their own past (`ranker_choice.py`), recorded with the model.
    from musicflow.app.ranker_choice import RANKING_FACT, choose_ranker

    left_out = model.training["dropped_features"]  # the choice's model leaves out what the served one does
    choice = choose_ranker(store, settings, options, profile, snapshot.profiles[profile], left_out)
    model.training[RANKING_FACT] = choice.as_dict() if choice is not None else None
    model.training[SONGS_NOT_ASKED] = songs_not_asked
    metadata = ModelMetadata(
        model.fingerprint, model.features, model.params, model.evaluation, model.libraries
    )
    baseline = champion_on_same_data(registry.champion(profile), model, snapshot, options, store)
    artifacts = {**model.to_artifacts(), **recorded_lineage(store, snapshot, options, model)}
    return Candidate(profile, artifacts, metadata, dict(model.training), baseline)


def publish_candidate(
    registry: ModelRegistry, candidate: Candidate, force: bool, *, keep_versions: int, history: HistoryStore
) -> Training:
    """Register the candidate; the gate decides whether it serves (`force`: it serves whatever it says).
    Then the profile's old versions are removed, but the champion, the version a rollback returns to and
    the newest `keep_versions` (`model/pruning.py`): every training that stores a version comes here
    (`train`, `train --all`, the jobs of uploads and of the schedule), so a store stops growing.

    A version whose listener took plays back while it trained (an import undone meanwhile) is removed
    at once, as `undo_import` removes the versions that learned from them: ConflictError, train again.
    One whose listener was deleted meanwhile is not kept (ProfileNotFoundError), and what it read of other
    listeners deleted meanwhile goes from it as their deletion took it from every other version."""
    from musicflow.model.lineage import lineage_of

    lineage = lineage_of(candidate.artifacts, f"the new model of '{candidate.profile}'")
    published = publish(
        registry,
        candidate.profile,
        candidate.artifacts,
        candidate.metadata,
        force=force,
        baseline=candidate.baseline,
        profile_id=lineage.cut_off.profile_id,
    )
    _forget_listeners_deleted(registry, candidate, lineage.profiles, history)
    if _plays_taken_back(lineage.cut_off, history):
        number = published.version.version
        registry.take_back(candidate.profile, [number])
        raise ConflictError(
            f"plays model v{number} learned from were taken back while it trained: it was removed;"
            " train again"
        )
    pruned = prune_after_training(registry, candidate.profile, keep_versions)
    return Training(dict(candidate.metadata.evaluation), candidate.report, published, pruned)


def _forget_listeners_deleted(
    registry: ModelRegistry, candidate: Candidate, learned_from: Mapping[str, int], history: HistoryStore
) -> None:
    """Listeners deleted while the candidate trained, whose plays it read before: their name out of what
    the new version recorded, and the tracks no one plays any more (those only they played), as their
    deletion took them out of every version there was then."""
    held = history.profile_ids()
    gone = [name for name, pid in learned_from.items() if name != candidate.profile and held.get(name) != pid]
    if not gone:
        return
    from musicflow.model.artifacts import DATA_FILE
    from musicflow.model.lineage import read_features

    recorded = {track.track_id for track in read_features(candidate.artifacts[DATA_FILE])[0]}
    played = {track.track_id for track in history.played_tracks()}
    for name in gone:
        registry.forget_profile_name(name, [candidate.profile], sorted(recorded - played))


def _plays_taken_back(cut: ProfileCut, history: HistoryStore) -> bool:
    """Whether some of the plays a candidate learned from of its own listener (`cut`, its lineage's) are
    gone from the store."""
    held = sum(1 for play in history.plays(cut.profile_id) if play.play_id <= cut.last_play_id)
    return held < cut.plays


def prune_after_training(registry: ModelRegistry, profile: str, keep_versions: int) -> Pruning | None:
    """The old versions removed after a training; None when that failed (logged: the new version stands,
    and the next training or `models prune` tries again)."""
    try:
        return registry.prune(profile, keep_versions)
    except (MusicflowError, OSError) as failed:
        log.warning("the old model versions of '%s' were not removed: %s", profile, failed)
        return None


def recorded_lineage(
    store: Store, snapshot: Snapshot, options: TrainingOptions, model: TrainedModel
) -> dict[str, bytes]:
    """The files that let the version be built again (`model/lineage.py`): what it learned from."""
    if snapshot.inputs is None:  # pragma: no cover - every snapshot read from a store has them
        return {}
    run = RunOptions(
        stream_min_ms=snapshot.stream_min_ms,
        allow_spotify=snapshot.allow_spotify,
        zeros=options.zeros or zero_strategy_for(snapshot),
        params=model.params,
        seed=options.seed,
        seeds=tuple(options.seeds),
        splits=tuple(options.splits),
    )
    return lineage_files(model.profile, snapshot.inputs, snapshot.fingerprint, run, store.features.catalogs())


def champion_on_same_data(
    champion: ModelVersion | None,
    model: TrainedModel,
    snapshot: Snapshot,
    options: TrainingOptions,
    store: Store,
) -> dict[str, Any] | None:
    """The champion's evaluation, measured again where its stored one is not comparable.

    A stored evaluation compares with the new one only if both were measured on the same data with the
    same kind of zeros, the same seeds (a mean over three draws against one draw compares the luck of
    the draw) and the same protocol (`evaluate.PROTOCOL`). Otherwise (a listener added, new plays,
    another zero strategy, another number of seeds, a version evaluated under an older protocol) the
    champion's configuration is evaluated under the same protocol on today's data with the new
    one's seeds, time split only, so the gate compares like with like.
    """
    if champion is None:
        return None
    stored, fresh = Evaluation.from_dict(champion.evaluation), Evaluation.from_dict(model.evaluation)
    same_data = champion.data_fingerprint == model.fingerprint
    same_zeros = stored.zero_strategy == fresh.zero_strategy
    same_seeds = _time_seeds(stored) == _time_seeds(fresh)
    if same_data and same_zeros and same_seeds and stored.protocol == fresh.protocol:
        return None
    log.info("measuring the champion v%d again on today's data, to compare like with like", champion.version)
    strategy = options.zeros or zero_strategy_for(snapshot)
    kept = {k: v for k, v in champion.parameters.items() if k not in ("random_state", "feature_names")}
    params = {**WITHOUT_ANCHOR, **kept}  # a champion from before the anchor was trained without
    again = evaluate_profile(
        snapshot,
        profile=model.profile,
        strategy=strategy,
        params=params,
        seeds=options.seeds,
        splits=("time",),
        store=store,
    )
    return again.as_dict()


def _time_seeds(evaluation: Evaluation) -> list[int] | None:
    split = evaluation.split("time")
    return split.seeds if split is not None else None


def zero_strategy(text: str) -> ZeroStrategy | None:
    """The zeros setting: `auto` lets training choose by what the store holds."""
    if text.strip().lower() == "auto":
        return None
    try:
        return ZeroStrategy.parse(text)
    except ValueError:
        raise ConfigError(
            f"MUSICFLOW_MODEL_ZEROS: {text!r} is not a zero strategy: use auto, or skips, others, "
            "catalog and shipped joined with + (for example skips+others)"
        ) from None


def streamed_songs_short(top_streams: list[TrackStreams]) -> tuple[int, int] | None:
    """(songs the listener streamed, songs training needs), of the listener's songs as `top_streams`
    counts them, when training could not succeed for want of listening history; None when there are
    enough to try."""
    streamed = sum(1 for song in top_streams if song.streams > 0)
    return (streamed, MIN_POSITIVES) if streamed < MIN_POSITIVES else None
