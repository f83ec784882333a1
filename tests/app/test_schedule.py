"""The job runner's schedule, on a fake clock: once a period it queues a retrain of a profile only when
plays came that its model has not learned from, a features refresh when songs lack features (asked again
once an earlier 'not found' is old enough), and a restart does not queue them again at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.fakes.clock import FakeClock
from tests.fakes.reccobeats import AUDIO_PATH, FakeReccoBeats
from tests.trained import PROFILE, QUICK_TRAINING, copy_of

HOUR = 3_600.0
DAY = 24 * HOUR
MORE_PLAYS = Path("histories/basic/musicflow_example/StreamingHistory0.json")  # songs the demo never had


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=time.time())  # the stored misses were written at the real time


@pytest.fixture
def home(trained_listener: Path, tmp_path: Path) -> Settings:
    settings = copy_of(trained_listener, tmp_path / "home")
    return settings.model_copy(update={"feature_sources": ["catalog"], **QUICK_TRAINING})


@pytest.fixture
def app(home: Settings, clock: FakeClock) -> Iterator[MusicFlow]:
    with MusicFlow.open(home, clock) as opened:
        while opened.run_next_job():  # what the copied store had waiting
            pass
        yield opened


def test_a_retrain_is_queued_after_the_period_only_when_new_plays_came(
    app: MusicFlow, home: Settings, clock: FakeClock, shared_data: Path
) -> None:
    first = app.run_schedule()
    assert first is not None and first.queued == ()  # the model learned every play; every song was asked
    clock.advance(DAY + 1)
    nothing = app.run_schedule()
    assert nothing is not None and nothing.queued == ()

    report = app.ingest([shared_data / MORE_PLAYS], PROFILE, retrain=False)
    assert report.new_plays > 0 and not app.jobs_store.waiting(PROFILE, "train")
    clock.advance(DAY - HOUR)
    assert app.run_schedule() is None  # not due yet
    clock.advance(2 * HOUR)
    due = app.run_schedule()
    assert due is not None
    kinds = [job.kind for job in due.queued]
    assert kinds == ["refresh", "train"]  # the refresh first: the retrain learns from what it finds
    train = due.queued[1]
    assert train.reason is not None and "plays changed" in train.reason and train.state == "queued"
    assert "songs without features" in str(due.queued[0].reason)

    with MusicFlow.open(home, clock) as restarted:  # a restart right after does not queue them again
        assert restarted.run_schedule() is None
    listed = {job.id: job for job in app.jobs(PROFILE)}
    assert listed[train.id].reason == train.reason and listed[train.id].kind == "train"


def test_zero_hours_turns_the_schedule_off(home: Settings, clock: FakeClock) -> None:
    with MusicFlow.open(home.model_copy(update={"retrain_every_hours": 0}), clock) as app:
        clock.advance(30 * DAY)
        assert app.run_schedule() is None
        assert app.jobs_store.schedule_ran("learning") is None


@pytest.mark.slow
def test_a_refresh_asks_the_source_for_songs_without_features_then_trains(
    home: Settings, clock: FakeClock
) -> None:
    recco = FakeReccoBeats()  # knows nothing at first: every song is a miss
    with recco.running():
        settings = home.model_copy(
            update={"feature_sources": ["reccobeats"], "reccobeats_url": recco.base_url}
        )
        with MusicFlow.open(settings, clock) as app:
            while app.run_next_job():  # what the copied store had waiting
                pass
            due = app.run_schedule()
            assert due is not None and [job.kind for job in due.queued] == ["refresh"]
            songs = app.songs_to_refresh(PROFILE)
            assert songs
            assert app.run_next_job() and not app.run_next_job()
            missed = app.job(due.queued[0].id)
            assert missed.state == "done" and missed.result is not None
            assert missed.result["features_fetched"] == 0 and "nothing new" in missed.result["training"]
            asked = sum(len(ids) for ids in recco.ids_asked(AUDIO_PATH))
            assert 0 < asked < len(songs)  # the songs with a Spotify id: the others cannot be asked
            assert 0 < missed.result["still_missing"] < len(songs)

            clock.advance(DAY + 1)  # the misses are recent, the others cannot be asked: no refresh
            again = app.run_schedule()
            assert again is not None and again.queued == ()

            recco.know_everything = True
            clock.advance(settings.miss_ttl_days * DAY)  # now they are old enough to ask again
            due = app.run_schedule()
            assert due is not None and [job.kind for job in due.queued] == ["refresh"]
            assert app.run_next_job()
            refreshed = app.job(due.queued[0].id)
            assert refreshed.state == "done" and refreshed.result is not None, refreshed.error
            assert refreshed.result["features_fetched"] > 0 and refreshed.result["model_version"] == 2
            assert sum(len(ids) for ids in recco.ids_asked(AUDIO_PATH)) == 2 * asked


def test_the_servers_runner_runs_the_schedule_and_records_when(app: MusicFlow, clock: FakeClock) -> None:
    from musicflow.app.upload_jobs import JobRunner

    runner = JobRunner(app, poll_s=0.01)
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while app.jobs_store.schedule_ran("learning") is None and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        runner.stop()
    assert app.jobs_store.schedule_ran("learning") == clock.now()
