"""`musicflow jobs run|list` as a user runs them: the schedule's turn, and each job's kind and why."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert "The schedule queued 0 job(s)." in ran.stdout  # nothing new to learn, no song to ask again
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
