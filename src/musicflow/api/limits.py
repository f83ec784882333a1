"""Who is asking, and how often they may: per-client rate limits and the upstream quota's budget.

The client is the connecting address, unless that address is a configured proxy: then it is the last
address in `X-Forwarded-For` that is not itself a proxy (anything further left could be made up by the
client). The counting is done by the `limits` library in the storage `api_rate_limit_storage` names: this
process's memory by default, or one every worker shares (redis://, memcached://, ... as `limits` knows
them), so that the limits hold across several workers. The windows slide as two counters per client (the
current window's count and the last one's, weighed by how much of it still falls inside): a moving window
kept an object per request for a whole window (90,000 of them at 1,500 requests a second and a limit per
minute), which the interpreter's collector walked again and again.

Songs already cached cost no upstream call, so only questions about songs some network source has not
answered yet spend the upstream budget: per client, and for all clients together, below the sources' own
limits, so that one busy client cannot get the server's key throttled for everyone.
"""

from __future__ import annotations

import functools
import ipaddress
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from fastapi import Request
from limits import RateLimitItem, parse
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from musicflow.config import Settings
from musicflow.errors import ConfigError, TooManyRequestsError, UpstreamBudgetError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(addresses: list[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(address, strict=False) for address in addresses)


@functools.lru_cache(maxsize=4096)  # the same few clients and proxies ask again and again
def _is_in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


@dataclass(frozen=True)
class ClientIdentity:
    """Names the client of a request; trusts `X-Forwarded-For` from the configured proxies only."""

    proxies: tuple[Network, ...]

    def of(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        if not self.proxies or not _is_in(peer, self.proxies):
            return peer
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
        for address in reversed([part for part in forwarded if part]):
            if not _is_in(address, self.proxies):
                return address
        return peer


class Limits:
    """The server's rate limits; one instance per app, shared by the worker threads."""

    def __init__(self, settings: Settings) -> None:
        self.identity = ClientIdentity(_networks(settings.api_trusted_proxies))
        self._limiter = SlidingWindowCounterRateLimiter(_storage(settings.api_rate_limit_storage))
        self._requests = parse(settings.api_rate_limit)
        self._upstream_client = parse(settings.api_upstream_per_client)
        self._upstream_global = parse(settings.api_upstream_global)

    def counted(self, request: Request) -> str:
        """The request's client, after counting the request against its rate limit (429 past it)."""
        client = self.identity.of(request)
        self.count_request(client)
        return client

    def count_request(self, client: str) -> None:
        """One request to a listener route; past the limit, a 429 with when to ask again."""
        if not self._limiter.hit(self._requests, "requests", client):
            raise TooManyRequestsError(
                f"more than {self._requests} from this client",
                retry_after_s=self._wait(self._requests, "requests", client),
            )

    def spend_upstream(self, client: str, calls: int = 1) -> None:
        """Questions that will call a feature source: refused (503) past the client's or the global budget."""
        if not self._limiter.test(self._upstream_client, "upstream", client, cost=calls):
            raise UpstreamBudgetError(
                f"this client's budget of questions about uncached songs ({self._upstream_client}) is spent;"
                " songs already known are still answered",
                retry_after_s=self._wait(self._upstream_client, "upstream", client),
            )
        if not self._limiter.hit(self._upstream_global, "upstream", cost=calls):
            raise UpstreamBudgetError(
                f"the server's budget of questions about uncached songs ({self._upstream_global}) is spent;"
                " songs already known are still answered",
                retry_after_s=self._wait(self._upstream_global, "upstream"),
            )
        self._limiter.hit(self._upstream_client, "upstream", client, cost=calls)

    def _wait(self, item: RateLimitItem, *identifiers: str) -> float:
        reset_at = self._limiter.get_window_stats(item, *identifiers).reset_time
        return max(1.0, reset_at - time.time())


class SteadyMemoryStorage(MemoryStorage):
    """`limits`' memory storage, its expired counts cleared by one thread for the storage's life.

    The library's own clears them on a timer thread that it starts again whenever a request finds the
    last one finished: under load, a hundred new threads a second, and each start hands the interpreter
    to the new thread and back (about 4 % of a busy server's time, measured). The counting is the
    library's, unchanged; only the clearing runs here, once a second, until the storage is gone.
    """

    SWEEP_EVERY_S = 1.0

    def __init__(self) -> None:
        super().__init__()
        sweeper = threading.Thread(target=_sweep, args=(weakref.ref(self),), name="rate-limit-sweep")
        sweeper.daemon = True
        sweeper.start()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the name the library calls
        """Nothing: the sweeper clears expired counts."""

    def sweep(self) -> None:
        """Clear the expired counts now, as the library does."""
        expire: Callable[[], None] = getattr(self, "_MemoryStorage__expire_events")  # noqa: B009 - private
        expire()


def _sweep(storage: weakref.ref[SteadyMemoryStorage]) -> None:
    while (alive := storage()) is not None:
        alive.sweep()
        del alive  # not held while waiting: the storage can go
        time.sleep(SteadyMemoryStorage.SWEEP_EVERY_S)


def _storage(uri: str) -> Storage:
    """The counts' storage; a URI `limits` does not know, or whose client library is missing, stops the
    server from starting with a message saying so."""
    if uri.rstrip("/") == "memory:":
        return SteadyMemoryStorage()
    shown = _without_password(uri)  # said in a message, and so in a log: never its password
    try:
        found = storage_from_string(uri)
    except ConfigurationError as wrong:
        why = str(wrong).split(". See ")[0]  # `limits` adds a link to its documentation
        if "'redis' prerequisite" in why:
            why = "the Redis client is not installed: install MusicFlow with its extra, musicflow[redis]"
        raise ConfigError(f"MUSICFLOW_API_RATE_LIMIT_STORAGE '{shown}' cannot be used: {why}") from None
    if not isinstance(found, Storage):
        raise ConfigError(f"MUSICFLOW_API_RATE_LIMIT_STORAGE '{shown}' names an asynchronous storage")
    return found


def _without_password(uri: str) -> str:
    """The URI with its password, if it has one, as `***`."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    user = f"{parts.username}:" if parts.username else ":"
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}***@{host}"))
