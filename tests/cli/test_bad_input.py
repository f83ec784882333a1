"""Bad input on the command line: one clear line and an exit code that says what happened, never a
traceback; what was stored stays."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app

runner = CliRunner()
PLAY = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_a_huge_limit_is_a_usage_error_not_a_traceback():
    code, out, err = run("streams", "top", "--limit", "99999999999999999999")
    assert code == 2
    assert "--limit" in err and "Traceback" not in out + err


def test_files_without_any_streaming_history_fail(tmp_path: Path):
    other = tmp_path / "Userdata.json"
    other.write_text(json.dumps({"username": "someone"}))
    code, out, err = run("ingest", str(other), "--profile", "typo")
    assert code == 1
    assert "is a Spotify streaming history" in err and str(other) in err
    assert "(Userdata.json: not a streaming history" in err  # why, file by file
    assert "Recorded as import" not in err and "Ingested into" not in out  # nothing was
    code, _, err = run("streams", "top", "--profile", "typo")
    assert code == 1 and "(this store holds no profile yet)" in err  # no empty profile was made


def test_files_without_any_history_keep_what_the_profile_holds(tmp_path: Path):
    """Nothing read into a profile that has plays: the error, and the plays stay (the empty profile a
    first ingest of nothing would make is removed; this one is not)."""
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(json.dumps([PLAY]))
    code, _, err = run("ingest", str(history), "--profile", "kept")
    assert code == 0, err
    other = tmp_path / "Userdata.json"
    other.write_text(json.dumps({"username": "someone"}))
    code, _, err = run("ingest", str(other), "--profile", "kept")
    assert code == 1 and "no play was read (Userdata.json: not a streaming history" in err
    code, out, err = run("streams", "top", "--profile", "kept", "-f", "json")
    assert code == 0, err
    assert [(row["track"], row["streams"]) for row in json.loads(out)] == [("B", 1)]


def test_a_damaged_member_says_partial_and_keeps_the_rest(tmp_path: Path):
    export = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("MyData/StreamingHistory_music_0.json", json.dumps([PLAY]))
        archive.writestr("MyData/StreamingHistory_music_1.json", '[{"endTime": "2024-01-0')
    code, out, err = run("ingest", str(export))
    assert code == 3
    assert "StreamingHistory_music_1.json" in out and "could not be read" in err
    code, out, _ = run("streams", "top", "-f", "json")
    assert code == 0 and [row["track"] for row in json.loads(out)] == ["B"]


def test_a_command_offers_only_the_formats_it_writes():
    code, _, err = run("models", "show", "champion", "--format", "csv")
    assert code == 2 and "'table', 'json'" in err


@pytest.mark.parametrize(
    ("word", "said"),
    [
        ("champion", "'champion' names the champion itself: give the version number to promote"),
        ("v0", "model versions are numbered from 1, not 0"),
        ("three", "'three' is not a model version: give a number (e.g. 3) or 'champion'"),
    ],
)
def test_promote_needs_a_version_number(word: str, said: str, isolated_environment: Path):
    code, out, err = run("models", "promote", word, "--profile", "P")
    assert code == 2, (out, err)
    assert "Usage: musicflow models promote" in err and said in err
    assert "Traceback" not in out + err and not isolated_environment.exists()  # before any store is opened


@pytest.mark.parametrize(
    "args",
    [
        ["models", "show", "abc", "--profile", "P"],
        ["evaluate", "--version", "abc"],
        ["train", "--reproduce", "abc"],
    ],
)
def test_a_reference_to_no_version_is_a_usage_error(args: list[str], isolated_environment: Path):
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert "'abc' is not a model version: give a number (e.g. 3) or 'champion'" in err
    assert f"Usage: musicflow {args[0]}" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--song", "S"], "--song goes with --artist"),
        (["--artist", "A"], "--artist goes with --song"),
        (["--song", "", "--artist", "Queen"], "--song is empty"),
        (["--song", "Bohemian Rhapsody", "--artist", "  "], "--artist is empty"),
        ([], "say which song: --song TITLE --artist NAME, or --input SONGS.csv"),
        (["--song", "S", "--artist", "A", "--input", "songs.csv"], "leave out --song and --artist"),
        (["--song", "S", "--artist", "A", "--output", "x.csv"], "--output goes with --input"),
        (["--input", "songs.csv", "--output", "x.csv", "-f", "table"], "--output writes csv or json"),
        (["--song", "x" * 201, "--artist", "AJR"], "--song is 201 characters long: at most 200 are taken"),
        (["--song", "S", "--artist", "a" * 500], "--artist is 500 characters long"),  # the API's 422 too
    ],
)
def test_options_without_their_pair_are_usage_errors(args: list[str], said: str, isolated_environment: Path):
    """A command line that does not say what to do exits 2 with the command's usage, before any work
    (no store is opened)."""
    code, out, err = run("predict", *args)
    assert code == 2, (out, err)
    assert said in err and "Usage: musicflow predict" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["predict", "--input", "songs.csv"], "songs.csv: no such file"),
        (["catalog", "add", "songs.csv"], "songs.csv: no such file"),
        (["ingest", "my_spotify_data.zip"], "my_spotify_data.zip: no such file or folder"),
        (["features", "analyze", "music"], "music: no such folder"),
        (
            ["score", "songs.csv", "--out", "o.csv", "--mapping", "song=name"],
            "songs.csv: no such file (a mapping is for a catalog file)",
        ),
    ],
)
def test_a_missing_file_named_on_the_command_line_is_a_usage_error(
    args: list[str], said: str, isolated_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert f"Error: {said}" in err and f"Usage: musicflow {args[0]}" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()  # before any store is opened


def test_a_folder_given_as_the_songs_to_predict_is_one_line(tmp_path: Path):
    code, out, err = run("predict", "--input", str(tmp_path))
    assert code == 1, (out, err)
    assert f"error: {tmp_path}: is a folder; give the CSV file itself" in err
    assert "Traceback" not in out + err
