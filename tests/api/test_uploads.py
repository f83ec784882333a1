"""A listener's export uploaded over HTTP: stored in chunks, taken in by a job (ingest, features,
training) that the server runs and resumes after a restart; the same export twice changes nothing;
uploads that are too large, of the wrong kind or from a read token are refused and leave nothing."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.app.upload_jobs import STALE_S
from musicflow.config import Settings
from tests.trained import QUICK_TRAINING, copy_of

DEMO_EXPORT = Path(__file__).parents[2] / "src" / "musicflow" / "demo" / "my_spotify_data.zip"
NEWCOMER = "newcomer"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(catalog_store: Path, isolated_environment: Path) -> Settings:
    update = {"feature_sources": ["catalog"], **QUICK_TRAINING}
    return copy_of(catalog_store, isolated_environment).model_copy(update=update)


@pytest.fixture
def tokens(settings: Settings) -> dict[str, str]:
    with MusicFlow.open(settings) as app:
        return {"write": app.create_token(NEWCOMER, "write").token, "read": app.create_token(NEWCOMER).token}


@pytest.fixture
def server(settings: Settings, tokens: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(create_app(settings, access="tokens")) as client:
        yield client


def finished(client: TestClient, job_id: str, token: str, timeout_s: float = 240) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job: dict[str, object] = client.get(f"/api/jobs/{job_id}", headers=bearer(token)).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def files_left(settings: Settings) -> list[Path]:
    """The files of uploads still on the server's disk."""
    uploads = settings.data_dir / "uploads"
    return sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []


def upload(client: TestClient, token: str, *files: tuple[str, bytes]) -> object:
    return client.post(
        "/api/uploads", files=[("file", (name, data)) for name, data in files], headers=bearer(token)
    )


@pytest.mark.slow
def test_an_upload_becomes_a_model_that_answers(
    server: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    export = DEMO_EXPORT.read_bytes()
    sent = server.post(
        "/api/uploads", files={"file": ("my_spotify_data.zip", export)}, headers=bearer(tokens["write"])
    )
    assert sent.status_code == 202, sent.text
    job_id = sent.json()["id"]
    assert sent.headers["location"] == f"/api/jobs/{job_id}" and sent.json()["new"] is True
    job = finished(server, job_id, tokens["read"])
    assert job["state"] == "done", job
    result = job["result"]
    assert isinstance(result, dict) and result["new_plays"] > 1000 and result["model_version"] == 1
    progress = job["progress"]
    assert isinstance(progress, dict) and progress["bytes_done"] == progress["bytes_total"]
    answer = server.get(
        "/api/prediction/",
        params={"song": "Levitating", "artist": "Dua Lipa"},
        headers=bearer(tokens["read"]),
    )
    assert answer.status_code == 200 and answer.json()["profile"] == NEWCOMER

    again = server.post(
        "/api/uploads", files={"file": ("renamed.zip", export)}, headers=bearer(tokens["write"])
    )
    assert again.status_code == 202 and again.json()["id"] == job_id and again.json()["new"] is False
    assert files_left(settings) == []  # the export's files went when its job was done; its digest stayed
    listed = server.get("/api/jobs", headers=bearer(tokens["read"])).json()
    assert [j["id"] for j in listed] == [job_id]


def test_what_an_upload_may_not_be(server: TestClient, tokens: dict[str, str], settings: Settings) -> None:
    assert upload(server, tokens["read"], ("a.json", b"[]")).status_code == 403  # type: ignore[attr-defined]
    assert upload(server, "mf_" + "x" * 43, ("a.json", b"[]")).status_code == 401  # type: ignore[attr-defined]
    wrong = upload(server, tokens["write"], ("notes.txt", b"hello"))
    assert wrong.status_code == 422 and "not a Spotify export" in wrong.text  # type: ignore[attr-defined]
    empty = server.post("/api/uploads", headers=bearer(tokens["write"]), files={"other": ("a.json", b"[]")})
    assert empty.status_code == 422 and "'file'" in empty.text
    uploads = settings.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_long_job_id_asked_is_echoed_cut_with_a_mark(server: TestClient, tokens: dict[str, str]) -> None:
    """An unknown job's id is echoed as every long value a client sent is: its first 60 characters and
    "…", never a shorter prefix said as if it were the id asked ("there is no job" and 40 of its 64)."""
    asked = "0123456789" * 6 + "abcd"
    expected = f"there is no job {asked[:60]}…"
    shown = server.get(f"/api/jobs/{asked}", headers=bearer(tokens["read"]))
    assert shown.status_code == 404 and shown.json()["error"]["message"] == expected
    taken_back = server.delete(f"/api/uploads/{asked}", headers=bearer(tokens["write"]))
    assert taken_back.status_code == 404 and taken_back.json()["error"]["message"] == expected
    short = server.get("/api/jobs/nope", headers=bearer(tokens["read"]))
    assert short.json()["error"]["message"] == "there is no job nope"


def test_a_long_file_name_refused_is_echoed_cut_with_a_mark(
    server: TestClient, tokens: dict[str, str]
) -> None:
    """A file refused for its kind is named as every long value a client sent is: its first 60
    characters and "…" (it was 80 of them, with nothing to say the name went on)."""
    name = "n" * 100 + ".txt"
    refused = upload(server, tokens["write"], (name, b"hello"))
    assert refused.status_code == 422  # type: ignore[attr-defined]
    message = refused.json()["error"]["message"]  # type: ignore[attr-defined]
    assert message.startswith(f"'{'n' * 60}…' is not a Spotify export")


def test_an_upload_of_no_history_fails_and_says_why(
    server: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    """A JSON file of the export that holds no play: the job fails with the file's reason, and nothing is
    fetched or trained for it. The files sent go with the failed job: it is never run again (the same
    files sent again are a new job)."""
    sent = upload(server, tokens["write"], ("Userdata.json", b'{"username": "someone"}'))
    assert sent.status_code == 202, sent.text  # type: ignore[attr-defined]
    job = finished(server, sent.json()["id"], tokens["read"])  # type: ignore[attr-defined]
    assert job["state"] == "failed", job
    error = str(job["error"])
    assert error.startswith("nothing in the files sent is a Spotify streaming history: no play was read")
    assert "Userdata.json: not a streaming history" in error and "uploads" not in error  # no server path
    assert not job.get("result"), job
    broken = upload(server, tokens["write"], ("my_spotify_data.zip", b"not a zip at all"))
    job = finished(server, broken.json()["id"], tokens["read"])  # type: ignore[attr-defined]
    assert job["state"] == "failed"
    assert "(my_spotify_data.zip: not a zip archive (it does not start like one))" in str(job["error"])
    damaged = upload(server, tokens["write"], ("my_spotify_data.zip", b"PK\x03\x04 and then nothing"))
    job = finished(server, damaged.json()["id"], tokens["read"])  # type: ignore[attr-defined]
    assert job["state"] == "failed"
    assert str(job["error"]).startswith("my_spotify_data.zip: not a readable zip archive")  # no server path
    assert files_left(settings) == []
    sent_again = upload(server, tokens["write"], ("Userdata.json", b'{"username": "someone"}'))
    assert sent_again.json()["new"] is True  # type: ignore[attr-defined]
    assert finished(server, sent_again.json()["id"], tokens["read"])["state"] == "failed"  # type: ignore[attr-defined]


def test_a_name_cannot_reach_outside_its_folder(settings: Settings, tokens: dict[str, str]) -> None:
    evil = ("../../../evil.json", b'[{"ts": "not a play"}]')
    with MusicFlow.open(settings) as app:  # no runner yet: the files wait for their job
        waiting, _ = app.start_upload(NEWCOMER, [(evil[0], io.BytesIO(evil[1]))])
    assert [p.name for p in (settings.data_dir / "uploads" / waiting.id).iterdir()] == ["evil.json"]
    with TestClient(create_app(settings, access="tokens")) as server:  # its runner takes the job
        job = finished(server, waiting.id, tokens["read"])
    assert job["state"] == "failed" and job["error"]  # nothing to learn from: said, not crashed
    assert (
        not (settings.data_dir / "evil.json").exists()
        and not (settings.data_dir.parent / "evil.json").exists()
    )
    assert files_left(settings) == []  # the failed job's files went with it


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(
    settings: Settings, tokens: dict[str, str]
) -> None:
    export = DEMO_EXPORT.read_bytes()
    # Far over (stopped as the body arrives) and just over (stopped as its files are written): both say
    # the limit the operator set, as set (one said the body's limit with the framing, one it in MiB).
    for limit in (10_000, len(export) - 1_000):
        small = settings.model_copy(update={"upload_max_bytes": limit})
        with TestClient(create_app(small, access="tokens")) as client:
            refused = upload(client, tokens["write"], ("my_spotify_data.zip", export))
        assert refused.status_code == 413  # type: ignore[attr-defined]
        error = refused.json()["error"]  # type: ignore[attr-defined]
        assert error["kind"] == "invalid input"
        assert f"({limit:,} bytes: MUSICFLOW_UPLOAD_MAX_BYTES)" in error["message"], error
        uploads = settings.data_dir / "uploads"
        assert not uploads.exists() or not any(uploads.iterdir())


@pytest.mark.slow
def test_a_job_left_running_by_a_stopped_server_is_finished_by_the_next(
    settings: Settings, tokens: dict[str, str]
) -> None:
    with MusicFlow.open(settings) as app:
        with DEMO_EXPORT.open("rb") as export:
            job, _ = app.start_upload(NEWCOMER, [("my_spotify_data.zip", export)])
        claimed = app.jobs_store.claim_next(time.time())  # a server took it, then was killed
        assert claimed is not None and claimed.id == job.id and claimed.state == "running"
        app.jobs_store.update_job(job.id, time.time() - 2 * STALE_S)  # its last heartbeat, long ago
    with TestClient(create_app(settings, access="tokens")) as client:
        done = finished(client, job.id, tokens["read"])
    assert done["state"] == "done" and done["attempts"] == 2


def test_a_job_another_live_server_runs_is_left_to_it(settings: Settings, tokens: dict[str, str]) -> None:
    """A second server (or a second worker of one) on the same store must not take a job the first is
    running: its row was touched within the heartbeat."""
    with MusicFlow.open(settings) as app:
        with DEMO_EXPORT.open("rb") as export:
            job, _ = app.start_upload(NEWCOMER, [("my_spotify_data.zip", export)])
        claimed = app.jobs_store.claim_next(time.time())  # the first server runs it now
        assert claimed is not None and claimed.id == job.id
    with TestClient(create_app(settings, access="tokens")) as client:  # its runner looked at the queue
        seen = client.get(f"/api/jobs/{job.id}", headers=bearer(tokens["read"])).json()
    assert seen["state"] == "running" and seen["attempts"] == 1  # taken again, it would be 2


@pytest.mark.slow
def test_an_upload_taken_back_removes_only_the_plays_no_other_upload_holds(
    server: TestClient, tokens: dict[str, str], settings: Settings, shared_data: Path
) -> None:
    import json

    plays = [
        p
        for p in json.loads((shared_data / "histories/extended/erickmay/endsong_1.json").read_text())
        if p.get("master_metadata_track_name")
    ][:300]
    first = upload(server, tokens["write"], ("endsong_0.json", json.dumps(plays[:200]).encode()))
    second = upload(server, tokens["write"], ("endsong_1.json", json.dumps(plays[100:]).encode()))
    ids = [first.json()["id"], second.json()["id"]]  # type: ignore[attr-defined]
    for job_id in ids:
        assert finished(server, job_id, tokens["read"])["progress"]["new_plays"] >= 0  # type: ignore[index]
    with MusicFlow.open(settings) as app:
        before = app.listening_summary(NEWCOMER).plays
        trained = sorted(v.version for v in app.models(NEWCOMER))  # every one learned from the first upload
        assert trained, "the uploads trained no model"

    assert server.delete(f"/api/uploads/{ids[0]}", headers=bearer(tokens["read"])).status_code == 403
    undone = server.delete(f"/api/uploads/{ids[0]}", headers=bearer(tokens["write"]))
    assert undone.status_code == 200, undone.text
    assert undone.json()["plays_removed"] + undone.json()["plays_kept"] > 0
    assert undone.json()["plays_kept"] > 0  # the plays the second upload also holds
    assert undone.json()["model_versions_removed"] == trained and undone.json()["serving_version"] is None
    assert undone.json()["retrain_queued"] is True  # the second upload's plays are left to learn from
    with MusicFlow.open(settings) as app:
        assert app.listening_summary(NEWCOMER).plays == before - undone.json()["plays_removed"]
        assert app.models(NEWCOMER) == []
        states = {job.id: job.state for job in app.jobs(NEWCOMER)}
    assert states[ids[0]] == "undone" and states[ids[1]] in ("done", "failed")
    seen = server.get(f"/api/jobs/{ids[0]}", headers=bearer(tokens["read"]))
    assert seen.status_code == 200 and seen.json()["state"] == "undone", seen.text
    assert seen.json()["result"]["taken_back"] == {
        "plays_removed": undone.json()["plays_removed"],
        "model_versions_removed": trained,
    }
    assert not (settings.data_dir / "uploads" / ids[0]).exists()
    again = server.delete(f"/api/uploads/{ids[0]}", headers=bearer(tokens["write"]))
    assert again.status_code == 409 and "already taken back" in again.text  # its state, not its input
    with MusicFlow.open(settings) as app:  # refused, it took nothing more: the second upload's plays stay
        assert app.listening_summary(NEWCOMER).plays == before - undone.json()["plays_removed"]


@pytest.fixture
def trained_server(trained_listener: Path, isolated_environment: Path) -> Iterator[tuple[TestClient, str]]:
    from tests.trained import PROFILE

    update = {"feature_sources": ["catalog"], **QUICK_TRAINING}
    settings = copy_of(trained_listener, isolated_environment).model_copy(update=update)
    with MusicFlow.open(settings) as app:
        token = app.create_token(PROFILE, "write").token
    with TestClient(create_app(settings, access="tokens")) as client:
        yield client, token


def test_a_library_uploaded_to_a_running_server_is_answered_from_at_once(
    trained_server: tuple[TestClient, str],
) -> None:
    server, token = trained_server
    asked = {"song": "Blinding Lights", "artist": "The Weeknd"}
    before = server.get("/api/prediction/", params=asked, headers=bearer(token)).json()
    assert before["prediction"] > 0 and before["library"]["banned"] is None
    library = b'{"tracks": [], "albums": [], "bannedArtists": [{"name": "The Weeknd"}]}'
    sent = upload(server, token, ("YourLibrary.json", library))
    assert sent.status_code == 202, sent.text  # type: ignore[attr-defined]
    job = finished(server, sent.json()["id"], token)  # type: ignore[attr-defined]
    assert job["state"] == "done", job
    result = job["result"]
    assert isinstance(result, dict) and result["library"]["banned_artist"] == 1 and result["new_plays"] == 0
    after = server.get("/api/prediction/", params=asked, headers=bearer(token)).json()
    assert after["prediction"] == 0 and after["library"]["banned"] == "artist"


def one_song_history(plays: int = 3) -> bytes:
    """A history of one song only: stored, but too little to train on."""
    return json.dumps(
        [
            {
                "endTime": f"2024-01-0{day} 10:00",
                "artistName": "Nao",
                "trackName": "Intro",
                "msPlayed": 200_000,
            }
            for day in range(1, plays + 1)
        ]
    ).encode()


def test_a_job_that_failed_after_storing_plays_says_what_it_kept(
    server: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    """The plays were stored before training failed: the job's answer says so (they are the listener's,
    and can be taken back), beside why it failed; and its files are gone."""
    sent = upload(server, tokens["write"], ("StreamingHistory_music_0.json", one_song_history()))
    job = finished(server, sent.json()["id"], tokens["read"])  # type: ignore[attr-defined]
    assert job["state"] == "failed" and job["error"], job
    result = job["result"]
    assert isinstance(result, dict), job
    assert (result["plays"], result["new_plays"], result["files"]) == (3, 3, 1)
    assert result["failed_at"] in ("fetching features", "training")
    with MusicFlow.open(settings) as app:
        assert app.listening_summary(NEWCOMER).plays == 3  # kept, as the answer says
    assert files_left(settings) == []
    listed = server.get("/api/jobs", headers=bearer(tokens["read"])).json()
    assert listed[0]["result"] == result


def test_an_export_taken_back_can_be_sent_again(
    server: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    """Sent again after it was taken back, an export is a new job that takes its plays in again (it
    answered with the job taken back, and stored nothing)."""
    history = ("StreamingHistory_music_0.json", one_song_history())
    first = upload(server, tokens["write"], history).json()  # type: ignore[attr-defined]
    finished(server, first["id"], tokens["read"])
    with MusicFlow.open(settings) as app:  # as if it had trained: only a job that did not fail is matched
        app.jobs_store.update_job(first["id"], time.time(), state="done", stage="done")
    same = upload(server, tokens["write"], history)
    assert same.json()["id"] == first["id"] and same.json()["new"] is False  # type: ignore[attr-defined]
    undone = server.delete(f"/api/uploads/{first['id']}", headers=bearer(tokens["write"]))
    assert undone.status_code == 200 and undone.json()["plays_removed"] == 3, undone.text

    again = upload(server, tokens["write"], history)
    assert again.status_code == 202, again.text  # type: ignore[attr-defined]
    answer = again.json()  # type: ignore[attr-defined]
    assert answer["new"] is True and answer["id"] != first["id"] and answer["state"] == "queued"
    job = finished(server, answer["id"], tokens["read"])
    assert job["result"]["new_plays"] == 3, job  # type: ignore[index]
    with MusicFlow.open(settings) as app:
        assert app.listening_summary(NEWCOMER).plays == 3


def test_an_upload_names_the_files_and_records_it_could_not_read_as_they_were_sent(
    server: TestClient, tokens: dict[str, str], settings: Settings
) -> None:
    """A damaged file beside a readable one: its plays are stored and the job went on, saying nothing of
    the file left out; and a record's example named the server's folder the upload was put in."""
    history = json.loads(one_song_history())
    history.append({**history[0], "msPlayed": "long"})  # one record no play can be read from
    export = io.BytesIO()
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", json.dumps(history))
        archive.writestr("Spotify Account Data/StreamingHistory_music_1.json", '[{"endTime": "2024-01')
    sent = upload(server, tokens["write"], ("my_spotify_data.zip", export.getvalue()))
    job = finished(server, sent.json()["id"], tokens["read"])  # type: ignore[attr-defined]
    result = job["result"]
    assert isinstance(result, dict) and (result["plays"], result["new_plays"]) == (3, 3), job
    (left_out,) = result["files_unreadable"]
    assert left_out.startswith("my_spotify_data.zip!Spotify Account Data/StreamingHistory_music_1.json: ")
    (example,) = result["unreadable_examples"]
    assert example.startswith(
        "my_spotify_data.zip!Spotify Account Data/StreamingHistory_music_0.json, record"
    )
    assert "uploads" not in json.dumps(result)  # no server folder
    form = re.search(r'name="csrf" value="([^"]+)"', server.get("/signin").text)
    assert form is not None
    server.post("/signin", data={"token": tokens["read"], "csrf": form.group(1)})
    page = server.get(f"/upload/{sent.json()['id']}")  # type: ignore[attr-defined]
    assert page.status_code == 200, page.text
    said = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    assert "1 file of the export could not be read and was left out; the rest is stored:" in said
    assert "my_spotify_data.zip!Spotify Account Data/StreamingHistory_music_1.json:" in said
