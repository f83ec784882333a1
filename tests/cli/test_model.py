"""`musicflow train | evaluate | predict | models ...` as a user runs them, on the demo listener."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from tests.trained import QUICK_TRAINING, copy_of

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"  # a moment as every command's JSON gives one


def _time_split(document: dict[str, Any]) -> dict[str, Any]:
    return next(split for split in document["evaluation"]["splits"] if split["split"] == "time")


@pytest.fixture
def listener(ingested_listener: Path, isolated_environment: Path) -> None:
    """The demo export ingested and its features fetched from the bundled catalog; no model yet."""
    copy_of(ingested_listener, isolated_environment)


@pytest.fixture
def trained(trained_listener: Path, isolated_environment: Path) -> None:
    """The demo listener with model v1 trained, as `musicflow train` leaves it."""
    copy_of(trained_listener, isolated_environment)


@pytest.mark.slow
def test_train_evaluate_and_predict(listener: None, tmp_path: Path):
    code, out, err = run("train")
    assert code == 0, err
    assert re.search(r"Time split: songs first heard after \d{1,2} [A-Z][a-z]{2} \d{4}\b", out)  # the day
    assert "Random split by song (optimistic)" in out
    assert "Model v1 registered and serving" in out
    words = " ".join(out.split())  # as read, whatever the terminal's width wrapped
    scored = re.search(
        r"scored on \d+ streamed, \d+ \w+ \(the test songs it could answer, of \d+ streamed", words
    )
    assert scored, out  # the scores are over the songs the model answered, said apart from all test songs
    assert re.search(r"; train: [\d,]+ streamed, [\d,]+ \w+;", words), out  # in the same order as the test

    code, out, _ = run("evaluate", "--format", "json")
    evaluation = json.loads(out)["evaluation"]
    time_split = next(s for s in evaluation["splits"] if s["split"] == "time")
    assert time_split["test_sizes"]["streamed"] > 100
    ours = time_split["metrics"]["ours"]
    assert 0.5 < ours["auc"]["mean"] <= 1.0
    assert {"training mean", "artist affinity alone"} <= set(time_split["metrics"])

    code, out, _ = run("predict", "--song", "Blinding Lights", "--artist", "The Weeknd", "-f", "json")
    assert code == 0
    answer = json.loads(out)
    assert 0 <= answer["prediction"] <= 30
    assert answer["message"]["text"] and answer["model_version"] == 1
    assert answer["reasons"] and all(r["words"] for r in answer["reasons"])
    assert answer["features"]["tempo"] == pytest.approx(171.017, abs=0.01)
    assert answer["basis"] == "audio features and your history"

    code, out, err = run("predict", "--song", "A Song No Catalog Has", "--artist", "Linkin Park")
    assert code == 0, err
    assert "based on your history of this artist only" in out and "predicted streams" in out

    code, _, err = run("predict", "--song", "Zzyzx Road", "--artist", "Nobody")
    assert code == 1
    assert "no source has features for 'Zzyzx Road' by 'Nobody' (asked: catalog" in err
    assert "you never streamed 'Nobody'" in err and "catalog add" in err

    code, out, _ = run("predict", "--song", "Everlong", "--artist", "Foo Fighters", "-f", "json")
    answered_for_everlong = json.loads(out)
    assert code == 0 and answered_for_everlong["spotify_id"]
    songs = tmp_path / "songs.csv"
    songs.write_text(
        "song,artist,spotify_id\nEverlong,Foo Fighters,\n,Nobody,\nZzyzx Road,Nobody,\n"
        "A Song No Catalog Has,Linkin Park,\n",
        encoding="utf-8",
    )
    predictions = tmp_path / "predictions.csv"
    code, out, _ = run("predict", "--input", str(songs), "--output", str(predictions))
    assert code == 0
    assert "2 of 4 songs predicted" in out
    rows = list(csv.DictReader(io.StringIO(predictions.read_text(encoding="utf-8"))))
    assert [r["song"] for r in rows] == ["Everlong", "", "Zzyzx Road", "A Song No Catalog Has"]
    assert float(rows[0]["predicted_streams"]) > 1 and rows[0]["verdict"]
    assert rows[0]["basis"] == "audio features and your history"
    assert rows[0]["spotify_id"] == answered_for_everlong["spotify_id"]  # the song's, as the API gives it
    assert rows[1]["error"] == "song and artist are both needed"
    assert rows[2]["error"].startswith("nothing known of this song")
    assert rows[3]["basis"] == "your history of this artist only" and rows[3]["predicted_streams"]

    older = tmp_path / "older.csv"  # the name older versions gave the id column is still read
    older.write_text("song,artist,track_id\nZzyzx Road,Nobody,0000000000000000000000\n", encoding="utf-8")
    code, out, _ = run("predict", "--input", str(older), "--output", str(predictions))
    assert code == 0
    (row,) = csv.DictReader(io.StringIO(predictions.read_text(encoding="utf-8")))
    assert row["spotify_id"] == "0000000000000000000000" and row["error"]

    code, out, _ = run("predict", "--input", str(songs), "--format", "json")
    assert code == 0
    answers = json.loads(out)["answers"]
    assert [a["prediction"]["song"] for a in answers if a["prediction"]] == [
        "Everlong",
        "A Song No Catalog Has",
    ]
    assert answers[0]["prediction"]["prediction"] == float(rows[0]["predicted_streams"])
    assert answers[2]["error"] == rows[2]["error"] and answers[2]["problem"]["kind"] == "not found"
    assert answers[2]["problem"]["searched"] == {"song": "Zzyzx Road", "artist": "Nobody"}


@pytest.mark.slow
def test_versions_promote_and_rollback(trained: None, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MUSICFLOW_MODEL_EVALUATION_SEEDS", str(QUICK_TRAINING["model_evaluation_seeds"]))
    code, out, _ = run("train")
    assert code == 0 and "Model v2 registered and serving" in out
    code, out, _ = run("models", "promote", "1")
    assert code == 0 and "now v1 (was v2" in out
    code, out, _ = run("models", "list")
    assert "v2" in out and "v1" in out and "champion" in out
    code, out, _ = run("models", "rollback")
    assert code == 0 and "now v2 (was v1" in out
    code, out, _ = run("models", "show", "champion")
    assert code == 0 and "Model v2" in out and "sha256" in out


@pytest.mark.parametrize("form", ["csv", "json"])
def test_predictions_to_a_place_that_cannot_be_written_are_a_usage_error(
    trained: None, tmp_path: Path, form: str
):
    songs = tmp_path / "songs.csv"
    songs.write_text("song,artist\nEverlong,Foo Fighters\n", encoding="utf-8")
    code, _, err = run("predict", "--input", str(songs), "-f", form, "--output", str(tmp_path / "no" / "x"))
    assert code == 2 and f"{tmp_path / 'no'}: no such folder" in err and "Traceback" not in err
    taken = tmp_path / "a-folder"
    taken.mkdir()
    code, _, err = run("predict", "--input", str(songs), "-f", form, "--output", str(taken))
    assert code == 2 and f"cannot write {taken}" in err and "Traceback" not in err
    assert songs.read_text(encoding="utf-8").startswith("song,artist")  # what was given stays as it was
    code, out, _ = run("models", "list", "-f", "json")
    assert code == 0 and json.loads(out)  # the store is as it was


def test_the_model_that_serves_uses_no_feature_the_evaluated_model_left_out(trained: None):
    """The evaluation shown describes the model that serves: a feature its checks left out (the demo's
    release month and day, which tell its streamed songs from the zeros) is not served either."""
    code, out, err = run("models", "show", "champion", "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    splits = shown["evaluation"]["splits"]
    left_out = {f for split in splits for f in split["features"]["dropped"]}
    leaks = {f for split in splits for f, why in split["features"]["dropped"].items() if "absence" in why}
    assert "release_month" in leaks and "release_month" in splits[0]["features"]["availability"]
    assert not left_out & set(shown["features"])
    assert {"danceability", "artist_streams", "release_year"} <= set(shown["features"])


def test_training_asks_this_machines_sources_itself_and_names_the_songs_a_service_was_not_asked_about(
    listener: None, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
):
    """Songs the catalogs were never asked about (plays ingested without a fetch, or answers an upgrade
    forgot) are asked by `train` itself; songs a source that asks a service was not asked about are named
    by number, with what to run."""
    import sqlite3

    with sqlite3.connect(isolated_environment / "musicflow.db") as db:
        forgotten = [row[0] for row in db.execute("SELECT track_id FROM track_features LIMIT 12")]
        db.executemany("DELETE FROM track_features WHERE track_id = ?", [(t,) for t in forgotten])
        tracks = db.execute("SELECT count(DISTINCT track_id) FROM plays").fetchone()[0]
    code, out, err = run("train", "--format", "json")
    assert code == 0, err
    trained = json.loads(out)
    assert trained["training"]["songs_not_asked"] == 0
    # its times as every command's JSON gives them (the version's records keep Unix seconds)
    assert re.fullmatch(ISO, _time_split(trained)["cutoff"])
    assert re.fullmatch(ISO, trained["training"]["last_play_at"])
    assert re.fullmatch(ISO, trained["training"]["recommend_ranking"]["cutoff"])
    with sqlite3.connect(isolated_environment / "musicflow.db") as db:
        asked = {row[0] for row in db.execute("SELECT track_id FROM track_features")}
    assert set(forgotten) <= asked
    monkeypatch.setenv("MUSICFLOW_FEATURE_SOURCES", "catalog,reccobeats")
    code, out, err = run("train")
    assert code == 0, err
    said = " ".join(out.split())
    assert f"note: {tracks:,} of your songs were not yet asked of a feature source: `musicflow" in said


def test_a_versions_times_are_iso_8601_in_json_and_days_in_its_tables(trained: None):
    """`evaluate` and `models show` gave the time split's `cutoff` in Unix seconds, where every other time
    of their JSON is ISO 8601, UTC: it is ISO 8601 too; the tables say its day, as they did."""
    code, out, err = run("evaluate", "--format", "json")
    assert code == 0, err
    splits = {split["split"]: split["cutoff"] for split in json.loads(out)["evaluation"]["splits"]}
    assert re.fullmatch(ISO, splits["time"]) and splits["random"] is None
    code, out, err = run("models", "show", "1", "--format", "json")
    assert code == 0, err
    shown = json.loads(out)
    assert {split["split"]: split["cutoff"] for split in shown["evaluation"]["splits"]} == splits
    assert re.fullmatch(ISO, shown["created"]) and re.fullmatch(
        ISO, shown["learned_from"]["cut_off"]["last_play_at"]
    )
    cut = dt.datetime.fromisoformat(splits["time"])
    for args in (["evaluate"], ["models", "show", "1"]):
        code, out, err = run(*args)
        assert code == 0, err
        assert f"Time split: songs first heard after {cut.day} {cut:%b %Y}" in out, out


def test_a_version_stored_by_an_older_musicflow_is_shown_as_one_trained_today(
    trained: None, isolated_environment: Path
):
    """A version's evaluation as an older MusicFlow stored it (no protocol, coverage or answered songs;
    its cut-off in Unix seconds, or not recorded at all) is read and given alike: in JSON in ISO 8601
    (or null), in the tables as a day."""
    import sqlite3

    with sqlite3.connect(isolated_environment / "musicflow.db") as db:
        (text,) = db.execute("SELECT evaluation FROM model_versions WHERE version = 1").fetchone()
    stored = json.loads(text)
    older = {key: value for key, value in stored.items() if key not in ("protocol", "coverage")}
    older["splits"] = [{k: v for k, v in split.items() if k != "answered"} for split in stored["splits"]]
    (cutoff,) = [split["cutoff"] for split in older["splits"] if split["split"] == "time"]
    assert isinstance(cutoff, int)  # what every version stores: Unix seconds
    oldest = {**older, "splits": [{k: v for k, v in s.items() if k != "cutoff"} for s in older["splits"]]}
    day = dt.datetime.fromtimestamp(cutoff, dt.UTC)
    for record, given, said in (
        (older, day.isoformat(), f"Time split: songs first heard after {day.day} {day:%b %Y}"),
        (oldest, None, "Time split: songs first heard after the split's date"),
    ):
        with sqlite3.connect(isolated_environment / "musicflow.db") as db:
            db.execute("UPDATE model_versions SET evaluation = ? WHERE version = 1", (json.dumps(record),))
        for args in (["evaluate", "--format", "json"], ["models", "show", "1", "--format", "json"]):
            code, out, err = run(*args)
            assert code == 0, err
            assert _time_split(json.loads(out))["cutoff"] == given
        for args in (["evaluate"], ["models", "show", "1"]):
            code, out, err = run(*args)
            assert code == 0 and said in out, err + out


@pytest.mark.parametrize("seeds", ["0", "11", "three"])
def test_a_bad_number_of_evaluation_seeds_is_named_and_trains_nothing(
    trained: None, monkeypatch: pytest.MonkeyPatch, seeds: str
):
    monkeypatch.setenv("MUSICFLOW_MODEL_EVALUATION_SEEDS", seeds)
    code, _, err = run("train")
    assert code == 2 and "Traceback" not in err
    assert "MUSICFLOW_MODEL_EVALUATION_SEEDS" in err
    monkeypatch.delenv("MUSICFLOW_MODEL_EVALUATION_SEEDS")
    code, out, _ = run("models", "list", "-f", "json")
    assert code == 0 and [v["version"] for v in json.loads(out)] == [1]


def test_predict_without_a_model_says_to_train(listener: None):
    code, _, err = run("predict", "--song", "Everlong", "--artist", "Foo Fighters")
    assert code == 1
    assert "musicflow train" in err


def test_training_a_profile_whose_plays_were_all_taken_back_names_the_profiles_that_hold_some(
    isolated_environment: Path, tmp_path: Path
):
    """Another listener's plays are in the store: the error does not say it holds no listening history."""
    for profile, artist in (("kept", "A"), ("emptied", "B")):
        export = tmp_path / profile / "StreamingHistory0.json"
        export.parent.mkdir()
        play = {"endTime": "2024-01-01 10:00", "artistName": artist, "trackName": "S", "msPlayed": 200_000}
        export.write_text(json.dumps([play]))
        code, out, err = run("ingest", str(export), "--profile", profile, "--format", "json")
        assert code == 0, err
    code, _, err = run("ingest", "undo", json.loads(out)["import_id"], "--profile", "emptied")
    assert code == 0, err
    code, out, err = run("train", "--profile", "emptied")
    said = " ".join(err.split())
    assert code == 1, (out, err)
    assert "no plays for the profile 'emptied' (profiles in this store: kept;" in said, said
    assert "holds no listening history" not in said and "Traceback" not in out + err


def test_predict_needs_a_song(listener: None):
    code, _, err = run("predict", "--song", "Everlong")
    assert code == 2  # a usage error: the command line is incomplete
    assert "--song goes with --artist" in err


def test_a_songs_file_without_the_columns_is_a_clear_error(trained: None, tmp_path: Path):
    songs = tmp_path / "songs.csv"
    songs.write_text("title,singer\nEverlong,Foo Fighters\n", encoding="utf-8")
    code, _, err = run("predict", "--input", str(songs))
    assert code == 1
    assert "needs the columns song and artist" in err and "missing: song, artist" in err


@pytest.mark.slow
def test_train_reproduce_rebuilds_a_version_and_says_plainly_when_its_plays_were_taken_back(
    trained: None, tmp_path: Path
):
    code, out, err = run("train", "--reproduce", "1", "--output", str(tmp_path / "v1"))
    assert code == 0, err
    words = " ".join(out.split())
    assert "Model v1 of 'default' built again from its" in words
    assert "Identical: on the" in words and "byte for byte" in words
    written = sorted(path.name for path in (tmp_path / "v1").iterdir())
    assert written == ["features.parquet", "lineage.json", "model.json", "model.txt"]

    code, out, err = run("train", "--reproduce", "v1", "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["identical"] is True and document["max_difference"] <= 1e-9
    assert document["model_version"] == 1 and document["rows_compared"] > 1_000
    # the cut-off as `accuracy` gives it: in ISO 8601 (it was also given in Unix seconds, as `cut_off`)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", document["cut_off_at"])
    assert "cut_off" not in document
    code, out, _ = run("models", "list", "-f", "json")
    assert [v["version"] for v in json.loads(out)] == [1]  # nothing registered
    code, out, _ = run("models", "show", "1", "-f", "json")
    learned = json.loads(out)["learned_from"]
    assert learned["cut_off"]["plays"] > 10_000 and learned["options"]["seed"] == 0
    assert learned["features"]["tracks"] > 1_000 and learned["catalogs"][0]["name"] == "bundled"
    # its times as every command's JSON gives them (they were Unix seconds, as lineage.json keeps them)
    assert learned["cut_off"]["last_play_at"] == learned["plays"]["default"]["last_play_at"]
    assert learned["cut_off"]["last_play_at"] == document["cut_off_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", learned["catalogs"][0]["imported_at"])
    code, out, _ = run("models", "show", "1")
    assert f"learned from: {learned['cut_off']['plays']:,} plays up to" in " ".join(out.split())

    code, out, err = run("train", "--reproduce", "1", "--output", str(tmp_path / "v1"))
    assert code == 2 and f"{tmp_path / 'v1'} is not empty (it holds features.parquet" in err  # said at once
    assert "built again" not in out + err  # before any work: a folder in use is never written over

    code, out, _ = run("jobs", "list", "-f", "json")
    (imported,) = [job["id"] for job in json.loads(out) if job["kind"] == "ingest"]
    code, _, err = run("ingest", "undo", imported)
    assert code == 0, err
    code, out, err = run("train", "--reproduce", "1")  # the version went with the plays it learned from
    assert code == 1
    assert "it was removed on" in err and "the plays it learned from, which were taken back" in err

    code, _, err = run("train", "--output", str(tmp_path / "v9"))
    assert code == 2 and "--output goes with --reproduce" in err
    code, _, err = run("train", "--reproduce", "1", "--force")
    assert code == 2 and "registers nothing: leave out --force" in err
    code, _, err = run("train", "--reproduce", "1", "--all")
    assert code == 2 and "leave out --all" in err
    code, out, _ = run("models", "list", "-f", "json")
    assert json.loads(out) == []  # none of the refused commands changed a thing: v1 went with its plays


def test_the_list_of_models_shows_the_kinds_of_auc_its_versions_were_measured_against(trained: None):
    """A listener alone in their store is measured against no other listener's songs and (with the
    default zeros) not against their skips: the table shows no column of "n/a" for those, and its caption
    names only what it shows; CSV and JSON keep every key."""
    code, out, err = run("models", "list")
    assert code == 0, err
    said = " ".join(out.split())
    assert "AUC all" in said and "Sp+" in said
    assert "AUC others" not in said and "AUC skips" not in said and "n/a" not in said
    assert "Against all songs you did not stream" in said and "skip-only" not in said
    explained = [line for line in out.splitlines() if line.startswith("Time split. AUC")]
    assert len(explained) == 1 and explained[0].endswith("both measured on the same data.")  # one line
    code, out, err = run("models", "list", "-f", "json")
    assert code == 0, err
    (version,) = json.loads(out)
    assert version["auc_others"] is None and version["auc_skipped"] is None and version["auc"] > 0.5
