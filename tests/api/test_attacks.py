"""The OWASP API Security Top 10 items that apply to MusicFlow, each tried as an attacker would, on a
server that asks for tokens: object-level authorization across two listeners (API1), broken
authentication: expired tokens (API2; missing, forged and revoked ones are in test_access.py), mass
assignment (API3), unrestricted consumption: a zip bomb and a thousand small files (API4), and
misconfiguration: a server reached by others is never open by mistake (API8)."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.access import digest_of
from musicflow.app.service import MusicFlow
from musicflow.cli.serve import access_mode
from musicflow.config import Settings
from musicflow.errors import UnauthorizedError
from tests.api.conftest import within_one_rate_window
from tests.conftest import IN_CI
from tests.fakes.clock import FakeClock
from tests.servers import free_port
from tests.trained import PROFILE, copy_of

SONG = {"song": "Levitating", "artist": "Dua Lipa"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def setup(
    two_versions_listener: Path, isolated_environment: Path
) -> Iterator[tuple[TestClient, dict[str, str], Settings]]:
    settings = copy_of(two_versions_listener, isolated_environment).model_copy(
        update={"feature_sources": ["catalog"]}
    )
    with MusicFlow.open(settings) as app:
        tokens = {
            "mine": app.create_token(PROFILE, "write").token,
            "theirs": app.create_token("mallory", "write").token,
        }
    with TestClient(create_app(settings, access="tokens")) as client:
        yield client, tokens, settings


def test_another_listeners_jobs_and_uploads_are_not_found(
    setup: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, tokens, _ = setup
    sent = client.post(
        "/api/uploads", files={"file": ("endsong_0.json", b"[]")}, headers=bearer(tokens["mine"])
    )
    job_id = sent.json()["id"]
    for method, path in (("GET", f"/api/jobs/{job_id}"), ("DELETE", f"/api/uploads/{job_id}")):
        answer = client.request(method, path, headers=bearer(tokens["theirs"]))
        assert answer.status_code == 404 and job_id[:8] not in answer.text.replace(f"job {job_id}", "")
    assert client.get("/api/jobs", headers=bearer(tokens["theirs"])).json() == []
    assert (
        client.get("/api/accuracy", params={"profile": PROFILE}, headers=bearer(tokens["theirs"])).status_code
        == 404
    )


def test_an_expired_token_opens_nothing(two_versions_listener: Path, isolated_environment: Path) -> None:
    settings = copy_of(two_versions_listener, isolated_environment)
    clock = FakeClock(time.time())
    with MusicFlow.open(settings, clock) as app:
        token = app.create_token(PROFILE, days=1).token
        assert app.grant_by_digest(digest_of(token)).profile == PROFILE
        clock.advance(86_400)
        with pytest.raises(UnauthorizedError, match="expired"):
            app.grant_by_digest(digest_of(token))


def test_a_body_cannot_name_another_profile(setup: tuple[TestClient, dict[str, str], Settings]) -> None:
    client, tokens, _ = setup
    smuggled = client.post(
        "/api/predictions", json=[{**SONG, "profile": "mallory"}], headers=bearer(tokens["mine"])
    )
    assert smuggled.status_code == 422 and "profile" in smuggled.text
    upload = client.post(
        "/api/uploads",
        data={"profile": PROFILE},
        files={"file": ("endsong_0.json", b"[]")},
        headers=bearer(tokens["theirs"]),
    )
    assert (
        upload.status_code == 202 and upload.json()["profile"] == "mallory"
    )  # the token decides, not the form


def test_a_zip_bomb_is_refused_before_it_is_inflated(
    setup: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, tokens, settings = setup
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Spotify Account Data/StreamingHistory0.json", b" " * 50_000_000)
    sent = client.post(
        "/api/uploads",
        files={"file": ("my_spotify_data.zip", bomb.getvalue())},
        headers=bearer(tokens["theirs"]),
    )
    assert sent.status_code == 202 and len(bomb.getvalue()) < 200_000
    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/jobs/{sent.json()['id']}", headers=bearer(tokens["theirs"])).json())[
        "state"
    ] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["state"] == "failed"
    with MusicFlow.open(settings) as app:
        assert app.listening_summary("mallory").plays == 0


def test_a_thousand_small_files_are_refused_and_leave_nothing(
    setup: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, tokens, settings = setup
    files = [("file", (f"endsong_{i}.json", b"[]")) for i in range(1000)]
    answer = client.post("/api/uploads", files=files, headers=bearer(tokens["theirs"]))
    assert answer.status_code in (400, 413, 422) and answer.json()["error"]["message"]
    uploads = settings.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


@pytest.mark.parametrize(
    ("host", "proxies", "open_flag", "expected"),
    [
        ("127.0.0.1", [], False, "open"),
        ("::1", [], False, "open"),
        ("localhost", [], False, "open"),
        ("0.0.0.0", [], False, "tokens"),
        ("192.0.2.7", [], False, "tokens"),
        ("127.0.0.1", ["127.0.0.1"], False, "tokens"),  # a proxy in front forwards others' requests
        ("0.0.0.0", [], True, "open"),
    ],
)
def test_a_server_reached_by_others_asks_for_tokens_unless_told_not_to(
    host: str, proxies: list[str], open_flag: bool, expected: str
) -> None:
    assert access_mode(Settings(api_trusted_proxies=proxies), host, open_flag=open_flag) == expected


@pytest.mark.parametrize(
    ("uri", "words"),
    [("nonsense://x", "unknown storage scheme"), ("memcached://127.0.0.1:11211", "memcached")],
)
def test_a_rate_limit_storage_that_cannot_be_used_stops_the_start(uri: str, words: str) -> None:
    from musicflow.api.limits import Limits
    from musicflow.errors import ConfigError

    with pytest.raises(ConfigError, match=words):
        Limits(Settings(api_rate_limit_storage=uri))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Debian's redis-server on a free loopback port, with nothing kept on disk (scripts/install-redis.sh)."""
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(server).exists():
        if IN_CI:
            pytest.fail("CI needs redis-server: bash scripts/install-redis.sh")
        pytest.skip("no redis-server: bash scripts/install-redis.sh")
    import redis

    port = free_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_limits_hold_across_workers_sharing_a_storage(redis_url: str) -> None:
    """Two workers (two `Limits`, as two server processes build them) on one Redis count together."""
    from musicflow.api.limits import Limits
    from musicflow.errors import TooManyRequestsError

    shared = Settings(api_rate_limit="3/minute", api_rate_limit_storage=redis_url)
    first, second = Limits(shared), Limits(shared)
    within_one_rate_window()
    for worker in (first, second, first):
        worker.count_request("198.51.100.1")
    with pytest.raises(TooManyRequestsError):
        second.count_request("198.51.100.1")
    second.count_request("198.51.100.2")  # another client has its own count
    alone = Limits(Settings(api_rate_limit="3/minute"))  # memory://: a worker of its own
    for _ in range(3):
        alone.count_request("198.51.100.1")


def test_every_answer_carries_the_security_headers(
    setup: tuple[TestClient, dict[str, str], Settings],
) -> None:
    client, tokens, _ = setup
    for answer in (
        client.get("/api/health"),
        client.get("/api/prediction/", params=SONG),  # 401
        client.get("/api/prediction/", params=SONG, headers=bearer(tokens["mine"])),
        client.get("/signin"),
    ):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert "'unsafe-inline'" not in answer.headers["content-security-policy"]


def test_a_rate_limit_storage_refused_is_said_without_its_password() -> None:
    """The message (and so the server's log) names the storage, never its password nor a web address."""
    from musicflow.api.limits import Limits
    from musicflow.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        Limits(Settings(api_rate_limit_storage="memcached://counter:s3cret@127.0.0.1:11211"))
    said = str(refused.value)
    assert "memcached://counter:***@127.0.0.1:11211" in said and "pymemcache" in said
    assert "s3cret" not in said and "http" not in said
