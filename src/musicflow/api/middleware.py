"""ASGI middleware: HEAD answered as GET, a bound on request bodies, and an access log that names no client.

A body over the limit is refused with 413 (in the API's one error shape) before it is read when its
`Content-Length` says so, and as soon as the limit is passed when it comes chunked (or with a lying
length): the route never sees it. The access log is on by default, at INFO on `musicflow.api.access`: one
line a request with the method, the path (not the query, which names songs), the status, the time taken
and the profile asked about (`?profile=`, else the server's): no address, no header, no token.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO
from urllib.parse import parse_qsl

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from musicflow.api.error_responses import error_document
from musicflow.app.error_map import cut
from musicflow.app.vocabulary import profile_asked, too_large_words
from musicflow.errors import ErrorKind

access_log = logging.getLogger("musicflow.api.access")
GRANTED_PROFILE = "granted_profile"  # set in the request's state by the dependency that grants it
ACCESS_LOG_FORMAT = "%(asctime)s %(message)s"
ACCESS_LOG_TIME = "%Y-%m-%dT%H:%M:%SZ"


class HeadAsGet:
    """A HEAD is answered as the GET of the same path would be, without the body: the same status and
    headers (`Content-Length` too), on every GET route, the pages' and the API's. FastAPI's routes take
    only the methods they name (Starlette's plain routes add HEAD to GET; FastAPI's do not)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a streamed body's parts are dropped; its end is sent, empty
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        # a copy: the server still sees the HEAD it was asked, and sends no body for it
        await self.app({**scope, "method": "GET"}, receive, without_body)


class BodyLimit:
    """Refuse request bodies larger than `max_bytes` with 413; small bodies pass through unchanged.

    Bodies of the paths in `streamed` (uploads) have their own, larger limit and are never held here:
    they reach the route as they come, counted, and the 413 is sent as soon as the limit is passed."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, streamed: Mapping[str, int] | None = None, framing: int = 0
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = dict(streamed or {})  # path -> the most bytes of files its body may carry
        self.framing = framing  # what a streamed body carries beside its files (multipart boundaries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        limit = self.streamed.get(scope["path"])
        if limit is not None:
            await self._streamed(scope, receive, send, limit)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await _too_large(send, self.max_bytes)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(messages, receive), send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, files: int) -> None:
        limit = files + self.framing
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large_upload(send, files)
            return
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            size += len(message.get("body", b""))
            if size > limit:
                raise _BodyTooLargeError
            return message

        async def noting(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, noting)
        except _BodyTooLargeError:
            if started:
                raise
            await _too_large_upload(send, files)


class _BodyTooLargeError(Exception):
    """A streamed body passed its limit while the route was reading it."""


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def too_large(
    max_bytes: int, hint: str = "send a smaller body: fewer songs in one request"
) -> dict[str, Any]:
    """The 413's body, in the API's one error shape."""
    return error_document(
        ErrorKind.INVALID_INPUT.value,
        f"the request body is larger than this server accepts ({max_bytes:,} bytes)",
        hint,
    )


UPLOAD_HINT = (
    "send the export's files in several uploads, or ask the operator to raise MUSICFLOW_UPLOAD_MAX_BYTES"
)


async def _too_large_upload(send: Send, files: int) -> None:
    """An upload's 413 says the limit on its files, as the upload's own check says it (not the body's,
    which counts the multipart framing too)."""
    body = error_document(ErrorKind.INVALID_INPUT.value, too_large_words(files), UPLOAD_HINT)
    await _send_too_large(send, orjson.dumps(body))


async def _too_large(send: Send, max_bytes: int) -> None:
    await _send_too_large(send, orjson.dumps(too_large(max_bytes)))


async def _send_too_large(send: Send, body: bytes) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One line per request at INFO: method, path, status, milliseconds and the profile asked about;
    never the client's address, a header or the query string.

    On by default: unless the operator set the logger's level, it is INFO (whatever the root's level),
    so `musicflow serve` prints it with no flag; `enabled=False` (MUSICFLOW_API_ACCESS_LOG=false) or the
    logger set to WARNING turns it off."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        if enabled and access_log.level == logging.NOTSET:
            access_log.setLevel(logging.INFO)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info(
                "%s %s %d %.1f ms profile=%s",
                _printable(scope["method"]),
                _printable(scope["path"]),
                status["code"],
                elapsed_ms,
                _profile_of(scope),
            )


def print_access_log(stream: TextIO | None = None) -> None:
    """Print the access log as plain lines (`2026-12-04T11:55:32Z GET /api/health 200 0.4 ms
    profile=default`) on `stream` (stderr), as `musicflow serve` does: not through the console's own
    log handler, which takes about a millisecond a line and wraps long ones."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = logging.Formatter(ACCESS_LOG_FORMAT, ACCESS_LOG_TIME)
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    access_log.addHandler(handler)
    access_log.propagate = False


def _profile_of(scope: Scope) -> str:
    """The profile a request asks about: its `profile` query parameter, else the server's own (a profile
    name is no secret to the server's operator; the rest of the query, the songs asked, stays out)."""
    granted = scope.get("state", {}).get(GRANTED_PROFILE)
    if isinstance(granted, str):  # who the request's grant was for (a token names its own profile)
        return _printable(granted)
    app = scope.get("app")
    grants = getattr(getattr(app, "state", None), "grants", None)
    if grants is not None and not grants.open:
        return "-"  # a server asking for tokens, and this request had none that opened anything
    named = None
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if name == "profile":
            named = value  # the last one, as the route reads it
    default = getattr(getattr(app, "state", None), "profile", None) if app is not None else None
    return _printable(profile_asked(named, default if isinstance(default, str) else "-"))


def _printable(text: str) -> str:
    """`text` cut short and with no character that could forge a log line (a newline, an escape)."""
    return cut("".join(c if c.isprintable() else "?" for c in text[:200]), 100)
