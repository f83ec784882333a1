"""New plays queue a retrain of their profile; the job trains only when the model that serves has not
learned from every play, and the gate decides whether the new version serves."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.app.upload_jobs import QUEUED_AGAIN, JobRunner
from tests.fakes.reccobeats import AUDIO_PATH, FakeReccoBeats
from tests.fakes.server import json_response
from tests.lists_made import ListsMade
from tests.trained import PROFILE, QUICK_TRAINING, copy_of

MORE_PLAYS = Path("histories/extended/erickmay/endsong_1.json")  # plays the demo listener never had


@pytest.mark.slow
def test_new_plays_queue_one_retrain_that_trains_once(
    trained_listener: Path, isolated_environment: Path, shared_data: Path, lists_made: ListsMade
) -> None:
    settings = copy_of(trained_listener, isolated_environment).model_copy(
        update={"feature_sources": ["catalog"], "api_recommend_ahead": True, **QUICK_TRAINING}
    )
    with MusicFlow.open(settings) as app:
        app.make_lists_ahead()  # as a server's start does
        while app.run_next_job():  # what the copied store had waiting (its ingest queued a retrain)
            pass
        assert app.champion_is_current(PROFILE)
        queued = app.queue_retrain(PROFILE)
        assert queued.kind == "train" and app.run_next_job()
        nothing_new = app.job(queued.id)
        assert nothing_new.state == "done" and "nothing new" in str(nothing_new.result)
        assert [v.version for v in app.models(PROFILE)] == [1]

        report = app.ingest([shared_data / MORE_PLAYS], PROFILE)
        assert report.new_plays > 0 and not app.champion_is_current(PROFILE)
        app.ingest([shared_data / MORE_PLAYS], PROFILE)  # nothing new: no second job
        waiting = [job for job in app.jobs(PROFILE) if job.state == "queued"]
        assert len(waiting) == 1
        assert app.run_next_job() and not app.run_next_job()
        done = app.job(waiting[0].id)
        assert done.state == "done" and done.result is not None and done.result["model_version"] == 2
        assert [v.version for v in app.models(PROFILE)] == [2, 1]
        assert app.champion_is_current(PROFILE) == bool(done.result["serving"])
        # A new version that serves has the listener's Discover list made ahead; one that does not, not.
        assert lists_made.wait_for(1, timeout_s=60 if done.result["serving"] else 0) == (
            [PROFILE] if done.result["serving"] else []
        )


@pytest.mark.slow
def test_a_stopping_runner_ends_the_job_at_its_next_step_and_the_next_one_finishes_it(
    trained_listener: Path, isolated_environment: Path, shared_data: Path
) -> None:
    """A server that stops (Ctrl-C, a service manager's SIGTERM) does not wait for a training to end: the
    job ends at its next step, nothing half trained is registered, and the next start takes it up."""
    settings = copy_of(trained_listener, isolated_environment).model_copy(
        update={"feature_sources": ["catalog"], "retrain_every_hours": 0, **QUICK_TRAINING}
    )
    with MusicFlow.open(settings) as app:
        while app.run_next_job():
            pass
        app.ingest([shared_data / MORE_PLAYS], PROFILE)
        (queued,) = [job for job in app.jobs(PROFILE) if job.state == "queued"]
        runner = JobRunner(app, poll_s=0.01)
        runner.start()
        deadline = time.monotonic() + 60
        while app.job(queued.id).stage != "training":
            assert time.monotonic() < deadline and app.job(queued.id).state != "done"
            time.sleep(0.01)
        runner.stop()

        stopped = app.job(queued.id)
        assert (stopped.state, stopped.stage, stopped.error) == ("queued", QUEUED_AGAIN, None)
        assert [v.version for v in app.models(PROFILE)] == [1]
        assert app.run_next_job()
        done = app.job(queued.id)
        assert done.state == "done" and done.attempts == 2
        assert done.result is not None and done.result["model_version"] == 2


@pytest.mark.slow
def test_a_stopping_runner_ends_a_job_that_waits_out_a_rate_limit(
    trained_listener: Path, isolated_environment: Path
) -> None:
    """A job waiting out a source's 429 (asked to wait 50 s) does not hold up a server that stops: the
    wait ends at once and the job is queued again, for the next start."""
    recco = FakeReccoBeats(know_everything=True)
    limited = json_response(429, {"error": "Too Many Requests"}, {"Retry-After": "50"})
    recco.script(AUDIO_PATH, limited)
    with recco.running():
        settings = copy_of(trained_listener, isolated_environment).model_copy(
            update={
                "feature_sources": ["reccobeats"],
                "reccobeats_url": recco.base_url,
                "retrain_every_hours": 0,
                "http_retry_budget": 120.0,
            }
        )
        with MusicFlow.open(settings) as app:
            while app.run_next_job():  # what the copied store had waiting
                pass
            assert app.songs_to_refresh(PROFILE)
            refresh = app.queue_refresh(PROFILE, "songs without features")
            runner = JobRunner(app, poll_s=0.01)
            runner.start()
            deadline = time.monotonic() + 30
            while recco.count(AUDIO_PATH) == 0:  # the job asked, was told to wait, and waits
                assert time.monotonic() < deadline, app.job(refresh.id)
                time.sleep(0.01)
            time.sleep(0.2)
            started = time.monotonic()
            runner.stop()
            assert time.monotonic() - started < 5  # not the 50 s the source asked for
            stopped = app.job(refresh.id)
            assert (stopped.state, stopped.stage, stopped.error) == ("queued", QUEUED_AGAIN, None)
            assert recco.count(AUDIO_PATH) == 1  # the wait was not cut short by asking again
