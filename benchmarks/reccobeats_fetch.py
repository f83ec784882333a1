"""Cold fetch of many tracks through ReccoBeatsSource against the fake ReccoBeats on the real clock.

The fake enforces L requests per rolling 30 s and answers 429 past it; the source's throttle is set to
the same budget. What we want to see: no 429 at all, and the budget used fully rather than wasted.

A rolling window lets the first L requests go at once; after that each window allows L more. So the
fastest possible schedule starts request i at floor(i / L) * 30 s, and the "sustained" rate reported is
that ideal time for the last request divided by the actual one, times L/30. By default L is half the
number of requests, so the run spans two windows (about 30 s).

Run from the repository root: `.venv/bin/python -m benchmarks.reccobeats_fetch [--tracks N] [--limit L]`.
"""

from __future__ import annotations

import argparse
import math
import random
import string
import time
from dataclasses import dataclass

from tests.fakes.reccobeats import FakeReccoBeats

from musicflow.core.clock import SystemClock
from musicflow.core.songs import FeatureRecord, TrackQuery
from musicflow.features.http import HttpOptions
from musicflow.features.reccobeats import MAX_IDS_PER_REQUEST, ReccoBeatsOptions, ReccoBeatsSource
from musicflow.features.throttle import ThrottleOptions

WINDOW_SECONDS = 30.0
REQUESTS_PER_BATCH = 2  # /audio-features and /track


@dataclass(frozen=True)
class Figures:
    tracks: int
    answered: int
    requests: int
    rate_limited: int
    elapsed: float
    first_to_last_request: float


def spotify_ids(count: int) -> list[str]:
    rng = random.Random(2026)
    alphabet = string.ascii_letters + string.digits
    return ["".join(rng.choice(alphabet) for _ in range(22)) for _ in range(count)]


def run(tracks: int, limit: int) -> Figures:
    server = FakeReccoBeats(know_everything=True)
    server.rate_limit(limit, WINDOW_SECONDS, SystemClock())
    options = ReccoBeatsOptions(
        base_url=server.base_url,
        http=HttpOptions(throttle=ThrottleOptions(max_requests=limit, window_seconds=WINDOW_SECONDS)),
    )
    queries = [TrackQuery(key=i, song="", artist="", spotify_id=i) for i in spotify_ids(tracks)]
    with server.running():
        source = ReccoBeatsSource(options, clock=SystemClock())
        started = time.monotonic()
        answered = 0
        for start in range(0, len(queries), source.batch_size):
            answers = source.fetch(queries[start : start + source.batch_size])
            answered += sum(isinstance(a, FeatureRecord) for a in answers.values())
        elapsed = time.monotonic() - started
        source.close()
    return Figures(
        tracks=tracks,
        answered=answered,
        requests=len(server.arrivals),
        rate_limited=server.statuses[429],
        elapsed=elapsed,
        first_to_last_request=server.arrivals[-1] - server.arrivals[0],
    )


def report(figures: Figures, limit: int) -> None:
    allowed_rate = limit / WINDOW_SECONDS
    print(f"tracks fetched       {figures.answered} of {figures.tracks}")
    print(f"requests             {figures.requests}")
    print(f"429s seen            {figures.rate_limited}  (target 0)")
    print(f"elapsed              {figures.elapsed:.2f} s")
    print(f"limit                {limit} per {WINDOW_SECONDS:.0f} s = {allowed_rate:.2f} requests/s")
    ideal_last_start = math.floor((figures.requests - 1) / limit) * WINDOW_SECONDS
    if ideal_last_start == 0:
        print("sustained            n/a: every request fits in the first window (lower --limit)")
        return
    ratio = ideal_last_start / figures.first_to_last_request
    print(f"sustained throughput {ratio * allowed_rate:.2f} requests/s")
    print(f"ratio to L/30        {ratio:.3f}  (target >= 0.9)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=5000)
    parser.add_argument("--limit", type=int, default=None, help="L: requests per rolling 30 s")
    args = parser.parse_args()
    requests = math.ceil(args.tracks / MAX_IDS_PER_REQUEST) * REQUESTS_PER_BATCH
    limit = args.limit or max(1, math.ceil(requests / 2))
    report(run(args.tracks, limit), limit)


if __name__ == "__main__":
    main()
