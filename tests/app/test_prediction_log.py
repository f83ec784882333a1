"""The prediction log's writer: batched, off the caller's path, pruned by age, and losing nothing when
the store fails for a while (run against SQLite and a real PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from musicflow.app.prediction_log import DAY_S, Given, PredictionLogger
from musicflow.errors import StoreError
from musicflow.store.ports import LoggedPrediction
from musicflow.store.sql import SqlStore
from tests.fakes.clock import FakeClock


def given(song: str, predicted: float = 3.5, profile: str = "alice") -> Given:
    return Given(profile, song, "Artist", None, 1, predicted)


def test_entries_wait_in_memory_until_a_batch_is_written(store: SqlStore) -> None:
    store.ensure_profile("alice")
    clock = FakeClock()
    logger = PredictionLogger(store.prediction_log, clock, retention_days=365, flush_every_s=3600)
    logger.record([given("One"), given("Two", 7.25)], "api")
    assert store.prediction_log.entries() == []  # nothing written on the caller's path
    assert logger.flush() == 2
    written = store.prediction_log.entries("alice")
    assert [(e.song, e.predicted, e.model_version, e.via, e.asked_at) for e in written] == [
        ("One", 3.5, 1, "api", clock.now()),
        ("Two", 7.25, 1, "api", clock.now()),
    ]
    logger.close()


def test_a_full_batch_is_written_without_waiting(store: SqlStore) -> None:
    store.ensure_profile("alice")
    logger = PredictionLogger(
        store.prediction_log, FakeClock(), retention_days=365, flush_every_s=3600, batch=3
    )
    logger.record([given(f"Song {i}") for i in range(3)], "page")
    for _ in range(200):  # the writer thread wakes at once for a full batch
        if len(store.prediction_log.entries()) == 3:
            break
        time.sleep(0.01)
    assert len(store.prediction_log.entries()) == 3
    logger.close()


def test_entries_older_than_the_retention_are_pruned(store: SqlStore) -> None:
    store.ensure_profile("alice")
    clock = FakeClock()
    logger = PredictionLogger(store.prediction_log, clock, retention_days=30, flush_every_s=3600)
    logger.record([given("Old")], "api")
    logger.flush()
    clock.advance(31 * DAY_S)
    logger.record([given("New")], "api")
    logger.flush()
    assert [e.song for e in store.prediction_log.entries()] == ["New"]
    logger.close()


class Failing:
    """A log store that fails until told otherwise, then writes to the real one."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.down = True

    def append(self, entries: Sequence[LoggedPrediction]) -> int:
        if self.down:
            raise StoreError("the store does not answer")
        return self.store.prediction_log.append(entries)

    def entries(self, profile: str | None = None, since: float | None = None) -> list[LoggedPrediction]:
        return self.store.prediction_log.entries(profile, since)

    def prune(self, before: float) -> int:
        return self.store.prediction_log.prune(before)


def test_nothing_is_lost_while_the_store_is_down(store: SqlStore) -> None:
    store.ensure_profile("alice")
    failing = Failing(store)
    logger = PredictionLogger(failing, FakeClock(), retention_days=365, flush_every_s=3600)
    logger.record([given("One")], "api")
    assert logger.flush() == 0
    logger.record([given("Two")], "api")
    failing.down = False
    logger.close()
    assert [e.song for e in store.prediction_log.entries()] == ["One", "Two"]


def test_entries_of_a_profile_deleted_meanwhile_are_dropped(store: SqlStore) -> None:
    store.ensure_profile("alice")
    logger = PredictionLogger(store.prediction_log, FakeClock(), retention_days=365, flush_every_s=3600)
    logger.record([given("Mine"), given("Gone", profile="deleted")], "api")
    assert logger.flush() == 1
    assert [e.profile for e in store.prediction_log.entries()] == ["alice"]
    logger.close()
