"""The model that answers for a profile, loaded once and kept, following the registry's champion.

A long-running server must not reload the model and the listener's history for each question, yet must
notice when `models promote` or `rollback` (from another process) makes another version the champion.
A `ServingModel` is immutable: a request takes one and keeps it, so an answer always names the version
that made it, even while a swap happens. Checking the champion costs one small query, made at most once
per `check_every_s`. A server of many listeners keeps at most `keep` of them in memory: the one asked
least recently goes first, and is loaded again when asked again.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from musicflow.errors import MusicflowError

if TYPE_CHECKING:
    from musicflow.model.listener import Listener
    from musicflow.model.trained import TrainedModel

log = logging.getLogger(__name__)


_LOADS = itertools.count(1)


@dataclass(frozen=True)
class ServingModel:
    profile: str
    version: int
    model: TrainedModel
    listener: Listener
    # Which load of the profile this is, in this process: an answer is the model's and the listener's
    # (their plays, their library), so answers kept for reuse are keyed by it, not by the version alone.
    loaded: int = field(default_factory=lambda: next(_LOADS))


class ServingModels:
    """One `ServingModel` per profile, swapped when the champion moves; safe to share between threads."""

    def __init__(
        self,
        champion_of: Callable[[str], int | None],
        load: Callable[[str], ServingModel],
        check_every_s: float = 1.0,
        keep: int = 100,
        history_stamp_of: Callable[[str], float | None] | None = None,
    ) -> None:
        """`history_stamp_of`: when the profile's history last changed as the store records it (checked
        with the champion): a change made by another process (a server's other worker, `ingest`) has
        the listener read again, as `read_again` does for one made here."""
        self._champion_of = champion_of
        self._history_stamp_of = history_stamp_of
        self._stamps: dict[str, float | None] = {}  # the stamp each profile's model in memory was loaded at
        self._load = load
        self._check_every_s = check_every_s
        self._keep = keep
        self._models: OrderedDict[str, ServingModel] = OrderedDict()  # least recently asked first
        self._checked: dict[str, float] = {}
        self._refused: dict[str, int | None] = {}  # a champion that could not be loaded, until it moves
        self._stale: set[str] = set()  # profiles whose plays or library changed: read again when asked
        self._lock = threading.Lock()

    def get(self, profile: str) -> ServingModel:
        """The profile's serving model; loads it on first use, swaps it if the champion has moved."""
        current = self._models.get(profile)
        now = time.monotonic()
        if current is not None and now - self._checked.get(profile, -math.inf) < self._check_every_s:
            self._touch(profile)
            return current
        with self._lock:
            current = self._models.get(profile)
            if current is not None and now - self._checked.get(profile, -math.inf) < self._check_every_s:
                return current
            return self._refresh(profile, current, now)

    def _refresh(self, profile: str, current: ServingModel | None, now: float) -> ServingModel:
        champion = self._champion_of(profile)
        self._checked[profile] = now
        stamp = self._history_stamp_of(profile) if self._history_stamp_of is not None else None
        stale = profile in self._stale or (current is not None and stamp != self._stamps.get(profile))
        self._stale.discard(profile)
        self._stamps[profile] = stamp
        if champion is None:  # the profile's models are gone (deleted): nothing of it serves any more
            self._models.pop(profile, None)
            self._refused.pop(profile, None)
            current = None
        if current is not None and not stale and champion in (current.version, self._refused.get(profile)):
            return current  # the same champion, or one already refused: no reload, no repeated warning
        try:
            loaded = self._load(profile)
        except MusicflowError as exc:
            if current is None:
                raise
            self._refused[profile] = champion
            log.warning(
                "profile '%s': keeping model v%d; the champion v%s cannot be served: %s",
                profile,
                current.version,
                champion,
                exc,
            )
            return current
        if current is not None:
            log.info(
                "profile '%s': now serving model v%d (was v%d)", profile, loaded.version, current.version
            )
        self._models[profile] = loaded
        self._models.move_to_end(profile)
        while len(self._models) > self._keep:
            dropped, _ = self._models.popitem(last=False)
            self._checked.pop(dropped, None)
            self._stamps.pop(dropped, None)
            self._refused.pop(dropped, None)
            log.info("profile '%s': its model leaves memory (the %d asked last stay)", dropped, self._keep)
        return loaded

    def _touch(self, profile: str) -> None:
        with contextlib.suppress(KeyError):  # dropped meanwhile by another thread
            self._models.move_to_end(profile)

    def __len__(self) -> int:
        return len(self._models)

    def current(self, profile: str) -> ServingModel | None:
        """The model serving now if its champion was checked within `check_every_s`, else None: never
        touches the store, so an event loop may call it (None means: call `get` in a worker thread)."""
        current = self._models.get(profile)
        if current is None or time.monotonic() - self._checked.get(profile, -math.inf) >= self._check_every_s:
            return None
        self._touch(profile)
        return current

    def read_again(self, profile: str) -> None:
        """Read the profile's model and listener again at its next question: its plays or its library
        changed. Until a reload succeeds, the model in memory answers, as when a new champion cannot be
        loaded."""
        with self._lock:
            self._stale.add(profile)
            self._checked.pop(profile, None)

    def finished_here(self, profile: str, before: float | None, stamp: float) -> None:
        """A job this process ran was recorded finished at `stamp`, the history stamp having been
        `before`: what it changed was read again as it was made (`read_again`), so the stamp's move asks
        for no other reload, which would drop what was kept for this load (the Discover list made ahead
        after the job's training). Only when the model in memory saw every job up to `before`, and none
        finished since but this one; else the listener is read again, as for any move."""
        if self._history_stamp_of is None:
            return
        with self._lock:
            if profile not in self._models or self._stamps.get(profile) != before:
                return
            if self._history_stamp_of(profile) == stamp:
                self._stamps[profile] = stamp

    def stale(self, profile: str) -> bool:
        """Whether the profile's plays or library changed since its model in memory was loaded: an answer
        waits for the reload (`read_again`), where a due champion check need not."""
        return profile in self._stale

    def forget(self, profile: str) -> None:
        """Drop the profile's model and listener from memory now: its data was deleted."""
        with self._lock:
            self._models.pop(profile, None)
            self._checked.pop(profile, None)
            self._refused.pop(profile, None)
            self._stale.discard(profile)
            self._stamps.pop(profile, None)

    def loaded(self, profile: str) -> ServingModel | None:
        """The model serving now, without loading or checking anything."""
        return self._models.get(profile)
