"""Signing in to a shared server's page with a token: each listener sees their own pages only, forms
refuse requests forged by another site, and the session cookie is one a script cannot read."""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.web import SESSION_COOKIE
from tests.lists_made import ListsMade
from tests.web.conftest import PROFILE, serving

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def shared_dir(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo listener's store with a token of theirs and one of another profile."""
    data_dir = tmp_path_factory.mktemp("signin")
    shutil.copytree(demo_dir, data_dir, dirs_exist_ok=True)
    with MusicFlow.open(Settings(data_dir=data_dir)) as app:
        return data_dir, {"demo": app.create_token(PROFILE).token, "other": app.create_token("other").token}


@pytest.fixture(scope="module")
def started(shared_dir: tuple[Path, dict[str, str]]) -> Iterator[FastAPI]:
    """One server asking for tokens, started once for the module: starting one reads the catalogs and
    loads the model, most of the time of a test here. Signing in and out changes no stored data."""
    settings = Settings(
        data_dir=shared_dir[0],
        feature_sources=["catalog"],
        web_session_secret=SecretStr(secrets.token_hex(32)),
    )
    app = create_app(settings, profile=PROFILE, access="tokens")
    with TestClient(app):
        yield app


@pytest.fixture
def client(started: FastAPI) -> TestClient:
    """A browser of its own (its own cookies) on the module's server."""
    return TestClient(started, follow_redirects=False)


def csrf_of(page: str) -> str:
    found = CSRF.search(page)
    assert found, "no anti-forgery value in the form"
    return found.group(1)


def signed_in(client: TestClient, token: str) -> TestClient:
    form = client.get("/signin")
    answer = client.post("/signin", data={"token": token, "csrf": csrf_of(form.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    return client


@pytest.mark.parametrize("path", ["/", "/taste", "/discover", "/?song=Levitating&artist=Dua+Lipa"])
def test_every_page_asks_to_sign_in_first(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 303 and answer.headers["location"] == "/signin"


def test_the_sign_in_page_is_safe_to_show(client: TestClient) -> None:
    page = client.get("/signin")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in page.text
    assert 'type="password"' in page.text


def test_a_wrong_token_or_a_forged_form_signs_no_one_in(
    client: TestClient, shared_dir: tuple[Path, dict[str, str]]
) -> None:
    csrf = csrf_of(client.get("/signin").text)
    wrong = client.post("/signin", data={"token": "mf_" + "x" * 43, "csrf": csrf})
    assert wrong.status_code == 401 and "unknown, revoked or expired" in wrong.text
    forged = client.post("/signin", data={"token": shared_dir[1]["demo"]})  # another site's form
    assert forged.status_code == 403
    assert client.get("/taste").status_code == 303


def test_a_listener_signed_in_sees_their_pages_and_no_one_elses(
    client: TestClient, shared_dir: tuple[Path, dict[str, str]]
) -> None:
    signed_in(client, shared_dir[1]["demo"])
    cookie = next(c for c in client.cookies.jar if c.name == SESSION_COOKIE)
    assert shared_dir[1]["demo"] not in (cookie.value or "")
    taste = client.get("/taste")
    assert taste.status_code == 200 and "Your taste" in taste.text
    assert client.get("/taste", params={"profile": "other"}).status_code == 404
    assert client.get("/", params={"song": "Levitating", "artist": "Dua Lipa"}).status_code == 200


def test_signing_in_has_the_listeners_discover_list_made_ahead(
    shared_dir: tuple[Path, dict[str, str]], lists_made: ListsMade
) -> None:
    settings = Settings(
        data_dir=shared_dir[0],
        feature_sources=["catalog"],
        web_session_secret=SecretStr(secrets.token_hex(32)),
        api_recommend_ahead=True,
    )
    # Started for a profile nobody has: no list is made at start, only the signed-in listener's.
    app = create_app(settings, profile="nobody", access="tokens")
    with TestClient(app, follow_redirects=False) as client:
        signed_in(client, shared_dir[1]["demo"])
        assert lists_made.wait_for(1) == [PROFILE]
        discover = client.get("/discover")
        assert discover.status_code == 200 and "Discover" in discover.text
        assert lists_made.profiles == [PROFILE]  # the page showed the list made ahead


def test_the_session_cookie_is_strict_and_http_only(
    client: TestClient, shared_dir: tuple[Path, dict[str, str]]
) -> None:
    form = client.get("/signin")
    answer = client.post("/signin", data={"token": shared_dir[1]["demo"], "csrf": csrf_of(form.text)})
    set_cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie


def test_forms_refuse_requests_forged_elsewhere(
    client: TestClient, shared_dir: tuple[Path, dict[str, str]]
) -> None:
    signed_in(client, shared_dir[1]["demo"])
    assert client.post("/highscore/reset").status_code == 403
    assert client.post("/signout").status_code == 403
    assert client.get("/taste").status_code == 200  # still signed in
    csrf = csrf_of(client.get("/").text)
    assert client.post("/highscore/reset", data={"csrf": csrf}).status_code == 303
    assert client.post("/signout", data={"csrf": csrf}).status_code == 303
    assert client.get("/taste").status_code == 303


@pytest.fixture
def shared_server(shared_dir: tuple[Path, dict[str, str]]) -> Iterator[str]:
    """`musicflow serve` on loopback told to ask for tokens, as behind a proxy."""
    with serving(shared_dir[0], MUSICFLOW_API_ACCESS="tokens") as base:
        yield base


@pytest.mark.slow
def test_sign_in_and_out_in_a_browser(
    browser: Any, shared_server: str, shared_dir: tuple[Path, dict[str, str]], screenshots: Path
) -> None:
    context = browser.new_context(base_url=shared_server)
    page = context.new_page()
    page.goto("/taste")
    assert page.url.endswith("/signin")
    page.get_by_label("Your token").fill("mf_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    assert "unknown, revoked or expired" in page.get_by_role("alert").inner_text()
    page.get_by_label("Your token").fill(shared_dir[1]["demo"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto("/taste")
    assert page.locator("#total-streams").inner_text()
    assert page.evaluate("document.cookie") == ""  # HttpOnly: no script reads the session
    page.screenshot(path=str(screenshots / "signed-in-taste.png"))
    page.get_by_role("button", name="Sign out").focus()  # from the keyboard
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/signin")
    # the page says it happened, with the focus on it, rather than starting again from the top; once
    assert page.evaluate("document.activeElement.id") == "signed-out"
    assert page.get_by_role("status").inner_text() == "You are signed out."
    page.reload()
    assert page.locator("#signed-out").count() == 0
    page.goto("/taste")
    assert page.url.endswith("/signin")
    context.close()
