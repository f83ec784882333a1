"""The job runner's schedule: learning as the listener listens, without anyone asking.

Once a period (`retrain_every_hours`, a day by default; 0 turns it off) the runner - the server's, or
`musicflow jobs run` - queues, for each profile with plays:

- a `refresh` job when some of its songs have no features from a configured source and were never asked,
  or were not found long enough ago (`miss_ttl_days`) to ask again; it fetches them, and trains when it
  found any (unless a retrain of the profile is already waiting, which will use them). Songs a source
  cannot decide (ReccoBeats without a Spotify id) stay unanswered: the refresh records which songs it left
  (a digest of their ids, in its job's `digest`), and no refresh is queued while they are the same;
- a `train` job when the model that serves has not learned from every play the profile has now
  (`champion_is_current`); a profile with no model yet is left to its next upload or `musicflow train`,
  so a history too small to train on is not tried again every day.

The refresh is queued first, so a retrain queued with it learns from the new features. When the schedule
last ran is stored and claimed with a conditional write: a restarted server does not queue the jobs
again at once, and of two runners only one queues them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from musicflow.core.plurals import counted

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.store.ports import Job

SCHEDULE = "learning"
LEFT = "left:"
HOUR_S = 3_600.0


@dataclass(frozen=True)
class ScheduleRun:
    """What one run of the schedule queued (nothing, when every profile was up to date, or the job it
    asked for was already waiting: an ingest's retrain, queued with its own reason)."""

    ran_at: float
    queued: tuple[Job, ...]


def run_schedule(app: MusicFlow, now: float) -> ScheduleRun | None:
    """Queue the period's jobs if the period has passed since the schedule last ran (None: not due)."""
    every_s = app.settings.retrain_every_hours * HOUR_S
    if every_s <= 0:
        return None
    jobs = app.jobs_store
    last = jobs.schedule_ran(SCHEDULE)
    if last is not None and now - last < every_s:
        return None
    if not jobs.claim_schedule(SCHEDULE, last, now):
        return None  # another runner took this period's run
    queued: list[tuple[Job, bool]] = []
    for profile in app.profiles():
        summary = app.listening_summary(profile)
        if not summary.plays:
            continue
        missing = app.songs_to_refresh(profile)
        if missing and last_refresh_left(app, profile) != songs_digest(missing):
            why = f"scheduled: {counted(len(missing), 'song')} without features to ask for"
            queued.append(app.queue_job(profile, "refresh", why))
        learned = app.plays_learned(profile)
        if learned is not None and learned != (summary.plays, summary.last_ended_at):
            then, now_ = learned[0], summary.plays
            why = f"scheduled: the plays changed since the model learned ({then:,} then, {now_:,} now)"
            queued.append(app.queue_job(profile, "train", why))
    return ScheduleRun(now, tuple(job for job, made in queued if made))  # not the jobs already waiting


def songs_digest(track_ids: Iterable[int]) -> str:
    """A digest of a set of tracks, short enough for a job's `digest` (and never an upload's)."""
    text = ",".join(str(t) for t in sorted(track_ids))
    return LEFT + hashlib.sha256(text.encode()).hexdigest()[: 64 - len(LEFT)]


def last_refresh_left(app: MusicFlow, profile: str) -> str | None:
    """The digest of the songs the profile's last finished refresh left without features."""
    done = (job for job in app.jobs(profile) if job.kind == "refresh" and job.state == "done")
    last = next(done, None)
    return last.digest if last is not None else None
