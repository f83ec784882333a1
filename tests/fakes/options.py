"""Client options for tests against the fakes: a hang (`Hang(2.0)`) is noticed within a second.

Not sooner: the fakes answer from a thread of the test's own process, and on a loaded machine (the tests
run on a worker per core) an answer took more than the 0.3 s allowed before, so the client asked again
and a test counting requests failed. All other waiting (backoff, Retry-After, throttle) happens on the
fake clock and costs no real time.
"""

from __future__ import annotations

from musicflow.features.http import HttpOptions

FAST_HTTP = HttpOptions(connect_timeout=1.0, read_timeout=1.0, retry_budget=60.0, max_attempts=6)
