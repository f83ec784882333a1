"""Time, injected: the HTTP clients, caches and the model registry read it through this port."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Time as the parts see it, injected so tests and benchmarks need not really wait."""

    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
