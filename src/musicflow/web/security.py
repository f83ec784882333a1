"""What keeps the pages safe to open: their security headers, and the key that signs the session cookie."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from musicflow.config import Settings
from musicflow.errors import ConfigError

log = logging.getLogger(__name__)

MIN_SECRET_CHARS = 32
MIN_DISTINCT_CHARS = 10
# No inline script or style anywhere: charts are SVG drawn on the server, pictures come from the page.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def session_secret(settings: Settings) -> str:
    """The configured key; in production a weak or missing one stops the server from starting."""
    configured = settings.web_session_secret.get_secret_value() if settings.web_session_secret else ""
    strong = len(configured) >= MIN_SECRET_CHARS and len(set(configured)) >= MIN_DISTINCT_CHARS
    if strong:
        return configured
    if settings.web_production:
        raise ConfigError(
            "production mode needs a strong MUSICFLOW_WEB_SESSION_SECRET: at least "
            f"{MIN_SECRET_CHARS} characters, {MIN_DISTINCT_CHARS} of them different"
        )
    if configured:
        log.warning("the web session secret is weak; fine for trying MusicFlow, not for production")
        return configured
    log.info("no web session secret set: highscores last until the server restarts")
    return secrets.token_urlsafe(32)


class PageHeaders:
    """Adds the security headers to every response under the page's paths and the API's."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...], prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.paths = paths
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path in self.paths or path.startswith(self.prefixes)):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in PAGE_HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
