"""ASGI middleware: a bound on request bodies, and an access log that names no client.

A body over the limit is refused with 413 (in the API's one error shape) before it is read when its
`Content-Length` says so, and as soon as the limit is passed when it comes chunked (or with a lying
length): the route never sees it.
The access log keeps the method, the path (not the query, which names songs), the status and the time
taken: no address, no header.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from musicflow.api.error_responses import error_document
from musicflow.errors import ErrorKind

access_log = logging.getLogger("musicflow.api.access")


class BodyLimit:
    """Refuse request bodies larger than `max_bytes` with 413; small bodies pass through unchanged."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
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


def too_large(max_bytes: int) -> dict[str, Any]:
    """The 413's body, in the API's one error shape."""
    return error_document(
        ErrorKind.INVALID_INPUT.value,
        f"the request body is larger than this server accepts ({max_bytes:,} bytes)",
        "send a smaller body: fewer songs in one request",
    )


async def _too_large(send: Send, max_bytes: int) -> None:
    body = orjson.dumps(too_large(max_bytes))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One line per request at INFO: method, path, status, milliseconds; never the client's address."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
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
            access_log.info("%s %s %d %.1f ms", scope["method"], scope["path"], status["code"], elapsed_ms)
