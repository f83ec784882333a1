"""A scriptable HTTP server on 127.0.0.1 that the fake APIs build on.

It really listens on a socket, so the code under test goes through httpx, timeouts and connection
handling exactly as against the real service. Tests queue failures per path (500s, hangs, resets, 429s,
HTML pages), can turn on a rolling-window rate limit, and read how many requests each path served.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, urlsplit


class TimeSource(Protocol):
    def monotonic(self) -> float: ...


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def list_param(self, name: str) -> list[str]:
        """Both `ids=a,b` and `ids=a&ids=b` (ReccoBeats accepts either)."""
        return [part for value in self.query.get(name, []) for part in value.split(",") if part]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: object, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


def html_page(status: int = 200) -> Response:
    page = b"<!DOCTYPE html><html><body><h1>We'll be right back</h1></body></html>"
    return Response(status, page, {"Content-Type": "text/html; charset=utf-8"})


@dataclass(frozen=True)
class Hang:
    """Say nothing for `seconds` (longer than the client's read timeout)."""

    seconds: float = 5.0


@dataclass(frozen=True)
class Slow:
    """Answer normally, but only after `seconds` (a slow server, shorter than the read timeout)."""

    seconds: float


@dataclass(frozen=True)
class Reset:
    """Drop the connection with a TCP reset, without answering."""


Scripted = Response | Hang | Reset | Slow
Handler = Callable[[Request], Response]


class RollingLimit:
    """The server side of a rate limit: at most `limit` requests in any `window` seconds, else 429."""

    def __init__(self, limit: int, window: float, clock: TimeSource) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._seen: deque[float] = deque()

    def retry_after(self) -> int | None:
        """None when this request is within the limit (and counts it), else whole seconds to wait."""
        now = self._clock.monotonic()
        while self._seen and self._seen[0] <= now - self.window:
            self._seen.popleft()
        if len(self._seen) >= self.limit:
            return max(1, math.ceil(self._seen[0] + self.window - now))
        self._seen.append(now)
        return None


class FakeServer:
    """Routes requests to `handle` after scripted failures and the rate limit had their say."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: dict[str, deque[Scripted]] = {}
        self._limit: RollingLimit | None = None
        self._stop = threading.Event()
        self.served: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.requests: list[Request] = []
        self.arrivals: list[float] = []  # real monotonic time each request came in (for benchmarks)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @contextmanager
    def running(self) -> Iterator[FakeServer]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def script(self, path: str, *actions: Scripted) -> None:
        """The next requests to `path` get these answers, in order, before normal service resumes."""
        with self._lock:
            self._script.setdefault(path, deque()).extend(actions)

    def rate_limit(self, limit: int, window: float, clock: TimeSource) -> None:
        self._limit = RollingLimit(limit, window, clock)

    def count(self, path: str) -> int:
        with self._lock:
            return self.served[path]

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def answer(self, request: Request) -> Response | Hang | Reset:
        with self._lock:
            self.served[request.path] += 1
            self.requests.append(request)
            self.arrivals.append(time.monotonic())
            queued = self._script.get(request.path)
            action = queued.popleft() if queued else None
            if action is not None and not isinstance(action, Slow):
                return action
            wait = self._limit.retry_after() if self._limit else None
        if wait is not None:
            return json_response(
                429,
                {"error": {"status": 429, "message": "API rate limit exceeded"}},
                {"Retry-After": str(wait)},
            )
        if isinstance(action, Slow):
            self.hang(action.seconds)
        return self.handle(request)

    def record_status(self, status: int) -> None:
        with self._lock:
            self.statuses[status] += 1

    def hang(self, seconds: float) -> None:
        self._stop.wait(seconds)


def _handler_class(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: object) -> None:
            return

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, split.path, parse_qs(split.query), dict(self.headers), body)
            action = server.answer(request)
            if isinstance(action, Hang):
                server.hang(action.seconds)
                self.close_connection = True
                return
            if isinstance(action, Reset):
                _reset(self.connection)
                self.close_connection = True
                return
            server.record_status(action.status)
            self.send_response(action.status)
            for name, value in action.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(action.body)))
            self.end_headers()
            self.wfile.write(action.body)

        def finish(self) -> None:
            with suppress(OSError):
                super().finish()

    return _Handler


def _reset(connection: socket.socket) -> None:
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()
