"""A fake ReccoBeats API speaking its wire format.

What it reproduces: `GET /v1/audio-features?ids=` and `GET /v1/track?ids=` take up to 40 Spotify ids
(comma separated or repeated) and answer `{"content": [...]}` with one row per known id, in no particular
order, unknown ids silently left out; each row names its Spotify track only in `href`. More than 40 ids
is a 400. Rows are made up from the id (stable), or set per test.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from typing import Any

from tests.fakes.server import FakeServer, Request, Response, json_response

MAX_IDS = 40
AUDIO_PATH = "/v1/audio-features"
TRACK_PATH = "/v1/track"
SPOTIFY_TRACK_URL = "https://open.spotify.com/track/"


def _seed(spotify_id: str) -> random.Random:
    return random.Random(hashlib.sha256(spotify_id.encode()).digest())


def made_up_audio(spotify_id: str) -> dict[str, Any]:
    rng = _seed(spotify_id)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "href": SPOTIFY_TRACK_URL + spotify_id,
        "acousticness": round(rng.random(), 4),
        "danceability": round(rng.random(), 4),
        "energy": round(rng.random(), 4),
        "instrumentalness": round(rng.random(), 4),
        "key": rng.randint(-1, 11),
        "liveness": round(rng.random(), 4),
        "loudness": round(-rng.random() * 30, 3),
        "mode": rng.randint(0, 1),
        "speechiness": round(rng.random(), 4),
        "tempo": round(60 + rng.random() * 120, 3),
        "valence": round(rng.random(), 4),
    }


def made_up_track(spotify_id: str, *, countries: int = 3) -> dict[str, Any]:
    rng = _seed(spotify_id)
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "trackTitle": f"Song {spotify_id[:6]}",
        "artists": [
            {"id": str(uuid.uuid4()), "name": "Some Artist", "href": "https://open.spotify.com/artist/x"}
        ],
        "durationMs": rng.randint(90_000, 400_000),
        "isrc": f"US{spotify_id[:3].upper()}2400001",
        "ean": None,
        "upc": None,
        "href": SPOTIFY_TRACK_URL + spotify_id,
        "availableCountries": ",".join(["US", "GB", "DE", "FR", "SE"][:countries]),
        "popularity": rng.randint(0, 100),
    }


class FakeReccoBeats(FakeServer):
    """Knows every id in `known` (all ids when `know_everything`), with rows overridable per test."""

    def __init__(self, *, know_everything: bool = False, shuffle: bool = True) -> None:
        super().__init__()
        self.know_everything = know_everything
        self.known: set[str] = set()
        self.audio_overrides: dict[str, dict[str, Any]] = {}
        self.track_overrides: dict[str, dict[str, Any]] = {}
        self.without_track_row: set[str] = set()
        self._shuffle = random.Random(7) if shuffle else None

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def add(self, *spotify_ids: str) -> None:
        self.known.update(spotify_ids)

    def override_audio(self, spotify_id: str, **fields: Any) -> None:
        self.add(spotify_id)
        self.audio_overrides[spotify_id] = fields

    def override_track(self, spotify_id: str, **fields: Any) -> None:
        self.add(spotify_id)
        self.track_overrides[spotify_id] = fields

    def ids_asked(self, path: str) -> list[list[str]]:
        """The ids of each request to `path`, in the order they came."""
        return [r.list_param("ids") for r in self.requests if r.path == path]

    def handle(self, request: Request) -> Response:
        if request.method != "GET" or request.path not in (AUDIO_PATH, TRACK_PATH):
            return json_response(404, {"error": "Not Found", "message": f"No route for {request.path}"})
        ids = request.list_param("ids")
        if not 1 <= len(ids) <= MAX_IDS:
            return json_response(
                400, {"error": "Bad Request", "message": "Size of ids must be between 1 and 40"}
            )
        rows = [row for spotify_id in ids if (row := self._row(request.path, spotify_id)) is not None]
        if self._shuffle:
            self._shuffle.shuffle(rows)
        return json_response(200, {"content": rows})

    def _row(self, path: str, spotify_id: str) -> dict[str, Any] | None:
        if not (self.know_everything or spotify_id in self.known):
            return None
        if path == AUDIO_PATH:
            return {**made_up_audio(spotify_id), **self.audio_overrides.get(spotify_id, {})}
        if spotify_id in self.without_track_row:
            return None
        return {**made_up_track(spotify_id), **self.track_overrides.get(spotify_id, {})}
