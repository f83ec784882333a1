"""Reading export records the way a person would, independent of MusicFlow's parser."""

from __future__ import annotations

from datetime import UTC, datetime

PlayIdentity = tuple[str, str, str, int]


def is_music(record: dict[str, object]) -> bool:
    """A named track, not an episode, not Spotify's placeholder."""
    if "msPlayed" in record:
        return record.get("trackName") not in (None, "", "Unknown Track")
    return bool(record.get("master_metadata_track_name")) and not record.get("spotify_episode_uri")


def ms_played(record: dict[str, object]) -> int:
    value = record.get("msPlayed", record.get("ms_played", 0))
    assert isinstance(value, int), f"ms played should be a number: {value!r}"
    return value


def play_identity(record: dict[str, object]) -> PlayIdentity:
    """What tells two plays apart in every format: the minute it ended (UTC), artist, title, ms played.

    Two records alike in all four are one play told twice (the basic format cannot tell them apart).
    """
    if "msPlayed" in record:
        return (
            str(record["endTime"]),
            str(record["artistName"]),
            str(record["trackName"]),
            ms_played(record),
        )
    ended = datetime.fromisoformat(str(record["ts"])).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    artist = str(record["master_metadata_album_artist_name"])
    return (ended, artist, str(record["master_metadata_track_name"]), ms_played(record))
