"""The rate limit's counts in this process's memory: counted as `limits` counts them, cleared by one
thread for the storage's life, never by a new thread per burst of requests."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from musicflow.api.limits import Limits, SteadyMemoryStorage
from musicflow.config import Settings
from musicflow.errors import TooManyRequestsError
from tests.api.conftest import within_one_rate_window


def test_a_client_is_refused_past_its_limit_and_counted_again_once_the_window_has_passed() -> None:
    limits = Limits(Settings(api_rate_limit="3/second"))
    within_one_rate_window(0.2, window_s=1)
    for _ in range(3):
        limits.count_request("198.51.100.1")
    with pytest.raises(TooManyRequestsError):
        limits.count_request("198.51.100.1")
    limits.count_request("198.51.100.2")
    time.sleep(2.05)  # the window (a second) and the one before it, which a sliding count still weighs
    limits.count_request("198.51.100.1")


def test_expired_counts_are_cleared_by_one_thread_that_ends_with_the_storage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(SteadyMemoryStorage, "SWEEP_EVERY_S", 0.05)
    before = set(threading.enumerate())
    storage = SteadyMemoryStorage()
    timer = storage.timer  # the library's own clearing thread, started once by its constructor
    sweepers = [t for t in set(threading.enumerate()) - before if t.name == "rate-limit-sweep"]
    assert len(sweepers) == 1
    for second in range(200):
        storage.acquire_entry(f"client-{second % 7}", limit=1000, expiry=1)
    assert storage.timer is timer  # no thread started again for the requests
    assert storage.events
    deadline = time.monotonic() + 5
    while any(storage.events.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(storage.events.values())  # a second later, expired, and cleared
    del storage, timer  # the library's timer holds the storage too
    gc.collect()
    deadline = time.monotonic() + 5
    while any(t.is_alive() for t in sweepers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.is_alive() for t in sweepers)
