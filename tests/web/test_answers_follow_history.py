"""A running server answers from the plays the listener has now: plays ingested into it, or taken back,
change what an answer says of the song at once, and it agrees with the taste page, whether or not a
new model serves yet."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from tests.web.conftest import PROFILE

EXTRA_PLAYS = 7


@pytest.fixture
def app(copied: MusicFlow) -> MusicFlow:
    return copied


def _export(folder: Path, song: str, artist: str) -> Path:
    """An export of EXTRA_PLAYS full plays of the song, a week apart, after the demo's history."""
    folder.mkdir()
    plays = [
        {
            "endTime": f"2026-0{1 + i // 4}-{1 + 7 * (i % 4):02d} 20:00",
            "artistName": artist,
            "trackName": song,
            "msPlayed": 215_000,
        }
        for i in range(EXTRA_PLAYS)
    ]
    (folder / "StreamingHistory_music_0.json").write_text(json.dumps(plays), encoding="utf-8")
    return folder


def _taste_streams(app: MusicFlow, song: str) -> int:
    return next(t.streams for t in app.taste(PROFILE).top_tracks if t.name == song)


def test_plays_ingested_and_taken_back_are_answered_from_at_once(app: MusicFlow, tmp_path: Path) -> None:
    top = app.taste(PROFILE).top_tracks[0]
    before = app.predict(PROFILE, top.name, top.artist)  # the server has loaded the listener
    assert before.answer.history.song_streams == top.streams == _taste_streams(app, top.name)

    report = app.ingest([_export(tmp_path / "export", top.name, top.artist)], PROFILE, retrain=False)
    assert report.new_plays == EXTRA_PLAYS
    after = app.predict(PROFILE, top.name, top.artist)
    assert after.model_version == before.model_version  # no new model yet: the same model, the plays of now
    assert after.answer.history.song_streams == top.streams + EXTRA_PLAYS == _taste_streams(app, top.name)
    assert after.answer.history.artist_streams == before.answer.history.artist_streams + EXTRA_PLAYS

    assert report.import_id is not None
    app.undo_import(PROFILE, report.import_id)
    undone = app.predict(PROFILE, top.name, top.artist)
    assert undone.answer.history.song_streams == top.streams == _taste_streams(app, top.name)


def test_plays_another_process_ingests_are_answered_from_after_the_next_check(
    app: MusicFlow, tmp_path: Path
) -> None:
    """A second worker of the server, or `musicflow ingest` while the server runs: the server notices at
    its next champion check that a job of the profile finished, and reads the listener again."""
    top = app.taste(PROFILE).top_tracks[0]
    assert app.predict(PROFILE, top.name, top.artist).answer.history.song_streams == top.streams
    with MusicFlow.open(app.settings) as other:  # the same store, another application
        other.ingest([_export(tmp_path / "export", top.name, top.artist)], PROFILE, retrain=False)
    deadline = time.monotonic() + 10
    streams = top.streams
    while time.monotonic() < deadline and streams == top.streams:
        streams = app.predict(PROFILE, top.name, top.artist).answer.history.song_streams
        time.sleep(0.2)
    assert streams == top.streams + EXTRA_PLAYS


def test_with_every_export_taken_back_the_pages_ask_for_one(copied: MusicFlow) -> None:
    """The listener takes back all they sent: no model answers from those plays, the taste page has no
    figures to show (no empty charts, no "most: 1"), and a question says what would give a model."""
    import re

    from fastapi.testclient import TestClient

    from musicflow.api.app import create_app

    for job in copied.jobs(PROFILE):
        if job.kind in ("upload", "ingest") and job.state in ("done", "failed"):
            copied.undo_import(PROFILE, job.id)
    assert copied.listening_summary(PROFILE).plays == 0 and copied.models(PROFILE) == []
    with TestClient(create_app(copied.settings)) as client:
        taste = client.get("/taste", params={"profile": PROFILE})
        words = " ".join(re.sub(r"<[^>]+>", " ", taste.text).split())
        assert taste.status_code == 200
        assert "No streams yet (plays of 30 s or more): add your Spotify export" in words
        assert 'id="hours"' not in taste.text and "most:" not in taste.text
        asked = client.get("/", params={"profile": PROFILE, "song": "Yellow", "artist": "Coldplay"})
        words = " ".join(re.sub(r"<[^>]+>", " ", asked.text).split())
        assert "too little listening history to train one: 0 streamed songs" in words
        assert "add your Spotify data export on the upload page" in words
