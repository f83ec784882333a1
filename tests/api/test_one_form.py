"""A prediction has one JSON form: the API's GET, its list route and the CLI's `--format json` agree."""

from __future__ import annotations

from musicflow.api.schemas import PredictionBody
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
