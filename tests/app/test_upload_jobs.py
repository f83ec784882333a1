"""What an upload's job records of its ingest: nothing of the export is left out unsaid."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.app.upload_jobs import ingest_summary
from musicflow.errors import ProfileNotFoundError
from tests.app.conftest import demo_settings
from tests.lists_made import ListsMade
from tests.trained import copy_of

PLAY = {"endTime": "2024-01-01 10:00", "artistName": "Band", "trackName": "Song", "msPlayed": 200_000}


def test_records_that_could_not_be_read_are_counted_with_an_example(tmp_path: Path) -> None:
    good = {"endTime": "2024-01-01 10:00", "artistName": "Band", "trackName": "Song", "msPlayed": 200_000}
    bad = {"endTime": "2024-01-01 10:05", "artistName": "Band", "trackName": "Other", "msPlayed": "long"}
    export = tmp_path / "StreamingHistory_music_0.json"
    export.write_text(json.dumps([good, bad]), encoding="utf-8")
    with MusicFlow.open(demo_settings(tmp_path / "home")) as app:
        summary = ingest_summary(app.ingest([export], "me", retrain=False))
    assert (summary["plays"], summary["new_plays"], summary["records_unreadable"]) == (1, 1, 1)
    (example,) = summary["unreadable_examples"]
    assert "StreamingHistory_music_0.json, record 1" in example and "msPlayed" in example

    clean = tmp_path / "clean" / "StreamingHistory_music_0.json"
    clean.parent.mkdir()
    clean.write_text(json.dumps([good]), encoding="utf-8")
    with MusicFlow.open(demo_settings(tmp_path / "other")) as app:
        assert "records_unreadable" not in ingest_summary(app.ingest([clean], "me", retrain=False))


def test_files_of_finished_uploads_left_on_disk_are_removed_and_no_others(tmp_path: Path) -> None:
    """A server of an earlier version kept every upload's files: a runner that starts removes those of
    finished jobs, and leaves those a job waits for, and an upload still arriving (no job row yet)."""
    with MusicFlow.open(demo_settings(tmp_path / "home")) as app:
        for job_id, state in (("finished", "done"), ("broken", "failed"), ("waiting", "queued")):
            app.jobs_store.add_job(job_id, "me", "upload", job_id, 0.0, "an upload")
            if state != "queued":
                app.jobs_store.update_job(job_id, 1.0, state=state, stage=state)  # type: ignore[arg-type]
        for folder in ("finished", "broken", "waiting", "arriving"):
            (app.uploads_dir / folder).mkdir(parents=True)
            (app.uploads_dir / folder / "Streaming_History_Audio_2024.json").write_text("[]")
        assert app.forget_finished_uploads() == 2
        assert sorted(p.name for p in app.uploads_dir.iterdir()) == ["arriving", "waiting"]


def test_an_upload_that_stored_nothing_is_not_offered_as_a_profile(tmp_path: Path) -> None:
    """Its job stays, to say why it failed (its profile with it); a list of profiles to choose from
    names only those holding plays."""
    with MusicFlow.open(demo_settings(tmp_path / "home")) as app:
        played = tmp_path / "StreamingHistory_music_0.json"
        played.write_text(json.dumps([PLAY]), encoding="utf-8")
        app.ingest([played], "listener", retrain=False)
        job, _ = app.start_upload("uploader", [("Userdata.json", io.BytesIO(b'{"username": "someone"}'))])
        assert app.run_next_job()
        failed = app.job(job.id, "uploader")
        assert failed.state == "failed" and "not a streaming history" in str(failed.error)
        with pytest.raises(ProfileNotFoundError) as unknown:
            app.require_profile("nobody")
        assert list(unknown.value.known) == ["listener"]
        assert app.profiles(holding_data=True) == ["listener"]
        assert app.profiles() == ["listener", "uploader"]  # there, to be deleted with its job


def history(artist: str, days: int) -> bytes:
    return json.dumps(
        [{**PLAY, "artistName": artist, "endTime": f"2024-01-{day:02d} 10:00"} for day in range(1, days + 1)]
    ).encode()


@pytest.mark.parametrize("stopped_in", ["ingesting", "fetching features"])
def test_a_job_stopped_and_taken_up_again_says_every_play_it_brought(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stopped_in: str
) -> None:
    """The server stopped after the first file was stored (or once every play was, before the features):
    run again, the job found those plays stored, and its answer said `new_plays` 7 (or 0) of the 12 it
    had stored."""
    from fastapi.testclient import TestClient

    from musicflow.api.app import create_app
    from musicflow.app import upload_jobs

    settings = demo_settings(tmp_path / "home").model_copy(
        update={"use_bundled_catalog": False, "retrain_every_hours": 0}
    )
    files = [
        ("StreamingHistory_music_0.json", history("A", 5)),
        ("StreamingHistory_music_1.json", history("B", 7)),
    ]
    stopping = threading.Event()
    advance, stage = upload_jobs.JobProgress.advance, upload_jobs.JobProgress.stage

    def stop_after_a_file(progress: upload_jobs.JobProgress, amount: int, label: str | None = None) -> None:
        if stopped_in == "ingesting":
            stopping.set()  # the server stops once the first file is stored
        advance(progress, amount, label)

    def stop_at(progress: upload_jobs.JobProgress, name: str, **figures: object) -> None:
        if name == stopped_in:
            stopping.set()
        stage(progress, name, **figures)

    with MusicFlow.open(settings) as app:
        job, _ = app.start_upload("me", [(name, io.BytesIO(data)) for name, data in files])
        with monkeypatch.context() as patched:
            patched.setattr(upload_jobs.JobProgress, "advance", stop_after_a_file)
            if stopped_in != "ingesting":
                patched.setattr(upload_jobs.JobProgress, "stage", stop_at)
            assert app.run_next_job(stopping)
        assert app.job(job.id).state == "queued"  # queued again, with what it stored
        stored_before = app.listening_summary("me").plays
        assert 0 < stored_before <= 12
        assert app.run_next_job()
    with TestClient(create_app(settings, access="open")) as client:
        answer = client.get(f"/api/jobs/{job.id}", params={"profile": "me"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["attempts"] == 2 and body["state"] == "failed", body  # too few songs to train on
    assert (body["result"]["plays"], body["result"]["new_plays"], body["result"]["files"]) == (12, 12, 2), (
        body
    )


@pytest.mark.slow
def test_the_list_made_ahead_after_an_uploads_training_is_the_one_discover_shows(
    catalog_store: Path, isolated_environment: Path, lists_made: ListsMade
) -> None:
    """A server makes a new listener's Discover list once their upload's training serves. The job's row,
    recorded done a moment later, moved the store's stamp of finished jobs: the server read the listener
    again at the next question and made the list a second time, so the first look at Discover waited
    for it (3 to 6 s) as if none had been made ahead."""
    from fastapi.testclient import TestClient

    from musicflow.api.app import create_app
    from musicflow.demo import export_path

    settings = copy_of(catalog_store, isolated_environment).model_copy(
        update={"feature_sources": ["catalog"], "api_recommend_ahead": True, "retrain_every_hours": 0}
    )
    with TestClient(create_app(settings, access="open")) as client, export_path() as export:
        with export.open("rb") as sent:
            upload = client.post("/api/uploads", params={"profile": "new"}, files={"file": sent})
        assert upload.status_code == 202, upload.text
        deadline = time.monotonic() + 240
        while (job := client.get(f"/api/jobs/{upload.json()['id']}", params={"profile": "new"}).json())[
            "state"
        ] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["state"] == "done" and job["result"]["serving"], job
        assert lists_made.wait_for(1) == ["new"]
        time.sleep(1.5)  # past the server's check of the champion and of the listener's history
        page = client.get("/discover", params={"profile": "new"})
        assert page.status_code == 200, page.text
        assert "predicted streams" in page.text
    assert lists_made.profiles == ["new"]  # the page showed the list made ahead: none made again
