"""`musicflow features analyze FOLDER` on audio files the test makes: stored, matched, rescanned cheaply."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from tests.features.audio_synth import kick_track, write

pytestmark = pytest.mark.usefixtures("compiled_audio")  # librosa compiled once per run (tests/numba_cache.py)

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow  # loads librosa and analyses audio
def test_analysed_files_give_features_to_the_songs_they_hold(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MUSICFLOW_USE_BUNDLED_CATALOG", "false")
    history = tmp_path / "StreamingHistory_music_0.json"
    history.write_text(
        json.dumps(
            [
                {
                    "endTime": "2024-01-01 10:00",
                    "artistName": "Kick Band",
                    "trackName": "Four On The Floor",
                    "msPlayed": 200_000,
                }
            ]
        ),
        encoding="utf-8",
    )
    assert run("ingest", str(history))[0] == 0
    music = tmp_path / "Music"
    music.mkdir()
    write(music / "Kick Band - Four On The Floor (feat. Someone).wav", kick_track(120, 6))
    write(music / "Other Band - Fast One.flac", kick_track(140, 6))
    (music / "Broken Band - Broken.mp3").write_bytes(b"\x00not audio at all" * 100)

    code, out, _ = run("features", "analyze", str(music))
    assert code == 0, out
    assert "3 audio files: 2 analysed (1 matched to songs you played, 1 new song)" in out
    assert "1 skipped" in out and "Broken.mp3" in out

    code, out, _ = run(
        "features", "show", "--song", "Four On The Floor", "--artist", "Kick Band", "-f", "json"
    )
    assert code == 0
    shown = json.loads(out)
    assert abs(shown["features"]["tempo"]["value"] - 120) < 2
    assert shown["features"]["tempo"]["source"] == "audio_files"
    assert "valence" in shown["missing"]  # not estimated from audio
    coverage = json.loads(run("features", "coverage", "--format", "json")[1])
    assert coverage["by_source"] == {"audio_files": 1}
    assert coverage["partial"] == 1  # tempo, key, loudness...: not all of Spotify's audio features

    code, out, _ = run("features", "analyze", str(music))
    assert code == 0
    assert "0 analysed" in out and "3 unchanged since the last scan" in out


def test_a_missing_folder_is_a_usage_error(tmp_path: Path):
    code, _, err = run("features", "analyze", str(tmp_path / "nope"))
    assert code == 2
    assert f"{tmp_path / 'nope'}: no such folder" in err
