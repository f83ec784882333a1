"""`musicflow jobs run|list` as a user runs them: the schedule's turn, and each job's kind and why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from tests.trained import copy_of

runner = CliRunner()


def test_jobs_run_takes_the_schedules_turn_then_lists_kind_and_why(
    trained_listener: Path, isolated_environment: Path
) -> None:
    # Its ingest queued a retrain, and the `train` that followed learned from every play: that did it.
    copy_of(trained_listener, isolated_environment)
    ran = runner.invoke(app, ["jobs", "run"])
    assert ran.exit_code == 0, ran.output
    assert "The schedule queued 0 jobs." in ran.stdout  # nothing new to learn, no song to ask again
    assert "No job is waiting." in ran.stdout

    again = runner.invoke(app, ["jobs", "run"])
    assert again.exit_code == 0 and "No job is waiting." in again.stdout
    assert "schedule" not in again.stdout  # it ran a moment ago: not due for a day

    listed = json.loads(runner.invoke(app, ["jobs", "list", "--format", "json"]).stdout)
    kinds = {(job["kind"], job["reason"]) for job in listed}
    assert ("train", "new plays ingested") in kinds and ("ingest", "musicflow ingest") in kinds
    (retrain,) = [job for job in listed if job["kind"] == "train"]
    assert retrain["state"] == "done"
    assert retrain["result"] == {"training": "done by another training: model v1"}
    table = runner.invoke(app, ["jobs", "list"], terminal_width=200).stdout
    assert "why" in table and "new plays ingested" in table


def test_the_schedule_does_not_claim_the_retrain_an_ingest_queued(
    trained_listener: Path, isolated_environment: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New plays queued a retrain with its own reason; the schedule, due at once, asks for that retrain
    too and finds it waiting: it says it queued none, and the retrain runs."""
    copy_of(trained_listener, isolated_environment)
    monkeypatch.setenv("MUSICFLOW_MODEL_EVALUATION_SEEDS", "1")
    more = shared_data / "histories/basic/musicflow_example/StreamingHistory0.json"
    ingested = runner.invoke(app, ["ingest", str(more)])
    assert ingested.exit_code == 0 and "a retrain of this profile is queued" in ingested.stderr
    ran = runner.invoke(app, ["jobs", "run"])
    assert ran.exit_code == 0, ran.output
    lines = ran.stdout.splitlines()
    assert lines[0] == "The schedule queued 1 job.", ran.stdout  # the songs the new plays brought to ask
    assert lines[1].startswith("  refresh of default: scheduled:"), ran.stdout
    assert "  train of default: new plays ingested" not in lines, ran.stdout
    assert any(line.endswith("(train, default): done: model v2 serving") for line in lines), ran.stdout


def test_jobs_list_names_the_files_an_import_could_not_read(isolated_environment: Path) -> None:
    from musicflow.app.service import MusicFlow
    from musicflow.config import load_settings

    with MusicFlow.open(load_settings()) as opened:
        opened.jobs_store.add_job("sent", "me", "upload", None, 1_700_000_000.0, "an upload")
        left_out = ["my_spotify_data.zip!StreamingHistory_music_1.json: not JSON (unexpected end of data)"]
        result = {"plays": 3, "new_plays": 3, "files": 1, "files_unreadable": left_out}
        opened.jobs_store.update_job("sent", 1.0, state="done", stage="done", result=result)
    table = runner.invoke(app, ["jobs", "list"], terminal_width=400).stdout
    said = " ".join(table.replace("│", " ").split())
    assert (
        "3 new plays of 3; 1 file could not be read (my_spotify_data.zip!StreamingHistory_music_1.json:"
        in said
    )
