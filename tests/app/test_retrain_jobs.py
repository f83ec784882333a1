"""New plays queue a retrain of their profile; the job trains only when the model that serves has not
learned from every play, and the gate decides whether the new version serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from tests.trained import PROFILE, QUICK_TRAINING, copy_of

MORE_PLAYS = Path("histories/extended/erickmay/endsong_1.json")  # plays the demo listener never had


@pytest.mark.slow
def test_new_plays_queue_one_retrain_that_trains_once(
    trained_listener: Path, isolated_environment: Path, shared_data: Path
) -> None:
    settings = copy_of(trained_listener, isolated_environment).model_copy(
        update={"feature_sources": ["catalog"], **QUICK_TRAINING}
    )
    with MusicFlow.open(settings) as app:
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
