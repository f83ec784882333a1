"""Client options for tests against the fakes: a hang is noticed in a fraction of a second.

All other waiting (backoff, Retry-After, throttle) happens on the fake clock and costs no real time.
"""

from __future__ import annotations

from musicflow.features.http import HttpOptions

FAST_HTTP = HttpOptions(connect_timeout=1.0, read_timeout=0.3, retry_budget=60.0, max_attempts=6)
