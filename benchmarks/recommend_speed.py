"""Recommendations: how long `recommend` takes, against one scoring pass over the same catalog.

On the store `musicflow demo` leaves (the demo export ingested, its model trained, the bundled catalog
of about 95,000 rows imported), in one process with the store open and the model loaded (as the server
answers /discover), the median and best of RUNS of:

(a) the reference: every catalog row read and scored once (`scored_candidates`, as `recommend` scores);
(b) `recommend` ranked by predicted streams (`by_prediction`), top 20;
(c) `recommend` ranked the way the demo listener's training chose (predicted streams and popularity
    together, whose places are known only once every row is scored: a first pass scores them, the second
    reads and scores again only the rows placed well enough, by their ids), top 20 and top 100.

Target: each `recommend` within 1.5x of (a). Before the second pass kept to the rows the first placed,
(c) read and scored the catalog twice (2.0x and 2.1x of (a), measured with this benchmark).

Usage: python -m benchmarks.recommend_speed [RUNS]
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUNS = 5
TARGET = 1.5


def timed(work: Callable[[], object], runs: int) -> list[float]:
    work()  # warm: catalogs and the model read once, as a running server has them
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    with tempfile.TemporaryDirectory(prefix="musicflow-bench-recommend-") as home:
        env = {**os.environ, "MUSICFLOW_DATA_DIR": home}
        subprocess.run([sys.executable, "-m", "musicflow", "demo"], env=env, check=True, capture_output=True)
        os.environ["MUSICFLOW_DATA_DIR"] = home
        measure(Path(home), runs)


def measure(home: Path, runs: int) -> None:
    from musicflow.app.catalog_scoring import catalog_batches
    from musicflow.app.ranker_choice import RankerChoice, scored_candidates
    from musicflow.app.service import MusicFlow
    from musicflow.config import Settings
    from musicflow.scale.frames import checked
    from musicflow.store import open_store

    settings = Settings(data_dir=home)
    with MusicFlow.open(settings) as app, contextlib.closing(open_store(settings)) as store:
        names = [c.name for c in app.catalogs()]
        rows = sum(c.rows for c in app.catalogs())
        pack = app.scoring_pack("demo")
        choice = RankerChoice.of_model(app.serving.get("demo").model.training)

        def one_pass() -> None:
            for batch in catalog_batches(store, names):
                scored_candidates(pack, checked(batch)[0], by="tables")

        results = {
            "(a) one scoring pass (reference)": timed(one_pass, runs),
            "(b) recommend, by predicted streams, top 20": timed(
                lambda: app.recommend("demo", 20, by_prediction=True), runs
            ),
            "(c) recommend, as chosen, top 20": timed(lambda: app.recommend("demo", 20), runs),
            "(c) recommend, as chosen, top 100": timed(lambda: app.recommend("demo", 100), runs),
        }
    ranker = choice.ranker if choice else "predicted streams"
    print(f"{rows:,} catalog rows; the demo listener's recommendations are ranked by {ranker}")
    reference = statistics.median(next(iter(results.values())))
    print(f"{'':48}{'median s':>10}{'best s':>10}{'x (a)':>8}")
    verdicts = []
    for name, seconds in results.items():
        median = statistics.median(seconds)
        print(f"{name:48}{median:>10.2f}{min(seconds):>10.2f}{median / reference:>8.2f}")
        if name.startswith("(b)") or name.startswith("(c)"):
            verdicts.append(median / reference <= TARGET)
    print(f"target: every recommend within {TARGET}x of (a): {'met' if all(verdicts) else 'not met'}")


if __name__ == "__main__":
    main()
