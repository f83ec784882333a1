"""Start-up: how long a command takes before it does anything, against a bare interpreter.

Wall time (median and best of RUNS, each a fresh process) of `python -c pass`, `musicflow --version`,
`musicflow streams top` and `musicflow predict` on the store `musicflow demo` leaves (the demo export
ingested, its model trained), of `predict` asked a name no key finds ("Blindng Lights" by "Weeknd": the
near names and the credits of the catalogs are looked through), and of a server started in process on
that store (its app's start-up: the catalogs read, the model loaded) answering one prediction, all
measured in this run, and the CPU
time (user + system) of each, which a busy machine inflates less than the wall time. Beside them,
`python -c "import lightgbm"`: what `predict` or the server would pay on top if they loaded LightGBM
(and the scikit-learn it imports) to answer.
Targets: `--version` within 0.3 s of the bare interpreter; `streams top` under 1 s; `predict` under 3 s,
a name no key finds included.

Usage: python -m benchmarks.startup [RUNS]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 11
MUSICFLOW = [sys.executable, "-m", "musicflow"]
TOP = ["streams", "top", "--profile", "demo"]
PREDICT = ["predict", "--profile", "demo", "--song", "Blinding Lights", "--artist", "The Weeknd"]
# A name no key finds (a typo, an artist it features): the near names and the credits are looked through.
TYPO = ["predict", "--profile", "demo", "--song", "Blindng Lights", "--artist", "Weeknd"]
SERVE = """
from fastapi.testclient import TestClient
from musicflow.api.app import create_app
from musicflow.config import Settings
with TestClient(create_app(Settings(), profile="demo")) as client:
    asked = {"song": "Blinding Lights", "artist": "The Weeknd"}
    assert client.get("/api/prediction/", params=asked).status_code == 200
"""


def wall_times(command: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run of `command`."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def demo_store(env: dict[str, str]) -> None:
    """The store named by `env` as `musicflow demo` leaves it (profile `demo`, a trained model)."""
    subprocess.run([*MUSICFLOW, "demo"], env=env, check=True, capture_output=True)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MUSICFLOW_DATA_DIR": str(Path(home) / "data")}
        demo_store(env)
        measured = {
            "python -c pass": wall_times([sys.executable, "-c", "pass"], env, runs),
            "musicflow --version": wall_times([*MUSICFLOW, "--version"], env, runs),
            "musicflow streams top": wall_times([*MUSICFLOW, *TOP], env, runs),
            "musicflow predict": wall_times([*MUSICFLOW, *PREDICT], env, runs),
            "musicflow predict, a typo": wall_times([*MUSICFLOW, *TYPO], env, runs),
            "server start, one answer": wall_times([sys.executable, "-c", SERVE], env, runs),
            "python -c 'import lightgbm'": wall_times([sys.executable, "-c", "import lightgbm"], env, runs),
        }
    print(f"start-up over {runs} fresh processes each (seconds)")
    print(f"{'command':<28} {'wall median':>12} {'wall best':>10} {'CPU median':>11}")
    for name, (walls, cpus) in measured.items():
        print(
            f"{name:<28} {statistics.median(walls):12.3f} {min(walls):10.3f} {statistics.median(cpus):11.3f}"
        )
    bare = statistics.median(measured["python -c pass"][0])
    version = statistics.median(measured["musicflow --version"][0]) - bare
    top = statistics.median(measured["musicflow streams top"][0])
    print(f"--version over the bare interpreter: {version:.3f} s (target <= 0.3): {_verdict(version <= 0.3)}")
    print(f"streams top on the demo store: {top:.3f} s (target < 1): {_verdict(top < 1.0)}")
    predict = statistics.median(measured["musicflow predict"][0])
    print(f"predict on the demo store: {predict:.3f} s (target < 3): {_verdict(predict < 3.0)}")
    typo = statistics.median(measured["musicflow predict, a typo"][0])
    print(f"predict of a name no key finds: {typo:.3f} s (target < 3): {_verdict(typo < 3.0)}")


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
