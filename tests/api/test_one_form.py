"""A prediction has one JSON form: the API's GET, its list route and the CLI's `--format json` agree."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from musicflow.api.schemas import PredictionBody
from musicflow.cli.command_tree import app
from tests.api.conftest import ClientFactory

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
