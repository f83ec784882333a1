"""Time, injected: the HTTP clients, caches and the model registry read it through this port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Clock(Protocol):
    """Time as the parts see it, injected so tests and benchmarks need not really wait."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class Interrupted(BaseException):
    """A wait ended early because the work it belongs to stops (a server shutting down), raised by
    `SystemClock.sleep` inside `waits_end_on`. Not an `Exception`, like a cancellation: nothing on the
    way may take it for a failure of the work."""


_stopping = threading.local()


@contextmanager
def waits_end_on(event: threading.Event) -> Iterator[None]:
    """In this block, in this thread, a sleep on the system clock (a 429's `Retry-After`, a backoff, the
    throttle) ends as soon as `event` is set, raising `Interrupted`, instead of running its course."""
    before = getattr(_stopping, "event", None)
    _stopping.event = event
    try:
        yield
    finally:
        _stopping.event = before


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        event: threading.Event | None = getattr(_stopping, "event", None)
        if event is None:
            time.sleep(seconds)
        elif event.wait(seconds):
            raise Interrupted
