"""The API's documentation pages in a real headless Chromium with no network: every request that is not
to the server is refused, and Swagger UI (`/docs`) and ReDoc (`/redoc`) still render every operation,
under their own Content-Security-Policy. Neither page even asks for anything off loopback: a request the
policy blocks never reaches the network, but the page made it all the same (and the console says so)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow


@dataclass
class Offline:
    page: Any
    refused: list[str] = field(default_factory=list)  # requests that would have left the machine
    asked: list[str] = field(default_factory=list)  # every request the page made, blocked by its policy too
    errors: list[str] = field(default_factory=list)  # the console's errors and uncaught exceptions


@pytest.fixture
def offline(browser: Any, server: str) -> Iterator[Offline]:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    seen = Offline(context.new_page())

    def only_the_server(route: Any) -> None:
        if route.request.url.startswith(f"{server}/"):
            route.continue_()
        else:
            seen.refused.append(route.request.url)
            route.abort()

    def note_error(message: Any) -> None:
        if message.type == "error":
            seen.errors.append(message.text)

    def note_exception(error: Any) -> None:
        seen.errors.append(str(error))

    context.route("**/*", only_the_server)
    seen.page.on("request", lambda request: seen.asked.append(request.url))
    seen.page.on("console", note_error)
    seen.page.on("pageerror", note_exception)
    yield seen
    context.close()


def off_loopback(asked: list[str], server: str) -> list[str]:
    """The requests not to the server (ReDoc's search worker is a `blob:` of the page's own origin)."""
    return [url for url in asked if not url.startswith((f"{server}/", f"blob:{server}/"))]


def operations(server: str) -> list[str]:
    schema = httpx.get(f"{server}/openapi.json").json()
    return list(schema["paths"])


def test_swagger_ui_renders_every_operation_offline(offline: Offline, server: str, screenshots: Path) -> None:
    page = offline.page
    page.goto("/docs")
    page.wait_for_selector(".opblock-summary-path")
    shown = page.locator(".opblock-summary-path").all_inner_texts()
    assert shown == operations(server)
    page.locator(".opblock-summary-path", has_text="/api/prediction/").first.click()
    responses = page.locator(".opblock.is-open .responses-table .response-col_status")
    responses.first.wait_for()
    assert {"404", "422", "429"} <= {text.strip() for text in responses.all_inner_texts()}
    schemas = page.locator("section.models").inner_text()  # the one error shape, among the schemas
    assert "ApiError" in schemas and "ErrorDetail" in schemas and "HTTPValidationError" not in schemas
    page.screenshot(path=screenshots / "api-docs.png")
    assert offline.refused == [] and offline.errors == []
    assert offline.asked and off_loopback(offline.asked, server) == []


def test_redoc_renders_every_operation_offline(offline: Offline, server: str, screenshots: Path) -> None:
    page = offline.page
    page.goto("/redoc")
    page.wait_for_selector("h1")
    assert page.locator("h1").first.inner_text().startswith("MusicFlow")
    for path in operations(server):
        assert page.get_by_text(path, exact=True).count() >= 1, path
    assert page.get_by_text("API docs by Redocly").count() == 1  # its footer, without the CDN's logo
    page.screenshot(path=screenshots / "api-redoc.png")
    assert offline.refused == [] and offline.errors == []
    # ReDoc's bundle drew its "by Redocly" logo from its CDN (the policy blocked it, with a console error):
    # the vendored bundle no longer asks (`web/static/apidocs/PROVENANCE.md`).
    assert offline.asked and off_loopback(offline.asked, server) == []
