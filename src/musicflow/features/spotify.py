"""Spotify Web API: finds a song's Spotify track and reads its metadata (not audio features).

Development-mode apps (2026) may search with at most 10 results, must read tracks one at a time, get
no `popularity` or `available_markets`, and get 403 from audio features (closed to everyone since
November 2024). So this source resolves song + artist to a track id (checked with `match_key`, never the
blind first hit) and gives duration, explicitness, release date and artist count; it keeps popularity and
market count only when Spotify actually sends them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from musicflow.core.clock import Clock, SystemClock
from musicflow.core.feature_spec import validate_values
from musicflow.core.songs import FeatureRecord, NotFound, SourceAnswer, TrackQuery, match_key
from musicflow.errors import InvalidPayloadError
from musicflow.features.http import HttpOptions, JsonHttpClient, JsonReply
from musicflow.features.payload import JsonObject, as_list, as_object, optional_text, text_field
from musicflow.features.spotify_auth import SOURCE, ClientCredentialsToken, SpotifyCredentials
from musicflow.features.throttle import ThrottleOptions

log = logging.getLogger(__name__)

SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_FULL_TRACK_FIELDS = ("duration_ms", "explicit", "album", "artists", "external_ids")


def _default_http() -> HttpOptions:
    # Spotify counts requests in a rolling 30 s window and does not publish the development-mode limit.
    return HttpOptions(throttle=ThrottleOptions(max_requests=60, window_seconds=30.0))


@dataclass(frozen=True, slots=True)
class SpotifyOptions:
    api_base_url: str = "https://api.spotify.com/v1"
    token_url: str = "https://accounts.spotify.com/api/token"
    search_limit: int = 10  # the 2026 maximum for development-mode apps
    market: str | None = None  # ISO country code; None lets Spotify decide
    token_refresh_margin: float = 60.0  # renew the token this many seconds before it expires
    http: HttpOptions = field(default_factory=_default_http)


class SpotifySource:
    """The `FeatureSource` for Spotify metadata; needs a Spotify app's client credentials."""

    name = SOURCE
    batch_size = 5  # each song costs one or two requests; a small batch loses little on a pause

    def __init__(
        self,
        credentials: SpotifyCredentials | None,
        options: SpotifyOptions | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        self._options = options or SpotifyOptions()
        clock = clock or SystemClock()
        self._client = JsonHttpClient(
            source=SOURCE, base_url=self._options.api_base_url, clock=clock, options=self._options.http
        )
        self._token = ClientCredentialsToken(
            client=self._client,
            token_url=self._options.token_url,
            credentials=credentials,
            clock=clock,
            refresh_margin=self._options.token_refresh_margin,
        )

    def __repr__(self) -> str:
        return f"SpotifySource({self._token!r})"

    def close(self) -> None:
        self._client.close()

    def fetch(self, queries: Sequence[TrackQuery]) -> dict[str, SourceAnswer]:
        answers: dict[str, SourceAnswer] = {}
        for query in queries:
            answer = self._answer(query)
            if answer is not None:
                answers[query.key] = answer
        return answers

    def _answer(self, query: TrackQuery) -> SourceAnswer | None:
        track = self._track_by_id(query.spotify_id) if query.spotify_id else self._search(query)
        if isinstance(track, NotFound):
            return track
        try:
            return _record(track)
        except InvalidPayloadError as exc:
            log.warning("%s; the track is rejected", exc)
            return None

    def _track_by_id(self, spotify_id: str) -> JsonObject | NotFound:
        if not SPOTIFY_ID.fullmatch(spotify_id):
            return NotFound(SOURCE, "not a Spotify track id")
        reply = self._get(f"tracks/{spotify_id}", self._market_param(), allow=(400, 404))
        if reply.status in (400, 404):
            return NotFound(SOURCE, "no such track" if reply.status == 404 else "not a Spotify track id")
        return as_object(reply.body, source=SOURCE, what=f"track {spotify_id}")

    def _search(self, query: TrackQuery) -> JsonObject | NotFound:
        params = {"q": search_text(query), "type": "track", "limit": str(self._options.search_limit)}
        reply = self._get("search", {**params, **self._market_param()})
        tracks = as_object(
            as_object(reply.body, source=SOURCE, what="search").get("tracks"),
            source=SOURCE,
            what="search.tracks",
        )
        items = as_list(tracks.get("items"), source=SOURCE, what="search.tracks.items")
        hit = pick_matching(query, items)
        if hit is None:
            return NotFound(SOURCE, "no search hit matches song and artist")
        if all(name in hit for name in _FULL_TRACK_FIELDS):
            return hit  # search hits are full track objects: no second request needed
        return self._track_by_id(text_field(hit, "id", source=SOURCE, what="search hit"))

    def _market_param(self) -> dict[str, str]:
        return {"market": self._options.market} if self._options.market else {}

    def _get(self, path: str, params: Mapping[str, str], allow: Collection[int] = ()) -> JsonReply:
        """A GET with the bearer token; a 401 gets one new token and one more try."""
        token = self._token.current()
        reply = self._client.get_json(path, params=params, headers=_bearer(token), allow=(401, *allow))
        if reply.status == 401:
            token = self._token.replace(token)
            reply = self._client.get_json(path, params=params, headers=_bearer(token), allow=allow)
        return reply


def search_text(query: TrackQuery) -> str:
    """A field-filtered search (`track:"..." artist:"..."`): the export spells titles as Spotify does."""
    song = query.song.replace('"', " ").strip()
    artist = query.artist.split(",")[0].replace('"', " ").strip()
    return f'track:"{song}" artist:"{artist}"' if artist else f'track:"{song}"'


def pick_matching(query: TrackQuery, items: Sequence[object]) -> JsonObject | None:
    """The first hit whose title and one of whose artists match the query loosely, if any."""
    wanted = match_key(query.artist, query.song)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        artists = item.get("artists")
        names = [a.get("name") for a in artists if isinstance(a, dict)] if isinstance(artists, list) else []
        if any(isinstance(name, str) and match_key(name, item["name"]) == wanted for name in names):
            return item
    return None


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _record(track: JsonObject) -> FeatureRecord:
    spotify_id = text_field(track, "id", source=SOURCE, what="track")
    what = f"track {spotify_id}"
    external_ids = track.get("external_ids")
    isrc = (
        optional_text(external_ids, "isrc", source=SOURCE, what=what)
        if isinstance(external_ids, dict)
        else None
    )
    album = as_object(track.get("album"), source=SOURCE, what=f"{what}.album")
    values = {
        "duration_ms": track.get("duration_ms"),
        "explicit": track.get("explicit"),
        "popularity": track.get("popularity"),  # absent for development-mode apps: stays missing
        "n_markets": _market_count(track.get("available_markets")),
        "n_artists": _artist_count(track.get("artists")),
        **_release_values(album, what),
    }
    return FeatureRecord(
        source=SOURCE,
        values=validate_values(values, source=SOURCE, what=what),
        spotify_id=spotify_id,
        isrc=isrc,
    )


def _market_count(markets: object) -> object:
    """Missing (None) when Spotify sends no list or an empty one.

    Development-mode answers leave the list out; an empty list is not trusted either, because a zero
    stored here would read as "available nowhere" when more likely the app was not told.
    """
    if isinstance(markets, list):
        return len(markets) or None
    return markets


def _artist_count(artists: object) -> object:
    if isinstance(artists, list):
        return len(artists) or None
    return artists


def _release_values(album: JsonObject, what: str) -> dict[str, object]:
    """Year, month and day of release, as far as `release_date_precision` says they are known."""
    date = album.get("release_date")
    if date is None:
        return {}
    match = _DATE.fullmatch(date) if isinstance(date, str) else None
    if match is None:
        raise InvalidPayloadError(
            f"{SOURCE}: {what}: release_date should be YYYY[-MM[-DD]], got {date!r:.20}"
        )
    year, month, day = (int(part) if part else None for part in match.groups())
    if year == 0:
        return {}  # Spotify's "0000": release date unknown
    precision = album.get("release_date_precision")
    if precision == "year":
        month = day = None
    elif precision == "month":
        day = None
    return {"release_year": year, "release_month": month, "release_day": day}
