"""The server's protections as a client meets them: rate limits, the upstream budget, body and input
limits, CORS, and logs that hold no client address nor secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import NoReturn

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.errors import ConfigError, UpstreamUnavailableError
from tests.api.conftest import ClientFactory, within_one_rate_window
from tests.fakes.reccobeats import FakeReccoBeats
from tests.trained import PROFILE

SONG = {"song": "Blinding Lights", "artist": "The Weeknd"}


def unknown(n: int) -> dict[str, str]:
    return {"song": f"Nothing Like It {n}", "artist": "Nobody"}


def test_a_client_past_its_rate_limit_gets_429_and_another_client_does_not(api: ClientFactory):
    settings = {"api_rate_limit": "3/minute", "api_trusted_proxies": ["192.0.2.10"]}
    client = api(**settings)
    within_one_rate_window()
    first = {"X-Forwarded-For": "198.51.100.1"}
    for _ in range(3):
        assert client.get("/api/prediction/", params=SONG, headers=first).status_code == 200
    refused = client.get("/api/prediction/", params=SONG, headers=first)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    error = refused.json()["error"]
    assert error["kind"] == "rate limited" and error["retry_after_s"] >= 1
    other = client.get("/api/prediction/", params=SONG, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 200
    assert client.get("/api/health").status_code == 200  # probes are never limited


def test_forwarded_for_is_ignored_from_an_untrusted_peer(api: ClientFactory):
    client = api(api_rate_limit="2/minute", peer="203.0.113.5")
    within_one_rate_window()
    for n in range(2):
        assert client.get("/api/models", headers={"X-Forwarded-For": f"10.9.9.{n}"}).status_code == 200
    assert client.get("/api/models", headers={"X-Forwarded-For": "10.9.9.99"}).status_code == 429


@pytest.fixture
def reccobeats() -> Iterator[FakeReccoBeats]:
    server = FakeReccoBeats(know_everything=True)
    with server.running():
        yield server


def test_the_upstream_budget_refuses_uncached_songs_but_answers_cached_ones(
    api: ClientFactory, reccobeats: FakeReccoBeats
):
    settings = {
        "feature_sources": ["catalog", "reccobeats"],
        "reccobeats_url": reccobeats.base_url,
        "api_upstream_per_client": "2/minute",
        "api_trusted_proxies": ["192.0.2.10"],
    }
    client = api(**settings)
    within_one_rate_window()
    mine = {"X-Forwarded-For": "198.51.100.7"}
    assert client.get("/api/prediction/", params=SONG, headers=mine).status_code == 200  # spends 1
    assert client.get("/api/prediction/", params=unknown(1), headers=mine).status_code == 404  # spends 1
    refused = client.get("/api/prediction/", params=unknown(2), headers=mine)
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
    assert "budget" in refused.json()["error"]["message"]
    cached = client.get("/api/prediction/", params=SONG, headers=mine)
    assert cached.status_code == 200
    batch = client.post("/api/predictions", json=[SONG, unknown(3)], headers=mine).json()["answers"]
    assert batch[0]["prediction"] and "budget" in batch[1]["error"]
    other = client.get("/api/prediction/", params=unknown(2), headers={"X-Forwarded-For": "198.51.100.8"})
    assert other.status_code == 404


def test_the_global_upstream_budget_holds_for_all_clients(api: ClientFactory, reccobeats: FakeReccoBeats):
    settings = {
        "feature_sources": ["catalog", "reccobeats"],
        "reccobeats_url": reccobeats.base_url,
        "api_upstream_global": "3/minute",
        "api_trusted_proxies": ["192.0.2.10"],
    }
    client = api(**settings)
    within_one_rate_window()
    codes = [
        client.get("/api/features/", params=unknown(n), headers={"X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(5)
    ]
    assert [c.status_code for c in codes] == [404, 404, 404, 503, 503]


def test_a_body_over_the_limit_is_413_declared_or_chunked(api: ClientFactory):
    client = api(api_max_body_bytes=1000)
    big = b"[" + b",".join([b'{"song":"a","artist":"b"}'] * 100) + b"]"
    declared = client.post("/api/predictions", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and declared.json()["error"]["kind"] == "invalid input"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 100):
            yield big[start : start + 100]

    chunked = client.post("/api/predictions", content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    small = client.post("/api/predictions", json=[SONG])
    assert small.status_code == 200


def test_cors_only_for_configured_origins(api: ClientFactory):
    client = api(api_cors_origins=["https://listen.example"])
    allowed = client.get("/api/health", headers={"Origin": "https://listen.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://listen.example"
    other = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    closed = api().get("/api/health", headers={"Origin": "https://listen.example"})
    assert "access-control-allow-origin" not in closed.headers


def test_settings_refuse_any_origin_with_credentials():
    with pytest.raises(ValueError, match="cannot be combined with credentials"):
        Settings(api_cors_origins=["*"], api_cors_credentials=True)
    Settings(api_cors_origins=["*"])  # any origin, without cookies, is allowed


def test_a_bad_rate_is_a_clear_settings_error(monkeypatch: pytest.MonkeyPatch):
    from musicflow.config import load_settings

    monkeypatch.setenv("MUSICFLOW_API_RATE_LIMIT", "lots")
    with pytest.raises(ConfigError, match="MUSICFLOW_API_RATE_LIMIT"):
        load_settings()


def test_logs_hold_no_client_address_nor_secret(api: ClientFactory, caplog: pytest.LogCaptureFixture):
    secret = "s3cr3t-value-never-logged"
    client = api(api_trusted_proxies=["192.0.2.10"], spotify_client_id="id", spotify_client_secret=secret)
    with caplog.at_level(logging.DEBUG):
        headers = {"X-Forwarded-For": "198.51.100.77"}
        client.get("/api/prediction/", params=SONG, headers=headers)
        client.get("/api/prediction/", params={"song": "Nope", "artist": "Nobody"}, headers=headers)
        client.post("/api/predictions", json=[SONG], headers=headers)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /api/prediction/ 200" in text  # the access log is there
    assert "198.51.100.77" not in text and "192.0.2.10" not in text and secret not in text
    assert "Blinding Lights" not in text  # no query string either


def test_the_access_log_names_the_profile_asked_about_and_is_on_by_default(
    api: ClientFactory, caplog: pytest.LogCaptureFixture
):
    client = api()
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.WARNING)  # as `musicflow serve` has it, by default
    try:
        client.get("/api/models", params={"profile": "alex", "song": "Secret Song"})
        client.get("/api/prediction/", params=SONG, headers={"Authorization": "Bearer tok-never-logged"})
        client.get("/api/models", params={"profile": "evil\nGET /forged 200"})
    finally:
        root.setLevel(before)
    records = [r for r in caplog.records if r.name == "musicflow.api.access"]
    lines = [r.getMessage() for r in records]
    assert len(lines) == 3 and {r.levelno for r in records} == {logging.INFO}
    assert re.fullmatch(r"GET /api/models 404 \d+\.\d ms profile=alex", lines[0])
    assert re.fullmatch(rf"GET /api/prediction/ 200 \d+\.\d ms profile={PROFILE}", lines[1])
    assert "\n" not in lines[2] and lines[2].endswith("profile=evil?GET /forged 200")
    text = "\n".join(lines)
    assert "Secret Song" not in text and "tok-never-logged" not in text and "192.0.2.10" not in text


def test_the_access_log_can_be_turned_off(api: ClientFactory, caplog: pytest.LogCaptureFixture):
    client = api(api_access_log=False)
    with caplog.at_level(logging.DEBUG):
        client.get("/api/models")
    assert not [r for r in caplog.records if r.name == "musicflow.api.access"]


def test_a_failing_source_is_logged_without_the_song_asked(
    api: ClientFactory, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    asked = {"song": "A Song Nobody Logs", "artist": "Private Person"}

    def source_down(*_args: object, **_kwargs: object) -> NoReturn:
        raise UpstreamUnavailableError(
            f"reccobeats did not answer for '{asked['song']}' by '{asked['artist']}'"
        )

    monkeypatch.setattr(MusicFlow, "predict_together", source_down)
    client = api()
    with caplog.at_level(logging.DEBUG):
        failed = client.get("/api/prediction/", params=asked)
    assert failed.status_code == 503, failed.text
    assert asked["song"] in failed.json()["error"]["message"]  # the listener is told, in full
    text = "\n".join(record.getMessage() for record in caplog.records if record.name != "httpx")
    assert "GET /api/prediction/ answered 503: UpstreamUnavailableError" in text  # the server's log says what
    assert "Nobody Logs" not in text and "Private Person" not in text  # not which song
