"""Bad uploads are all answered alike: 422, invalid input, in the API's one error shape, saying what to
send instead; and nothing of them stays on the server. A file named only `.json` is an export's file
like any other."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.upload_jobs import MAX_FILES
from musicflow.config import Settings

PLAY = {"endTime": "2024-01-01 10:00", "artistName": "Nao", "trackName": "Intro", "msPlayed": 200_000}


@pytest.fixture
def settings(isolated_environment: Path) -> Settings:
    return Settings(
        data_dir=isolated_environment,
        feature_sources=["catalog"],
        use_bundled_catalog=False,
        retrain_every_hours=0,
    )


@pytest.fixture
def server(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, access="open"), raise_server_exceptions=False) as client:
        yield client


def nothing_left(settings: Settings) -> bool:
    uploads = settings.data_dir / "uploads"
    return not uploads.exists() or not any(uploads.iterdir())


def finished(client: TestClient, job_id: str, timeout_s: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job: dict[str, object] = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_more_files_than_an_upload_holds_is_invalid_input_like_any_bad_upload(
    server: TestClient, settings: Settings
) -> None:
    """It answered 400 in the form parser's words ("Too many files. Maximum number of files is 200."),
    where every other bad upload answers 422 in ours. Each names its problem in `problems`, as the
    schema and README say every 422 does (a refused upload had none)."""
    files = [("file", (f"StreamingHistory_music_{i}.json", b"[]")) for i in range(MAX_FILES + 1)]
    refused = server.post("/api/uploads", files=files)
    assert refused.status_code == 422, refused.text
    said = (
        f"an upload holds at most {MAX_FILES} files: send my_spotify_data.zip as downloaded,"
        " a single file, rather than its JSON files one by one"
    )
    assert refused.json() == {
        "error": {
            "kind": "invalid input",
            "message": said,
            "hint": None,
            "problems": [{"field": "body", "reason": said}],  # as every 422 (README, the schema)
        }
    }
    wrong_kind = server.post("/api/uploads", files=[("file", ("notes.txt", b"x"))])
    assert wrong_kind.status_code == 422
    error = wrong_kind.json()["error"]
    assert set(error) == {"kind", "message", "hint", "problems"}
    assert error["problems"] == [{"field": "body", "reason": error["message"]}]
    assert nothing_left(settings)
    at_most = server.post("/api/uploads", files=files[:MAX_FILES])  # as many as it holds: taken
    assert at_most.status_code == 202, at_most.text


def test_a_body_that_is_no_multipart_form_is_invalid_input(server: TestClient, settings: Settings) -> None:
    broken = server.post(
        "/api/uploads",
        content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--xyz--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert broken.status_code == 422, broken.text
    error = broken.json()["error"]
    assert error["kind"] == "invalid input" and error["message"].startswith(
        "the upload is not a form of files"
    )
    assert nothing_left(settings)


def test_the_page_refuses_too_many_files_on_its_page_with_the_same_words(server: TestClient) -> None:
    files = [("file", (f"StreamingHistory_music_{i}.json", b"[]")) for i in range(MAX_FILES + 1)]
    page = server.post("/upload", files=files)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert f"an upload holds at most {MAX_FILES} files" in page.text


def test_a_file_named_only_json_is_read_by_its_content(server: TestClient) -> None:
    """Its name was cut to 'json' and the upload refused as "'json' is not a Spotify export"."""
    sent = server.post("/api/uploads", files=[("file", (".json", json.dumps([PLAY]).encode()))])
    assert sent.status_code == 202, sent.text
    job = finished(server, sent.json()["id"])
    result = job["result"]
    assert isinstance(result, dict) and (result["plays"], result["new_plays"], result["files"]) == (
        1,
        1,
        1,
    ), job
