"""Parsing of Spotify's history formats, on real public exports and on crafted bad records."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from musicflow.core.plays import ExportFormat, SkipReason
from musicflow.core.songs import track_key
from musicflow.ingest.export_formats import HistoryKind, detect_kind, parse_history


def load(path: Path) -> object:
    return orjson.loads(path.read_bytes())


# (file, rows, music rows) from each folder's PROVENANCE.txt, computed independently of MusicFlow.
EXTENDED_FILES = [
    ("histories/both/mungeraiden/Streaming_History_Audio_2022.json", 164, 125),
    ("histories/both/mungeraiden/Streaming_History_Audio_2024.json", 2201, 2175),
    ("histories/extended/erickmay/endsong_1.json", 2080, 2079),
    ("histories/extended/mica92/Streaming_History_Audio_2024_4.json", 3328, 3013),
    ("histories/extended/pikachu/Streaming_History_Audio_2022.json", 5164, 5156),
    ("histories/extended/efrrowini/Streaming_History_Audio_2023.json", 1470, 1457),
]


@pytest.mark.parametrize(("name", "rows", "music"), EXTENDED_FILES)
def test_extended_exports_yield_their_music_rows(shared_data: Path, name: str, rows: int, music: int):
    data = load(shared_data / name)
    assert detect_kind(data) is HistoryKind.EXTENDED
    assert isinstance(data, list)
    parsed = parse_history(HistoryKind.EXTENDED, data, name)
    assert parsed.rows == rows
    assert len(parsed.plays) == music
    assert sum(parsed.skipped.values()) == rows - music
    assert SkipReason.INVALID not in parsed.skipped


def test_extended_play_keeps_what_later_steps_need(shared_data: Path):
    data = load(shared_data / "histories/extended/pikachu/Streaming_History_Audio_2019.json")
    assert isinstance(data, list)
    first = parse_history(HistoryKind.EXTENDED, data, "x").plays[0]
    # The first record: "bad guy" by Billie Eilish, 2096 ms, ended 2019-12-19T13:58:52Z.
    assert (first.track, first.artist) == ("bad guy", "Billie Eilish")
    assert first.album == "WHEN WE ALL FALL ASLEEP, WHERE DO WE GO?"
    assert first.spotify_id == "2Fxmhks0bxGSBdJ92vM42m"
    assert first.ms_played == 2096
    assert first.ended_at == 1576763932
    assert first.reason_end == "endplay"
    assert first.skipped is False
    assert first.source is ExportFormat.EXTENDED


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("histories/basic/emb400/StreamingHistory0.json", 10000),
        ("histories/basic/musicflow_example/StreamingHistory0.json", 29),
        ("histories/both/mungeraiden/StreamingHistory_music_1.json", 4389),
    ],
)
def test_basic_exports_are_read_whole(shared_data: Path, name: str, rows: int):
    data = load(shared_data / name)
    assert detect_kind(data) is HistoryKind.BASIC_MUSIC
    assert isinstance(data, list)
    parsed = parse_history(HistoryKind.BASIC_MUSIC, data, name)
    assert parsed.rows == rows
    assert len(parsed.plays) + sum(parsed.skipped.values()) == rows
    assert SkipReason.INVALID not in parsed.skipped
    play = parsed.plays[0]
    assert play.spotify_id is None
    assert play.ended_at % 60 == 0  # minute resolution
    assert play.source is ExportFormat.BASIC


def test_basic_timestamp_is_utc():
    records = [{"endTime": "2020-02-06 05:00", "artistName": "Nao", "trackName": "Intro", "msPlayed": 1}]
    play = parse_history(HistoryKind.BASIC_MUSIC, records, "x").plays[0]
    assert play.ended_at == 1580965200


def test_your_library_and_other_export_files_are_not_histories(shared_data: Path):
    assert detect_kind(load(shared_data / "histories/basic/emb400/YourLibrary.json")) is None
    assert detect_kind({"playlists": []}) is None
    assert detect_kind([1, 2, 3]) is None
    assert detect_kind([{"name": "a playlist"}]) is None


def test_podcast_history_is_recognised_and_left_out():
    records = [
        {"endTime": "2021-01-01 10:00", "podcastName": "A Show", "episodeName": "Ep 1", "msPlayed": 600000}
    ]
    assert detect_kind(records) is HistoryKind.BASIC_PODCAST
    parsed = parse_history(HistoryKind.BASIC_PODCAST, records, "x")
    assert parsed.plays == []
    assert parsed.skipped[SkipReason.PODCAST] == 1


def extended(**fields: object) -> dict[str, object]:
    record: dict[str, object] = {
        "ts": "2024-05-01T12:00:30Z",
        "ms_played": 200000,
        "master_metadata_track_name": "Song",
        "master_metadata_album_artist_name": "Artist",
        "master_metadata_album_album_name": "Album",
        "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
        "spotify_episode_uri": None,
        "episode_name": None,
        "audiobook_uri": None,
        "reason_end": "trackdone",
        "skipped": False,
    }
    record.update(fields)
    return record


def test_audiobooks_podcasts_and_nameless_rows_are_counted_apart():
    records = [
        extended(),
        extended(master_metadata_track_name=None, spotify_track_uri=None, audiobook_uri="spotify:show:x"),
        extended(master_metadata_track_name=None, spotify_episode_uri="spotify:episode:y"),
        extended(master_metadata_track_name=None, master_metadata_album_artist_name=None),
    ]
    parsed = parse_history(HistoryKind.EXTENDED, records, "x")
    assert len(parsed.plays) == 1
    assert parsed.skipped == {
        SkipReason.AUDIOBOOK: 1,
        SkipReason.PODCAST: 1,
        SkipReason.NO_TRACK: 1,
    }


def test_video_history_is_left_out():
    parsed = parse_history(HistoryKind.EXTENDED, [extended()], "x", is_video=True)
    assert parsed.plays == []
    assert parsed.skipped[SkipReason.VIDEO] == 1


def test_bad_records_are_skipped_with_file_and_index():
    records = [
        extended(),
        extended(ms_played="200000"),
        "not an object",
        extended(ts="yesterday"),
        extended(master_metadata_track_name=42),
        extended(),
        {"ts": "2024-05-01T12:00:30Z"},
    ]
    parsed = parse_history(HistoryKind.EXTENDED, records, "Streaming_History_Audio_2024.json")
    assert len(parsed.plays) == 2
    assert parsed.skipped[SkipReason.INVALID] == 5
    assert parsed.invalid_examples[0] == (
        "Streaming_History_Audio_2024.json, record 1: "
        "'ms_played' should be a whole number of milliseconds, got str '200000'"
    )
    assert "record 2: expected an object, got str" in parsed.invalid_examples[1]
    assert "record 3: 'ts' is not a date-time: 'yesterday'" in parsed.invalid_examples[2]
    assert "record 4: 'master_metadata_track_name' should be text" in parsed.invalid_examples[3]
    assert "record 6: 'ms_played' should be a whole number" in parsed.invalid_examples[4]


def test_only_a_few_bad_records_are_described_but_all_are_counted():
    records = [extended(ms_played=-1)] * 50
    parsed = parse_history(HistoryKind.EXTENDED, records, "x")
    assert parsed.skipped[SkipReason.INVALID] == 50
    assert len(parsed.invalid_examples) == 5


DAY_MS = 24 * 3600 * 1000
IN_A_DAY = datetime.fromtimestamp(time.time() + 23 * 3600, UTC)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("ms_played", 2**63, "'ms_played' is longer than a day, which no play lasts: 9.22e+18 ms"),
        ("ms_played", 2**62, "'ms_played' is longer than a day"),
        ("ms_played", DAY_MS + 1, "'ms_played' is longer than a day"),
        ("ms_played", -1, "'ms_played' is negative, which no play's length can be: -1 ms"),
        ("ts", "2005-12-31T23:59:59Z", "'ts' is not a time a play could have ended (2006 to now)"),
        ("ts", "a day and more ahead", "'ts' is not a time a play could have ended"),
        ("ts", "9999-12-31T23:59:59Z", "'ts' is not a time a play could have ended"),
        ("ts", "0001-01-01T00:00:00+05:00", "'ts' is not a time a play could have ended"),
        ("master_metadata_track_name", "Song\x00", "'master_metadata_track_name' holds a NUL character"),
        ("master_metadata_track_name", "s" * 201, "is 201 characters long, more than the 200 a name"),
        ("master_metadata_album_artist_name", "a" * 5000, "'master_metadata_album_artist_name' is 5,000"),
        ("master_metadata_album_album_name", "b" * 201, "'master_metadata_album_album_name' is 201"),
        ("reason_end", "trackdone\x00", "'reason_end' holds a NUL character"),
        ("spotify_track_uri", "spotify:track:" + "a" * 33, "does not hold a Spotify track id"),
        ("spotify_track_uri", "spotify:track:4uLU6hMCjMI75M1A2tKUQ\x00", "does not hold a Spotify track id"),
    ],
)
def test_a_value_no_play_can_have_passes_its_record_over_and_says_so(field: str, value: object, said: str):
    """Stored, such a value would be absurd (minutes in the trillions), or break the store's transaction
    and so fail the whole file: the record is passed over and named like any other bad one."""
    if value == "a day and more ahead":  # computed here: the same test name on every worker
        value = (IN_A_DAY + timedelta(hours=2)).isoformat()
    parsed = parse_history(HistoryKind.EXTENDED, [extended(), extended(**{field: value})], "h.json")
    assert len(parsed.plays) == 1 and parsed.skipped[SkipReason.INVALID] == 1
    (example,) = parsed.invalid_examples
    assert example.startswith("h.json, record 1: ") and said in example, example


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("msPlayed", 2**63, "'msPlayed' is longer than a day"),
        ("msPlayed", -50_000, "'msPlayed' is negative, which no play's length can be: -50,000 ms"),
        ("endTime", "2005-12-31 23:59", "'endTime' is not a time a play could have ended"),
        ("endTime", "2099-01-01 10:00", "'endTime' is not a time a play could have ended"),
        ("endTime", "0001-01-01 00:00", "'endTime' is not a time a play could have ended"),
        ("trackName", "t" * 201, "'trackName' is 201 characters long"),
        ("artistName", "Ar\x00tist", "'artistName' holds a NUL character"),
    ],
)
def test_the_basic_format_passes_the_same_values_over(field: str, value: object, said: str):
    good = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 40_000}
    parsed = parse_history(HistoryKind.BASIC_MUSIC, [good, {**good, field: value}], "h.json")
    assert len(parsed.plays) == 1 and parsed.skipped[SkipReason.INVALID] == 1
    (example,) = parsed.invalid_examples
    assert example.startswith("h.json, record 1: ") and said in example, example


def test_each_play_of_a_song_is_read_for_itself():
    """A song's names and URI are checked once and kept for its later plays: a song that cannot be kept
    is still passed over at every play of it, and plays of the same names by other URIs, or with another
    album, keep their own."""
    other_uri = "spotify:track:0VjIjW4GlUZAMYd2vXMi3b"
    records = [
        extended(master_metadata_track_name="s" * 201),
        extended(),
        extended(spotify_track_uri=other_uri),
        extended(master_metadata_track_name="s" * 201),
        extended(master_metadata_album_album_name=""),
        extended(spotify_track_uri="spotify:track:not-an-id"),
        extended(),
    ]
    parsed = parse_history(HistoryKind.EXTENDED, records, "h.json")
    assert parsed.skipped == {SkipReason.INVALID: 3}
    assert [e.split(":")[0] for e in parsed.invalid_examples] == [
        "h.json, record 0",
        "h.json, record 3",
        "h.json, record 5",
    ]
    assert [(p.spotify_id, p.album) for p in parsed.plays] == [
        ("4uLU6hMCjMI75M1A2tKUQC", "Album"),
        ("0VjIjW4GlUZAMYd2vXMi3b", "Album"),
        ("4uLU6hMCjMI75M1A2tKUQC", None),
        ("4uLU6hMCjMI75M1A2tKUQC", "Album"),
    ]


def test_values_at_the_bounds_are_plays():
    """A day's play, a play that ended in 2006 or within a day ahead of this clock (time zones, clocks
    set wrong), a 200-character name: all kept."""
    records = [
        extended(ms_played=DAY_MS),
        extended(ts="2006-01-01T00:00:00Z"),
        extended(ts=IN_A_DAY.isoformat()),
        extended(master_metadata_track_name="s" * 200, master_metadata_album_album_name="b" * 200),
        extended(spotify_track_uri="spotify:track:"),  # no id: a play without one
    ]
    parsed = parse_history(HistoryKind.EXTENDED, records, "h.json")
    assert len(parsed.plays) == len(records) and not parsed.skipped, parsed.invalid_examples
    assert parsed.plays[-1].spotify_id is None


def test_track_identity_ignores_case_and_spacing():
    assert track_key("The  Beatles", "Let It Be") == track_key("the beatles", "LET IT BE ")
    assert track_key("Beyoncé", "Halo") == track_key("Beyoncé", "Halo")  # composed vs decomposed é
    assert track_key("A", "B") != track_key("B", "A")
