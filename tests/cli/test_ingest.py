"""The `musicflow` command as a user runs it: through Typer's runner and as a real process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from musicflow.demo import export_path
from tests.ingest.export_rows import is_music, ms_played, play_identity

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def summary_figures(out: str) -> dict[str, str]:
    """The two-column rows of the printed summary (label, then value after a wide gap), by label."""
    rows = (re.fullmatch(r"\s*(\S.*?)\s{2,}(\S.*?)\s*", line) for line in out.splitlines())
    return {m[1]: m[2] for m in rows if m and "│" not in m[0]}


def count(text: str) -> int:
    return int(text.replace(",", ""))


def test_ingest_prints_a_summary_a_person_can_read():
    with export_path() as demo, zipfile.ZipFile(demo) as archive:
        members = [json.loads(archive.read(name)) for name in archive.namelist()]
        code, out, _ = run("ingest", str(demo))
    assert code == 0
    figures = summary_figures(out)
    music = [r for rows in members for r in rows if is_music(r)]
    assert count(figures["files read"]) == len(members)
    assert count(figures["plays in those files"]) == sum(len(rows) for rows in members)
    assert count(figures["music plays"]) == len(music)
    assert count(figures["streams (played ≥ 30 s)"]) == sum(1 for r in music if ms_played(r) >= 30_000)
    distinct = {play_identity(r) for r in music}  # a play told twice in one minute is stored once
    assert count(figures["new plays stored"]) == len(distinct)
    assert count(figures["plays already stored or repeated"]) == len(music) - len(distinct)
    assert figures["dates"] == "2022-04-20 → 2026-02-03"
    # Rows left out, by reason: with the music plays they account for every row of the files.
    left_out = count(figures["no track or artist name"]) + count(figures["podcast episode"])
    assert len(music) + left_out == count(figures["plays in those files"])
    assert 0 < count(figures["distinct tracks"]) <= len({identity[1:3] for identity in distinct})


def test_streams_top_as_csv_and_json():
    with export_path() as demo:
        assert run("ingest", str(demo))[0] == 0
    code, out, _ = run("streams", "top", "--limit", "3", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    assert {"track", "artist", "streams", "spotify_id"} <= set(rows[0])
    counts = [int(r["streams"]) for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 10
    code, out, _ = run("streams", "top", "-n", "3", "--format", "json")
    assert [(r["track"], r["streams"]) for r in json.loads(out)] == [
        (r["track"], int(r["streams"])) for r in rows
    ]


def test_profiles_keep_listeners_apart(tmp_path: Path):
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(
        json.dumps([{"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 99_000}])
    )
    assert run("ingest", str(history), "--profile", "alice")[0] == 0
    code, out, _ = run("streams", "top", "--profile", "alice", "--format", "json")
    assert code == 0 and [r["track"] for r in json.loads(out)] == ["B"]
    code, _, err = run("streams", "top", "--profile", "bob")
    assert code == 1
    assert "profile 'bob' has no data yet" in err
    assert "musicflow ingest my_spotify_data.zip --profile bob" in err


def test_a_missing_export_is_a_usage_error_in_one_clear_line(tmp_path: Path):
    missing = tmp_path / "my_spotify_data.zip"
    code, out, err = run("ingest", str(missing))
    assert code == 2
    assert f"Error: {missing}: no such file or folder" in err and "Usage: musicflow ingest" in err
    assert "Traceback" not in out + err


def test_a_fake_zip_is_one_clear_line(tmp_path: Path):
    fake = tmp_path / "my_spotify_data.zip"
    fake.write_text("<html>not a zip</html>")
    code, _, err = run("ingest", str(fake))
    assert code == 1
    assert "not a zip archive" in err


def test_bad_settings_are_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MUSICFLOW_STREAM_MIN_MS", "soon")
    code, _, err = run("streams", "top")
    assert code == 2
    assert "MUSICFLOW_STREAM_MIN_MS" in err


def test_an_empty_data_dir_is_refused_and_nothing_is_written(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MUSICFLOW_DATA_DIR", "")
    code, _, err = run("streams", "top")
    assert code == 2 and "Traceback" not in err
    assert "MUSICFLOW_DATA_DIR" in err and "empty" in err
    assert list(tmp_path.iterdir()) == []  # no store made in the folder the command ran in


def test_stream_threshold_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(
        json.dumps([{"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 20_000}])
    )
    assert run("ingest", str(history))[0] == 0
    assert json.loads(run("streams", "top", "--format", "json")[1]) == []
    monkeypatch.setenv("MUSICFLOW_STREAM_MIN_MS", "10000")
    assert [r["streams"] for r in json.loads(run("streams", "top", "--format", "json")[1])] == [1]


def musicflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "musicflow", *args], env=env, capture_output=True, text=True, timeout=120
    )


def big_export(folder: Path, files: int = 40, plays_per_file: int = 4000) -> Path:
    """An export large enough that a kill lands half-way through."""
    export = folder / "my_spotify_data.zip"
    with zipfile.ZipFile(export, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(files):
            month = f"20{10 + index // 12:02d}-{index % 12 + 1:02d}"
            rows = [
                {
                    "endTime": f"{month}-01 {n // 60 % 24:02d}:{n % 60:02d}",
                    "artistName": f"Artist {n % 97}",
                    "trackName": f"Song {n % 1013}",
                    "msPlayed": 30_000 + n,
                }
                for n in range(plays_per_file)
            ]
            archive.writestr(f"Spotify Account Data/StreamingHistory_music_{index}.json", json.dumps(rows))
    return export


def stored_plays(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM plays").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0


@pytest.mark.slow
def test_an_ingest_killed_half_way_completes_on_the_next_run(isolated_environment: Path, tmp_path: Path):
    export = big_export(tmp_path)
    database = isolated_environment / "musicflow.db"
    env = dict(os.environ)
    process = subprocess.Popen(
        [sys.executable, "-m", "musicflow", "ingest", str(export)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while stored_plays(database) == 0 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = stored_plays(database)
    assert 0 < partial < 40 * 4000, "the kill should land half-way"

    again = musicflow("ingest", str(export), env=env)
    assert again.returncode == 0, again.stderr
    assert stored_plays(database) == 40 * 4000
    with sqlite3.connect(database) as conn:
        distinct = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT track_id, ended_minute, ms_played FROM plays)"
        ).fetchone()[0]
    assert distinct == 40 * 4000
    assert "new plays stored" in again.stdout


def test_an_unknown_time_zone_is_a_settings_error_that_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(
        json.dumps(
            [{"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}]
        )
    )
    assert run("ingest", str(history))[0] == 0
    monkeypatch.setenv("MUSICFLOW_TIME_ZONE", "Europe/Atlantis")
    code, _, err = run("streams", "top")
    assert code == 2
    assert "MUSICFLOW_TIME_ZONE" in err and "Europe/Berlin" in err
    monkeypatch.setenv("MUSICFLOW_TIME_ZONE", "Europe/Berlin")  # mended: what was stored is all there
    assert [r["streams"] for r in json.loads(run("streams", "top", "--format", "json")[1])] == [1]


def test_an_ingest_can_be_taken_back_and_plays_another_holds_stay(tmp_path: Path) -> None:
    with export_path() as demo, zipfile.ZipFile(demo) as archive:
        histories = sorted(n for n in archive.namelist() if n.endswith(".json") and "Streaming" in n)
        first, second = tmp_path / "a", tmp_path / "b"
        for folder, names in ((first, histories[:1]), (second, histories[:2])):
            folder.mkdir()
            for name in names:
                (folder / Path(name).name).write_bytes(archive.read(name))
    code, out, err = run("ingest", str(first), "--format", "json")
    assert code == 0, err
    kept = json.loads(out)
    code, out, err = run("ingest", str(second), "--format", "json")
    taken = json.loads(out)
    assert "ingest undo" not in out and taken["import_id"] != kept["import_id"]

    code, out, err = run("ingest", "undo", taken["import_id"], "--format", "json")
    assert code == 0, err
    undone = json.loads(out)
    assert undone["plays_removed"] == taken["new_plays"]  # what only the second brought
    assert undone["plays_kept"] == kept["music_plays"]  # the first export holds those too
    code, _, err = run("ingest", "undo", taken["import_id"])
    assert code == 1 and "already" in err
    code, _, err = run("ingest", "undo", "no-such-import")
    assert code == 1 and "no job" in err


def test_plays_a_later_export_also_holds_stay_when_the_first_is_taken_back(tmp_path: Path) -> None:
    """B (the extended format) brings nothing new, every play of it being in A (the basic one): it is
    another export all the same, recorded as its own import, so that taking A back keeps B's plays, as
    over HTTP. Only the same export read again is no import of its own."""
    minutes = range(6)
    basic = [
        {
            "endTime": f"2024-01-01 10:0{m}",
            "artistName": "Band",
            "trackName": f"Song {m}",
            "msPlayed": 200_000,
        }
        for m in minutes
    ]
    extended = [
        {
            "ts": f"2024-01-01T10:0{m}:40Z",
            "ms_played": 200_000,
            "master_metadata_track_name": f"Song {m}",
            "master_metadata_album_artist_name": "Band",
            "spotify_track_uri": None,
            "reason_end": "trackdone",
        }
        for m in minutes[3:]
    ]
    a = tmp_path / "StreamingHistory_music_0.json"
    a.write_text(json.dumps(basic))
    b = tmp_path / "Streaming_History_Audio_2024.json"
    b.write_text(json.dumps(extended))
    code, out, err = run("ingest", str(a), "--format", "json")
    assert code == 0, err
    first = json.loads(out)["import_id"]
    code, out, err = run("ingest", str(b))
    assert code == 0, err
    assert summary_figures(out)["new plays stored"] == "0"
    assert "Recorded as import " in err and "nothing to take back" not in err
    code, _, err = run("ingest", str(b))  # B again: the same export, no import of its own
    assert code == 0 and "nothing to take back" in err, err

    code, out, err = run("ingest", "undo", first, "--format", "json")
    assert code == 0, err
    undone = json.loads(out)
    assert (undone["plays_removed"], undone["plays_kept"]) == (3, 3)
    code, out, err = run("streams", "top", "--format", "json")
    assert code == 0, err
    assert sorted(row["track"] for row in json.loads(out)) == ["Song 3", "Song 4", "Song 5"]


def test_a_record_no_play_can_be_is_passed_over_and_the_rest_stored(tmp_path: Path) -> None:
    """msPlayed of 2**63 ended `ingest` in a traceback (an overflow in the store); 2**62 was stored as
    absurd minutes. Each is one bad record, counted and named; the file's other plays are stored."""
    good = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 40_000}
    history = tmp_path / "StreamingHistory_music_0.json"
    history.write_text(
        json.dumps(
            [good, {**good, "msPlayed": 2**63}, {**good, "endTime": "2024-01-01 10:01", "msPlayed": 2**62}]
        )
    )
    code, out, err = run("ingest", str(history))
    assert code == 0, err
    assert "Traceback" not in out + err
    figures = summary_figures(out)
    assert (figures["new plays stored"], figures["invalid record"]) == ("1", "2")
    flat = " ".join(out.split())
    assert f"{history}, record 1: 'msPlayed' is longer than a day, which no play lasts: 9.22e+18 ms" in flat
    assert "record 2: 'msPlayed' is longer than a day" in flat


def test_a_model_never_answers_from_plays_taken_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two exports, a model trained after each: taking the second back removes the model that learned
    from it (the first answers again); taking the first back leaves no model, and every command says
    why and what would give one."""
    monkeypatch.setenv("MUSICFLOW_MODEL_EVALUATION_SEEDS", "1")
    with export_path() as demo, zipfile.ZipFile(demo) as archive:
        extended = sorted(n for n in archive.namelist() if "Streaming_History_Audio" in n)
        first, second = tmp_path / "a", tmp_path / "b"
        for folder, names in ((first, extended[:-1]), (second, extended[-1:])):
            folder.mkdir()
            for name in names:
                (folder / Path(name).name).write_bytes(archive.read(name))
    imports = []
    for folder in (first, second):
        code, out, err = run("ingest", str(folder), "--format", "json")
        assert code == 0, err
        imports.append(json.loads(out)["import_id"])
        code, _, err = run("train", "--force")
        assert code == 0, err
    code, out, _ = run("jobs", "list", "--format", "json")  # the retrain each ingest queued: done by `train`
    retrains = [job["result"]["training"] for job in json.loads(out) if job["kind"] == "train"]
    assert retrains == ["done by another training: model v2", "done by another training: model v1"]
    asked = ("predict", "--song", "Blinding Lights", "--artist", "The Weeknd", "--format", "json")
    code, out, err = run(*asked)
    assert code == 0 and json.loads(out)["model_version"] == 2, err

    code, out, err = run("ingest", "undo", imports[1], "--format", "json")
    assert code == 0, err
    undone = json.loads(out)
    assert undone["model_versions_removed"] == [2] and undone["serving_version"] == 1
    assert undone["retrain_queued"] is True
    code, out, err = run(*asked)
    assert code == 0 and json.loads(out)["model_version"] == 1, err
    code, out, _ = run("jobs", "list")
    assert f"{undone['plays_removed']:,} plays removed, with them model v2" in out
    code, _, err = run("models", "show", "2")
    assert code == 1 and "removed on" in err and "the plays it learned from, which were taken back" in err

    code, out, err = run("ingest", "undo", imports[0])
    assert code == 0, err
    assert "Model v1 learned from them and is removed too. No model answers until one is trained" in out
    code, _, err = run(*asked)
    assert code == 1
    said = " ".join(err.split())
    assert "no model yet and too little listening history to train one: 0 streamed songs" in said
    code, out, _ = run("models", "list")
    assert code == 0 and out.startswith("Profile 'default' has no model yet and too little listening history")
    code, out, _ = run("jobs", "list", "--format", "json")
    train_jobs = [job for job in json.loads(out) if job["kind"] == "train"]
    assert train_jobs and all(job["state"] == "done" for job in train_jobs)  # none waits to fail


def test_an_import_is_not_taken_back_while_a_training_of_its_profile_runs(tmp_path: Path) -> None:
    """A training running now may be learning from the import's plays: its model would outlive them."""
    from musicflow.app.service import MusicFlow
    from musicflow.config import Settings

    history = tmp_path / "StreamingHistory_music_0.json"
    play = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}
    history.write_text(json.dumps([play]))
    code, out, err = run("ingest", str(history), "--format", "json")
    import_id = json.loads(out)["import_id"]
    with MusicFlow.open(Settings()) as app:
        (waiting,) = [job for job in app.jobs("default") if job.kind == "train"]
        app.jobs_store.update_job(waiting.id, 1.0, state="running", stage="training")
    code, _, err = run("ingest", "undo", import_id)
    assert code == 1 and f"a train job of this profile is running ({waiting.id})" in " ".join(err.split())
    with MusicFlow.open(Settings()) as app:
        assert app.listening_summary("default").plays == 1  # nothing was taken
        app.jobs_store.update_job(waiting.id, 2.0, state="done", stage="done")
    assert run("ingest", "undo", import_id)[0] == 0  # once it has finished


def test_one_play_taken_back_is_counted_as_one(tmp_path: Path) -> None:
    history = tmp_path / "StreamingHistory_music_0.json"
    play = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}
    history.write_text(json.dumps([play]))
    code, out, err = run("ingest", str(history), "--format", "json")
    assert code == 0, err
    import_id = json.loads(out)["import_id"]
    code, out, err = run("ingest", "undo", import_id)
    assert code == 0, err
    assert out == (
        f"Import {import_id} taken back: 1 play removed, and with it 1 song that had no other play.\n"
        "No play of this profile is left to train a model on.\n"
    )
    code, out, err = run("streams", "top")  # nothing left: the sentence alone, no empty table
    assert (code, out) == (0, "No streams yet in 'default'.\n"), err


def test_messages_written_to_a_pipe_keep_each_command_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copy-paste of a command a message names works: written to a file or a pipe (as here), no line
    is wrapped, whatever a terminal's width would be."""
    monkeypatch.setenv("COLUMNS", "40")
    history = tmp_path / "StreamingHistory_music_0.json"
    play = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}
    history.write_text(json.dumps([play]))
    code, _, err = run("ingest", str(history))
    assert code == 0, err
    said = re.search(r"^Recorded as import (\w+): `musicflow ingest undo (\w+)` takes it back\.$", err, re.M)
    assert said is not None and said[1] == said[2], err
    assert (
        "New plays: a retrain of this profile is queued; a running `musicflow serve` does it by itself"
        " (else `musicflow train` or `musicflow jobs run`).\n" in err
    )
    assert run("ingest", "undo", said[1])[0] == 0  # the command, as copied, takes it back


def test_every_command_a_named_profiles_ingest_names_runs_as_printed(tmp_path: Path) -> None:
    """The undo and train commands `ingest --profile m` prints carry `--profile m`; run as printed,
    each does its work. Another profile's import is refused with the command that takes it back."""
    history = tmp_path / "StreamingHistory_music_0.json"
    play = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}
    history.write_text(json.dumps([play]))
    code, _, err = run("ingest", str(history), "--profile", "m")
    assert code == 0, err
    said = re.search(
        r"^Recorded as import (\w+): `musicflow ingest undo (\w+) --profile m` takes it back\.$", err, re.M
    )
    assert said is not None and said[1] == said[2], err
    assert "(else `musicflow train --profile m` or `musicflow jobs run`)" in err
    code, _, err = run("ingest", "undo", said[1])  # without the profile: says whose it is
    assert code == 1
    assert " ".join(err.split()) == (
        f"error: import {said[1]} is of profile 'm', not 'default':"
        f" run `musicflow ingest undo {said[1]} --profile m`"
    )
    code, out, err = run(*shlex.split(re.findall(r"`musicflow (.*?)`", err)[0]))
    assert code == 0 and f"Import {said[1]} taken back: 1 play removed" in out, err


def test_an_ingest_that_adds_nothing_offers_nothing_to_take_back(shared_data: Path, tmp_path: Path) -> None:
    history = tmp_path / "StreamingHistory_music_0.json"
    plays = [
        {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000},
        {"endTime": "2024-01-01 10:05", "artistName": "A", "trackName": "C", "msPlayed": 200_000},
    ]
    history.write_text(json.dumps(plays))
    code, out, _ = run("ingest", str(history), "--format", "json")
    first = json.loads(out)["import_id"]
    code, _, err = run("ingest", str(history))  # the same export again
    assert code == 0, err
    assert (
        err == "Nothing was added: all 2 plays of these files were already stored (nothing to take back).\n"
    )
    code, out, err = run("ingest", "undo", first)  # the first import still takes them back
    assert code == 0 and "2 plays removed" in out, err
    code, _, err = run("ingest", "undo")
    assert code == 2 and "takes one import's id" in err
    library = shared_data / "histories" / "basic" / "emb400" / "YourLibrary.json"
    code, _, err = run("ingest", str(library))
    assert code == 0, err
    assert err == "No play was added: the files held your library alone (nothing to take back).\n"
