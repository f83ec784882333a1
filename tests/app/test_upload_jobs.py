"""What an upload's job records of its ingest: nothing of the export is left out unsaid."""

from __future__ import annotations

import json
from pathlib import Path

from musicflow.app.service import MusicFlow
from musicflow.app.upload_jobs import ingest_summary
from tests.app.conftest import demo_settings


def test_records_that_could_not_be_read_are_counted_with_an_example(tmp_path: Path) -> None:
    good = {"endTime": "2024-01-01 10:00", "artistName": "Band", "trackName": "Song", "msPlayed": 200_000}
    bad = {"endTime": "2024-01-01 10:05", "artistName": "Band", "trackName": "Other", "msPlayed": "long"}
    export = tmp_path / "StreamingHistory_music_0.json"
    export.write_text(json.dumps([good, bad]), encoding="utf-8")
    with MusicFlow.open(demo_settings(tmp_path / "home")) as app:
        summary = ingest_summary(app.ingest([export], "me", retrain=False))
    assert (summary["plays"], summary["new_plays"], summary["records_unreadable"]) == (1, 1, 1)
    (example,) = summary["unreadable_examples"]
    assert "StreamingHistory_music_0.json, record 1" in example and "msPlayed" in example

    clean = tmp_path / "clean" / "StreamingHistory_music_0.json"
    clean.parent.mkdir()
    clean.write_text(json.dumps([good]), encoding="utf-8")
    with MusicFlow.open(demo_settings(tmp_path / "other")) as app:
        assert "records_unreadable" not in ingest_summary(app.ingest([clean], "me", retrain=False))
