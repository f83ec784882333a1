"""`MusicFlow`: the application, opened once from the settings; every use case is one of its methods.

It owns the store, the clock, the model registry, the feature sources (opened on first use and kept, so
a server reuses its HTTP connections) and the serving models. Front ends parse, call, and render what
comes back; they never reach the store or the parts themselves.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Self

from musicflow.app.error_map import cut
from musicflow.app.recommendation_answers import KeptRecommendations, ListsAhead
from musicflow.app.results import FetchResult, Prediction, Training
from musicflow.app.serving import ServingModel, ServingModels
from musicflow.config import Settings
from musicflow.core.clock import Clock, SystemClock
from musicflow.core.perf import collector_paused
from musicflow.core.plurals import counted
from musicflow.errors import (
    CatalogNotFoundError,
    ConflictError,
    Hint,
    IngestError,
    JobNotFoundError,
    ModelError,
    MusicflowError,
    NoModelError,
    ProfileNotFoundError,
)

if TYPE_CHECKING:
    from musicflow.app.access import Grant, NewToken
    from musicflow.app.catalog_scoring import Recommendation
    from musicflow.app.erasure import Erasure
    from musicflow.app.predicting import PredictionList, Unanswered
    from musicflow.app.prediction_accuracy import Accuracy
    from musicflow.app.prediction_log import Given, PredictionLogger
    from musicflow.app.recommendation_answers import RecommendationQuestion, Recommendations
    from musicflow.app.reproduce import Reproduction
    from musicflow.app.schedule import ScheduleRun
    from musicflow.app.taste import Count, Standing, Taste, TastePage
    from musicflow.app.train_all import ProfileTraining, TrainingRound
    from musicflow.app.training import Candidate
    from musicflow.core.songs import SongRequest
    from musicflow.features.analyze import AnalyzeReport
    from musicflow.features.audio.folder import FileMapper
    from musicflow.features.catalog import CatalogAnswers, CatalogImport
    from musicflow.features.coverage import CoverageReport
    from musicflow.features.fetch import FetchProgress, SourceRun
    from musicflow.features.lookup import SongFeatures, SongFinder, Spend, TheirSongs
    from musicflow.features.source_port import FeatureSource
    from musicflow.ingest.ingesting import Progress
    from musicflow.ingest.report import IngestReport
    from musicflow.model.drift import Drift
    from musicflow.model.pruning import Pruning
    from musicflow.model.registry import FileModelRegistry
    from musicflow.scale.engines import Engine
    from musicflow.scale.job import ScoreSummary
    from musicflow.scale.pack import ScoringPack
    from musicflow.store.ports import (
        AliasMove,
        CatalogInfo,
        HistoryStore,
        ImportUndone,
        Job,
        JobStore,
        ListeningSummary,
        LoggedPrediction,
        ModelVersion,
        Store,
        StoredToken,
        TrackStreams,
    )

DAY_S = 86_400.0
JOB_END_WAIT_S = 60.0  # how long a deletion waits for a job of the profile to end
SONG_REASONS = 5  # the reasons given with a song, asked alone or in a list: one document either way
TrainingProgress = Callable[[str, float], None]


class MusicFlow:
    """The use cases over one store. Thread-safe for predictions; one instance per process."""

    def __init__(self, settings: Settings, store: Store, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self._store = store
        self._sources: list[FeatureSource] | None = None
        self._closing = ExitStack()
        self.serving = ServingModels(
            self._champion_version,
            self._load_serving,
            keep=settings.serving_models,
            history_stamp_of=self._store.jobs.last_finished,
        )
        self._song_finder: SongFinder | None = None
        self._kept_recommendations = KeptRecommendations()
        self._lists_ahead: ListsAhead | None = None  # a server's (`make_lists_ahead`)
        self._logger: PredictionLogger | None = None
        self._logger_lock = threading.Lock()
        # The jobs this process runs (id -> their profile, and what ends them), and a gate no job is
        # claimed through while a profile is being deleted.
        self._jobs_here: dict[str, tuple[str, threading.Event]] = {}
        self._jobs_changed = threading.Condition()
        self._claiming = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, clock: Clock | None = None, *, create: bool = True) -> Self:
        """Open (and migrate) the configured store: the composition root, the one place above the store
        that names its adapter (through `open_store`); everything else sees the `Store` port.
        `create=False` (a command that only reads): where no store is yet, a `NoStoreError` saying where
        it looked, rather than an empty store made there."""
        from musicflow.store import open_store

        store: Store = open_store(settings, create=create)  # mypy checks that the SQL adapter fits the port
        return cls(settings, store, clock)

    @staticmethod
    def store_place(settings: Settings) -> str:
        """Where the configured store is, in words (`store_place`): what a message about an empty or
        missing store names."""
        from musicflow.store.factory import store_place

        return store_place(settings)

    def close(self) -> None:
        if self._lists_ahead is not None:
            self._lists_ahead.stop()
        if self._logger is not None:
            self._logger.close()
        self._closing.close()
        self._store.close()

    # -- the prediction log -----------------------------------------------------------------------
    def log_predictions(self, given: Iterable[Given], via: str) -> None:
        """Record predictions given (batched, written off the caller's path), unless the log is off."""
        if not self.settings.prediction_log:
            return
        logger = self._logger
        if logger is None:
            from musicflow.app.prediction_log import PredictionLogger

            with self._logger_lock:
                logger = self._logger
                if logger is None:
                    logger = self._logger = PredictionLogger(
                        self._store.prediction_log,
                        self.clock,
                        retention_days=self.settings.prediction_log_days,
                    )
        logger.record(given, via)

    def logged_predictions(
        self, profile: str | None = None, since: float | None = None, *, flush: bool = True
    ) -> list[LoggedPrediction]:
        """The predictions given (of the profile), oldest first; `flush`: what waits to be written is
        written first (a request, which must not write, reads what the log's thread has written)."""
        if profile is not None:
            self.require_profile(profile)
        if flush and self._logger is not None:
            self._logger.flush()
        return self._store.prediction_log.entries(profile, since)

    def __enter__(self) -> MusicFlow:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # -- profiles and plays -----------------------------------------------------------------------
    def profiles(self, *, holding_data: bool = False) -> list[str]:
        """Every profile; with `holding_data`, those holding plays or a library (what a message naming
        the profiles to choose from names: not one an upload that stored nothing, or a token, made)."""
        return self._store.profiles(holding_data=holding_data)

    def require_profile(self, profile: str) -> int:
        """The profile's id; an error naming the profiles the store holds when it holds no data yet."""
        profile_id = self._store.profile_id(profile)
        if profile_id is None:
            raise ProfileNotFoundError(
                f"profile '{profile}' has no data yet",
                hint=Hint.INGEST,
                profile=profile,
                known=self._store.profiles(holding_data=True),
            )
        return profile_id

    def delete_profile(self, profile: str) -> Erasure:
        """Delete everything stored of the profile: its plays, the tracks only it played, its models
        (records and files) and its tokens. Other profiles keep their data and models; their versions'
        records of what they learned from no longer name it nor hold the tracks only it played. A job of
        the profile this process runs ends first (or finishes), so that nothing it makes outlives the
        deletion; one another process runs is a ConflictError."""
        self.require_profile(profile)
        with self._claiming:  # no job of theirs starts meanwhile
            self._end_jobs_of(profile)
            return self._delete_profile(profile)

    def _end_jobs_of(self, profile: str) -> None:
        """End the job of the profile this process runs, and wait for it (what it made goes with the
        deletion that follows): it ends at its next report of progress, or finishes. One that another
        process runs (another server, `musicflow jobs run`) is a conflict: delete again once it ended."""
        from musicflow.app.upload_jobs import STALE_S

        ended: set[str] = set()
        deadline = time.monotonic() + JOB_END_WAIT_S
        with self._jobs_changed:
            while here := [(i, e) for i, (p, e) in self._jobs_here.items() if p == profile]:
                for job_id, ending in here:
                    ending.set()
                    ended.add(job_id)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConflictError(
                        f"a job of profile '{profile}' is still ending ({here[0][0]}): delete the profile"
                        " again in a minute"
                    )
                self._jobs_changed.wait(left)
        fresh = self.clock.now() - STALE_S
        for job in self._store.jobs.jobs(profile):
            if job.state == "running" and job.id not in ended and job.updated_at > fresh:
                raise ConflictError(
                    f"a {job.kind} job of profile '{profile}' runs elsewhere ({job.id}: another server, or"
                    " musicflow jobs run): delete the profile again once it has finished"
                )

    def _delete_profile(self, profile: str) -> Erasure:
        from musicflow.app.erasure import Erasure

        profile_id = self.require_profile(profile)
        models_dir = self.registry.profile_dir(profile)
        uploads = [self.uploads_dir / job.id for job in self._store.jobs.jobs(profile)]
        # Other listeners' versions read this one's plays (as every version reads its store's): what they
        # recorded of it keeps its figures, not its name, nor the tracks only it played. That first, then
        # its own files, then its rows: a deletion killed half-way leaves the profile known, and deleting
        # it again finishes (each step can run twice).
        others = [name for name in self.profiles() if name != profile]
        only_theirs = self._store.tracks_only_of(profile_id)
        unnamed = self.registry.forget_profile_name(profile, others, only_theirs)
        files = self.registry.forget(profile)
        for folder in uploads:
            shutil.rmtree(folder, ignore_errors=True)
        # The predictions given them that wait in memory to be written go with the rest, and are counted:
        # written first, then deleted with the profile's rows; any given meanwhile are dropped after.
        if self._logger is not None:
            self._logger.flush()
        removed = self._store.delete_profile(profile_id)
        if self._logger is not None:
            self._logger.forget(profile)
        # A version another listener registered meanwhile (its training read these plays before) is
        # looked at again now that no training can read them any more; one registered later sees the
        # deletion itself (`app/training.py`).
        later = [name for name in self.profiles() if name != profile]
        unnamed += self.registry.forget_profile_name(profile, later, only_theirs)
        self.serving.forget(profile)
        self._kept_recommendations.forget(profile)
        if self._song_finder is not None:
            self._song_finder.index.refresh()
        return Erasure(profile, removed, files, models_dir, unnamed)

    def accuracy(self, profile: str) -> Accuracy:
        """How right each model version's logged predictions were, against the plays after its cut-off."""
        from musicflow.app.history_read_once import HistoryReadOnce

        profile_id = self.require_profile(profile)
        return self._accuracy(profile, profile_id, HistoryReadOnce(self._store.history))

    def _accuracy(self, profile: str, profile_id: int, history: HistoryStore) -> Accuracy:
        from musicflow.app.prediction_accuracy import judge_profile

        logged = self.logged_predictions(profile, flush=False)
        drift = self._drift(profile, profile_id, history)
        return judge_profile(
            profile, profile_id, logged, history, self.registry, self.settings.stream_min_ms, drift
        )

    def drift(self, profile: str) -> Drift | None:
        """How far the profile's plays since the champion's cut-off have moved from those it learned from
        (artists, sound); None when no model serves. Reads only."""
        return self._drift(profile, self.require_profile(profile), self._store.history)

    def _drift(self, profile: str, profile_id: int, history: HistoryStore) -> Drift | None:
        from musicflow.app.prediction_accuracy import champion_drift

        return champion_drift(
            self._store,
            history,
            self.registry,
            profile,
            profile_id,
            stream_min_ms=self.settings.stream_min_ms,
            precedence=self.settings.feature_precedence,
            allow_spotify=self.settings.spotify_features_for_model,
        )

    # -- uploads and jobs -------------------------------------------------------------------------
    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    @property
    def jobs_store(self) -> JobStore:
        return self._store.jobs

    @property
    def history_store(self) -> HistoryStore:
        return self._store.history

    def start_upload(self, profile: str, files: Iterable[tuple[str, IO[bytes]]]) -> tuple[Job, bool]:
        """Keep an uploaded export (until its job has finished) and queue the job that ingests it, fetches
        features and trains; the same files uploaded again by the profile answer with the job that took
        them (False: not new), unless that job failed or was taken back: then they are a new job."""
        from musicflow.app.upload_jobs import new_job_id, receive

        job_id = new_job_id()
        received = receive(files, self.uploads_dir / job_id, self.settings.upload_max_bytes)
        earlier = self._store.jobs.job_with_digest(profile, received.digest)
        if earlier is not None:
            shutil.rmtree(received.folder, ignore_errors=True)
            return earlier, False
        try:
            return self._store.jobs.add_job(
                job_id, profile, "upload", received.digest, self.clock.now(), "an export uploaded"
            ), True
        except BaseException:
            shutil.rmtree(received.folder, ignore_errors=True)
            raise

    def forget_finished_uploads(self) -> int:
        """Remove the files of uploads whose job has finished (done, failed, taken back) that are still on
        disk (a server of an earlier version kept them, or one stopped between the job's end and their
        removal); how many. A folder without a job row is left alone: an upload still arriving has one."""
        from musicflow.app.upload_jobs import forget_upload

        if not self.uploads_dir.is_dir():
            return 0
        removed = 0
        for folder in self.uploads_dir.iterdir():
            job = self._store.jobs.job(folder.name)
            if job is not None and job.state not in ("queued", "running"):
                forget_upload(self.uploads_dir, job.id)
                removed += 1
        return removed

    def job(self, job_id: str, profile: str | None = None) -> Job:
        """A job (of the profile, when given: another profile's is not found)."""
        found = self._store.jobs.job(job_id)
        if found is None or (profile is not None and found.profile != profile):
            raise JobNotFoundError(f"there is no job {cut(job_id)}", hint=Hint.LIST_JOBS)
        return found

    def jobs(self, profile: str | None = None) -> list[Job]:
        return self._store.jobs.jobs(profile)

    def run_next_job(self, stopping: threading.Event | None = None) -> bool:
        """Run the oldest queued job, if any; whether there was one. Once `stopping` is set, the job
        ends at its next step and is queued again."""
        from musicflow.app.upload_jobs import run_job

        with self._claiming:
            job = self._store.jobs.claim_next(self.clock.now())
            if job is None:
                return False
            ending = threading.Event()
            with self._jobs_changed:
                self._jobs_here[job.id] = (job.profile, ending)
        try:
            run_job(self, job, self.uploads_dir, stopping, ending)
        finally:
            with self._jobs_changed:
                del self._jobs_here[job.id]
                self._jobs_changed.notify_all()
        return True

    def champion_is_current(self, profile: str) -> bool:
        """Whether the model that serves learned from every play the profile has now (as many, up to the
        same last one)."""
        learned = self.plays_learned(profile)
        now = self.listening_summary(profile)
        return learned == (now.plays, now.last_ended_at)

    def plays_learned(self, profile: str) -> tuple[int, int | None] | None:
        """How many plays the model that serves learned from, and the time the last one ended (None: no
        model serves; nought when its record does not say)."""
        champion = self.registry.champion(profile)
        return None if champion is None else self._plays_learned_by(champion)

    def _plays_learned_by(self, version: ModelVersion) -> tuple[int, int | None]:
        try:
            learned = self.registry.metadata(version).get("training", {})
        except ModelError:
            return (0, None)
        plays, last = learned.get("plays"), learned.get("last_play_at")
        return (plays if isinstance(plays, int) else 0, last if isinstance(last, int) else None)

    def run_schedule(self) -> ScheduleRun | None:
        """Queue the retrains and feature refreshes the schedule asks for, if it is due (see
        `app.schedule`); None when it is not (or is turned off)."""
        from musicflow.app.schedule import run_schedule

        return run_schedule(self, self.clock.now())

    # -- access tokens ----------------------------------------------------------------------------
    def create_token(self, profile: str, scope: str = "read", *, days: float | None = None) -> NewToken:
        """A new token for the profile (made, with no data yet, if new), valid `days` (None: until
        revoked); the token is in the answer only."""
        from musicflow.app.access import NewToken, checked_scope, digest_of, new_token

        if days is not None and days <= 0:
            raise MusicflowError(f"a token lasts a positive number of days, not {days:g}")
        token = new_token()
        scoped = checked_scope(scope)
        now = self.clock.now()
        expires = now + days * DAY_S if days is not None else None
        stored = self._store.tokens.add_token(profile, digest_of(token), scoped, now, expires)
        return NewToken(token, stored)

    def tokens(self, profile: str | None = None) -> list[StoredToken]:
        if profile is not None:
            self.require_profile(profile)
        return self._store.tokens.tokens(profile)

    def revoke_token(self, token_id: int) -> StoredToken:
        revoked = self._store.tokens.revoke_token(token_id, self.clock.now())
        if revoked is None:
            raise MusicflowError(f"there is no token {token_id}", hint=Hint.LIST_TOKENS)
        return revoked

    def grant_by_digest(self, digest: str) -> Grant:
        """What the token of this digest opens; `UnauthorizedError` for an unknown, revoked or expired one."""
        from musicflow.app.access import grant_of

        return grant_of(self._store.tokens.token_by_digest(digest), self.clock.now())

    def ingest(
        self,
        paths: Sequence[Path],
        profile: str,
        progress: Progress | None = None,
        *,
        retrain: bool = True,
        import_id: str | None = None,
    ) -> IngestReport:
        """Read the export into the profile; new plays queue a retrain of it (`retrain`), which a server
        runs by itself (`musicflow jobs run` elsewhere)."""
        from musicflow.app.upload_jobs import ingest_summary, new_job_id

        jobs = self._store.jobs
        if import_id is None:  # an ingest of its own: recorded as an import that can be taken back
            new_profile = self._store.profile_id(profile) is None
            import_id = new_job_id()
            jobs.add_job(import_id, profile, "ingest", None, self.clock.now(), "musicflow ingest")
            jobs.update_job(import_id, self.clock.now(), state="running", stage="ingesting")
            try:
                report = self._read_export(paths, profile, progress, import_id, sent=False)
            except BaseException as failed:
                # A first ingest that failed before storing anything leaves nothing: no profile, no record
                # of it. One that stored plays keeps them, and its record says it failed.
                if not (new_profile and self._forget_if_empty(profile)):
                    jobs.update_job(
                        import_id, self.clock.now(), state="failed", stage="failed", error=str(failed)
                    )
                raise
            stored_nothing = not report.new_plays and report.library is None
            if new_profile and stored_nothing and self._forget_if_empty(profile):  # files of `[]`
                report.import_id = None
                return report
            jobs.update_job(
                import_id, self.clock.now(), state="done", stage="done", result=ingest_summary(report)
            )
            # The same export read again brings no play and holds exactly what an earlier import holds:
            # it is no record of its own, and that import takes them back alone. Another export that
            # brought nothing new (a subset of what is stored) keeps its record, as an upload does: taking
            # back an import that also holds its plays keeps them.
            held: str | None = import_id
            if not report.new_plays and self._store.release_import(import_id):
                held = None
        else:  # an upload's files, in a folder of the server's
            report = self._read_export(paths, profile, progress, import_id, sent=True)
            held = import_id
        report.import_id = held
        if report.library is not None or report.new_plays:
            self.serving.read_again(profile)  # answers read the plays and library the serving listener holds
        if retrain and report.new_plays:
            self.queue_retrain(profile, "new plays ingested")
        return report

    def plays_brought(self, import_id: str) -> int:
        """How many plays an import brought that no other import holds, over every run of it."""
        return self._store.plays_brought(import_id)

    def _forget_if_empty(self, profile: str) -> bool:
        """Remove a profile an ingest made that holds nothing (no play, no library entry), with the
        record of that ingest; whether it was removed (or is not there)."""
        made = self._store.profile_id(profile)
        if made is None:
            return True
        plays = self._store.listening_summary(made, self.settings.stream_min_ms).plays
        if plays or self._store.history.library(made):
            return False
        self._store.delete_profile(made)
        return True

    def _read_export(
        self, paths: Sequence[Path], profile: str, progress: Progress | None, import_id: str, *, sent: bool
    ) -> IngestReport:
        """`ingest_paths`, an error when nothing was read. The files of an upload (`sent`) are named as
        they were sent, never by the server's folder that holds them."""
        from musicflow.ingest.ingesting import ingest_paths, no_music_play, nothing_read

        def as_sent(words: str) -> str:
            for folder in paths:
                words = words.replace(f"{folder}{os.sep}", "")
            return words

        try:
            report = ingest_paths(paths, self._store, profile, self.settings, progress, import_id)
            if not report.files_read:
                raise nothing_read(paths, report, given="the files sent" if sent else None)
            if report.rows and not report.music_plays and report.library is None:
                raise no_music_play(paths, report, given="the files sent" if sent else None)
        except IngestError as failed:
            if not sent:
                raise
            raise type(failed)(as_sent(str(failed)), hint=failed.hint, profile=failed.profile) from None
        if sent:  # what it says of the files, as the job's result records it
            for file in report.files:
                file.label = as_sent(file.label)
            report.invalid_examples[:] = map(as_sent, report.invalid_examples)
        return report

    def undo_import(self, profile: str, import_id: str) -> ImportUndone:
        """Take an import (an upload, or an `ingest` run) back: the plays only it brought go, those another
        import also holds stay, its uploaded files go, and so do the profile's model versions that learned
        from the plays removed (the one serving among them: no model answers from plays taken back). A
        retrain of the profile is queued when plays are left to learn from."""
        job = self.job(import_id, profile)
        if job.kind not in ("upload", "ingest"):
            raise MusicflowError(f"job {job.id} is a {job.kind} job, not an import: nothing to take back")
        if job.state in ("queued", "running"):
            raise ConflictError(f"import {job.id} is still {job.state}: take it back once it has finished")
        if job.state == "undone":
            raise ConflictError(f"import {job.id} was already taken back")  # 409, as for one still running
        training = next((j for j in self._store.jobs.jobs(profile) if j.state == "running"), None)
        if training is not None:  # it may be learning from these plays: its model would outlive them
            raise ConflictError(
                f"a {training.kind} job of this profile is running ({training.id}): take import {job.id}"
                " back once it has finished"
            )
        from musicflow.app.upload_jobs import forget_upload

        undone = self._store.undo_import(self.require_profile(profile), job.id)
        forget_upload(self.uploads_dir, job.id)
        learned = [] if undone.first_play_id is None else self._learned_from(profile, undone.first_play_id)
        removed, serving = self.registry.take_back(profile, learned)
        retrain = undone.removed > 0 and self.listening_summary(profile).plays > 0
        waiting = self._store.jobs.waiting(profile, "train")
        if retrain:
            self.queue_retrain(profile, f"import {job.id} taken back")
        elif undone.removed and waiting is not None:  # a retrain queued before has nothing to learn from
            nothing = {"training": "nothing to learn from: every play was taken back"}
            self._store.jobs.update_job(
                waiting.id, self.clock.now(), state="done", stage="done", result=nothing
            )
        if undone.removed:
            self.serving.read_again(profile)  # no answer quotes the plays taken back
        undone = replace(
            undone, model_versions_removed=removed, serving_version=serving, retrain_queued=retrain
        )
        taken = {"plays_removed": undone.removed, "model_versions_removed": [*undone.model_versions_removed]}
        result = {**(job.result or {}), "taken_back": taken}  # what it brought, and what its undoing took
        self._store.jobs.update_job(job.id, self.clock.now(), state="undone", stage="undone", result=result)
        return undone

    def _learned_from(self, profile: str, first_play_id: int) -> list[int]:
        """The profile's versions that read the play of id `first_play_id` or a later one (their lineage's
        cut-off reaches it); a version whose record does not tell counts as one that did."""
        from musicflow.model.lineage import Lineage

        learned = []
        for version in self.registry.list(profile):
            try:
                recorded = self.registry.lineage(version)
                cut = Lineage.from_dict(recorded).cut_off.last_play_id if recorded is not None else None
            except (ModelError, KeyError, TypeError, ValueError):
                cut = None
            if cut is None or cut >= first_play_id:
                learned.append(version.version)
        return learned

    def queue_retrain(self, profile: str, reason: str = "new plays") -> Job:
        """A job that trains the profile anew (the one already waiting, if there is one)."""
        return self.queue_job(profile, "train", reason)[0]

    def queue_refresh(self, profile: str, reason: str) -> Job:
        """A job that asks the sources again for the profile's songs without features, and trains when
        they answered (the one already waiting, if there is one)."""
        return self.queue_job(profile, "refresh", reason)[0]

    def queue_job(self, profile: str, kind: str, reason: str) -> tuple[Job, bool]:
        """A job of this kind (`train`, `refresh`) for the profile: the one already waiting, if there is
        one, else a new one queued for `reason`; and whether it is new."""
        from musicflow.app.upload_jobs import new_job_id

        waiting = self._store.jobs.waiting(profile, kind)
        if waiting is not None:
            return waiting, False
        return self._store.jobs.add_job(new_job_id(), profile, kind, None, self.clock.now(), reason), True

    def top_streams(self, profile: str, limit: int | None) -> list[TrackStreams]:
        """The listener's most streamed songs, every spelling of a song counted as one (as the taste page
        and a prediction count them: `model/song_streams.py`)."""
        from musicflow.model.song_streams import song_streams

        profile_id = self.require_profile(profile)
        rows = self._store.track_streams(profile_id, self.settings.stream_min_ms, streamed_only=False)
        songs = song_streams(rows)
        return songs[:limit]

    def top_artists(self, profile: str, limit: int) -> list[Count]:
        """The listener's most streamed artists with their streams, most first: the numbers the taste page
        shows (`app/taste.py`, one count for both)."""
        from musicflow.app.taste import artist_counts
        from musicflow.model.listener import Listener

        self.require_profile(profile)
        listener = Listener.load(self._store.history, profile, stream_min_ms=self.settings.stream_min_ms)
        return artist_counts(listener, limit)

    def listening_summary(self, profile: str) -> ListeningSummary:
        return self._store.listening_summary(self.require_profile(profile), self.settings.stream_min_ms)

    # -- catalogs and features --------------------------------------------------------------------
    def add_catalog(self, path: Path, name: str | None = None, mapping: str | None = None) -> CatalogImport:
        """Import a catalog file; `mapping` names the file's columns ('song=name,artist=artists,...').
        The path `bundled`, where no such file is, is the catalog shipped with MusicFlow (back after
        `remove_catalog`)."""
        from musicflow.features.catalog import BUNDLED, import_catalog_file
        from musicflow.features.catalog_files import ColumnMapping, bundled_catalog_path

        before = self._catalog_answers()
        if path == Path(BUNDLED) and not path.exists() and mapping is None:
            with bundled_catalog_path() as shipped:
                imported = import_catalog_file(self._store.features, shipped, name or BUNDLED)
        else:
            columns = ColumnMapping.parse(mapping) if mapping else None
            imported = import_catalog_file(self._store.features, path, name, columns)
        return replace(imported, answers=self._catalogs_asked_again(before))

    def catalogs(self) -> list[CatalogInfo]:
        return self._store.features.catalogs()

    def remove_catalog(self, name: str) -> tuple[CatalogAnswers, ...]:
        """Remove the catalog; what the catalogs left answer for each listener's songs."""
        if name not in {info.name for info in self._store.features.catalogs()}:
            raise CatalogNotFoundError(f"no catalog named '{name}'", hint=Hint.LIST_CATALOGS)
        before = self._catalog_answers()  # read only for a catalog that is there
        self._store.features.remove_catalog(name)
        return self._catalogs_asked_again(before)

    def _catalog_answers(self) -> dict[str, int]:
        """How many of each listener's songs the catalogs answer for (where they are a source)."""
        from musicflow.features.catalog import SOURCE

        if SOURCE not in self.settings.feature_sources:
            return {}
        return {p: self.coverage(p).by_source[SOURCE] for p in self._store.profiles(holding_data=True)}

    def _catalogs_asked_again(self, before: Mapping[str, int]) -> tuple[CatalogAnswers, ...]:
        """Every answer of the catalogs goes when one is added or removed (a new row may answer better):
        they are asked again about every listener's songs at once, on this machine, so that what the
        store says of their features stays true (`features coverage`; the schedule, which would ask for
        thousands of songs "without features" and train again on the same ones)."""
        from musicflow.features.catalog import SOURCE, CatalogAnswers

        if SOURCE not in self.settings.feature_sources:
            return ()
        ids = self._store.history.profile_ids()
        asked = []
        for profile in self._store.profiles(holding_data=True):
            self._fetch(ids[profile], [SOURCE])
            held = self.coverage(profile)
            if held.tracks:
                answered = held.by_source[SOURCE]
                asked.append(CatalogAnswers(profile, held.tracks, answered, before.get(profile, 0)))
        return tuple(asked)

    def fetch_features(
        self, profile: str, sources: Sequence[str] | None = None, progress: FetchProgress | None = None
    ) -> FetchResult:
        """Ask each source about the listener's tracks it has not answered yet; resumable."""
        runs = self._fetch(self.require_profile(profile), sources, progress)
        return FetchResult(runs, self.coverage(profile))

    def _fetch(
        self, profile_id: int, sources: Sequence[str] | None, progress: FetchProgress | None = None
    ) -> list[SourceRun]:
        from musicflow.features.fetch import fetch_features

        with self._opened_sources(sources) as opened:
            return fetch_features(
                self._store.features,
                profile_id,
                opened,
                clock=self.clock,
                miss_ttl_s=self._miss_ttl_s,
                progress=progress,
            )

    def songs_to_refresh(self, profile: str) -> frozenset[int]:
        """The profile's tracks a configured source has not answered yet, nor recently said it does not
        know (a feature refresh asks about them)."""
        profile_id = self.require_profile(profile)
        now = self.clock.now()
        pending: set[int] = set()
        for source in self.settings.feature_sources:
            pending.update(t.track_id for t in self._store.features.pending_tracks(profile_id, source, now))
        return frozenset(pending)

    def coverage(self, profile: str) -> CoverageReport:
        from musicflow.features.coverage import coverage

        return coverage(
            self._store.features,
            self.require_profile(profile),
            stream_min_ms=self.settings.stream_min_ms,
            precedence=self.settings.feature_precedence,
            now=self.clock.now(),
        )

    def song_features(
        self,
        song: str,
        artist: str,
        sources: Sequence[str] | None = None,
        spotify_id: str | None = None,
        *,
        keep: bool = True,
        spend: Spend | None = None,
        profile: str | None = None,
    ) -> SongFeatures:
        """One song's features as each source gave them and merged, asking sources that have not
        answered for it yet; a song no source knows is a `SongNotFoundError` naming what was asked
        (an upstream error instead when a source failed). `keep`: store what sources say (a GET does
        not); `spend`: the budget asked before a network source is called; `profile`: whose history
        resolves the name as a prediction for them does (their near titles, their versions), when
        they have a model serving."""
        from musicflow.core.songs import SongRequest
        from musicflow.features.lookup import missing_features_error

        theirs = self._listener_of(profile) if profile is not None else None
        mine = None
        if profile is not None and theirs is None:  # no model serves them: their tracks, from the store
            mine = self._tracks_of(profile).__contains__
        with self._opened_sources(sources) as opened:
            (found,) = self._finder.find(
                [SongRequest(song, artist, spotify_id)],
                opened,
                keep=keep,
                spend=spend,
                theirs=theirs,
                mine=mine,
            )
            asked = [source.name for source in opened]
        if not found.merged.values:
            raise missing_features_error(song, artist, asked, found)
        return found

    def _tracks_of(self, profile: str) -> frozenset[int]:
        """The stored tracks the profile played (none for a profile there is not)."""
        profile_id = self._store.profile_id(profile)
        if profile_id is None:
            return frozenset()
        return frozenset(track.track_id for track in self._store.history.played_tracks(profile_id))

    def _listener_of(self, profile: str) -> TheirSongs | None:
        """The history the profile's serving model answers from; None when it has no model serving."""
        try:
            return self.serving.get(profile).listener
        except MusicflowError:  # a champion that cannot be served: the name is resolved without them
            return None

    def analyze_audio(
        self,
        folder: Path,
        progress: Callable[[int, int, Path], None] | None = None,
        map_files: FileMapper | None = None,
    ) -> AnalyzeReport:
        """`map_files` (see `scale.audio.dask_file_mapper`) spreads the files over a Dask cluster."""
        from musicflow.features.analyze import analyze_into_store, require_audio_extra

        require_audio_extra()
        return analyze_into_store(
            self._store.features,
            folder,
            max_seconds=self.settings.audio_max_seconds,
            miss_ttl_s=self._miss_ttl_s,
            now=self.clock.now(),
            progress=progress,
            map_files=map_files,
        )

    # -- models -----------------------------------------------------------------------------------
    def train(
        self, profile: str, *, force: bool = False, progress: TrainingProgress | None = None
    ) -> Training:
        """Train, evaluate under the protocol, register; the gate decides whether it serves."""
        from musicflow.app.training import train_and_publish

        self.require_profile(profile)
        self._features_from_this_machine(profile)
        unasked = len(self.songs_to_refresh(profile))
        with self._naming_profiles(profile):
            training = train_and_publish(
                self._store, self.registry, self.settings, profile, force, progress, songs_not_asked=unasked
            )
        # Promoted or not, the listener is read again: plays another process ingested (it queued this
        # training) are answered from even when the gate keeps the champion.
        self.serving.read_again(profile)
        if training.publication.promoted:
            self.recommend_ahead(profile)
        waiting = self._store.jobs.waiting(profile, "train")
        now = self.listening_summary(profile)
        if waiting is not None and self._plays_learned_by(training.publication.version) == (
            now.plays,
            now.last_ended_at,
        ):  # a retrain queued for plays this training learned from: done
            done = {"training": f"done by another training: model v{training.publication.version.version}"}
            self._store.jobs.update_job(waiting.id, self.clock.now(), state="done", stage="done", result=done)
        return training

    def train_candidate(self, profile: str) -> Candidate:
        """Train and evaluate the profile's model without registering it (`train --all`'s task)."""
        from musicflow.app.training import train_candidate

        self.require_profile(profile)
        self._features_from_this_machine(profile)
        unasked = len(self.songs_to_refresh(profile))
        with self._naming_profiles(profile):
            return train_candidate(
                self._store, self.registry, self.settings, profile, songs_not_asked=unasked
            )

    @contextmanager
    def _naming_profiles(self, profile: str) -> Iterator[None]:
        """A profile found to hold no plays (all of them taken back, or a library alone) is said with the
        profiles that hold data, as `require_profile` says them: a front end that is told of none says
        the store holds no listening history, which another listener's plays would belie."""
        try:
            yield
        except ProfileNotFoundError as none:
            if none.known:
                raise
            known = [name for name in self._store.profiles(holding_data=True) if name != profile]
            raise ProfileNotFoundError(str(none), hint=none.hint, profile=none.profile, known=known) from None

    def _features_from_this_machine(self, profile: str) -> None:
        """Before a training, the sources that answer from this machine (the catalogs, analysed audio)
        are asked about the listener's songs they have not answered yet: a model trained right after an
        ingest learns from every feature this machine holds (a few seconds for thousands of songs). A
        source that asks a service stays for `features fetch` or a refresh, which spend its quota."""
        from musicflow.features.lookup import LOCAL_SOURCES

        local = [name for name in self.settings.feature_sources if name in LOCAL_SOURCES]
        if local:
            self._fetch(self.require_profile(profile), local)

    def train_all(
        self,
        engine: Engine | None = None,
        *,
        force: bool = False,
        on_outcome: Callable[[ProfileTraining], None] | None = None,
    ) -> TrainingRound:
        """Train every profile with plays, each as a task of the engine (default: this process), and
        publish each through the registry as one by one would (see `app.train_all`)."""
        from musicflow.app.train_all import train_every_profile
        from musicflow.scale.engines import LocalEngine

        return train_every_profile(self, engine or LocalEngine(), force=force, on_outcome=on_outcome)

    def reproduce(self, profile: str, version: str, output: Path | None = None) -> Reproduction:
        """Build a version again from what it recorded (the plays up to its cut-off, its features, options
        and seeds) and compare its predictions with the stored version's; registers nothing, writes the
        rebuilt files to `output` when given."""
        from musicflow.app.reproduce import reproduce_version

        self.require_profile(profile)
        return reproduce_version(self._store, self.registry, profile, version, output)

    def models(self, profile: str) -> list[ModelVersion]:
        """The profile's versions, newest first; an unknown profile is an error, not an empty list."""
        self.require_profile(profile)
        return self.registry.list(profile)

    def model(self, profile: str, version: str = "champion") -> ModelVersion:
        self.require_profile(profile)
        try:
            return self.registry.show(profile, version)
        except NoModelError as none:
            raise self._what_would_help(none) from None

    def learned_from(self, found: ModelVersion) -> dict[str, Any] | None:
        """What a version recorded of what it learned from (its `lineage.json`); None for a version
        trained before versions recorded it, or whose files are damaged (its status says so)."""
        try:
            return self.registry.lineage(found)
        except ModelError:
            return None

    def promote(self, profile: str, version: str) -> AliasMove:
        from musicflow.model.refs import parse_number

        self.require_profile(profile)
        return self.registry.promote(profile, parse_number(version), note="by hand")

    def rollback(self, profile: str) -> AliasMove:
        self.require_profile(profile)
        return self.registry.rollback(profile)

    def prune_models(self, profile: str, keep: int | None = None, *, dry_run: bool = False) -> Pruning:
        """Remove the profile's old model versions, rows and files, keeping the champion, the version a
        rollback returns to and the newest `keep` (default: `model_keep_versions`); with `dry_run`, say
        what would go and change nothing. A removed version's logged predictions are still judged."""
        self.require_profile(profile)
        newest = keep if keep is not None else self.settings.model_keep_versions
        return self.registry.prune(profile, newest, dry_run=dry_run)

    @property
    def registry(self) -> FileModelRegistry:
        from musicflow.model.registry import open_registry

        return open_registry(self._store, self.settings)

    # -- predictions ------------------------------------------------------------------------------
    def predict(
        self,
        profile: str,
        song: str,
        artist: str,
        spotify_id: str | None = None,
        *,
        sources: Sequence[str] | None = None,
        keep: bool = True,
        spend: Spend | None = None,
        serving: ServingModel | None = None,
        log_via: str | None = None,
    ) -> Prediction:
        """How many times will this listener stream this song; with the reasons and the model version.
        `sources` (default: the configured ones) are the ones asked when the song is not known yet;
        `serving`: the model the caller resolved for this request (else the profile's, resolved here);
        `log_via`: record the prediction in the log as given through this front end (api, page, cli)."""
        from musicflow.core.songs import SongRequest

        if not song.strip() or not artist.strip():
            raise MusicflowError("song and artist are both needed")
        request = SongRequest(song, artist, spotify_id)
        (answer,) = self._predict([request], profile, sources, SONG_REASONS, keep, spend, serving, log_via)
        if isinstance(answer, Prediction):
            return answer
        raise answer.error

    def predict_many(
        self,
        profile: str,
        songs: Sequence[SongRequest],
        *,
        keep: bool = True,
        spend: Spend | None = None,
        serving: ServingModel | None = None,
        log_via: str | None = None,
    ) -> PredictionList:
        """One answer per song, in order: a prediction, or why this song could not be predicted (the
        error it would raise asked alone, and the words a list gives for it)."""
        from musicflow.app.predicting import PredictionList

        answers = self._predict(songs, profile, None, SONG_REASONS, keep, spend, serving, log_via)
        return PredictionList(profile, songs, answers, self.settings.feature_sources)

    def predict_together(
        self, serving: ServingModel, songs: Sequence[SongRequest]
    ) -> list[Prediction | MusicflowError]:
        """Songs asked at one moment by several requests of a server that answers from this machine,
        made in one list by `serving`: each its prediction (with the reasons of a song asked alone) or
        the error that song asked alone would raise. Nothing is stored, and no network source asked."""
        answers = self._predict(songs, serving.profile, None, SONG_REASONS, False, None, serving)
        return [answer if isinstance(answer, Prediction) else answer.error for answer in answers]

    def _predict(
        self,
        songs: Sequence[SongRequest],
        profile: str,
        sources: Sequence[str] | None,
        explain: int,
        keep: bool,
        spend: Spend | None,
        serving: ServingModel | None,
        log_via: str | None = None,
    ) -> list[Prediction | Unanswered]:
        from musicflow.app.predicting import predict_songs
        from musicflow.app.prediction_log import Given

        chosen = serving if serving is not None else self.serving.get(profile)
        with self._opened_sources(sources) as opened:
            answers = predict_songs(
                chosen, self._finder, opened, songs, explain=explain, keep=keep, spend=spend
            )
        if log_via is not None:
            self.log_predictions([Given.of(a) for a in answers if isinstance(a, Prediction)], log_via)
        return answers

    # -- batch scoring ----------------------------------------------------------------------------
    def score_catalog(
        self,
        profile: str,
        catalog: str,
        output: Path,
        *,
        mapping: str | None = None,
        engine: Engine | None = None,
        resume: bool = False,
        progress: Callable[[int, int], None] | None = None,
        reading: Callable[[int, int], None] | None = None,
    ) -> ScoreSummary:
        """Every row of a catalog file (or of an imported catalog, by name) scored into `output`;
        `mapping` names the columns of a file in a layout of its own, as for `add_catalog`. `progress`
        is told how many parts are scored (of how many), `reading` how many bytes of a CSV file are
        read (of how many) while it is converted first."""
        from musicflow.app.catalog_scoring import catalog_input, parse_mapping, score_catalog
        from musicflow.scale.engines import LocalEngine

        pack = self.scoring_pack(profile)
        source = catalog_input(self._store, catalog, parse_mapping(mapping), reading)
        return score_catalog(pack, source, output, engine or LocalEngine(), resume=resume, progress=progress)

    def recommend(
        self,
        profile: str,
        top: int = 20,
        catalogs: Sequence[str] | None = None,
        per_artist: int = 2,
        *,
        new_songs_only: bool = False,
        by_prediction: bool = False,
    ) -> list[Recommendation]:
        """The songs of the imported catalogs the listener never played, ranked the way chosen for them
        when their model was trained (`ranker_choice.py`; `by_prediction`: by predicted streams whatever
        was chosen); other versions of songs they streamed say so, or are left out with
        `new_songs_only`."""
        from musicflow.app.catalog_scoring import recommend

        serving = self.serving.get(profile)
        pack = self.scoring_pack(profile)
        names = list(catalogs) if catalogs else [c.name for c in self.catalogs()]
        return recommend(
            serving,
            pack,
            self._store,
            names,
            top,
            per_artist,
            new_songs_only=new_songs_only,
            by_prediction=by_prediction,
        )

    def recommendations(
        self, profile: str, question: RecommendationQuestion | None = None
    ) -> Recommendations:
        """The answer to "what should I try next?": `recommend`'s songs for the question (every imported
        catalog by default), with the catalogs and the model version it came from; kept for as long as
        the listener's serving model and every imported catalog stay the same (which entry of a song a
        list shows is chosen among them all, as `predict` looks: `app/recommendation_answers.py`)."""
        from musicflow.app.recommendation_answers import (
            RecommendationQuestion,
            Recommendations,
            chosen_catalogs,
        )

        asked = question or RecommendationQuestion()
        serving = self.serving.get(profile)
        imported = self.catalogs()
        chosen = chosen_catalogs(imported, asked.catalogs)

        def make() -> Recommendations:
            names = [c.name for c in chosen]
            found = (
                self.recommend(
                    profile,
                    asked.top,
                    names,
                    asked.per_artist,
                    new_songs_only=asked.new_songs_only,
                    by_prediction=asked.by_prediction,
                )
                if names
                else []
            )
            entries = sum(c.rows for c in chosen)
            return Recommendations(profile, serving.version, names, entries, asked, found)

        def still_loaded() -> int:
            return self.serving.get(profile).loaded

        kept = self._kept_recommendations
        return kept.answer(profile, asked, serving.loaded, imported, make, still_loaded)

    def make_lists_ahead(self) -> None:
        """From now on `recommend_ahead` makes lists (a server's start calls this; a command, which would
        end before a list is seen, does not), unless `api_recommend_ahead` is off."""
        if self.settings.api_recommend_ahead and self._lists_ahead is None:
            self._lists_ahead = ListsAhead(self.recommendations)

    def recommend_ahead(self, profile: str) -> None:
        """Make the listener's default list (Discover's) in the background, where they are about to look:
        a server does when it loads their model at start, at their sign-in and when a training it ran
        (their upload's, a retrain) made a version that serves; elsewhere nothing (`make_lists_ahead`)."""
        if self._lists_ahead is not None:
            self._lists_ahead.ask(profile)

    def scoring_pack(self, profile: str) -> ScoringPack:
        from musicflow.app.catalog_scoring import scoring_pack

        return scoring_pack(self.serving.get(profile))

    # -- the listener's taste (the web page) --------------------------------------------------------
    def taste(self, profile: str) -> Taste:
        """Top artists and tracks, when they listen, what the model sees, and how good it is."""
        from musicflow.app.taste import build_taste

        profile_id = self.require_profile(profile)
        history = self._store.history
        return build_taste(self._store, history, self.registry, self.settings, profile, profile_id)

    def taste_page(self, profile: str) -> TastePage:
        """The taste page's answer: the listener's taste, how right their model's logged predictions were
        and how far their listening has moved since it learned, all from one read of their history."""
        from musicflow.app.history_read_once import HistoryReadOnce
        from musicflow.app.taste import TastePage, build_taste

        profile_id = self.require_profile(profile)
        history = HistoryReadOnce(self._store.history)
        taste = build_taste(self._store, history, self.registry, self.settings, profile, profile_id)
        return TastePage(taste, self._accuracy(profile, profile_id, history))

    def listener_average(self, profile: str) -> dict[str, float]:
        """The average sound of the listener's most streamed songs, to set a song against."""
        from musicflow.app.taste import listener_average

        return listener_average(self._store, self.settings, self.require_profile(profile))

    def standing(self, profile: str, version: int) -> Standing | None:
        """A model version's evaluation against the reference rows (None when it has none)."""
        from musicflow.app.taste import standing

        return standing(self.registry, profile, version)

    # -- plumbing ---------------------------------------------------------------------------------
    @property
    def _miss_ttl_s(self) -> float:
        return self.settings.miss_ttl_days * DAY_S

    @functools.cached_property
    def answers_locally(self) -> bool:
        """Whether a question is answered from this machine alone (the configured sources are local and
        the store is embedded): then it takes well under a millisecond and needs no worker thread. (The
        settings do not change: asked on every request, decided once.)"""
        from musicflow.features.lookup import LOCAL_SOURCES

        embedded = self.settings.database_url is None or self.settings.database_url.startswith("sqlite")
        return embedded and all(name in LOCAL_SOURCES for name in self.settings.feature_sources)

    def know_songs(self) -> None:
        """Read the stored tracks' keys and the catalogs into memory now, with what finds a name no key
        finds (near names, the artists a song features): a server does it at start, so that no question
        waits for it."""
        index = self._finder.index
        index.hold()
        index.names()
        index.credits()

    @property
    def _finder(self) -> SongFinder:
        """What finds asked songs' features: one per application, its index held in memory."""
        if self._song_finder is None:
            from musicflow.features.lookup import RememberedAnswers, SongFinder
            from musicflow.features.song_index import SongIndex

            self._song_finder = SongFinder(
                self._store.features,
                SongIndex(self._store.features),
                RememberedAnswers(),
                self.settings.feature_precedence,
                self.clock,
                self._miss_ttl_s,
            )
        return self._song_finder

    def _champion_version(self, profile: str) -> int | None:
        champion = self.registry.champion(profile)
        return champion.version if champion is not None else None

    def _load_serving(self, profile: str) -> ServingModel:
        from musicflow.model.listener import Listener, load_model

        self.require_profile(profile)
        # Hundreds of thousands of small objects, none of them cyclic: the collector, which would walk the
        # whole heap (a server's catalogs) again and again meanwhile, waits until they are made.
        with collector_paused():
            try:
                version, model = load_model(self.registry, profile)
            except NoModelError as none:
                raise self._what_would_help(none) from None
            model.prepare()  # the explainer's tables are built now, not by the first question
            listener = Listener.load(self._store.history, profile, stream_min_ms=self.settings.stream_min_ms)
        return ServingModel(profile, version, model, listener)

    def no_model(self, profile: str) -> NoModelError:
        """Why no model answers for the profile, and what would give it one, as every front end says it."""
        return self._what_would_help(
            NoModelError(f"profile '{profile}' has no model yet", hint=Hint.TRAIN, profile=profile)
        )

    def _what_would_help(self, error: NoModelError) -> NoModelError:
        """ "No model yet: train one" said, for a profile with too little listening history for training
        to succeed, as what training needs (every front end reads it so: the CLI, the API, the page)."""
        from musicflow.app.training import streamed_songs_short

        if error.hint is not Hint.TRAIN or not error.profile:
            return error
        short = streamed_songs_short(self.top_streams(error.profile, None))
        if short is None:
            return error
        streamed, needed = short
        return NoModelError(
            f"{error} and too little listening history to train one: {counted(streamed, 'streamed song')},"
            f" where training needs at least {needed}; an export with more of this listener's history"
            " would give them",
            hint=Hint.INGEST,
            profile=error.profile,
        )

    @contextmanager
    def _opened_sources(self, names: Sequence[str] | None) -> Iterator[list[FeatureSource]]:
        """The configured sources, opened once and kept; other names, opened for this call only."""
        from musicflow.features.source_choice import open_sources

        wanted = list(names) if names is not None else list(self.settings.feature_sources)
        if wanted == list(self.settings.feature_sources):
            if self._sources is None:
                self._sources = self._closing.enter_context(
                    open_sources(wanted, self.settings, self._store.features, self.clock)
                )
            yield self._sources
            return
        with open_sources(wanted, self.settings, self._store.features, self.clock) as opened:
            yield opened
