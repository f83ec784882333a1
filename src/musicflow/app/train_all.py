"""`train --all`: every profile with plays trained, each as a task of an engine (this process, or the
workers of a Dask cluster), with the same results as training them one by one.

A task opens the store itself, from the settings it is given (a SQLite file or a PostgreSQL URL: the
workers must reach the same database), reads its plays and features, trains and evaluates the profile's
model exactly as `musicflow train` does, and returns the candidate - artifacts, record, and the
champion's evaluation on the same data - without writing anything. The client then publishes each one
through the registry as it comes back: registers it and lets the gate decide whether it serves.

Why publish in the client rather than on the workers: the registry's artifact files live under the
client's data directory, which workers on other machines do not see; SQLite takes one writer at a time,
so writers in several processes would wait on each other's locks (and fail past the busy timeout) where
readers in WAL mode never block; and publishing in one place keeps the gate's compare-and-promote of a
profile's champion free of any race. Reading is all a worker does, so a worker may open the store while
the client registers another profile's version. The data fingerprint covers every profile's plays and
features, which publishing does not change: each profile's model learns from exactly what it would one
by one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from musicflow.errors import MusicflowError

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.app.training import Candidate
    from musicflow.config import Settings
    from musicflow.scale.engines import Engine

log = logging.getLogger(__name__)

Outcome = Literal["published", "kept champion", "failed", "skipped"]


@dataclass(frozen=True)
class ProfileTraining:
    """What `train --all` did for one profile: published (the new version serves), kept champion (it
    was registered, the gate kept the champion), failed (with the reason), or skipped (no plays)."""

    profile: str
    outcome: Outcome
    version: int | None = None
    data_fingerprint: str | None = None
    reason: str = ""
    versions_removed: int = 0  # old versions removed after it was registered

    def as_document(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "outcome": self.outcome,
            "version": self.version,
            "data_fingerprint": self.data_fingerprint,
            "reason": self.reason,
            "old_versions_removed": self.versions_removed,
        }


@dataclass(frozen=True)
class TrainingRound:
    """Every profile's outcome, in the order of the profiles' names, and the engine that trained them."""

    engine: str
    profiles: tuple[ProfileTraining, ...]

    @property
    def failed(self) -> list[ProfileTraining]:
        return [p for p in self.profiles if p.outcome == "failed"]

    def as_document(self) -> dict[str, Any]:
        return {"engine": self.engine, "profiles": [p.as_document() for p in self.profiles]}


@dataclass(frozen=True)
class TrainingTask:
    """What a worker needs to train one profile: the settings (naming the store) and the profile."""

    settings: Settings
    profile: str


def train_task(task: TrainingTask) -> Candidate | str:
    """On a worker (or in this process): open the store, train the profile, close; the candidate, or
    why it could not be trained (our own errors: a profile too small to train is an outcome, not a crash)."""
    from musicflow.app.service import MusicFlow

    url = task.settings.effective_database_url
    database = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and not Path(database).is_file():  # opening it would make an empty one
        return f"this worker does not see the store {database}: share its folder, or use PostgreSQL"
    try:
        with MusicFlow.open(task.settings) as app:
            return app.train_candidate(task.profile)
    except MusicflowError as failed:
        return str(failed)


def train_every_profile(
    app: MusicFlow,
    engine: Engine,
    *,
    force: bool = False,
    on_outcome: Callable[[ProfileTraining], None] | None = None,
) -> TrainingRound:
    """Train every profile with plays as a task of `engine`, publishing each as it comes back; one
    failing does not stop the others. `on_outcome` hears of each profile as it is done."""
    from musicflow.app.training import Candidate, publish_candidate

    outcomes: dict[str, ProfileTraining] = {}

    def tell(outcome: ProfileTraining) -> None:
        outcomes[outcome.profile] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    names = sorted(app.profiles())
    wanted = []
    for name in names:
        if app.listening_summary(name).plays:
            wanted.append(name)
        else:
            tell(ProfileTraining(name, "skipped", reason="no plays yet"))
    settings = worker_settings(app.settings)
    registry = app.registry
    keep = app.settings.model_keep_versions
    history = app.history_store

    def done(index: int, result: Candidate | str | Exception) -> None:
        profile = wanted[index]
        if isinstance(result, Candidate):
            try:
                training = publish_candidate(registry, result, force, keep_versions=keep, history=history)
            except MusicflowError as failed:
                tell(ProfileTraining(profile, "failed", reason=f"not registered: {failed}"))
                return
            published = training.publication
            version = published.version
            tell(
                ProfileTraining(
                    profile,
                    "published" if published.promoted else "kept champion",
                    version.version,
                    version.data_fingerprint,
                    published.decision.reason,
                    training.versions_removed,
                )
            )
        elif isinstance(result, str):
            tell(ProfileTraining(profile, "failed", reason=result))
        else:
            log.error("training profile %r failed", profile, exc_info=result)
            tell(
                ProfileTraining(
                    profile, "failed", reason=f"the task failed: {type(result).__name__}: {result}"
                )
            )

    engine.each(train_task, [TrainingTask(settings, name) for name in wanted], done)
    return TrainingRound(engine.name, tuple(outcomes[name] for name in names))


def worker_settings(settings: Settings) -> Settings:
    """The settings as a worker needs them: the data directory made absolute (a worker runs elsewhere)."""
    return settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
