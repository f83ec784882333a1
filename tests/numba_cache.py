"""librosa's compiled functions, compiled once per checkout and shared by every process of a test run.

librosa compiles its functions with numba on first use, ~25 s of CPU, and caches them on disk. Each
pytest-xdist worker, and each Dask worker it starts, would otherwise compile them again on a fresh
machine (as CI is), several times per run. Two processes writing one numba cache at once corrupt it (every
later audio test then crashed), so one process alone writes the shared cache: the warm-up, which the run's
first process (pytest's controller) starts in the background, holding a file lock until it has analysed a
few made-up songs as the tests do. A test process keeps a cache of its own (`own_cache`, set before
anything imports librosa), filled with a copy of the shared one before its first audio test
(`copy_shared_cache`, which waits for the warm-up).

`python -m tests.numba_cache` is the warm-up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from filelock import FileLock

REPO = Path(__file__).resolve().parents[1]
_CHECKOUT = hashlib.sha256(str(REPO).encode()).hexdigest()[:12]
SHARED = Path(tempfile.gettempdir()) / f"musicflow-numba-{_CHECKOUT}"
_WARM = ".warm"  # in SHARED once the warm-up has finished
_LOCKED = "locked"  # the warm-up's first line: it holds the lock


def _lock() -> FileLock:
    return FileLock(f"{SHARED}.lock")


def own_cache(process: str) -> Path:
    """The numba cache of one test process (`gw0`, ..., or `main` without xdist)."""
    return Path(f"{SHARED}-{process}")


def start_warm_up() -> subprocess.Popen[str]:
    """Start the warm-up in the background; returns once it holds the lock (a process that then copies
    the shared cache waits for it)."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(SHARED), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.numba_cache"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # "locked", or nothing if it could not start (then nobody waits)
    return process


def stop_warm_up(process: subprocess.Popen[str]) -> None:
    """End of the run: a warm-up still running is stopped (what it wrote is whole, each file replaced at
    once; without its mark the next run starts it again)."""
    if process.poll() is None:
        process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def copy_shared_cache(process: str) -> None:
    """Fill this process's own cache with the shared one, once the warm-up has finished (if it could
    not, the process compiles what it needs itself)."""
    with _lock():
        if (SHARED / _WARM).exists():
            shutil.copytree(SHARED, own_cache(process), dirs_exist_ok=True)


def _warm_up() -> None:
    """Analyse made-up audio files as the tests do: mono at the analysis rate, stereo at 44.1 kHz (which
    is resampled), and silence."""
    import numpy as np

    from musicflow.features.audio.analysis import analyze_file
    from tests.features.audio_synth import kick_track, sine, write

    with tempfile.TemporaryDirectory() as folder:
        mono = write(Path(folder) / "kicks.wav", kick_track(120, 6))
        tone = sine(-20, 3, rate=44100)
        stereo = write(Path(folder) / "stereo.flac", np.stack([tone, tone], axis=1), rate=44100)
        quiet = write(Path(folder) / "quiet.wav", np.zeros(22050 * 2, dtype=np.float32))
        for path in (mono, stereo, quiet):
            analyze_file(path)


def main() -> int:
    SHARED.mkdir(parents=True, exist_ok=True)
    with _lock():
        sys.stdout.write(f"{_LOCKED}\n")
        sys.stdout.flush()
        (SHARED / _WARM).unlink(missing_ok=True)
        _warm_up()
        (SHARED / _WARM).touch()
    return 0


if __name__ == "__main__":
    sys.exit(main())
