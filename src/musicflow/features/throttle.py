"""A client-side rolling-window request budget, so a long job stays under a server's rate limit.

Servers such as Spotify and ReccoBeats count requests in a rolling window and answer 429 past a limit;
Spotify's 429s can ask for hours of silence. Staying under the limit ourselves is much cheaper than
recovering from it, so every HTTP source sends through one of these.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from musicflow.core.clock import Clock

_IN_FLIGHT = float("inf")
_ALL_IN_FLIGHT_POLL_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class ThrottleOptions:
    """At most `max_requests` requests in any `window_seconds`; `max_requests=0` turns the throttle off."""

    max_requests: int = 0
    window_seconds: float = 30.0


class RollingWindowThrottle:
    """Hands out request slots so no rolling window of `window_seconds` holds more than `max_requests`.

    A slot counts from the moment it is taken until `window_seconds` after its request ended: the server
    sees the request somewhere in between, so whatever its own clock and however slow the network, its
    window never holds more than the budget. Safe to share between threads: the choice of slot is made
    under a lock, the waiting is done outside it, on the injected clock.
    """

    def __init__(self, options: ThrottleOptions, clock: Clock) -> None:
        if options.max_requests < 0 or options.window_seconds <= 0:
            raise ValueError("throttle needs max_requests >= 0 and window_seconds > 0")
        self._options = options
        self._clock = clock
        self._ends: dict[int, float] = {}  # slot id -> end time (monotonic), _IN_FLIGHT while running
        self._next_id = 0
        self._changed = threading.Condition()

    @property
    def enabled(self) -> bool:
        return self._options.max_requests > 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wait for room in the window, then hold a slot for the duration of one request."""
        if not self.enabled:
            yield
            return
        slot_id = self._acquire()
        try:
            yield
        finally:
            self._release(slot_id)

    def _acquire(self) -> int:
        while True:
            with self._changed:
                wait = self._take_or_wait_time()
                if isinstance(wait, int):
                    return wait
                if wait == _IN_FLIGHT:
                    # Every slot is held by a running request: only a release can free one.
                    self._changed.wait(_ALL_IN_FLIGHT_POLL_SECONDS)
                    continue
            self._clock.sleep(wait)

    def _take_or_wait_time(self) -> int | float:
        """A new slot id if the window has room, else how long until the oldest finished slot expires."""
        now = self._clock.monotonic()
        window = self._options.window_seconds
        for slot_id in [s for s, end in self._ends.items() if end <= now - window]:
            del self._ends[slot_id]
        if len(self._ends) < self._options.max_requests:
            slot_id = self._next_id
            self._next_id += 1
            self._ends[slot_id] = _IN_FLIGHT
            return slot_id
        oldest_end = min(self._ends.values())
        return _IN_FLIGHT if oldest_end == _IN_FLIGHT else max(oldest_end + window - now, 0.0)

    def _release(self, slot_id: int) -> None:
        with self._changed:
            self._ends[slot_id] = self._clock.monotonic()
            self._changed.notify_all()
