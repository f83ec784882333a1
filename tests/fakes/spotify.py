"""A fake Spotify (accounts service and Web API) speaking the 2026 development-mode wire format.

What it reproduces: the client-credentials token endpoint (basic auth, form body, `invalid_client`
errors), bearer tokens that expire on the injected clock (401 "The access token expired"), search with
`limit` at most 10 (else 400 "Invalid limit"), `GET /v1/tracks/{id}` (404 for unknown ids, 400 for
malformed ones), development-mode track objects without `popularity` and `available_markets`, and the
bare 403 that `/v1/audio-features` has answered everyone since November 2024.
"""

from __future__ import annotations

import base64
import itertools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.clock import FakeClock
from tests.fakes.server import FakeServer, Request, Response, json_response

TOKEN_PATH = "/api/token"
SEARCH_PATH = "/v1/search"
TRACKS_PREFIX = "/v1/tracks/"
AUDIO_FEATURES_PATH = "/v1/audio-features"
SEARCH_LIMIT_MAX = 10
_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Song:
    spotify_id: str
    name: str
    artists: tuple[str, ...]
    duration_ms: int = 200_000
    explicit: bool = False
    release_date: str = "2011-03-07"
    release_date_precision: str = "day"
    isrc: str = "GBAAA1100001"
    popularity: int = 50
    markets: tuple[str, ...] = ("US", "GB", "DE")


def _error(status: int, message: str) -> Response:
    return json_response(status, {"error": {"status": status, "message": message}})


class FakeSpotify(FakeServer):
    def __init__(
        self,
        *,
        clock: FakeClock,
        client_id: str = "test-client-id",
        client_secret: str = "test-client-secret-value",
        token_lifetime: int = 3600,
        dev_mode: bool = True,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.client_id, self.client_secret = client_id, client_secret
        self.token_lifetime = token_lifetime
        self.dev_mode = dev_mode  # 2026 development mode: no popularity, no available_markets
        self.songs: dict[str, Song] = {}
        self._tokens: dict[str, float] = {}  # access token -> expiry (clock time)
        self._serial = itertools.count(1)

    @property
    def accounts_url(self) -> str:
        return self.url + TOKEN_PATH

    @property
    def api_url(self) -> str:
        return self.url + "/v1"

    def add(self, *songs: Song) -> None:
        for song in songs:
            self.songs[song.spotify_id] = song

    def expire_tokens(self) -> None:
        """Every token handed out so far is now refused, as after a revocation or a clock jump."""
        for token in self._tokens:
            self._tokens[token] = 0.0

    def handle(self, request: Request) -> Response:
        if request.path == TOKEN_PATH and request.method == "POST":
            return self._token(request)
        refused = self._check_bearer(request)
        if refused is not None:
            return refused
        if request.path == SEARCH_PATH:
            return self._search(request)
        if request.path.startswith(TRACKS_PREFIX):
            return self._track(request.path.removeprefix(TRACKS_PREFIX))
        if request.path == AUDIO_FEATURES_PATH or request.path.startswith(AUDIO_FEATURES_PATH + "/"):
            return json_response(403, {"error": {"status": 403}})
        return _error(404, "Service not found")

    def _token(self, request: Request) -> Response:
        form = parse_qs(request.body.decode())
        if form.get("grant_type") != ["client_credentials"]:
            return json_response(400, {"error": "unsupported_grant_type", "error_description": "grant_type"})
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return json_response(400, {"error": "invalid_client", "error_description": "Invalid client"})
        token = f"BQ-fake-token-{next(self._serial)}"
        self._tokens[token] = self.clock.now() + self.token_lifetime
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        return json_response(200, body)

    def _check_bearer(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        if not header.startswith("Bearer ") or token not in self._tokens:
            return _error(401, "Invalid access token")
        if self.clock.now() >= self._tokens[token]:
            return _error(401, "The access token expired")
        return None

    def _search(self, request: Request) -> Response:
        limit = int(request.param("limit") or 5)
        if not 1 <= limit <= SEARCH_LIMIT_MAX:
            return _error(400, "Invalid limit")
        if request.param("type") != "track" or not request.param("q"):
            return _error(400, "Bad search type field" if request.param("q") else "No search query")
        words = set(_WORD.findall(_without_field_names(request.param("q") or "").casefold()))
        overlap = {
            s.spotify_id: len(words & set(_WORD.findall(s.name.casefold()))) for s in self.songs.values()
        }
        # Like Spotify's relevance ranking, the closest titles come first (stable among equals).
        hits = sorted(
            (s for s in self.songs.values() if overlap[s.spotify_id]), key=lambda s: -overlap[s.spotify_id]
        )
        items = [self._track_object(s) for s in hits[:limit]]
        return json_response(
            200, {"tracks": {"items": items, "limit": limit, "offset": 0, "total": len(hits)}}
        )

    def _track(self, spotify_id: str) -> Response:
        if not _ID.fullmatch(spotify_id):
            return _error(400, "invalid id")
        song = self.songs.get(spotify_id)
        if song is None:
            return _error(404, "Resource not found")
        return json_response(200, self._track_object(song))

    def _track_object(self, song: Song) -> dict[str, Any]:
        artists = [
            {"id": f"artist{i:017d}", "name": name, "type": "artist", "uri": f"spotify:artist:{i}"}
            for i, name in enumerate(song.artists)
        ]
        track: dict[str, Any] = {
            "album": {
                "album_type": "album",
                "name": f"{song.name} (album)",
                "release_date": song.release_date,
                "release_date_precision": song.release_date_precision,
                "artists": artists[:1],
            },
            "artists": artists,
            "disc_number": 1,
            "duration_ms": song.duration_ms,
            "explicit": song.explicit,
            "external_ids": {"isrc": song.isrc},
            "id": song.spotify_id,
            "is_local": False,
            "name": song.name,
            "track_number": 1,
            "type": "track",
            "uri": f"spotify:track:{song.spotify_id}",
        }
        if not self.dev_mode:
            track["popularity"] = song.popularity
            track["available_markets"] = list(song.markets)
        return track


def _without_field_names(q: str) -> str:
    return re.sub(r"\b(track|artist|album|year|isrc):", " ", q)
