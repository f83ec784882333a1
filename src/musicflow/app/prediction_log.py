"""The prediction log, written off the request path: what each listener was told, for judging it later.

A request only appends to a list in memory (a lock and an append); a thread writes what waits in one
transaction every `flush_every_s`, or sooner when `batch` entries wait; closing writes the rest. Entries
older than the retention are pruned when the first batch is written, then once a day. A store that
fails is retried with the next batch; past `MAX_WAITING` entries the oldest are dropped, with a warning,
so that a server never runs out of memory for its log. Nothing here names a client address or a token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from musicflow.core.clock import Clock
from musicflow.errors import MusicflowError
from musicflow.store.ports import LoggedPrediction, PredictionLogStore

if TYPE_CHECKING:
    from musicflow.app.results import Prediction

log = logging.getLogger(__name__)
DAY_S = 86_400.0
MAX_WAITING = 100_000


@dataclass(frozen=True, slots=True)
class Given:
    """A prediction as the log keeps it, before it is stamped with when and through what."""

    profile: str
    song: str
    artist: str
    spotify_id: str | None
    model_version: int
    predicted: float

    @classmethod
    def of(cls, prediction: Prediction) -> Given:
        """The song as answered (the known one when a near name was taken), its id, the value given."""
        query = prediction.answer.song.query
        return cls(
            prediction.profile,
            query.song,
            query.artist,
            prediction.answer.song.merged.spotify_id or query.spotify_id,
            prediction.model_version,
            round(prediction.streams, 2),
        )


class PredictionLogger:
    """Batches entries for a `PredictionLogStore`; safe to share between threads."""

    def __init__(
        self,
        store: PredictionLogStore,
        clock: Clock,
        *,
        retention_days: int,
        flush_every_s: float = 1.0,
        batch: int = 1000,
    ) -> None:
        self._store = store
        self._clock = clock
        self._retention_s = retention_days * DAY_S
        self._flush_every_s = flush_every_s
        self._batch = batch
        self._waiting: list[LoggedPrediction] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._pruned_at = -float("inf")

    def record(self, given: Iterable[Given], via: str) -> None:
        """Keep these predictions for the next batch (no I/O here)."""
        now = self._clock.now()
        entries = [
            LoggedPrediction(
                g.profile, g.song, g.artist, g.spotify_id, g.model_version, g.predicted, now, via
            )
            for g in given
        ]
        with self._lock:
            self._waiting.extend(entries)
            waiting = len(self._waiting)
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="prediction-log", daemon=True)
                self._thread.start()
        if waiting >= self._batch:
            self._wake.set()

    def flush(self) -> int:
        """Write what waits now; how many entries were written."""
        with self._write_lock:
            with self._lock:
                entries, self._waiting = self._waiting, []
            try:
                written = self._store.append(entries)
                self._prune_if_due()
            except MusicflowError as failed:
                self._put_back(entries, failed)
                return 0
            return written

    def forget(self, profile: str) -> None:
        """Drop what waits to be written of the profile (its data was just deleted): written later, it
        would be dropped, or, were a profile of that name made again meanwhile, kept as the new one's."""
        with self._lock:
            self._waiting = [entry for entry in self._waiting if entry.profile != profile]

    def close(self) -> None:
        """Stop the writer and write what is left."""
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self._flush_every_s)
            self._wake.clear()
            if self._waiting:
                self.flush()

    def _prune_if_due(self) -> None:
        now = self._clock.now()
        if now - self._pruned_at >= DAY_S:
            self._pruned_at = now
            pruned = self._store.prune(now - self._retention_s)
            if pruned:
                log.info("prediction log: %d entries older than the retention removed", pruned)

    def _put_back(self, entries: list[LoggedPrediction], failed: MusicflowError) -> None:
        with self._lock:
            self._waiting[:0] = entries
            dropped = len(self._waiting) - MAX_WAITING
            if dropped > 0:
                del self._waiting[:dropped]
        log.warning(
            "prediction log: %d entries not written yet (%s)%s",
            len(entries),
            failed,
            f"; {dropped} oldest dropped" if dropped > 0 else "",
        )
