"""ReccoBeats: free, keyless audio features (and some metadata) for Spotify track ids.

Since November 2024 Spotify answers 403 to everyone asking for audio features; ReccoBeats serves the same
features by Spotify id. Its batch endpoints take up to 40 ids, answer rows in any order and silently leave
out ids they do not know; a row names its Spotify track only in `href`, so rows are matched by that.

A row it answers wrong (a value outside the feature table, a href naming no track asked) is left out,
and logged at DEBUG; the warning is one per kind of fault for each question asked of it (a batch of
`features fetch`, a server's one song), with how many rows it cost and one example: one fault
on every row (energy 7.5 throughout) is one line a batch, not one a row, and a server says it when it
meets it, not when it stops.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from musicflow.core.clock import Clock, SystemClock
from musicflow.core.feature_spec import validate_values
from musicflow.core.plurals import counted
from musicflow.core.songs import FeatureRecord, NotFound, SourceAnswer, TrackQuery
from musicflow.errors import InvalidPayloadError
from musicflow.features.http import HttpOptions, JsonHttpClient
from musicflow.features.payload import JsonObject, as_list, as_object, optional_text
from musicflow.features.throttle import ThrottleOptions

log = logging.getLogger(__name__)

SOURCE = "reccobeats"
MAX_IDS_PER_REQUEST = 40
SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")
_AUDIO_FIELDS = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "time_signature",
)


def _default_http() -> HttpOptions:
    # ReccoBeats does not publish its limit: this budget is a cautious guess, not a measured figure.
    return HttpOptions(throttle=ThrottleOptions(max_requests=100, window_seconds=30.0))


@dataclass(frozen=True, slots=True)
class ReccoBeatsOptions:
    base_url: str = "https://api.reccobeats.com/v1"
    http: HttpOptions = field(default_factory=_default_http)


@dataclass(frozen=True, slots=True)
class _Rows:
    """One batch's rows by Spotify id, from both endpoints."""

    audio: Mapping[str, JsonObject]
    track: Mapping[str, JsonObject]


@dataclass(slots=True)
class _Faults:
    """The rows a source left out, by what was wrong with them: how many, and the first as an example."""

    seen: dict[str, tuple[int, str]] = field(default_factory=dict)

    def add(self, fault: str, example: str) -> None:
        count, first = self.seen.get(fault, (0, example))
        self.seen[fault] = (count + 1, first)

    def warn(self) -> None:
        """One warning per kind of fault, the most frequent first."""
        for fault, (count, example) in sorted(self.seen.items(), key=lambda item: -item[1][0]):
            log.warning("%s: %s %s (e.g. %s)", SOURCE, counted(count, "row"), fault, example)


class ReccoBeatsSource:
    """The `FeatureSource` for ReccoBeats; only queries with a Spotify id can be asked."""

    name = SOURCE
    batch_size = MAX_IDS_PER_REQUEST

    def __init__(self, options: ReccoBeatsOptions | None = None, *, clock: Clock | None = None) -> None:
        self._options = options or ReccoBeatsOptions()
        self._client = JsonHttpClient(
            source=SOURCE,
            base_url=self._options.base_url,
            clock=clock or SystemClock(),
            options=self._options.http,
        )

    def close(self) -> None:
        self._client.close()

    def fetch(self, queries: Sequence[TrackQuery]) -> dict[str, SourceAnswer]:
        """Answers for the queries with a Spotify id; a song whose row fails validation gets none."""
        keys_by_id: dict[str, list[str]] = {}
        answers: dict[str, SourceAnswer] = {}
        for query in queries:
            if query.spotify_id is None:
                continue
            if SPOTIFY_ID.fullmatch(query.spotify_id):
                keys_by_id.setdefault(query.spotify_id, []).append(query.key)
            else:
                answers[query.key] = NotFound(SOURCE, "not a Spotify track id")
        faults = _Faults()
        for chunk in _chunks(list(keys_by_id), MAX_IDS_PER_REQUEST):
            rows = _Rows(
                audio=self._rows("/audio-features", chunk, faults), track=self._rows("/track", chunk, faults)
            )
            for spotify_id in chunk:
                answer = _answer(spotify_id, rows, faults)
                if answer is not None:
                    answers.update(dict.fromkeys(keys_by_id[spotify_id], answer))
        faults.warn()  # the rows of this question left out (see the module)
        return answers

    def _rows(self, path: str, spotify_ids: Sequence[str], faults: _Faults) -> dict[str, JsonObject]:
        """The rows of one batch request, by the Spotify id in their href (never by position)."""
        reply = self._client.get_json(path, params={"ids": ",".join(spotify_ids)})
        content = as_object(reply.body, source=SOURCE, what=path).get("content")
        asked = set(spotify_ids)
        rows: dict[str, JsonObject] = {}
        for item in as_list(content, source=SOURCE, what=f"{path}.content"):
            spotify_id = _spotify_id_of(item)
            if spotify_id is None or spotify_id not in asked:
                log.debug("reccobeats: %s row with unusable href %.80r ignored", path, _href_of(item))
                faults.add(f"of {path} ignored: its href names no track asked", f"{_href_of(item)!r:.80}")
            elif spotify_id in rows:
                log.debug("reccobeats: %s sent two rows for %s; the first is kept", path, spotify_id)
                faults.add(
                    f"of {path} ignored: a second row for one track, the first kept", f"track {spotify_id}"
                )
            else:
                rows[spotify_id] = as_object(item, source=SOURCE, what=f"{path} row")
        return rows


def _answer(spotify_id: str, rows: _Rows, faults: _Faults) -> SourceAnswer | None:
    """A record, NotFound when neither endpoint knows the id, or None when a row is not trustworthy
    (counted in `faults`)."""
    audio, track = rows.audio.get(spotify_id), rows.track.get(spotify_id)
    if audio is None and track is None:
        return NotFound(SOURCE)
    try:
        values = validate_values(
            {**_audio_values(audio), **_track_values(track)}, source=SOURCE, what=f"track {spotify_id}"
        )
        isrc = _isrc(track, spotify_id) or _isrc(audio, spotify_id)
    except InvalidPayloadError as exc:
        log.debug("%s; the row is refused", exc)
        problem, _, got = _after_track(str(exc), spotify_id).partition(", got ")
        faults.add(
            f"refused and not stored (asked again on the next fetch): {problem}",
            f"track {spotify_id}" + (f" got {got}" if got else ""),
        )
        return None
    return FeatureRecord(source=SOURCE, values=values, spotify_id=spotify_id, isrc=isrc)


def _after_track(message: str, spotify_id: str) -> str:
    """What was wrong, without the source and track that open the message ("energy should be within
    0..1, got 7.5" of "reccobeats: track <id>: energy should be ...")."""
    opening = f"{SOURCE}: track {spotify_id}"
    return message.removeprefix(opening).lstrip(":. ") if message.startswith(opening) else message


def _audio_values(row: JsonObject | None) -> dict[str, object]:
    if row is None:
        return {}
    return {name: row.get(name) for name in _AUDIO_FIELDS}


def _track_values(row: JsonObject | None) -> dict[str, object]:
    if row is None:
        return {}
    artists = row.get("artists")
    return {
        "duration_ms": row.get("durationMs"),
        "popularity": row.get("popularity"),
        "n_markets": _country_count(row.get("availableCountries")),
        "n_artists": len(artists) if isinstance(artists, list) and artists else None,
    }


def _country_count(value: object) -> object:
    """`availableCountries` is a comma-separated string of country codes; anything else is passed on."""
    if isinstance(value, str):
        return len({code for code in value.split(",") if code.strip()})
    if isinstance(value, list):
        return len(value)
    return value  # None (missing) or a wrong type that validation refuses


def _isrc(row: JsonObject | None, spotify_id: str) -> str | None:
    if row is None:
        return None
    return optional_text(row, "isrc", source=SOURCE, what=f"track {spotify_id}")


def _href_of(item: object) -> object:
    return item.get("href") if isinstance(item, dict) else item


def _spotify_id_of(item: object) -> str | None:
    """The id in `https://open.spotify.com/track/<id>`, or None if the row does not name one."""
    href = _href_of(item)
    if not isinstance(href, str):
        return None
    parts = urlsplit(href)
    segments = [s for s in parts.path.split("/") if s]
    if parts.hostname != "open.spotify.com" or len(segments) != 2 or segments[0] != "track":
        return None
    return segments[1] if SPOTIFY_ID.fullmatch(segments[1]) else None


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
