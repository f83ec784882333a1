"""Deleting a listener's data while a job of theirs runs (their upload being taken in) leaves nothing of
them: the job ends, or finishes, before the deletion, which then removes what it made. Before, a training
that registered its version after the deletion made the profile again, with a file of its models."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from musicflow.app import training
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.api.test_uploads import NEWCOMER, bearer, files_left, server, settings, tokens, upload

__all__ = ["server", "settings", "tokens"]  # the fixtures, shared with the uploads' tests
EXPORT = Path("histories/extended/erickmay/endsong_1.json")


@pytest.mark.slow
def test_deleting_a_profile_while_its_upload_is_trained_leaves_nothing(
    server: TestClient,
    tokens: dict[str, str],
    settings: Settings,
    shared_data: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registering, registered = threading.Event(), threading.Event()
    publish = training.publish_candidate

    def slow_publish(*args: Any, **kwargs: Any) -> Any:
        """The version is about to be registered when the listener deletes their data."""
        registering.set()
        time.sleep(2)
        try:
            return publish(*args, **kwargs)
        finally:
            registered.set()

    monkeypatch.setattr(training, "publish_candidate", slow_publish)
    sent = upload(server, tokens["write"], ("endsong_1.json", (shared_data / EXPORT).read_bytes()))
    assert sent.status_code == 202, sent.text  # type: ignore[attr-defined]
    assert registering.wait(180), "the upload's job never came to register a model"

    deleted = server.delete("/api/profile", headers=bearer(tokens["write"]))

    assert deleted.status_code == 204, deleted.text
    assert registered.wait(60)
    time.sleep(1)  # the job's last steps, after its registration
    assert server.get("/api/jobs", headers=bearer(tokens["read"])).status_code == 401
    with MusicFlow.open(settings) as app:
        assert NEWCOMER not in app.profiles()
        assert not app.registry.profile_dir(NEWCOMER).exists()
    assert files_left(settings) == []


@pytest.mark.slow
def test_deleting_a_profile_while_its_model_trains_ends_the_job(
    server: TestClient, tokens: dict[str, str], settings: Settings, shared_data: Path
) -> None:
    sent = upload(server, tokens["write"], ("endsong_1.json", (shared_data / EXPORT).read_bytes()))
    job_id = sent.json()["id"]  # type: ignore[attr-defined]
    deadline = time.monotonic() + 180
    while server.get(f"/api/jobs/{job_id}", headers=bearer(tokens["read"])).json()["stage"] != "training":
        assert time.monotonic() < deadline, "the upload's job never came to train"
        time.sleep(0.05)

    deleted = server.delete("/api/profile", headers=bearer(tokens["write"]))

    assert deleted.status_code == 204, deleted.text
    time.sleep(3)  # what a training left running would register meanwhile
    with MusicFlow.open(settings) as app:
        assert NEWCOMER not in app.profiles()
        assert not app.registry.profile_dir(NEWCOMER).exists()
        assert app.jobs() == []
    assert files_left(settings) == []
