"""`musicflow score` and `musicflow recommend` as a user runs them, on the trained demo listener."""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from musicflow.scale import job
from musicflow.scale.partitions import score_partition
from tests.scale.catalogs import native_catalog
from tests.trained import copy_of

runner = CliRunner()


@pytest.fixture
def listener(trained_listener: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "data"
    copy_of(trained_listener, target)
    monkeypatch.setenv("MUSICFLOW_DATA_DIR", str(target))


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_score_writes_every_song_and_says_so(listener: None, tmp_path: Path):
    catalog = native_catalog(tmp_path / "songs.parquet", 1_200)
    code, out, err = run("score", str(catalog), "--out", str(tmp_path / "scored.csv"))
    assert code == 0, err
    assert out.strip() == (
        f"1,200 songs scored into {tmp_path / 'scored.csv'} with model v1 (1 part on the local engine)."
    )
    scored = pl.read_csv(tmp_path / "scored.csv")
    assert scored.columns == [
        "spotify_id",
        "song",
        "artist",
        "predicted_streams",
        "model_version",
        "played",
        "banned",
    ]
    assert scored.height == 1_200


def test_an_output_file_score_cannot_write_is_a_usage_error_before_any_work(isolated_environment: Path):
    """`--out scores.txt` was said after the store was opened and the model loaded, exit 1."""
    code, out, err = run("score", "bundled", "--out", str(isolated_environment.parent / "scores.txt"))
    assert (code, out) == (2, "")
    assert err.startswith("Usage: ") and "write the predictions to a .parquet or .csv file" in err
    assert not isolated_environment.exists()


@pytest.mark.slow  # starts a local Dask cluster
def test_scoring_on_dask_says_its_result_without_dasks_own_logging(listener: None, tmp_path: Path):
    """The cluster started for the job logged some 35 lines at INFO (schedulers, nannies, workers) around
    the one line of the result, at the default log level WARNING. Its dashboard's link is given only
    where a dashboard is served: without bokeh, the page there says "Dask needs bokeh"."""
    catalog = native_catalog(tmp_path / "songs.parquet", 300)
    code, out, err = run("score", str(catalog), "--out", str(tmp_path / "scored.parquet"), "--engine", "dask")
    assert code == 0, err
    assert out.strip() == (
        f"300 songs scored into {tmp_path / 'scored.parquet'} with model v1 (1 part on the dask engine)."
    )
    if importlib.util.find_spec("bokeh") is None:
        assert err == ""
    else:
        assert err.startswith("Dask dashboard: http") and err.count("\n") == 1, err


@pytest.mark.slow  # starts a Dask cluster
def test_a_scheduler_of_ones_own_without_a_dashboard_is_given_no_dashboards_link(
    listener: None, tmp_path: Path
):
    """A scheduler without bokeh answers its dashboard's link "Dask needs bokeh" (or 404 Not Found), yet
    `score --scheduler` printed "Dask dashboard: http://127.0.0.1:8787/status" of it."""
    from distributed import LocalCluster

    catalog = native_catalog(tmp_path / "songs.parquet", 300)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", dashboard_address=":0"
    ) as cluster:
        code, out, err = run(
            "score",
            str(catalog),
            "--out",
            str(tmp_path / "scored.parquet"),
            "--engine",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert code == 0, err
    assert out.startswith("300 songs scored into")
    if importlib.util.find_spec("bokeh") is None:
        assert err == ""
    else:
        assert err.startswith("Dask dashboard: http") and err.count("\n") == 1, err


def test_a_scheduler_where_nothing_listens_is_one_line_at_once(listener: None, tmp_path: Path):
    """It took Dask's whole connect timeout (10 s); `--scheduler nonsense` ended in a traceback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    catalog = native_catalog(tmp_path / "songs.parquet", 300)
    for address, said in (
        (
            f"tcp://127.0.0.1:{port}",
            f"no Dask scheduler answers at tcp://127.0.0.1:{port} (nothing listens there)",
        ),
        ("nonsense", "--scheduler nonsense: not a Dask scheduler address (like tcp://HOST:8786)"),
    ):
        started = time.monotonic()
        code, out, err = run(
            "score",
            str(catalog),
            "--out",
            str(tmp_path / "scored.csv"),
            "--engine",
            "dask",
            "--scheduler",
            address,
        )
        assert (code, out, err) == (2, "", f"error: {said}\n")
        assert time.monotonic() - started < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "songs.parquet"]


FILE_SIZE_LIMIT = """
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv.pop(1)),) * 2)
from musicflow.cli import main
sys.argv[0] = "musicflow"
main()
"""


@pytest.mark.slow  # runs the command in a process of its own
def test_an_output_the_disk_cannot_hold_is_one_line_and_leaves_nothing_that_looks_whole(
    listener: None, tmp_path: Path
):
    """A process whose files may not grow past 150 kB (as on a full disk, the system refuses the write:
    "File too large") writes the parts (Parquet, smaller) but not the CSV output. It ended in a traceback
    (polars' ComputeError), with a half-written temporary file beside the output."""
    catalog = native_catalog(tmp_path / "songs.parquet", 3_000)
    out = tmp_path / "scored.csv"
    command = [sys.executable, "-c", FILE_SIZE_LIMIT, "150000", "score", str(catalog), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        f"error: cannot write {out}: File too large; 1 of 1 part is scored and kept: the same command with"
        " --resume goes on from them\n"
    )
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("scored")]  # nor a temporary
    code, said, err = run("score", str(catalog), "--out", str(out), "--resume")
    assert code == 0, err
    assert "(1 part on the local engine, 1 already done before)" in said
    assert pl.read_csv(out).height + pl.read_csv(tmp_path / "scored.rejected.csv").height == 3_000


def test_ctrl_c_before_any_part_of_a_converted_catalog_is_scored_says_resume_goes_on_from_it(
    listener: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Ctrl-C once a CSV catalog was converted but before a part was scored said "run the command again
    to go on", where the command run again converts the file again: `--resume` goes on from it."""
    catalog = tmp_path / "songs.csv"
    native_catalog(tmp_path / "songs.parquet", 1_000)
    pl.read_parquet(tmp_path / "songs.parquet").write_csv(catalog)
    out = tmp_path / "scored.csv"
    run_job = job.run_job

    def ctrl_c_in_part_0(pack: Any, partition: Any, job_dir: str, threads: int) -> dict[str, int]:
        os.kill(os.getpid(), signal.SIGINT)  # Python raises KeyboardInterrupt at once, here
        return score_partition(pack, partition, job_dir, threads)

    monkeypatch.setattr(job, "run_job", functools.partial(run_job, partition_rows=500, task=ctrl_c_in_part_0))
    code, said, err = run("score", str(catalog), "--out", str(out))
    assert code == 130
    assert err == (
        "\ninterrupted: the catalog is converted and kept, none of its 2 parts scored yet: the same command"
        " with --resume goes on from it\n"
    )
    monkeypatch.setattr(job, "run_job", functools.partial(run_job, partition_rows=500))
    code, said, err = run("score", str(catalog), "--out", str(out), "--resume")
    assert code == 0, err
    assert said.strip() == f"1,000 songs scored into {out} with model v1 (2 parts on the local engine)."


def test_ctrl_c_during_a_job_says_what_is_kept_and_how_to_go_on(
    listener: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Ctrl-C said "run the command again to go on": run again as it was, the job started over; it is
    `--resume` that goes on from the parts kept. (Parts of 500 rows here, so that a small catalog has
    several.)"""
    catalog = native_catalog(tmp_path / "songs.parquet", 3_000)
    out = tmp_path / "scored.parquet"
    run_job = job.run_job

    def ctrl_c_during_part_3(pack: Any, partition: Any, job_dir: str, threads: int) -> dict[str, int]:
        if partition["index"] == 3:
            os.kill(os.getpid(), signal.SIGINT)  # Python raises KeyboardInterrupt at once, here
        return score_partition(pack, partition, job_dir, threads)

    monkeypatch.setattr(
        job, "run_job", functools.partial(run_job, partition_rows=500, task=ctrl_c_during_part_3)
    )
    code, said, err = run("score", str(catalog), "--out", str(out))
    assert code == 130
    kept = "3 of 6 parts are scored and kept: the same command with --resume goes on from them"
    assert err == f"\ninterrupted: {kept}\n"
    assert not out.exists()
    monkeypatch.setattr(job, "run_job", functools.partial(run_job, partition_rows=500))
    code, said, err = run("score", str(catalog), "--out", str(out), "--resume")
    assert code == 0, err
    assert "(6 parts on the local engine, 3 already done before)" in said


def test_score_refuses_what_it_cannot_read_in_one_line(listener: None, tmp_path: Path):
    code, _, err = run("score", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv"))
    assert code != 0
    assert "neither a catalog file nor an imported catalog" in err
    assert "Traceback" not in err
    code, _, err = run("score", "bundled", "--out", str(tmp_path / "o.csv"), "--scheduler", "tcp://x:1")
    assert code != 0
    assert "--engine dask" in err


@pytest.mark.slow  # scores the whole bundled catalog, twice
def test_recommend_as_csv_and_json(listener: None):
    code, out, err = run("recommend", "--top", "5", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5
    assert list(rows[0]) == [
        "song",
        "artist",
        "spotify_id",
        "predicted_streams",
        "popularity",
        "artist_streams",
        "version_of",
        "how_sure",
        "ranked_by",
        "reasons",
    ]
    assert rows[0]["how_sure"] and "times in 100" in rows[0]["how_sure"]
    code, out, err = run("recommend", "--top", "5")  # the table says how sure once, under it
    assert code == 0, err
    assert f"How sure: {rows[0]['how_sure']}" in " ".join(out.split())
    assert rows[0]["ranked_by"] and rows[0]["ranked_by"] in " ".join(out.split())  # said under the table
    # Ranked with the catalog's popularity (the demo listener's choice), the table shows it beside each
    # song, so that an order not by predicted streams can be read.
    assert "popularity together" in rows[0]["ranked_by"]
    header = next(line for line in out.splitlines() if "predicted streams" in line)
    assert "popularity" in header
    for row in rows:
        assert row["popularity"] and 0 <= float(row["popularity"]) <= 100
        assert f" {float(row['popularity']):.0f} " in next(
            line for line in out.splitlines() if row["song"] in line
        )
    code, out, err = run(
        "recommend", "--top", "3", "--format", "json", "--per-artist", "1", "--by-prediction"
    )
    assert code == 0, err
    document = json.loads(out)
    assert (document["top"], document["per_artist"], document["by_prediction"]) == (3, 1, True)
    assert document["catalogs"] == ["bundled"] and document["model_version"] == 1
    found = document["recommendations"]
    assert len(found) == 3
    assert len({r["artist"] for r in found}) == 3
    assert [r["predicted_streams"] for r in found] == sorted(
        (r["predicted_streams"] for r in found), reverse=True
    )
    assert all(r["reasons"] for r in found)


@pytest.mark.slow  # scores the whole bundled catalog
def test_a_recommendation_says_which_reasons_lowered_its_estimate(listener: None):
    """Under "why", a reason that lowered the estimate says so ("↓ ..."): without it, "you streamed
    Coldplay since 2024" beside a song reads as a reason for it. `predict` gives the same reason the
    same way."""
    code, out, err = run("recommend", "--top", "50", "--format", "json")
    assert code == 0, err
    found = json.loads(out)["recommendations"]
    reasons = [(r, words) for r in found for words in r["reasons"] if words != r["version_of"]]
    assert reasons and all(words[:2] in ("↑ ", "↓ ") for _, words in reasons)
    lowered = [(r, words) for r, words in reasons if words.startswith("↓ ")]
    assert lowered  # the demo's top 50 hold some
    item, words = lowered[0]
    code, out, err = run("predict", "--song", item["song"], "--artist", item["artist"], "--format", "json")
    assert code == 0, err
    said = {reason["words"]: reason["contribution"] for reason in json.loads(out)["reasons"]}
    assert said[words[2:]] < 0


def test_each_rejected_row_names_its_song_artist_and_line_of_a_csv_file(listener: None, tmp_path: Path):
    """A row whose value could not be read as a number (`danceability=abc`) was rejected with its song and
    artist left empty, though the file names them; and the rejected file's `row` was the file's line
    for a CSV file but the row of data for a Parquet file, under one name."""
    catalog = tmp_path / "mine.csv"
    catalog.write_text(
        "track_id,track_name,artist_name,danceability,energy,tempo,key,mode,loudness\n"
        "id00000000000000000001,Good One,Somebody,0.5,0.6,120,1,1,-5\n"
        "id00000000000000000002,Not Danceable,Band A,abc,0.6,120,1,1,-5\n"
        "id00000000000000000003,Too Energetic,Band B,0.5,7.5,120,1,1,-5\n"
        "id00000000000000000004,Cut Short,Band C\n",
        encoding="utf-8",
    )
    code, out, err = run("score", str(catalog), "--out", str(tmp_path / "scored.csv"))
    assert code == 0, err
    assert "3 rows could not be scored" in " ".join(out.split())
    with (tmp_path / "scored.rejected.csv").open(encoding="utf-8") as lines:
        reader = csv.DictReader(lines)
        assert reader.fieldnames == ["line", "song", "artist", "reason"]
        rows = list(reader)
    assert [(r["line"], r["song"], r["artist"]) for r in rows] == [
        ("3", "Not Danceable", "Band A"),
        ("4", "Too Energetic", "Band B"),
        ("5", "Cut Short", "Band C"),
    ]
    assert "danceability" in rows[0]["reason"] and "abc" in rows[0]["reason"]

    parquet = tmp_path / "mine.parquet"
    pl.read_csv(catalog, truncate_ragged_lines=True).write_parquet(parquet)
    code, _, err = run("score", str(parquet), "--out", str(tmp_path / "scored.parquet"))
    assert code == 0, err
    of_parquet = pl.read_parquet(tmp_path / "scored.rejected.parquet")
    assert of_parquet.columns == ["row", "song", "artist", "reason"]
    assert of_parquet.select("row", "song", "artist").rows() == [
        (2, "Not Danceable", "Band A"),
        (3, "Too Energetic", "Band B"),
        (4, "Cut Short", "Band C"),  # a Parquet file's row is not cut short: it has no audio feature
    ]
