"""Who may read and change a profile's data on a shared server: access tokens and the grants they give.

A token is made once and shown once: `mf_` and 43 random URL-safe characters (256 bits). Only its SHA-256
is stored, so a copy of the store opens nothing; a token of that strength needs no slow hash. A token
reaches its own profile only: `read` for every question, `write` also to change or delete the data.
On a server left open (a single listener on their own machine) every request is granted `write` on the
profile it names. A server reached by others (see `cli/serve.py`) asks the API for a bearer token and the
page for a sign-in, on every route but the health probes.

`Grants` keeps a token's grant a second in memory, so that a burst of questions reads the store once; a
token revoked elsewhere stops opening anything within that second.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from musicflow.app.profiles import profile_asked
from musicflow.errors import ForbiddenError, Hint, MusicflowError, ProfileNotFoundError, UnauthorizedError

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.store.ports import StoredToken, TokenScope

TOKEN_PREFIX = "mf_"
SCOPES: tuple[TokenScope, ...] = ("read", "write")
BEARER = "bearer "


@dataclass(frozen=True)
class Grant:
    """What one request may do: which profile, and whether it may change it."""

    profile: str
    scope: TokenScope
    token_id: int | None = None  # None: an open server

    def may_write(self) -> None:
        """Raise `ForbiddenError` unless the grant may change the profile's data."""
        if self.scope != "write":
            raise ForbiddenError("this token may read this profile, not change it", hint=Hint.WRITE_TOKEN)


@dataclass(frozen=True)
class NewToken:
    """A token just made: the only time the token itself is known."""

    token: str
    stored: StoredToken


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def checked_scope(scope: str) -> TokenScope:
    if scope not in SCOPES:
        raise MusicflowError(f"a token's scope is read or write, not '{scope}'")
    return "write" if scope == "write" else "read"


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer ...` header; an error saying what is wrong otherwise."""
    if not authorization:
        raise UnauthorizedError("this server needs a token", hint=Hint.TOKEN)
    if not authorization.lower().startswith(BEARER):
        raise UnauthorizedError("the Authorization header is not 'Bearer <token>'", hint=Hint.TOKEN)
    return authorization[len(BEARER) :].strip()


def grant_of(stored: StoredToken | None, now: float) -> Grant:
    """The grant of a stored token; unknown, revoked and expired tokens open nothing (and are not told
    apart)."""
    if (
        stored is None
        or stored.revoked_at is not None
        or (stored.expires_at is not None and now >= stored.expires_at)
    ):
        raise UnauthorizedError("the token is unknown, revoked or expired", hint=Hint.TOKEN)
    return Grant(stored.profile, stored.scope, stored.id)


AccessMode = Literal["open", "tokens"]
KEEP_S = 1.0
KEPT_GRANTS = 10_000


class Grants:
    """The grants of one server: its access mode, its default profile, recently checked tokens."""

    def __init__(self, mode: AccessMode, default_profile: str) -> None:
        self.mode = mode
        self.default_profile = default_profile
        self._kept: dict[str, tuple[float, Grant | None]] = {}  # None: unknown, revoked or expired
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return self.mode == "open"

    def of_header(self, app: MusicFlow, authorization: str | None, asked: str | None) -> Grant:
        """The grant of an API request (its `Authorization` header and the `profile` it names)."""
        if self.open:
            return Grant(profile_asked(asked, self.default_profile), "write")
        return self.reaching(self.of_digest(app, digest_of(bearer_token(authorization))), asked)

    def of_digest(self, app: MusicFlow, digest: str) -> Grant:
        """The grant of a token known by its digest (the page's session keeps only that)."""
        now = time.monotonic()
        kept = self._kept.get(digest)
        if kept is None or kept[0] <= now:
            try:
                found: Grant | None = app.grant_by_digest(digest)
            except UnauthorizedError:
                found = None
            with self._lock:
                if len(self._kept) >= KEPT_GRANTS:
                    self._kept.clear()
                self._kept[digest] = kept = (now + KEEP_S, found)
        if kept[1] is None:
            raise UnauthorizedError("the token is unknown, revoked or expired", hint=Hint.TOKEN)
        return kept[1]

    def forget_profile(self, profile: str) -> None:
        """Drop the kept grants of a profile whose data (and tokens) were just deleted."""
        with self._lock:
            gone = [d for d, (_, g) in self._kept.items() if g is not None and g.profile == profile]
            for digest in gone:
                del self._kept[digest]

    @staticmethod
    def reaching(grant: Grant, asked: str | None) -> Grant:
        """The grant, if it reaches the profile a request names (None, or blank: its own; spaces around a
        name are not part of it, as on an open server)."""
        if asked is not None and profile_asked(asked, grant.profile) != grant.profile:
            # Another listener's profile is answered as one that does not exist: no hint that it does.
            raise ProfileNotFoundError(f"profile '{asked}' has no data yet", profile=asked)
        return grant
