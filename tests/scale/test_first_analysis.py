"""Worker processes of one machine make their first audio analysis one at a time (librosa compiles then,
into a cache on disk that two writers at once would corrupt); later analyses do not wait."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from musicflow.scale import audio


@contextmanager
def machine_lock_held(path: Path) -> Iterator[None]:
    """The lock held by another worker process (a lock of its own on the file, as another process has)."""
    with path.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


def test_the_first_analysis_waits_for_the_machine_and_later_ones_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = tmp_path / "first-analysis.lock"
    monkeypatch.setattr(audio, "FIRST_ANALYSIS_LOCK", lock)
    monkeypatch.setattr(audio, "_analysed_here", set())  # this process has analysed nothing yet
    done = threading.Event()

    def analyze(path: Path) -> str:
        done.set()
        return path.name

    def in_a_thread() -> threading.Thread:
        done.clear()
        thread = threading.Thread(target=audio.first_one_at_a_time, args=(analyze, tmp_path / "a.wav"))
        thread.start()
        return thread

    with machine_lock_held(lock):
        first = in_a_thread()
        assert not done.wait(0.5)  # another process is making its first analysis
    assert done.wait(10)
    first.join()

    with machine_lock_held(lock):
        later = in_a_thread()
        assert done.wait(10)  # this process has made its first one: no wait
    later.join()
    assert audio.first_one_at_a_time(analyze, tmp_path / "b.flac") == "b.flac"
