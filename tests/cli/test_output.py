"""What the CLI prints is whole and true, read as a user reads it: output captured (not a terminal), in
tables, CSV and JSON, on the trained demo listener."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from musicflow.app.service import MusicFlow
from musicflow.app.vocabulary import Evaluation
from musicflow.cli import render_model
from musicflow.cli.command_tree import app
from musicflow.config import Settings
from tests.trained import PROFILE, trained_data_dir

runner = CliRunner()
ARTIST_ONLY = ("A Song No Catalog Has", "Linkin Park")  # no source knows it; the listener streams the artist


@pytest.fixture
def listener(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    target = tmp_path / "data"
    shutil.copytree(trained_data_dir(tmp_path_factory), target)
    monkeypatch.setenv("MUSICFLOW_DATA_DIR", str(target))
    monkeypatch.setenv("COLUMNS", "40")  # a narrow terminal's width, which output to a pipe must ignore
    return target


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def cells(out: str) -> list[list[str]]:
    """The rows of the Rich tables in `out`, each as its stripped cells."""
    return [
        [cell.strip() for cell in line.strip().strip("│┃").split("│" if "│" in line else "┃")]
        for line in out.splitlines()
        if line.strip().startswith(("│", "┃"))
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["models", "list"],
        ["models", "show", "champion"],
        ["evaluate"],
        ["streams", "top", "--limit", "50"],
        ["recommend", "--top", "10"],
        ["features", "coverage"],
        ["catalog", "list"],
        ["predict", "--song", "Everlong", "--artist", "Foo Fighters"],
    ],
)
def test_tables_written_to_a_pipe_are_never_cut(listener: Path, command: list[str]):
    code, out, err = run(*command)
    assert code == 0, err
    assert "…" not in out  # no cell, title or number ends in an ellipsis
    rows = cells(out)
    if command[0] not in ("predict", "models") or command[1] == "list":
        assert rows, out
        width = {len(line) for line in out.splitlines() if line.startswith(("┏", "└"))}
        assert all(len(row) > 1 for row in rows) and max(width) > 40  # as wide as the cells need


def test_the_models_table_shows_the_same_numbers_as_csv_and_json(listener: Path):
    code, out, _ = run("models", "list")
    assert code == 0
    row = next(r for r in cells(out) if r[0] == "v1")
    code, text, _ = run("models", "list", "-f", "csv")
    assert code == 0
    (record,) = list(csv.DictReader(io.StringIO(text)))
    assert record["version"] == "1" and record["champion"] == "True"
    # the table's AUC columns are the kinds measured (here: against all songs not streamed), then Sp+
    measured = [k for k in render_model.VERSION_COLUMNS[-4:] if record[k] or k in ("auc", "sp_plus")]
    assert measured == ["auc", "sp_plus"]  # a listener alone: no other listeners' songs, no skips
    assert row[-len(measured) :] == [f"{float(record[k]):.3f}" for k in measured]
    code, text, _ = run("models", "list", "-f", "json")
    assert code == 0 and json.loads(text)[0]["auc"] == pytest.approx(float(record["auc"]))


def test_the_evaluation_table_shows_every_spread_whole(listener: Path):
    code, text, _ = run("evaluate", "-f", "json")
    time_split = next(s for s in json.loads(text)["evaluation"]["splits"] if s["split"] == "time")
    auc = time_split["metrics"]["ours"]["auc"]
    code, out, _ = run("evaluate")
    assert code == 0
    ours = next(r for r in cells(out) if r[0] == "this model")
    spread = f"{auc['mean']:.2f}±{auc['std']:.2f}" if auc["std"] else f"{auc['mean']:.2f}"
    assert spread in ours
    assert all(re.fullmatch(r"n/a|-?\d+\.\d\d(±\d+\.\d\d)?", c) for c in ours[1:]), ours
    # the rows are named as the taste page names them (one name a row: "affinity only" was the page's
    # "artist history alone"), and the groups of this model are "this model: ...", never "ours: ..."
    names = [r[0] for r in cells(out)]
    assert "artist history alone" in names and "average" in names
    assert "this model: artists new to you" in names and not any(n.startswith("ours") for n in names)
    code, text, _ = run("evaluate", "-f", "csv")
    assert code == 0
    records = list(csv.DictReader(io.StringIO(text)))
    mine = next(r for r in records if (r["split"], r["model"], r["metric"]) == ("time", "this model", "auc"))
    assert float(mine["mean"]) == pytest.approx(auc["mean"]) and mine["seeds"] == "3"
    assert mine["key"] == "ours"  # the JSON document's name of the row
    assert {r["model"] for r in records if r["split"] == "time"} <= set(names)  # as the table names them


def test_an_auc_is_said_as_what_it_means(listener: Path):
    code, text, _ = run("evaluate", "-f", "json")
    time_split = next(s for s in json.loads(text)["evaluation"]["splits"] if s["split"] == "time")
    auc = time_split["metrics"]["ours"]["auc"]["mean"]
    for command in (["evaluate"], ["models", "show", "1"], ["models", "list"]):
        code, out, _ = run(*command)
        assert code == 0
        said = " ".join(out.split())
        assert not re.search(r"\d+ ?% of the time|is right", said)  # an AUC is not how often it is right
        if command[0] != "models" or command[1] == "show":
            assert f"ranks a song you streamed above one you did not {round(auc * 100)} times in 100" in said
        else:
            assert "how many times in 100 a model ranks a song you streamed above one you did not" in said


@pytest.mark.parametrize(
    ("command", "formats"),
    [
        (["models", "list"], ("csv", "json")),
        (["evaluate"], ("csv", "json")),
        (["streams", "top"], ("csv", "json")),
        (["recommend", "--top", "3"], ("csv", "json")),
        (["features", "coverage"], ("csv", "json")),
        (["features", "show", "--song", "Everlong", "--artist", "Foo Fighters"], ("csv", "json")),
        (["catalog", "list"], ("csv", "json")),
        (["models", "show", "1"], ("json",)),
        (["streams", "artists"], ("csv", "json")),
    ],
)
def test_every_table_can_be_written_for_programs(
    listener: Path, command: list[str], formats: tuple[str, ...]
):
    for chosen in formats:
        code, out, err = run(*command, "--format", chosen)
        assert code == 0, err
        if chosen == "csv":
            rows = list(csv.DictReader(io.StringIO(out)))
            assert rows and all(len(row) > 1 for row in rows), out
        else:
            assert json.loads(out)


def test_an_answer_from_the_artist_alone_says_it_had_no_features(listener: Path):
    code, out, err = run("predict", "--song", ARTIST_ONLY[0], "--artist", ARTIST_ONLY[1])
    assert code == 0, err
    assert "based on your history of this artist only" in out
    assert "no source had features for this song" in out
    assert not re.search(r"features from\s*$", out, re.MULTILINE)


def test_no_reason_is_given_twice(listener: Path):
    for song, artist in (ARTIST_ONLY, ("Everlong", "Foo Fighters"), ("Zombie Song", "Nirvana")):
        code, out, _ = run("predict", "--song", song, "--artist", artist, "-f", "json")
        if code:
            continue  # a song no source knows by an artist never streamed: no answer to check
        words = [reason["words"] for reason in json.loads(out)["reasons"]]
        assert words and len(words) == len(set(words)), words


@pytest.mark.parametrize(
    "command",
    [
        ["models", "list"],
        ["models", "show", "champion"],
        ["models", "promote", "1"],
        ["models", "rollback"],
        ["evaluate"],
        ["train"],
        ["streams", "top"],
        ["streams", "artists"],
        ["features", "coverage"],
        ["features", "fetch"],
        ["predict", "--song", "Everlong", "--artist", "Foo Fighters"],
        ["recommend"],
    ],
)
def test_an_unknown_profile_is_an_error_naming_the_known_ones(listener: Path, command: list[str]):
    code, out, err = run(*command, "--profile", "nobody")
    assert code == 1  # not found (app/error_map.py)
    assert f"profile 'nobody' has no data yet (profiles in this store: {PROFILE}; " in err
    assert f"add `--profile {PROFILE}`" in err
    assert "No model yet" not in out and "musicflow train" not in err


def test_a_missing_reference_row_is_explained_by_the_store_it_was_measured_on():
    """The note says why the 'no data of this listener' row is missing as the evaluation found it: it
    never claims the store lacks other listeners when it held them."""
    stored = {
        "splits": [
            {
                "split": "time",
                "metrics": {"ours": {"auc": {"mean": 0.8, "std": 0.01, "n": 3}}},
                "test_sizes": {"streamed": 10, "others": 10},
            }
        ],
        "notes": [
            "the 'no data of this listener' row is not available: the other listener's data is too small"
            " (only 1 streamed songs to learn from (at least 20 are needed): more of this listener's"
            " listening history would give more)"
        ],
    }
    console = Console(record=True, width=400)
    render_model.evaluation(console, Evaluation.from_dict(stored))
    said = console.export_text()
    assert "needs other listeners" not in said and "holds no other listener" not in said
    assert "row is not available" not in said and "1 streamed songs" not in said  # said as today
    assert (
        said.count(
            "note: a model of another listener, knowing nothing of yours, was not measured on your songs: the"
            " other listener's history is too small to learn from\n"
        )
        == 1
    )
    assert "ranks a song you streamed above one you did not 80 times in 100" in said


def _stored_evaluation(metrics: tuple[str, ...]) -> dict[str, object]:
    """A stored evaluation with every row of the table and a spread in each cell, measured on the given
    metrics, its time split cut on 24 Oct 2025."""
    rows = render_model.ROW_ORDER
    spreads = {
        model: {key: {"mean": -0.06 + i / 10 + j / 100, "std": 0.02, "n": 3} for j, key in enumerate(metrics)}
        for i, model in enumerate(rows)
    }
    split = {"metrics": spreads, "test_sizes": {"streamed": 10, "shipped": 10}, "seeds": [0, 1, 2]}
    return {
        "splits": [
            {**split, "split": "time", "cutoff": 1761307200},
            {**split, "split": "random", "optimistic": True},
        ],
        "notes": [
            "the 'no data of this listener' row is not available: the store holds no other listener (another"
            " listener's export, under a profile of its own, would give one)"
        ],
    }


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize(
    "metrics",
    [("auc", "sp_plus", "mae", "rmse"), ("auc_others", "auc_skipped", "auc", "sp_plus", "mae", "rmse")],
)
def test_no_number_of_an_evaluation_is_cut_on_a_narrow_terminal(width: int, metrics: tuple[str, ...]):
    """The model's name wraps, a number never does: each mean and spread is there whole (on two lines
    where even so the numbers do not fit), and nothing ends in an ellipsis."""
    stored = _stored_evaluation(metrics)
    console = Console(record=True, width=width)
    render_model.evaluation(console, Evaluation.from_dict(stored))
    said = console.export_text()
    assert "…" not in said
    table = "\n".join(line for line in said.split("Random split")[0].splitlines() if "│" in line)
    numbers = re.findall(r"-?\d\.\d\d|±\d\.\d\d", table)
    expected = [
        words
        for i, _ in enumerate(render_model.ROW_ORDER)
        for j, _ in enumerate(metrics)
        for words in (f"{-0.06 + i / 10 + j / 100:.2f}", "±0.02")
    ]
    assert sorted(numbers) == sorted(expected)
    assert "Time split: songs first heard after 24 Oct 2025" in said  # the cut-off, said
    assert "no data of this listener' row" not in said and "holds no other listener" not in said
    if len(metrics) == 4 and width == 80:  # the numbers fit on one line each: the names wrap instead
        assert len([line for line in table.splitlines() if "±" in line]) == len(render_model.ROW_ORDER)
    assert max(len(line) for line in said.splitlines()) <= width or (len(metrics) == 6 and width == 60)


@pytest.mark.parametrize("width", [80, 60])
def test_no_number_of_the_models_table_is_cut_on_a_narrow_terminal(listener: Path, width: int):
    from musicflow.app.service import MusicFlow
    from musicflow.config import load_settings

    with MusicFlow.open(load_settings()) as opened:
        found = opened.models(PROFILE)
    console = Console(record=True, width=width, force_terminal=True)  # a terminal of that width
    render_model.versions(console, PROFILE, found)
    said = console.export_text()
    assert max(len(line) for line in said.splitlines()) <= width and "…" not in said
    for record in render_model.version_records(found):
        for key in ("auc", "sp_plus"):
            assert f"{record[key]:.3f}" in said


def test_the_drift_is_said_as_one_sentence(listener: Path):
    code, out, _ = run("accuracy")
    assert code == 0
    drift = next(line for line in out.splitlines() if line.startswith("Drift: "))
    assert drift[len("Drift: ")].islower(), drift  # no capital after the colon


def test_the_top_artists_are_the_taste_pages_numbers(listener: Path):
    """`streams artists` counts an artist's streams as the taste page does (one count, `app/taste.py`):
    the page's top artists (it shows 10) are the command's first rows, name and streams; and each of the
    command's top 20 is the sum of the streams of that artist's songs `streams top` lists."""
    code, out, err = run("streams", "artists", "--limit", "20", "-f", "json")
    assert code == 0, err
    artists = [(row["artist"], row["streams"]) for row in json.loads(out)]
    assert len(artists) == 20 and [row["rank"] for row in json.loads(out)] == list(range(1, 21))
    with MusicFlow.open(Settings(data_dir=listener)) as app:
        page = app.taste_page(PROFILE).taste.top_artists
    assert page and artists[: len(page)] == [(count.label, count.value) for count in page]
    code, out, _ = run("streams", "top", "--limit", "1000000", "-f", "json")
    by_artist: Counter[str] = Counter()
    for song in json.loads(out):
        by_artist[song["artist"]] += song["streams"]
    assert artists == [(name, by_artist[name]) for name, _ in artists]
    assert [streams for _, streams in artists] == sorted((s for _, s in artists), reverse=True)
    code, out, _ = run("streams", "artists", "--limit", "3")
    assert code == 0 and [row[1:] for row in cells(out)[1:]] == [
        [name, f"{streams:,}"] for name, streams in artists[:3]
    ]


@pytest.mark.slow  # each command is a process of its own, writing into a pipe nobody reads
@pytest.mark.parametrize(
    "command",
    [
        ["predict", "--song", "Everlong", "--artist", "Foo Fighters"],  # a Rich table: exit 1, before
        ["predict", "--song", "Everlong", "--artist", "Foo Fighters", "-f", "csv"],
        ["streams", "top", "--limit", "5000", "-f", "csv"],  # csv.writer on stdout: exit 1, before
        ["streams", "top", "--limit", "5000"],
        ["streams", "artists", "-f", "json"],
        ["models", "list"],
    ],
)
def test_a_reader_that_stops_reading_ends_every_command_quietly(listener: Path, command: list[str]):
    """`musicflow ... | head -1`: exit 0 and nothing said, as `streams top` did (by chance: its table went
    out in one write), whichever way a command writes (Rich, csv, json)."""
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone before the first line
    env = {**os.environ, "MUSICFLOW_DATA_DIR": str(listener)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "musicflow", *command],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    finally:
        os.close(writing)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
