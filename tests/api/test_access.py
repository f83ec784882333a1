"""Tokens on a server others can reach: each listener reaches their own profile only, and may delete it.

The server here asks for tokens as one bound to a public address does (`access="tokens"`); tokens are
made as `musicflow tokens create` makes them. A second listener, `other`, shares the store."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.access import KEEP_S
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.api.conftest import ClientFactory
from tests.trained import PROFILE, copy_of

SONG = {"song": "Levitating", "artist": "Dua Lipa"}
OTHER_EXPORT = Path("histories/both/mungeraiden/Streaming_History_Audio_2022.json")
LISTENER_ROUTES = [
    ("GET", "/api/prediction/", SONG),
    ("GET", "/api/features/", SONG),
    ("GET", "/api/raw_features/", SONG),
    ("GET", "/api/models", {}),
    ("GET", "/api/models/1", {}),
    ("DELETE", "/api/profile", {}),
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def add_listener_and_tokens(data_dir: Path, shared_data: Path) -> dict[str, str]:
    """A read and a write token of the demo listener, and one of a second listener in the same store."""
    with MusicFlow.open(Settings(data_dir=data_dir)) as app:
        app.ingest([shared_data / OTHER_EXPORT], "other")
        return {
            "read": app.create_token(PROFILE).token,
            "write": app.create_token(PROFILE, "write").token,
            "other": app.create_token("other", "write").token,
        }


@pytest.fixture(scope="module")
def shared(
    two_versions_listener: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, TestClient, dict[str, str]]]:
    """For the tests that change nothing: one store, a server asking for tokens (also one naming the
    profiles in a 404, as `api_list_profiles` asks) and the tokens."""
    data_dir = tmp_path_factory.mktemp("tokens")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("MUSICFLOW_")]:
            patch.delenv(name)
        copy_of(two_versions_listener, data_dir)
        tokens = add_listener_and_tokens(data_dir, shared_data)
        apps = [
            create_app(
                Settings(data_dir=data_dir, api_list_profiles=listing), profile=PROFILE, access="tokens"
            )
            for listing in (False, True)
        ]
        with TestClient(apps[0]) as server, TestClient(apps[1]) as listing_server:
            yield server, listing_server, tokens


@pytest.fixture
def server(shared: tuple[TestClient, TestClient, dict[str, str]]) -> TestClient:
    return shared[0]


@pytest.fixture
def tokens(shared: tuple[TestClient, TestClient, dict[str, str]]) -> dict[str, str]:
    return shared[2]


@pytest.fixture
def own(data_dir: Path, shared_data: Path) -> dict[str, str]:
    """For the tests that revoke or delete: a store and tokens of their own."""
    return add_listener_and_tokens(data_dir, shared_data)


@pytest.mark.parametrize(("method", "path", "params"), LISTENER_ROUTES)
def test_no_token_no_data(server: TestClient, method: str, path: str, params: dict[str, str]) -> None:
    answer = server.request(method, path, params=params)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert "token" in answer.text
    assert "Levitating" not in answer.text and PROFILE not in answer.text


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/api/prediction/", {}),  # no song asked
        ("GET", "/api/prediction/", {**SONG, "song": "x" * 300}),
        ("GET", "/api/features/", {"song": "Levitating"}),
        ("GET", "/api/raw_features/", {**SONG, "profile": ""}),
        ("GET", "/api/models", {"profile": ""}),
        ("GET", "/api/models", {"profile": "x" * 65}),
        ("GET", "/api/jobs", {"profile": ""}),
        ("DELETE", "/api/profile", {"profile": ""}),
    ],
)
def test_no_token_is_refused_before_the_question_is_read(
    server: TestClient, method: str, path: str, params: dict[str, str]
) -> None:
    """Without a token, a question that would not validate is refused as any other is: 401, not 422
    (the song routes and a blank or long profile were read first, and their problems told)."""
    answer = server.request(method, path, params=params)
    assert answer.status_code == 401
    assert answer.json()["error"]["kind"] == "unauthorized"


def test_the_health_probes_need_no_token_and_name_no_one(server: TestClient) -> None:
    assert server.get("/api/health").json() == {"status": "ok"}
    assert server.get("/api/health/live").status_code == 200
    assert server.get("/api/health/ready").json() == {
        "status": "ready",
        "profile": None,
        "model_version": None,
    }


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mf_" + "A" * 43,  # forged: the right shape, never made
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "mf_not-even-bearer",
    ],
)
def test_forged_or_malformed_tokens_open_nothing(server: TestClient, header: str) -> None:
    answer = server.get("/api/prediction/", params=SONG, headers={"Authorization": header})
    assert answer.status_code == 401
    assert "predicted_streams" not in answer.text


def test_a_token_answers_for_its_own_profile(
    server: TestClient, tokens: dict[str, str], api: ClientFactory
) -> None:
    mine = server.get("/api/prediction/", params=SONG, headers=bearer(tokens["read"]))
    assert mine.status_code == 200
    named = server.get(
        "/api/prediction/", params={**SONG, "profile": PROFILE}, headers=bearer(tokens["read"])
    )
    assert named.json() == mine.json()
    assert mine.json() == api().get("/api/prediction/", params=SONG).json()  # what an open server says
    models = server.get("/api/models", headers=bearer(tokens["read"])).json()
    assert models["profile"] == PROFILE


def test_a_token_reaches_its_profile_named_with_spaces_around_it(
    server: TestClient, tokens: dict[str, str]
) -> None:
    """A profile named with spaces around it is the profile, as on an open server (`profile_asked`): a
    token's own profile so named answered 404, "no profile 'default ' that your token reaches"."""
    mine = server.get("/api/models", headers=bearer(tokens["read"]))
    spaced = server.get("/api/models", params={"profile": f" {PROFILE} "}, headers=bearer(tokens["read"]))
    assert spaced.status_code == 200
    assert spaced.json() == mine.json()
    predicted = server.get(
        "/api/prediction/", params={**SONG, "profile": f"{PROFILE} "}, headers=bearer(tokens["read"])
    )
    assert predicted.status_code == 200 and predicted.json()["profile"] == PROFILE
    theirs = server.get("/api/models", params={"profile": " other"}, headers=bearer(tokens["read"]))
    assert theirs.status_code == 404


def test_another_listeners_profile_is_not_found_and_not_hinted(
    shared: tuple[TestClient, TestClient, dict[str, str]], tokens: dict[str, str]
) -> None:
    server = shared[1]
    theirs = server.get("/api/models", params={"profile": PROFILE}, headers=bearer(tokens["other"]))
    nobodys = server.get("/api/models", params={"profile": "nobody"}, headers=bearer(tokens["other"]))
    assert theirs.status_code == nobodys.status_code == 404
    assert "other" not in theirs.text and "profiles" not in theirs.json()["error"]
    # True of both: neither is a profile this token reaches (not "has no data yet", not "on this server").
    assert theirs.json()["error"]["message"] == f"no profile '{PROFILE}' that your token reaches"
    assert theirs.text.replace(PROFILE, "NAME") == nobodys.text.replace("nobody", "NAME")
    predicted = server.get(
        "/api/prediction/", params={**SONG, "profile": PROFILE}, headers=bearer(tokens["other"])
    )
    assert predicted.status_code == 404 and "predicted_streams" not in predicted.text


def test_a_revoked_token_stops_working(api: ClientFactory, own: dict[str, str], data_dir: Path) -> None:
    server, tokens = api(access="tokens"), own
    assert server.get("/api/models", headers=bearer(tokens["read"])).status_code == 200
    with MusicFlow.open(Settings(data_dir=data_dir)) as app:
        (found,) = [t for t in app.tokens(PROFILE) if t.scope == "read"]
        app.revoke_token(found.id)
    time.sleep(KEEP_S + 0.1)
    assert server.get("/api/models", headers=bearer(tokens["read"])).status_code == 401
    assert server.get("/api/models", headers=bearer(tokens["write"])).status_code == 200


def test_only_a_write_token_deletes_and_then_nothing_is_left(
    api: ClientFactory, own: dict[str, str], data_dir: Path
) -> None:
    server, tokens = api(access="tokens"), own
    refused = server.delete("/api/profile", headers=bearer(tokens["read"]))
    assert refused.status_code == 403 and "write" in refused.text
    other_before = server.get("/api/models", headers=bearer(tokens["other"])).json()

    deleted = server.delete("/api/profile", headers=bearer(tokens["write"]))
    assert deleted.status_code == 204 and deleted.content == b""

    for token in (tokens["write"], tokens["read"]):
        assert server.get("/api/prediction/", params=SONG, headers=bearer(token)).status_code == 401
    assert server.get("/api/models", headers=bearer(tokens["other"])).json() == other_before
    with MusicFlow.open(Settings(data_dir=data_dir)) as app:
        assert app.profiles() == ["other"]
    assert not (data_dir / "models" / PROFILE).exists()


def test_an_open_server_deletes_the_profile_named(api: ClientFactory, data_dir: Path) -> None:
    server = api()
    assert server.get("/api/prediction/", params=SONG).status_code == 200
    assert server.delete("/api/profile").status_code == 204
    gone = server.get("/api/prediction/", params=SONG)
    assert gone.status_code == 404  # not a remembered answer
    assert server.delete("/api/profile").status_code == 404
