"""A prediction has one JSON form: the API's GET, its list route and the CLI's `--format json` agree; so
has a job."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from musicflow.api.schemas import PredictionBody
from musicflow.app.service import MusicFlow
from musicflow.cli.command_tree import app
from musicflow.config import Settings
from tests.api.conftest import ClientFactory
from tests.trained import PROFILE

SONG = {"song": "Blinding Lights", "artist": "The Weeknd"}


def test_the_single_and_the_list_route_give_the_same_document(api: ClientFactory):
    client = api()
    alone = client.get("/api/prediction/", params=SONG)
    listed = client.post("/api/predictions", json=[SONG])
    assert alone.status_code == 200 and listed.status_code == 200
    body = alone.json()
    in_list = listed.json()["answers"][0]["prediction"]
    assert in_list == body  # the same document, reasons and all
    PredictionBody.model_validate(body)  # the documented shape, every field of it
    assert body["prediction"] == round(body["prediction"], 2) and body["reasons"]
    assert body["basis"] and body["artist_affinity"]["streams"] >= 0


def test_a_list_is_one_document_from_the_api_and_the_command_line(api: ClientFactory, tmp_path: Path):
    songs = [SONG, {"song": "Nothing Like It", "artist": "Nobody"}, {"song": "", "artist": "Nobody"}]
    listed = api().post("/api/predictions", json=songs)
    assert listed.status_code == 200
    asked = tmp_path / "songs.csv"
    asked.write_text(
        "song,artist\n" + "".join(f"{s['song']},{s['artist']}\n" for s in songs), encoding="utf-8"
    )
    written = tmp_path / "predictions.json"
    result = CliRunner().invoke(
        app, ["predict", "--input", str(asked), "-f", "json", "--output", str(written)]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(written.read_text(encoding="utf-8")) == listed.json()
    answers = listed.json()["answers"]
    assert answers[0]["prediction"] and answers[1]["problem"]["suggestions"] is not None
    assert answers[2]["error"] == "song and artist are both needed"


def test_a_job_is_one_document_from_the_api_and_the_command_line_its_times_in_iso_8601(
    api: ClientFactory, data_dir: Path
):
    """`GET /api/jobs` and `jobs list --format json` gave a job's times as Unix seconds (1700000000.0),
    where a model version's `created_at` and every command's JSON give ISO 8601."""
    with MusicFlow.open(Settings(data_dir=data_dir)) as opened:
        opened.jobs_store.add_job("sent", PROFILE, "upload", None, 1_700_000_000.0, "an upload")
        stored = {"plays": 3, "new_plays": 3, "files": 1}
        opened.jobs_store.update_job("sent", 1_700_000_090.5, state="done", stage="done", result=stored)
    client = api()
    listed = client.get("/api/jobs")
    assert listed.status_code == 200
    result = CliRunner().invoke(app, ["jobs", "list", "--profile", PROFILE, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == listed.json()
    (sent,) = [job for job in listed.json() if job["id"] == "sent"]
    assert (sent["created_at"], sent["updated_at"]) == (
        "2023-11-14T22:13:20+00:00",
        "2023-11-14T22:14:50+00:00",
    )
    assert client.get("/api/jobs/sent").json() == sent
