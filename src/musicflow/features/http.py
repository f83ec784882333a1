"""The one JSON-over-HTTP client every HTTP feature source sends through.

Free catalog APIs fail in a handful of ordinary ways: a dropped connection, a slow or overloaded server
(timeouts, 5xx), a rate limit (429, sometimes asking us to wait for hours), an HTML error page where JSON
was promised. Handling these once, here, keeps each source adapter about its API's meaning only, and
turns every failure into one of our own exceptions with a message a user can act on.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import TracebackType

import httpx

from musicflow.core.clock import Clock
from musicflow.errors import (
    ConfigError,
    InvalidPayloadError,
    RateLimitedError,
    UpstreamAuthError,
    UpstreamError,
    UpstreamUnavailableError,
)
from musicflow.features.throttle import RollingWindowThrottle, ThrottleOptions

log = logging.getLogger(__name__)

_MESSAGE_CHARS = 200


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """How patient one source's client is. Times are in seconds."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    retry_budget: float = 60.0  # total time spent retrying one request before giving up
    max_attempts: int = 8
    backoff_base: float = 0.5  # first backoff ceiling; doubles each attempt (full jitter below it)
    backoff_cap: float = 15.0
    max_retry_after: float = 60.0  # a 429 asking to wait longer pauses the job instead
    throttle: ThrottleOptions = field(default_factory=ThrottleOptions)
    user_agent: str = "musicflow"


@dataclass(frozen=True, slots=True)
class JsonReply:
    """A decoded answer: `body` is None only for an allowed error status whose body is not JSON."""

    status: int
    body: object


class JsonHttpClient:
    """Sends requests for one source (`source` names it in errors and logs) with retries and a throttle.

    Statuses the caller wants to interpret itself (a 404 meaning "no such track", a 401 meaning "refresh
    the token") are passed in `allow` and come back as a `JsonReply`; every other failure is raised.
    """

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        clock: Clock,
        options: HttpOptions | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.source = source
        self._options = options or HttpOptions()
        self._clock = clock
        self._rng = rng or random.Random()
        self._throttle = RollingWindowThrottle(self._options.throttle, clock)
        timeout = httpx.Timeout(self._options.read_timeout, connect=self._options.connect_timeout)
        try:
            self._http = httpx.Client(
                base_url=base_url,
                timeout=timeout,
                headers={"Accept": "application/json", "User-Agent": self._options.user_agent},
                follow_redirects=False,
            )
        except httpx.InvalidURL as exc:
            raise ConfigError(f"{source}: the configured base URL is not a valid URL") from exc

    def __repr__(self) -> str:
        return f"JsonHttpClient(source={self.source!r}, base_url={str(self._http.base_url)!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> JsonHttpClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        allow: Collection[int] = (),
    ) -> JsonReply:
        return self.request_json("GET", url, params=params, headers=headers, allow=allow)

    def request_json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        allow: Collection[int] = (),
    ) -> JsonReply:
        """One logical request, retried as needed; raises our own errors only."""
        request = self._build(method, url, params=params, headers=headers, form=form)
        where = f"{method} {request.url.path}"
        deadline = self._clock.monotonic() + self._options.retry_budget
        attempt = 0
        while True:
            attempt += 1
            response, failure = self._send_once(request, auth)
            if response is None:
                pass
            elif response.status_code == 429:
                if attempt < self._options.max_attempts and self._honour_retry_after(
                    response, where, deadline
                ):
                    continue
                failure = "HTTP 429 (rate limited)"
            elif response.status_code >= 500 or response.status_code == 408:
                failure = f"HTTP {response.status_code}{_upstream_message(response)}"
            else:
                return self._reply(response, where, allow)
            self._back_off(attempt, deadline, where, failure)

    def _build(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        form: Mapping[str, str] | None,
    ) -> httpx.Request:
        try:
            request = self._http.build_request(method, url, params=params, headers=headers, data=form)
        except httpx.InvalidURL as exc:
            raise ConfigError(f"{self.source}: a configured URL is not a valid URL") from exc
        if request.url.scheme not in ("http", "https"):
            raise ConfigError(f"{self.source}: a configured URL does not start with http:// or https://")
        return request

    def _send_once(
        self, request: httpx.Request, auth: tuple[str, str] | None
    ) -> tuple[httpx.Response | None, str]:
        """The response, or None and a description of the transport failure (a timeout, a reset)."""
        with self._throttle.slot():
            try:
                response = self._http.send(request, auth=auth)
            except httpx.TimeoutException as exc:
                return None, f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                return None, f"connection failed ({type(exc).__name__})"
        return response, ""

    def _honour_retry_after(self, response: httpx.Response, where: str, deadline: float) -> bool:
        """Sleep out a short Retry-After (True: go again); raise on a long one; False if there is none."""
        wait = _retry_after_seconds(response.headers.get("Retry-After"), self._clock.now())
        if wait is None:
            return False
        if wait > self._options.max_retry_after or self._clock.monotonic() + wait > deadline:
            log.warning("%s: %s rate limited for %.0f s; pausing until then", self.source, where, wait)
            raise RateLimitedError(
                f"{self.source}: rate limited; the server asks us to wait {wait:.0f} s",
                source=self.source,
                resume_at=self._clock.now() + wait,
            )
        log.info("%s: %s rate limited; waiting %.1f s as asked", self.source, where, wait)
        self._clock.sleep(wait)
        return True

    def _back_off(self, attempt: int, deadline: float, where: str, failure: str) -> None:
        """Sleep a capped exponential backoff with full jitter, or give up when the budget is spent."""
        ceiling = min(self._options.backoff_cap, self._options.backoff_base * 2 ** (attempt - 1))
        delay = self._rng.uniform(0, ceiling)
        if attempt >= self._options.max_attempts or self._clock.monotonic() + delay > deadline:
            log.warning("%s: %s failed %d times; last failure: %s", self.source, where, attempt, failure)
            raise UpstreamUnavailableError(
                f"{self.source}: {where} still failing after {attempt} attempts; last failure: {failure}"
            )
        log.info("%s: %s %s; retry %d in %.2f s", self.source, where, failure, attempt, delay)
        self._clock.sleep(delay)

    def _reply(self, response: httpx.Response, where: str, allow: Collection[int]) -> JsonReply:
        status = response.status_code
        if 200 <= status < 300:
            return JsonReply(status, self._decode(response, where))
        if status in allow:
            try:
                return JsonReply(status, self._decode(response, where))
            except InvalidPayloadError:
                return JsonReply(status, None)
        log.warning("%s: %s answered HTTP %d", self.source, where, status)
        detail = f"{self.source}: {where} answered HTTP {status}{_upstream_message(response)}"
        if status in (401, 403):
            raise UpstreamAuthError(detail)
        raise UpstreamError(detail)

    def _decode(self, response: httpx.Response, where: str) -> object:
        content_type = response.headers.get("Content-Type", "")
        problem = f"{self.source}: {where} answered HTTP {response.status_code} with"
        if "json" not in content_type.lower():
            raise InvalidPayloadError(f"{problem} {content_type or 'no content type'} instead of JSON")
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidPayloadError(f"{problem} a body that is not valid JSON") from exc


def _retry_after_seconds(header: str | None, now: float) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None when absent or unreadable."""
    if header is None:
        return None
    text = header.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - now, 0.0)


def _upstream_message(response: httpx.Response) -> str:
    """The API's own error message, when it gave one in a known JSON shape (short, for our errors)."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return ""
    message: object = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message")
        elif isinstance(error, str):
            message = body.get("error_description") or body.get("message") or error
        else:
            message = body.get("message")
    if not isinstance(message, str) or not message:
        return ""
    return f": {message[:_MESSAGE_CHARS]}"
