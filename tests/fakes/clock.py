"""A clock that only moves when someone sleeps on it, so tests of waiting take no real time."""

from __future__ import annotations

import threading


class FakeClock:
    """Implements `musicflow.features.source_port.Clock`; `sleep` advances time at once and is recorded."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        return self.now()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        """Time passing without anyone sleeping (e.g. a token growing old between two jobs)."""
        with self._lock:
            self._now += seconds

    @property
    def slept(self) -> float:
        with self._lock:
            return sum(self.sleeps)
