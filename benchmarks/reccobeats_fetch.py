"""Cold fetch of many tracks through ReccoBeatsSource against the fake ReccoBeats, on a sped-up clock.

The fake enforces L requests per rolling 30 s and answers 429 past it; the source's throttle is set to
the same budget. What we want to see: no 429 at all, and the budget used fully rather than wasted.

A rolling window lets the first L requests go at once; after that each window allows L more. So the
fastest possible schedule starts request i at floor(i / L) * 30 s, and the "sustained" rate reported is
that ideal time for the last request divided by the actual one, times L/30. L is chosen so the run spans
at least `--windows` windows (12 by default): over two windows a start-up that happens to fit would
pass; over twelve only a throttle that keeps pace window after window does. The fake, the throttle and
the figures all read one clock that runs `--speed` times faster than real time (10 by default), so twelve
windows take about 40 s; the requests themselves still take real time (scaled up likewise).

The target is a ratio of at least 0.95, i.e. under 1.5 s of a 30 s window lost: a throttle that wastes
3 s a window scores about 0.91, which the older 0.9 target let through.

Run from the repository root: `.venv/bin/python -m benchmarks.reccobeats_fetch [--tracks N]
[--windows W] [--speed S] [--limit L]`.
"""

from __future__ import annotations

import argparse
import math
import random
import string
import time
from dataclasses import dataclass

from tests.fakes.reccobeats import FakeReccoBeats

from musicflow.core.songs import FeatureRecord, TrackQuery
from musicflow.features.http import HttpOptions
from musicflow.features.reccobeats import MAX_IDS_PER_REQUEST, ReccoBeatsOptions, ReccoBeatsSource
from musicflow.features.throttle import ThrottleOptions

WINDOW_SECONDS = 30.0
REQUESTS_PER_BATCH = 2  # /audio-features and /track
TARGET_RATIO = 0.95


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


class FastClock:
    """Real time run `speed` times faster: sleeps are shortened and readings stretched alike."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._start = time.monotonic()
        self._epoch = time.time()

    def monotonic(self) -> float:
        return self._start + (time.monotonic() - self._start) * self.speed

    def now(self) -> float:
        return self._epoch + (time.monotonic() - self._start) * self.speed

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.speed)


def run(tracks: int, limit: int, speed: float) -> Figures:
    clock = FastClock(speed)
    server = FakeReccoBeats(know_everything=True)
    server.rate_limit(limit, WINDOW_SECONDS, clock)
    options = ReccoBeatsOptions(
        base_url=server.base_url,
        http=HttpOptions(throttle=ThrottleOptions(max_requests=limit, window_seconds=WINDOW_SECONDS)),
    )
    queries = [TrackQuery(key=i, song="", artist="", spotify_id=i) for i in spotify_ids(tracks)]
    with server.running():
        source = ReccoBeatsSource(options, clock=clock)
        started = clock.monotonic()
        answered = 0
        for start in range(0, len(queries), source.batch_size):
            answers = source.fetch(queries[start : start + source.batch_size])
            answered += sum(isinstance(a, FeatureRecord) for a in answers.values())
        elapsed = clock.monotonic() - started
        source.close()
    return Figures(
        tracks=tracks,
        answered=answered,
        requests=len(server.arrivals),
        rate_limited=server.statuses[429],
        elapsed=elapsed,
        first_to_last_request=(server.arrivals[-1] - server.arrivals[0]) * speed,  # arrivals are real time
    )


def report(figures: Figures, limit: int, speed: float) -> None:
    allowed_rate = limit / WINDOW_SECONDS
    print(f"tracks fetched       {figures.answered} of {figures.tracks}")
    print(f"requests             {figures.requests}")
    print(f"429s seen            {figures.rate_limited}  (target 0)")
    print(f"clock speed          {speed:g}x real time (every figure below is in clock seconds)")
    print(f"elapsed              {figures.elapsed:.2f} s")
    print(f"limit                {limit} per {WINDOW_SECONDS:.0f} s = {allowed_rate:.2f} requests/s")
    windows = math.floor((figures.requests - 1) / limit)
    ideal_last_start = windows * WINDOW_SECONDS
    if ideal_last_start == 0:
        print("sustained            n/a: every request fits in the first window (lower --limit)")
        return
    ratio = ideal_last_start / figures.first_to_last_request
    lost = (figures.first_to_last_request - ideal_last_start) / windows
    print(f"windows waited       {windows}")
    print(f"time lost per window {lost:.2f} s  (of {WINDOW_SECONDS:.0f} s)")
    print(f"sustained throughput {ratio * allowed_rate:.2f} requests/s")
    print(f"ratio to L/30        {ratio:.3f}  (target >= {TARGET_RATIO})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=5000)
    parser.add_argument("--windows", type=int, default=12, help="windows the run should span at least")
    parser.add_argument("--speed", type=float, default=10.0, help="how much faster than real time")
    parser.add_argument("--limit", type=int, default=None, help="L: requests per rolling 30 s")
    args = parser.parse_args()
    requests = math.ceil(args.tracks / MAX_IDS_PER_REQUEST) * REQUESTS_PER_BATCH
    limit = args.limit or max(1, math.ceil(requests / (args.windows + 1)))
    report(run(args.tracks, limit, args.speed), limit, args.speed)


if __name__ == "__main__":
    main()
