"""The page decides as the API does: the HTTP status of each kind of failure, and whose profile a request
is about."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.config import Settings
from musicflow.errors import (
    ChampionMovedError,
    ConfigError,
    ErrorKind,
    ForbiddenError,
    Hint,
    InvalidPayloadError,
    MusicflowError,
    NoModelError,
    ProfileNotFoundError,
    RateLimitedError,
    StoreError,
    TooManyRequestsError,
    UnauthorizedError,
    UpstreamUnavailableError,
)

# What a client reads, by kind: the statuses the API documents.
EXPECTED = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.INVALID_INPUT: 422,
    ErrorKind.NOT_READY: 503,
    ErrorKind.UPSTREAM_UNAVAILABLE: 503,
    ErrorKind.UPSTREAM_INVALID: 502,
    ErrorKind.RATE_LIMITED: 503,
    ErrorKind.CONFLICT: 409,
    ErrorKind.CONFIG: 500,
    ErrorKind.STORE: 503,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
}
ONE_OF_EACH_KIND: list[MusicflowError] = [
    ProfileNotFoundError("profile 'p' has no data yet"),
    MusicflowError("that is not a profile name"),
    NoModelError("profile 'p' has no model yet"),
    UpstreamUnavailableError("the source is down"),
    InvalidPayloadError("the source answered garbage"),
    RateLimitedError("the source asked us to wait", source="spotify", resume_at=0.0),
    ChampionMovedError("the champion moved meanwhile"),
    ConfigError("a setting is wrong"),
    StoreError("the store does not answer"),
    UnauthorizedError("this server needs a token"),
    ForbiddenError("this token may read, not change"),
]


class Failing:
    """The application, failing every use case the two routes call with one error; it notes whose
    profile each call was about."""

    def __init__(self, error: MusicflowError, settings: Settings) -> None:
        self.error = error
        self.settings = settings
        self.asked: list[str] = []

    def require_profile(self, profile: str) -> int:
        self.asked.append(profile)
        raise self.error

    def taste_page(self, profile: str) -> None:
        self.asked.append(profile)
        raise self.error


def client_of(failing: Failing) -> TestClient:
    app = create_app(failing.settings, profile="p")
    app.state.musicflow = failing  # no lifespan: nothing is opened
    return TestClient(app, raise_server_exceptions=False)


def test_every_kind_is_tested_here() -> None:
    assert {error.kind for error in ONE_OF_EACH_KIND} == set(ErrorKind) == set(EXPECTED)


@pytest.mark.parametrize(
    "error",
    [*ONE_OF_EACH_KIND, TooManyRequestsError("too many", retry_after_s=1.0)],
    ids=lambda error: type(error).__name__,
)
def test_the_api_and_the_page_answer_a_kind_with_the_same_status(error: MusicflowError) -> None:
    client = client_of(Failing(error, Settings()))
    api = client.get("/api/models", params={"profile": "p"})
    page = client.get("/taste", params={"profile": "p"})
    expected = 429 if isinstance(error, TooManyRequestsError) else EXPECTED[error.kind]
    assert (api.status_code, page.status_code) == (expected, expected)
    assert api.json()["error"]["message"] == str(error)
    assert str(error).replace("'", "&#39;") in page.text


class Known(Failing):
    """Failing, in a store holding the profile `demo`."""

    def profiles(self, *, holding_data: bool = False) -> list[str]:
        return ["demo"]


@pytest.mark.parametrize("listing", [False, True])
def test_the_api_and_the_page_say_an_unknown_profile_alike_and_truly(listing: bool) -> None:
    """A case variant of a profile there is ('Demo' beside 'demo') is another name, of no profile: the
    application's "profile 'Demo' has no data yet" read as if it were there, empty. Both front ends say the
    one error map's words (`error_map.http_message`), and name the profiles there are only if allowed."""
    error = ProfileNotFoundError(
        "profile 'Demo' has no data yet", hint=Hint.INGEST, profile="Demo", known=["demo"]
    )
    client = client_of(Known(error, Settings(api_list_profiles=listing)))
    api = client.get("/api/models", params={"profile": "Demo"})
    page = client.get("/taste", params={"profile": "Demo"})
    said = "no profile 'Demo' with plays on this server"
    assert (api.status_code, page.status_code) == (404, 404)
    assert api.json()["error"]["message"] == said
    assert said.replace("'", "&#39;") in page.text and "no data yet" not in page.text
    assert ("'demo'" in api.text or '"demo"' in api.text) is listing
    assert ("(profiles here: demo)" in page.text) is listing


def test_the_api_and_the_page_ask_about_the_same_profile() -> None:
    """A named profile (spaces around it dropped), or the server's when none or a blank one is named."""
    failing = Failing(ProfileNotFoundError("no data"), Settings())
    client = client_of(failing)
    for named in ({"profile": " alice "}, {}, {"profile": " "}):
        client.get("/api/models", params=named)
        client.get("/taste", params=named)
    assert failing.asked == ["alice", "alice", "p", "p", "p", "p"]
