"""Spotify's history formats, told apart by content, parsed record by record.

One bad record never fails a file: it is counted, and the first few are described with their index. A
record is bad when a field has the wrong type, and also when its value cannot be a play, so that nothing
absurd is stored silently (nor breaks the store's transaction, failing the whole file):

- `msPlayed`/`ms_played` negative, or longer than a day (`MAX_PLAY_MS`): no track lasts that long, and a
  day is far inside the store's 32-bit column (about 24.8 days), which a larger value would overflow;
- an end time before 2006 (`FIRST_PLAY_AT`: Spotify did not exist) or more than a day after now
  (`FUTURE_SLACK_S`, for clocks and time zones);
- a track, artist or album name holding a NUL character (no database keeps it) or longer than
  `MAX_NAME` (200) characters, the longest a question to the CLI, the API or the page may name: such a
  record is passed over rather than cut, since a cut name would be another song's name, or one no
  question could ask for; `reason_end` with a NUL, or a track URI whose id is not a Spotify id.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Any

from musicflow.core.plays import ExportFormat, Play, SkipReason
from musicflow.core.songs import MAX_NAME, STORED_ID, keepable_name

SPOTIFY_TRACK_PREFIX = "spotify:track:"
_TRACK_ID_START = len(SPOTIFY_TRACK_PREFIX)
UNKNOWN_NAMES = frozenset({"Unknown Track", "Unknown Artist"})
MAX_EXAMPLES = 5
MAX_PLAY_MS = 24 * 3600 * 1000  # a day: no play is longer, and the store's INTEGER holds it
FIRST_PLAY_AT = int(datetime(2006, 1, 1, tzinfo=UTC).timestamp())  # Spotify was founded in 2006
FUTURE_SLACK_S = 24 * 3600  # an end time up to a day ahead of this clock is taken (clocks, time zones)


class HistoryKind(StrEnum):
    BASIC_MUSIC = "basic music history"
    BASIC_PODCAST = "basic podcast history"
    EXTENDED = "extended streaming history"


_BASIC_KEYS = frozenset({"endTime", "msPlayed"})
_EXTENDED_KEYS = frozenset({"ts", "ms_played"})


def detect_kind(data: object) -> HistoryKind | None:
    """Recognise a history by its records' keys; anything else (YourLibrary.json, ...) is None."""
    if not isinstance(data, list):
        return None
    first = next((row for row in data if isinstance(row, dict)), None)
    if first is None:
        return HistoryKind.EXTENDED if data == [] else None
    keys = first.keys()
    if keys >= _EXTENDED_KEYS:
        return HistoryKind.EXTENDED
    if keys >= _BASIC_KEYS:
        if "trackName" in keys or "artistName" in keys:
            return HistoryKind.BASIC_MUSIC
        if "episodeName" in keys or "podcastName" in keys:
            return HistoryKind.BASIC_PODCAST
    return None


class RecordError(ValueError):
    """One record cannot be read; the message says which field is wrong."""


class ParsedFile:
    """The plays of one history file, with what was skipped and why."""

    def __init__(self) -> None:
        self.plays: list[Play] = []
        self.rows = 0
        self.skipped: Counter[SkipReason] = Counter()
        self.invalid_examples: list[str] = []

    def skip(self, reason: SkipReason) -> None:
        self.skipped[reason] += 1


def parse_history(
    kind: HistoryKind, records: Sequence[Any], label: str, *, is_video: bool = False
) -> ParsedFile:
    """Turn a recognised history into plays; `label` names the file in messages."""
    parsed = ParsedFile()
    parsed.rows = len(records)
    if kind is HistoryKind.BASIC_PODCAST:
        parsed.skipped[SkipReason.PODCAST] = len(records)
        return parsed
    latest = int(time.time()) + FUTURE_SLACK_S
    # Bound by position, the record last: a `partial` bound by keyword copies them at every record.
    parse_one: Callable[[Mapping[str, Any]], Play | SkipReason]
    if kind is HistoryKind.EXTENDED:
        parse_one = partial(_parse_extended, latest, {})
    else:
        parse_one = partial(_parse_basic, latest)
    plays = parsed.plays
    skipped = parsed.skipped
    for index, record in enumerate(records):
        try:
            outcome = parse_one(record)
        except (RecordError, AttributeError) as exc:
            problem = exc if isinstance(exc, RecordError) else f"expected an object, got {_kind(record)}"
            parsed.skip(SkipReason.INVALID)
            if len(parsed.invalid_examples) < MAX_EXAMPLES:
                parsed.invalid_examples.append(f"{label}, record {index}: {problem}")
            continue
        if type(outcome) is Play:
            plays.append(outcome)
        else:
            skipped[outcome] += 1  # type: ignore[index]
    if is_video and plays:
        skipped[SkipReason.VIDEO] += len(plays)
        plays.clear()
    return parsed


def _kind(value: object) -> str:
    return type(value).__name__


def _timestamp(value: object, field: str) -> int:
    if not isinstance(value, str):
        raise RecordError(f"'{field}' should be a date-time text, got {_describe(value)}")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp())
    except (ValueError, OverflowError):  # not a date-time, or one out of any range ("0001-01-01+05:00")
        raise RecordError(f"'{field}' is not a date-time: {value[:40]!r}") from None


def _in_time(seconds: int, value: object, field: str, latest: int) -> int:
    """The end time, when a play can have ended then: from 2006 to a day after now."""
    if not FIRST_PLAY_AT <= seconds <= latest:
        shown = value[:40] if isinstance(value, str) else value
        raise RecordError(f"'{field}' is not a time a play could have ended (2006 to now): {shown!r}")
    return seconds


def _ms(value: object, field: str) -> int:
    if type(value) is not int:
        raise RecordError(f"'{field}' should be a whole number of milliseconds, got {_describe(value)}")
    if value < 0:
        raise RecordError(f"'{field}' is negative, which no play's length can be: {value:,} ms")
    if value > MAX_PLAY_MS:
        raise RecordError(f"'{field}' is longer than a day, which no play lasts: {value:.3g} ms")
    return value


def _text(value: object, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise RecordError(f"'{field}' should be text, got {_describe(value)}")


def _name(value: str, field: str) -> str:
    """A name the store and the answers can carry (`keepable_name`), else a bad record saying why."""
    if keepable_name(value):
        return value
    if "\0" in value:
        raise RecordError(f"'{field}' holds a NUL character, which no name holds: {value[:30]!r}")
    raise RecordError(
        f"'{field}' is {len(value):,} characters long, more than the {MAX_NAME} a name may have:"
        f" {value[:30]!r}..."
    )


def _track_id(uri: str | None) -> str | None:
    """The Spotify id of a track URI (None without one); a URI holding something else is a bad record."""
    if not uri or not uri.startswith(SPOTIFY_TRACK_PREFIX):
        return None
    spotify_id = uri[_TRACK_ID_START:]
    if not spotify_id:
        return None
    if not STORED_ID.fullmatch(spotify_id):
        raise RecordError(f"'spotify_track_uri' does not hold a Spotify track id: {uri[:40]!r}")
    return spotify_id


def _flag(value: object, field: str) -> bool | None:
    if value is None or type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):  # older exports wrote 0/1
        return bool(value)
    raise RecordError(f"'{field}' should be true, false or null, got {_describe(value)}")


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    shown = repr(value)
    return f"{type(value).__name__} {shown[:30]}"


def _parse_basic(latest: int, record: Mapping[str, Any]) -> Play | SkipReason:
    end_time = record.get("endTime")
    ended_at = _in_time(_timestamp(end_time, "endTime"), end_time, "endTime", latest)
    ms_played = _ms(record.get("msPlayed"), "msPlayed")
    track = _text(record.get("trackName"), "trackName")
    artist = _text(record.get("artistName"), "artistName")
    if not track or not artist or track in UNKNOWN_NAMES or artist in UNKNOWN_NAMES:
        return SkipReason.NO_TRACK
    track = _name(track, "trackName")
    artist = _name(artist, "artistName")
    return Play(ended_at, ms_played, track, artist, None, None, None, None, ExportFormat.BASIC)


# The song of an extended record as a play keeps it: track, artist, album (None for none) and Spotify id.
Song = tuple[str, str, str | None, str | None]
SongFields = tuple[str, str, str | None, str | None]  # track, artist, album and track URI as read


def _parse_extended(
    latest: int, songs: dict[SongFields, Song], record: Mapping[str, Any]
) -> Play | SkipReason:
    """The hot loop of ingest: plain type checks inline, the descriptive checks only on a bad value.
    `songs` holds the songs of the records read so far: an export plays each song many times, so its
    names and URI are checked (and its Spotify id taken out) once, and its plays share one copy of each."""
    get = record.get
    ts = get("ts")
    try:
        moment = datetime.fromisoformat(ts)  # type: ignore[arg-type]
        ended_at = int(moment.timestamp()) if moment.tzinfo else -1
    except (TypeError, ValueError, OverflowError):  # not a date-time text, or one out of any range
        ended_at = -1
    if not FIRST_PLAY_AT <= ended_at <= latest:  # the common case is checked inline, the rest said here
        ended_at = _in_time(_timestamp(ts, "ts"), ts, "ts", latest)
    ms_played = get("ms_played")
    if type(ms_played) is not int or not 0 <= ms_played <= MAX_PLAY_MS:
        ms_played = _ms(ms_played, "ms_played")
    uri = get("spotify_track_uri")
    # A row with a track URI is a song unless it lacks names; only other rows can be episodes or chapters.
    if not (type(uri) is str and uri.startswith(SPOTIFY_TRACK_PREFIX)):
        not_music = _not_music(get)
        if not_music:
            return not_music
    track = get("master_metadata_track_name")
    artist = get("master_metadata_album_artist_name")
    album = get("master_metadata_album_album_name")
    reason_end = get("reason_end")
    skipped = get("skipped")
    if not (
        type(track) is str
        and type(artist) is str
        and (album is None or type(album) is str)
        and (uri is None or type(uri) is str)
        and (reason_end is None or type(reason_end) is str)
        and (skipped is None or type(skipped) is bool)
    ):
        track = _text(track, "master_metadata_track_name")
        artist = _text(artist, "master_metadata_album_artist_name")
        album = _text(album, "master_metadata_album_album_name")
        uri = _text(uri, "spotify_track_uri")
        reason_end = _text(reason_end, "reason_end")
        skipped = _flag(skipped, "skipped")
    if not track or not artist:
        return _not_music(get) or SkipReason.NO_TRACK
    fields = (track, artist, album, uri)
    song = songs.get(fields)
    if song is None:
        song = songs[fields] = _song(track, artist, album, uri)
    if reason_end and "\0" in reason_end:
        raise RecordError(f"'reason_end' holds a NUL character: {reason_end[:30]!r}")
    track, artist, album, spotify_id = song
    return Play(
        ended_at,
        ms_played,
        track,
        artist,
        album,
        spotify_id,
        reason_end[:32] if reason_end else None,
        skipped,
        ExportFormat.EXTENDED,
    )


def _song(track: str, artist: str, album: str | None, uri: str | None) -> Song:
    """The song of a record's names and URI, or a bad record saying which of them cannot be kept."""
    _name(track, "master_metadata_track_name")
    _name(artist, "master_metadata_album_artist_name")
    if album:
        _name(album, "master_metadata_album_album_name")
    return track, artist, album or None, _track_id(uri)


def _not_music(get: Callable[[str], Any]) -> SkipReason | None:
    if get("audiobook_uri") or get("audiobook_title") or get("audiobook_chapter_uri"):
        return SkipReason.AUDIOBOOK
    if get("spotify_episode_uri") or get("episode_name"):
        return SkipReason.PODCAST
    return None
