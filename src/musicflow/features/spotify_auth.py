"""Spotify's client-credentials token: fetched once, shared by threads, renewed before it expires.

Every Web API call needs a bearer token from the accounts service. Asking for a new one per call would
double the traffic, and several threads discovering an expired token at once must not all ask for a new
one, so one lock guards the token and a rejected token is replaced only if no other thread already did.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from musicflow.core.clock import Clock
from musicflow.errors import InvalidPayloadError, UpstreamAuthError
from musicflow.features.http import JsonHttpClient
from musicflow.features.payload import as_object, text_field

log = logging.getLogger(__name__)

SOURCE = "spotify"
CREDENTIAL_SETTINGS = "MUSICFLOW_SPOTIFY_CLIENT_ID and MUSICFLOW_SPOTIFY_CLIENT_SECRET"


@dataclass(frozen=True, slots=True)
class SpotifyCredentials:
    """A Spotify app's client id and secret; the secret never appears in a repr."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(slots=True)
class _Token:
    value: str = field(repr=False)
    expires_at: float  # clock.monotonic() time


class ClientCredentialsToken:
    """Hands out a valid access token, refreshing it `refresh_margin` seconds before it expires."""

    def __init__(
        self,
        *,
        client: JsonHttpClient,
        token_url: str,
        credentials: SpotifyCredentials | None,
        clock: Clock,
        refresh_margin: float,
    ) -> None:
        self._client = client
        self._token_url = token_url
        self._credentials = credentials
        self._clock = clock
        self._refresh_margin = refresh_margin
        self._token: _Token | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        client_id = self._credentials.client_id if self._credentials else None
        return f"ClientCredentialsToken(client_id={client_id!r})"

    def current(self) -> str:
        """A token that is not about to expire."""
        with self._lock:
            token = self._token
            if token is None or self._clock.monotonic() >= token.expires_at - self._refresh_margin:
                token = self._fetch()
            return token.value

    def replace(self, rejected: str) -> str:
        """A new token after the API refused `rejected`; fetched once however many threads ask."""
        with self._lock:
            if self._token is not None and self._token.value != rejected:
                return self._token.value
            log.info("spotify: the access token was refused; fetching a new one")
            return self._fetch().value

    def _fetch(self) -> _Token:
        credentials = self._usable_credentials()
        reply = self._client.request_json(
            "POST",
            self._token_url,
            form={"grant_type": "client_credentials"},
            auth=(credentials.client_id, credentials.client_secret),
            allow=(400, 401),
        )
        if reply.status != 200:
            raise UpstreamAuthError(_refusal_message(reply.body))
        body = as_object(reply.body, source=SOURCE, what="token answer")
        value = text_field(body, "access_token", source=SOURCE, what="token answer")
        lifetime = body.get("expires_in")
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime <= 0:
            raise InvalidPayloadError(f"{SOURCE}: token answer has no usable expires_in ({lifetime!r:.20})")
        self._token = _Token(value, self._clock.monotonic() + lifetime)
        log.info("spotify: got an access token valid for %d s", lifetime)
        return self._token

    def _usable_credentials(self) -> SpotifyCredentials:
        credentials = self._credentials
        if credentials is None or not credentials.client_id or not credentials.client_secret:
            raise UpstreamAuthError(
                f"spotify: no client credentials; set {CREDENTIAL_SETTINGS} "
                "(the client id and secret of your app at developer.spotify.com)"
            )
        return credentials


def _refusal_message(body: object) -> str:
    """Why the accounts service said no, without echoing anything we sent."""
    code = body.get("error") if isinstance(body, dict) else None
    if code == "invalid_client":
        return (
            "spotify: the accounts service refused the client id and secret (invalid_client); "
            f"check {CREDENTIAL_SETTINGS}"
        )
    known = code if isinstance(code, str) and code.replace("_", "").isalpha() else "unknown error"
    return (
        f"spotify: the accounts service refused the token request ({known:.40}); check {CREDENTIAL_SETTINGS}"
    )
