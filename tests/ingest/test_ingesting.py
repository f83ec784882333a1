"""Ingest end to end into a real store: counts, overlaps, bad files, privacy."""

from __future__ import annotations

import json
import logging
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text

from musicflow.config import Settings
from musicflow.core.plays import SkipReason
from musicflow.demo import export_path
from musicflow.errors import IngestError
from musicflow.ingest.ingesting import ingest_paths
from musicflow.store.sql import SqlStore
from tests.ingest.export_rows import is_music, play_identity

MUNGERAIDEN = "histories/both/mungeraiden"


def test_the_demo_export_is_ingested_whole(store: SqlStore):
    with export_path() as demo, zipfile.ZipFile(demo) as archive:
        members = {name: json.loads(archive.read(name)) for name in archive.namelist()}
        report = ingest_paths([demo], store, "default", Settings())
    music = [r for rows in members.values() for r in rows if is_music(r)]
    assert report.files_read == len(members) == 5
    assert report.rows == sum(len(rows) for rows in members.values())
    assert report.music_plays == len(music)
    assert report.skipped[SkipReason.NO_TRACK] == 130  # "Unknown Track" rows of the basic files
    # The formats do not overlap in this export; a couple of 0 ms plays repeat within one minute.
    distinct = {play_identity(r) for r in music}
    assert len(distinct) < len(music)
    assert report.new_plays == len(distinct) and report.already_stored == len(music) - len(distinct)
    profile = store.profile_id("default")
    assert profile is not None
    summary = store.listening_summary(profile, 30_000)
    assert summary.plays == report.new_plays
    streams = sum(1 for r in music if r.get("msPlayed", r.get("ms_played", 0)) >= 30_000)
    assert summary.streams == report.streams == streams


def test_ingesting_again_adds_nothing(store: SqlStore):
    with export_path() as demo:
        first = ingest_paths([demo], store, "default", Settings())
        second = ingest_paths([demo], store, "default", Settings())
    assert second.new_plays == 0
    assert second.already_stored == first.music_plays
    profile = store.profile_id("default")
    assert profile is not None
    assert store.listening_summary(profile, 30_000).plays == first.new_plays


def as_basic_export(extended_rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """What the basic export of the same plays looks like: end minute, names, ms played."""
    basic = []
    for row in extended_rows:
        if not is_music(row):
            continue
        ended = datetime.fromisoformat(str(row["ts"])).astimezone(UTC)
        basic.append(
            {
                "endTime": ended.strftime("%Y-%m-%d %H:%M"),
                "artistName": row["master_metadata_album_artist_name"],
                "trackName": row["master_metadata_track_name"],
                "msPlayed": row["ms_played"],
            }
        )
    return basic


def test_the_basic_and_extended_export_of_one_person_count_each_play_once(
    store: SqlStore, shared_data: Path, tmp_path: Path
):
    extended_file = shared_data / MUNGERAIDEN / "Streaming_History_Audio_2024.json"
    rows = json.loads(extended_file.read_text(encoding="utf-8"))
    basic = as_basic_export(rows)
    music = len(basic)
    told_twice = basic[:3]  # the basic format cannot tell these from the plays they copy
    basic_file = tmp_path / "StreamingHistory_music_0.json"
    basic_file.write_text(json.dumps(basic + told_twice), encoding="utf-8")

    first = ingest_paths([basic_file], store, "default", Settings())
    second = ingest_paths([extended_file], store, "default", Settings())
    distinct = {play_identity(r) for r in basic}
    assert first.music_plays == music + len(told_twice)
    assert first.new_plays == len(distinct)  # repeats within a minute collapse
    assert first.already_stored == first.music_plays - len(distinct) >= len(told_twice)
    # Every play of the extended export is already stored from its basic form.
    assert second.music_plays == music and second.new_plays == 0
    profile = store.profile_id("default")
    assert profile is not None
    summary = store.listening_summary(profile, 30_000)
    assert summary.plays == len(distinct)  # each play of the year once
    assert summary.streams == sum(1 for r in rows if is_music(r) and r["ms_played"] >= 30_000)
    # The extended export brought the Spotify ids the basic one lacks.
    top = store.track_streams(profile, 30_000, limit=5)
    assert all(row.spotify_id for row in top)


def test_files_that_are_not_histories_are_noted_and_stored_data_kept(store: SqlStore, tmp_path: Path):
    with export_path() as demo:
        before = ingest_paths([demo], store, "default", Settings())
    folder = tmp_path / "my_spotify_data"
    folder.mkdir()
    (folder / "StreamingHistory0.json").write_text("<!DOCTYPE html><html><body>Log in</body></html>")
    (folder / "StreamingHistory1.json").write_text('[{"endTime": "2020-01-01 10:00", "artistN')
    (folder / "StreamingHistory2.json").write_text("")
    (folder / "Follow.json").write_text('{"followerCount": 3}')
    report = ingest_paths([folder], store, "default", Settings())
    notes = {Path(f.label).name: f.note for f in report.files_passed_over}
    assert "an HTML page, not JSON" in (notes["StreamingHistory0.json"] or "")
    assert "not JSON (" in (notes["StreamingHistory1.json"] or "")
    assert notes["StreamingHistory2.json"] == "empty file"
    assert "not a streaming history" in (notes["Follow.json"] or "")
    assert report.files_read == 0
    profile = store.profile_id("default")
    assert profile is not None
    assert store.listening_summary(profile, 30_000).plays == before.new_plays


def test_bad_records_are_counted_with_file_and_index(store: SqlStore, tmp_path: Path):
    history = tmp_path / "StreamingHistory_music_0.json"
    good = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 40_000}
    history.write_text(json.dumps([good, {**good, "msPlayed": "lots"}, {**good, "endTime": 7}]))
    report = ingest_paths([history], store, "default", Settings())
    assert report.new_plays == 1
    assert report.skipped[SkipReason.INVALID] == 2
    assert report.invalid_examples[0].startswith(f"{history}, record 1: 'msPlayed'")
    assert "record 2: 'endTime' should be a date-time" in report.invalid_examples[1]


def test_values_no_play_can_have_are_passed_over_and_the_rest_of_the_file_is_stored(
    store: SqlStore, tmp_path: Path
):
    """Each of these failed the whole file before (an overflow of the store's integer, a NUL the database
    refuses, a name or an id longer than its column) or was stored as an absurd figure; now each record is
    counted and named, and the file's good play is stored, on either database."""
    history = tmp_path / "Streaming_History_Audio_2024.json"
    good = {
        "ts": "2024-05-01T12:00:30Z",
        "ms_played": 200_000,
        "master_metadata_track_name": "Song",
        "master_metadata_album_artist_name": "Artist",
        "spotify_track_uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
    }
    bad: list[dict[str, object]] = [
        {"ms_played": 2**63},
        {"ms_played": 2**62},
        {"ms_played": 2**31 + 5},
        {"ts": "2099-01-01T00:00:00Z"},
        {"master_metadata_track_name": "So\x00ng"},
        {"master_metadata_album_artist_name": "A" * 300},
        {"spotify_track_uri": "spotify:track:" + "x" * 40},
    ]
    history.write_text(json.dumps([good, *({**good, **fields} for fields in bad)]))
    report = ingest_paths([history], store, "default", Settings())
    assert (report.new_plays, report.skipped[SkipReason.INVALID]) == (1, len(bad))
    assert len(report.invalid_examples) == 5 and all(
        f"{history}, record " in e for e in report.invalid_examples
    )
    profile = store.profile_id("default")
    assert profile is not None
    summary = store.listening_summary(profile, 30_000)
    assert summary.plays == 1


def test_a_missing_path_stops_before_anything_is_written(store: SqlStore, tmp_path: Path):
    with pytest.raises(IngestError, match="no such file or folder"):
        ingest_paths([tmp_path / "my_spotify_data.zip"], store, "default", Settings())
    assert store.profiles() == []


PERSONAL_FIELDS = ("ip_addr", "ip_addr_decrypted", "platform")


def test_personal_fields_are_never_stored_or_logged(
    store: SqlStore, shared_data: Path, caplog: pytest.LogCaptureFixture
):
    folder = shared_data / "histories/extended/erickmay"
    rows = json.loads((folder / "endsong_1.json").read_text(encoding="utf-8"))
    personal = {str(r[f]) for r in rows for f in PERSONAL_FIELDS if r.get(f)}
    assert any(value.startswith("192.0.2.") for value in personal)  # the export really has them
    with caplog.at_level(logging.DEBUG):
        report = ingest_paths([folder / "endsong_1.json"], store, "default", Settings())
    assert report.new_plays > 2000
    stored = dump_store(store)
    leaked = {value for value in personal if value in stored}
    assert not leaked
    assert not {value for value in personal if value in caplog.text}
    with store.engine.connect() as conn:
        columns = {c.lower() for t in ("profiles", "tracks", "plays") for c in columns_of(conn, t)}
    forbidden = {"ip_addr", "ip_addr_decrypted", "platform", "conn_country", "country", "username"}
    assert not columns & (forbidden | {"user_agent", "user_agent_decrypted"})


def columns_of(conn: Connection, table: str) -> list[str]:
    return [column["name"] for column in inspect(conn).get_columns(table)]


def dump_store(store: SqlStore) -> str:
    """Every value of every table, as one text."""
    with store.engine.connect() as conn:
        tables = ["profiles", "tracks", "plays"]
        return "\n".join(
            "\t".join(str(v) for v in row)
            for table in tables
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
