"""The resumable job that gets features for every track a listener played, source by source.

Each batch's answers are stored in one transaction before the next batch is asked, and a track a source
has answered (or recently did not know) is not asked again: a job killed at any point makes only the
calls not yet made when it runs again. A source that asks us to wait for long is paused, and the job
says when it can resume; a source that is down stops, and what it already gave is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from musicflow.core.clock import Clock
from musicflow.core.songs import FeatureRecord, NotFound, SourceAnswer
from musicflow.errors import InvalidPayloadError, RateLimitedError, UpstreamError
from musicflow.features.source_port import FeatureSource
from musicflow.store.ports import FeatureStore, PendingTrack

log = logging.getLogger(__name__)


class FetchProgress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, amount: int, label: str | None = None) -> None: ...


@dataclass
class SourceRun:
    """What one source did in one run of the job: of its `pending` tracks, the `asked` ones whose batch it
    answered (a batch it asked us to wait for, or failed on, is not), each found, not found or
    `undecided` (no answer kept: a refused answer, or no Spotify id to ask with)."""

    source: str
    pending: int = 0
    asked: int = 0
    answered: int = 0
    not_found: int = 0
    undecided: int = 0
    stopped: str | None = None
    paused_until: float | None = None


def fetch_features(
    store: FeatureStore,
    profile_id: int,
    sources: Sequence[FeatureSource],
    *,
    clock: Clock,
    miss_ttl_s: float,
    progress: FetchProgress | None = None,
) -> list[SourceRun]:
    """Ask each source, in order, about the profile's tracks it has not answered yet."""
    return [_run_source(store, profile_id, source, clock, miss_ttl_s, progress) for source in sources]


def _run_source(
    store: FeatureStore,
    profile_id: int,
    source: FeatureSource,
    clock: Clock,
    miss_ttl_s: float,
    progress: FetchProgress | None,
) -> SourceRun:
    run = SourceRun(source.name)
    pause = store.source_pause(source.name)
    if pause is not None:
        if pause.resume_at > clock.now():
            run.paused_until = pause.resume_at
            run.stopped = f"paused: {pause.reason}"
            run.pending = len(store.pending_tracks(profile_id, source.name, clock.now()))
            return run
        store.clear_pause(source.name)
    pending = store.pending_tracks(profile_id, source.name, clock.now())
    run.pending = len(pending)
    if progress:
        progress.start(f"{source.name}: tracks", len(pending))
    for start in range(0, len(pending), source.batch_size):
        batch = pending[start : start + source.batch_size]
        if not _ask(store, source, batch, run, clock, miss_ttl_s):
            break
        if progress:
            progress.advance(len(batch))
    return run


def _ask(
    store: FeatureStore,
    source: FeatureSource,
    batch: Sequence[PendingTrack],
    run: SourceRun,
    clock: Clock,
    miss_ttl_s: float,
) -> bool:
    """One batch: ask, store, count. False when the source cannot go on in this run."""
    track_ids = {pending.query.key: pending.track_id for pending in batch}
    try:
        answers = source.fetch([pending.query for pending in batch])
    except RateLimitedError as exc:
        store.pause_source(source.name, exc.resume_at, str(exc))
        run.paused_until = exc.resume_at
        run.stopped = str(exc)
        return False
    except InvalidPayloadError as exc:
        log.warning("%s: answer refused, nothing of it is stored: %s", source.name, exc)
        run.asked += len(batch)
        run.undecided += len(batch)
        return True
    except UpstreamError as exc:
        run.stopped = str(exc)
        return False
    decided: dict[int, SourceAnswer] = {
        track_ids[key]: answer for key, answer in answers.items() if key in track_ids
    }
    store.save_answers(source.name, decided, now=clock.now(), miss_ttl_s=miss_ttl_s)
    run.asked += len(batch)
    run.answered += sum(1 for a in decided.values() if isinstance(a, FeatureRecord))
    run.not_found += sum(1 for a in decided.values() if isinstance(a, NotFound))
    run.undecided += len(batch) - len(decided)
    return True
