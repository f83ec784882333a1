"""Uploads and the jobs they start: a listener's export sent over HTTP is stored, then ingested, its
features fetched and a model trained, in the background, resumed after a restart.

The files are copied to `<data_dir>/uploads/<job id>/` in chunks (never whole in memory), under a size
limit, with names reduced to a plain file name (no folder, no path), `.zip` or `.json` only, and removed
as soon as the job has finished (done or failed) or is taken back: they hold what ingest never keeps (IP
addresses, user agents). Their SHA-256s make the upload's digest, which the job's row keeps: the same
export uploaded again by the same profile answers with the job that already took it, and changes nothing
(unless that job failed or was taken back: then it is a new job). A job goes queued, running (ingesting,
fetching features, training), then done with its result or failed with a clear error and what it stored
before (its plays are kept); each step is written to its row as it goes. New plays ingested otherwise
(`musicflow ingest`) queue a `train` job of the profile: it trains unless the model that serves already
learned from every play, and the registry's gate decides whether the new version serves (the server swaps
it in). Where the plays since the champion's cut-off have drifted
from those it learned from (`model/drift.py`), the job's result says so. The schedule (`app.schedule`)
queues `train` and `refresh` jobs once a day. One runner works at a time: `JobRunner` in the server (which
first queues again what a stopped server left running, and runs the schedule when it is due) or
`musicflow jobs run`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from musicflow.app.error_map import cut
from musicflow.core.clock import Interrupted, waits_end_on
from musicflow.core.timezone import iso_utc
from musicflow.errors import MusicflowError, TooLargeError

if TYPE_CHECKING:
    from musicflow.app.results import Training
    from musicflow.app.service import MusicFlow
    from musicflow.ingest.report import IngestReport
    from musicflow.store.ports import Job, JobStore

log = logging.getLogger(__name__)
CHUNK = 1 << 20
ALLOWED = (".zip", ".json")
MAX_FILES = 200
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
PROGRESS_EVERY_S = 1.0
# A runner touches the row of the job it runs this often, whatever the job writes itself; a running job
# whose row was not touched for STALE_S was left by a runner that stopped (killed, or its machine), and
# any runner queues it again (checked every STALE_S). Another runner alive on the same store (a second
# server, or a worker of the same one) keeps its jobs.
HEARTBEAT_S = 15.0
STALE_S = 4 * HEARTBEAT_S


@dataclass(frozen=True)
class Received:
    """Files copied into a folder of their own, with their digest."""

    folder: Path
    names: tuple[str, ...]
    digest: str
    size: int


def too_large_words(max_bytes: int) -> str:
    """What an upload past the limit is told, wherever it is stopped (the files as written here, or the
    body as it arrives, framing and all): the limit the operator set, in bytes, as set."""
    return f"the upload is larger than this server accepts ({max_bytes:,} bytes: MUSICFLOW_UPLOAD_MAX_BYTES)"


def too_many_files_words() -> str:
    """What an upload of more than `MAX_FILES` files is told, wherever it is stopped (the form as it is
    parsed, or the files as they are written)."""
    return (
        f"an upload holds at most {MAX_FILES} files: send my_spotify_data.zip as downloaded, a single"
        " file, rather than its JSON files one by one"
    )


def safe_name(name: str, index: int) -> str:
    """A plain file name from whatever a client sent (no folder, no '..', printable characters only); a
    name that is only its extension (`.json`) keeps it: `file-0.json`, read by its content as any other."""
    plain = SAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = plain.strip(" .")
    suffix = next((allowed for allowed in ALLOWED if plain.lower().endswith(allowed)), "")
    if not base or not base.lower().endswith(suffix):
        return f"file-{index}{suffix}"
    return base


def receive(files: Iterable[tuple[str, IO[bytes]]], folder: Path, max_bytes: int) -> Received:
    """Copy the uploaded files into `folder` (made here), refusing what is not a zip or JSON file, more
    than `MAX_FILES` files, or more than `max_bytes` in all; the folder is removed on refusal."""
    folder.mkdir(parents=True)
    names: list[str] = []
    digests: list[str] = []
    total = 0
    try:
        for index, (name, stream) in enumerate(files):
            if index >= MAX_FILES:
                raise MusicflowError(too_many_files_words())
            plain = safe_name(name, index)
            if not plain.lower().endswith(ALLOWED):
                raise MusicflowError(
                    f"'{cut(plain)}' is not a Spotify export: send my_spotify_data.zip as downloaded, or its"
                    " JSON files"
                )
            while plain in names:
                stem, dot, suffix = plain.rpartition(".")
                plain = f"{stem}-{index}{dot}{suffix}"
            digest = hashlib.sha256()
            with (folder / plain).open("wb") as out:
                while chunk := stream.read(CHUNK):
                    total += len(chunk)
                    if total > max_bytes:
                        raise TooLargeError(too_large_words(max_bytes))
                    digest.update(chunk)
                    out.write(chunk)
            names.append(plain)
            digests.append(digest.hexdigest())
        if not names:
            raise MusicflowError("no file in the upload: send the export in the field 'file'")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    whole = hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()
    return Received(folder, tuple(names), whole, total)


class JobStopped(Interrupted):
    """The runner is stopping (the server shuts down): the job ends at its next report of progress (or
    in the wait it is in, `waits_end_on`) and is queued again, for the next runner to take up."""


class JobEnded(JobStopped):
    """The job's profile is being deleted (`MusicFlow.delete_profile`): the job ends at its next report
    of progress, recording nothing (its row goes with the profile), so that nothing it would make
    afterwards (a model version, plays) outlives the deletion."""


QUEUED_AGAIN = "queued again: the server stopped"


class JobProgress:
    """What a running job reports, written to its row at most once a second (and at each stage); each
    report is also where the job ends early when `stopping` is set."""

    def __init__(
        self,
        jobs: JobStore,
        job_id: str,
        stopping: threading.Event | None = None,
        ending: threading.Event | None = None,
    ) -> None:
        self._jobs = jobs
        self._job_id = job_id
        self._stopping = stopping
        self._ending = ending
        self.figures: dict[str, Any] = {}
        self.stored: dict[str, Any] = {}  # what the job stored so far (its ingest, the features fetched)
        self._written = 0.0
        self._stage = ""
        self._total = 0

    def stage(self, stage: str, **figures: Any) -> None:
        self._stage = stage
        self.figures.update(figures)
        self._write(force=True)

    @property
    def stage_name(self) -> str:
        """The stage the job is in (or failed in)."""
        return self._stage

    def note(self, **figures: Any) -> None:
        self.figures.update(figures)
        self._write()

    # the ingest's and the fetch's progress protocol
    def start(self, label: str, total: int) -> None:
        self._total = total
        self.note(**{f"{self._key()}_total": total})

    def advance(self, amount: int, label: str | None = None) -> None:
        key = f"{self._key()}_done"
        self.note(**{key: int(self.figures.get(key, 0)) + amount})

    def training(self, message: str, fraction: float) -> None:
        self.note(training=round(fraction, 2), training_step=message)

    def _key(self) -> str:
        return {"ingesting": "bytes", "fetching features": "tracks"}.get(self._stage, "work")

    def _write(self, force: bool = False) -> None:
        if self._ending is not None and self._ending.is_set():
            raise JobEnded
        if self._stopping is not None and self._stopping.is_set():
            raise JobStopped
        now = time.time()
        if force or now - self._written >= PROGRESS_EVERY_S:
            self._written = now
            self._jobs.update_job(self._job_id, now, stage=self._stage, progress=self.figures)


def run_job(
    app: MusicFlow,
    job: Job,
    uploads_dir: Path,
    stopping: threading.Event | None = None,
    ending: threading.Event | None = None,
) -> None:
    """Do a job's work, step by step, recording each in its row; never raises for the job's own
    failures (they are its result). When `stopping` is set the job ends at its next step and is queued
    again: what it stored stays (an ingest and a fetch take up where they were), a model half trained
    is not registered. When `ending` is set (its profile is being deleted) it ends there too, for good."""
    jobs = app.jobs_store
    progress = JobProgress(jobs, job.id, stopping, ending)
    try:
        with waits_end_on(stopping) if stopping is not None else nullcontext(), heartbeat(jobs, job.id):
            _run(app, job, uploads_dir, progress)
    except JobEnded:
        log.info("job %s ends: the data of its profile is being deleted", job.id)
    except Interrupted:
        log.info("job %s stops with the server; queued again", job.id)
        jobs.update_job(job.id, time.time(), state="queued", stage=QUEUED_AGAIN)
        return  # its files stay: the next runner reads them again
    except MusicflowError as failed:
        _failed(jobs, job.id, progress, str(failed))
    except Exception:
        log.exception("job %s failed", job.id)
        _failed(jobs, job.id, progress, "the job failed unexpectedly; it is logged")
    forget_upload(uploads_dir, job.id)


def _failed(jobs: JobStore, job_id: str, progress: JobProgress, error: str) -> None:
    """Record a failed job: with what it had stored before the step that failed (its plays, its library,
    the features fetched), so that the listener is told those were kept and what did not happen."""
    stored = progress.stored
    result = {**stored, "failed_at": progress.stage_name} if stored else None
    jobs.update_job(job_id, time.time(), state="failed", stage="failed", error=error, result=result)


def forget_upload(uploads_dir: Path, job_id: str) -> None:
    """Remove an upload's files once its job has finished (done or failed) or was taken back.

    They hold what the export holds beyond what ingest keeps (IP addresses, user agents, country:
    README, Privacy): they are kept only while the job may read them, i.e. while it is queued or running
    (a server stopped in the middle queues it again, and the next runner reads them from the start). A
    failed job is never run again (the same export uploaded again is a new job), so nothing needs them
    after; the job's row keeps only the digest of the files (to answer the same upload again) and its
    result."""
    shutil.rmtree(uploads_dir / job_id, ignore_errors=True)


@contextmanager
def heartbeat(jobs: JobStore, job_id: str, every_s: float | None = None) -> Iterator[None]:
    """While the job runs, its row is touched every `every_s` (HEARTBEAT_S): no other runner takes it
    for one left by a stopped runner."""
    done = threading.Event()
    interval = HEARTBEAT_S if every_s is None else every_s

    def beat() -> None:
        while not done.wait(interval):
            try:
                jobs.update_job(job_id, time.time())
            except MusicflowError as failed:  # the store does not answer now: the next beat tries again
                log.warning("job %s: its row could not be touched: %s", job_id, failed)

    beating = threading.Thread(target=beat, name=f"job {job_id[:8]} heartbeat", daemon=True)
    beating.start()
    try:
        yield
    finally:
        done.set()
        beating.join()


def _run(app: MusicFlow, job: Job, uploads_dir: Path, progress: JobProgress) -> None:
    """The job's steps, each recorded in its row."""
    if job.kind == "train":
        progress.stage("training")
        _done(app, job, _retrain(app, job.profile, progress))
        return
    if job.kind == "refresh":
        refreshed, left = _refresh(app, job, progress)
        _done(app, job, refreshed, digest=left)
        return
    folder = uploads_dir / job.id
    if not folder.is_dir():
        raise MusicflowError("the uploaded files are gone: upload the export again")
    progress.stage("ingesting")
    report = app.ingest([folder], job.profile, progress, retrain=False, import_id=job.id)
    ingested = ingest_summary(report)
    if job.attempts > 1:  # taken up again: an earlier run stored plays this one found stored
        ingested["new_plays"] = app.plays_brought(job.id)
    progress.stored.update(ingested)  # kept whatever a later step does
    progress.stage("fetching features", plays=report.music_plays, new_plays=ingested["new_plays"])
    fetched = app.fetch_features(job.profile, progress=progress)
    answered = sum(run.answered for run in fetched.runs)
    progress.stored["features_fetched"] = answered
    result: dict[str, Any] = dict(progress.stored)  # as an ingest records
    progress.stage("training", features_fetched=answered)
    result.update(_retrain(app, job.profile, progress))
    _done(app, job, result)


def _done(app: MusicFlow, job: Job, result: dict[str, Any], digest: str | None = None) -> None:
    """Record the job done. Its row's time moves the profile's history stamp, which has a server read a
    listener again when another process changed them; this process read them again as it changed them,
    so the model it serves stays loaded (`ServingModels.finished_here`), and with it the Discover list
    made ahead after the job's training: the first look does not wait for it to be made again."""
    before = app.jobs_store.last_finished(job.profile)
    now = time.time()
    app.jobs_store.update_job(job.id, now, state="done", stage="done", result=result, digest=digest)
    app.serving.finished_here(job.profile, before, now)


def _retrain(app: MusicFlow, profile: str, progress: JobProgress) -> dict[str, Any]:
    """Train the profile unless the model that serves already learned from every play it has; the new
    version serves only if it evaluates no worse than the champion (the registry's gate)."""
    if app.champion_is_current(profile):
        return {"training": "nothing new: the model that serves already learned from every play"}
    drift = app.drift(profile)  # the champion's, before the new version may take its place
    result = _trained(app.train(profile, progress=progress.training))
    if drift is not None and drift.drifted:
        result["drift"] = drift.summary
    return result


def _trained(training: Training) -> dict[str, Any]:
    """What a job's result says of a training: the version, whether it serves, and how many old versions
    were removed after it (when any were)."""
    publication = training.publication
    result: dict[str, Any] = {"model_version": publication.version.version, "serving": publication.promoted}
    if training.versions_removed:
        result["old_versions_removed"] = training.versions_removed
    return result


def _refresh(app: MusicFlow, job: Job, progress: JobProgress) -> tuple[dict[str, Any], str]:
    """Ask the sources again for the songs without features; train when they answered, unless a retrain
    of the profile waits (it will learn from them): the gate decides whether the new version serves.
    With the result, the digest of the songs still unanswered (the schedule asks again when they change)."""
    from musicflow.app.schedule import songs_digest

    progress.stage("fetching features")
    fetched = app.fetch_features(job.profile, progress=progress)
    answered = sum(run.answered for run in fetched.runs)
    left = app.songs_to_refresh(job.profile)
    result: dict[str, Any] = {"features_fetched": answered, "still_missing": len(left)}
    if not answered:
        result["training"] = "no new features: nothing new to learn"
    elif app.jobs_store.waiting(job.profile, "train") is not None:
        result["training"] = "left to the retrain that waits"
    else:
        progress.stage("training", features_fetched=answered)
        result.update(_trained(app.train(job.profile, progress=progress.training)))
    return result, songs_digest(left)


def new_job_id() -> str:
    return uuid.uuid4().hex


class JobRunner:
    """Runs queued jobs one after another in a thread of the server; `stop` ends the current one at its
    next step, or in the wait it is in (queued again, for the next start), and waits for that."""

    def __init__(self, app: MusicFlow, poll_s: float = 1.0) -> None:
        self._app = app
        self._poll_s = poll_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jobs", daemon=True)
        self._requeued_at = 0.0

    def start(self) -> None:
        self._requeue_left()
        try:
            forgotten = self._app.forget_finished_uploads()
        except (MusicflowError, OSError) as failed:
            log.warning("jobs: the files of finished uploads could not be removed: %s", failed)
        else:
            if forgotten:
                log.info("the files of %d finished upload(s) were removed", forgotten)
        self._thread.start()

    def _requeue_left(self) -> None:
        """Queue again the jobs a stopped runner left running (rows not touched for STALE_S)."""
        now = time.time()
        self._requeued_at = now
        try:
            requeued = self._app.jobs_store.requeue_running(now, now - STALE_S)
        except MusicflowError as failed:
            log.warning("jobs: %s", failed)
            return
        if requeued:
            log.info("%d job(s) left running by a stopped server are queued again", requeued)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            if time.time() - self._requeued_at >= STALE_S:
                self._requeue_left()
            self._schedule()
            try:
                ran = self._app.run_next_job(self._stop)
            except MusicflowError as failed:  # the store does not answer: try again later
                log.warning("jobs: %s", failed)
                ran = False
            if not ran:
                self._wake.wait(self._poll_s)
                self._wake.clear()

    def _schedule(self) -> None:
        """Queue the schedule's jobs when it is due; a failure is logged, and the runner goes on."""
        try:
            run = self._app.run_schedule()
        except MusicflowError as failed:
            log.warning("jobs: the schedule could not run: %s", failed)
            return
        except Exception:
            log.exception("jobs: the schedule failed")
            return
        if run is not None:
            log.info("jobs: the schedule queued %d job(s)", len(run.queued))


def job_document(job: Job) -> dict[str, Any]:
    """A job as the API and `jobs list --format json` give it: one document, its times in ISO 8601, UTC
    (`2026-12-06T10:41:07+00:00`), as every answer gives a time to programs."""
    return {
        "id": job.id,
        "profile": job.profile,
        "kind": job.kind,
        "reason": job.reason,
        "state": job.state,
        "stage": job.stage,
        "progress": dict(job.progress),
        "result": dict(job.result) if job.result is not None else None,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": iso_utc(job.created_at),
        "updated_at": iso_utc(job.updated_at),
    }


def ingest_summary(report: IngestReport) -> dict[str, Any]:
    """What an `ingest` run recorded as its import's result: with the files and the records of the export
    that could not be read and were left out, and a few of the records, where there were any (nothing is
    left out unsaid)."""
    from musicflow.core.plays import SkipReason

    summary: dict[str, Any] = {
        "plays": report.music_plays,
        "new_plays": report.new_plays,
        "files": report.files_read,
    }
    damaged = [f"{result.label}: {result.note}" for result in report.files_damaged]
    if damaged:
        summary["files_unreadable"] = damaged
    unreadable = report.skipped.get(SkipReason.INVALID, 0)
    if unreadable:
        summary |= {"records_unreadable": unreadable, "unreadable_examples": report.invalid_examples[:5]}
    return {**summary, "library": report.library} if report.library is not None else summary
