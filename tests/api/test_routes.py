"""Every route as a client calls it, on the trained demo listener: the original shapes and what is added."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.testclient import TestClient

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.api.conftest import ClientFactory
from tests.trained import PROFILE

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"  # a moment as every answer gives one

SONG = {"song": "Blinding Lights", "artist": "The Weeknd"}
UNKNOWN = {"song": "Zzyzx Road", "artist": "Nobody At All"}


def test_health_live_and_ready(asking: TestClient):
    client = asking
    assert client.get("/api/health").json() == {"status": "ok"}
    assert client.get("/api/health/live").status_code == 200
    ready = client.get("/api/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "profile": PROFILE, "model_version": 2}


def test_not_ready_without_a_model(api: ClientFactory):
    client = api(profile="nobody-yet")
    ready = client.get("/api/health/ready")
    assert ready.status_code == 503
    assert ready.json()["error"]["kind"] == "not ready"
    assert "nobody-yet" in ready.json()["error"]["message"]
    assert client.get("/api/health").json() == {"status": "ok"}  # the process itself is up


def test_raw_features_name_each_source_and_when(asking: TestClient):
    body = asking.get("/api/raw_features/", params=SONG).json()
    assert body["song"] == SONG["song"] and body["artist"] == SONG["artist"]
    (answer,) = body["answers"]
    assert answer["source"] == "catalog" and answer["origin"] == "bundled"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", answer["fetched_at"])
    assert answer["values"]["tempo"] > 0 and answer["spotify_id"]


def test_features_in_the_original_shape_with_nothing_made_up(asking: TestClient, asked_dir: Path):
    body = asking.get("/api/features/", params=SONG).json()
    assert set(body) >= {"track", "album", "audio_features"}
    with MusicFlow.open(Settings(data_dir=asked_dir)) as app:
        merged = app.song_features(SONG["song"], SONG["artist"]).merged
    assert body["track"]["name"] == SONG["song"] and body["track"]["artist"] == SONG["artist"]
    assert body["track"]["duration_ms"] == merged.values["duration_ms"]
    assert body["track"]["explicit"] is None and "explicit" not in merged.values  # the catalog lacks it
    assert body["track"]["markets"] is None
    year = merged.values["release_year"]
    assert body["album"]["release_date"].startswith(str(year))
    assert body["album"]["date_is_complete"] == ("release_day" in merged.values)
    for name, value in body["audio_features"].items():
        assert value == merged.values.get(name)
    assert body["feature_sources"]["tempo"] == "catalog:bundled"


def test_prediction_in_the_original_shape_and_more(asking: TestClient, asked_dir: Path):
    response = asking.get("/api/prediction/", params=SONG)
    assert response.status_code == 200
    body = response.json()
    with MusicFlow.open(Settings(data_dir=asked_dir)) as app:
        expected = app.predict(PROFILE, SONG["song"], SONG["artist"])
    assert body["song"] == SONG["song"] and body["artist"] == SONG["artist"]
    assert body["prediction"] == round(expected.streams, 2) and 0 <= body["prediction"] <= 30
    assert body["song_metadata"] == {"song": SONG["song"], "artist": [SONG["artist"]], "album": None}
    assert f"{body['message']['emoji']} {body['message']['text']}" == expected.verdict
    assert body["description"]
    assert body["model_version"] == expected.model_version == 2 and body["profile"] == PROFILE
    assert body["reasons"] and all(r["words"] and r["feature"] for r in body["reasons"])
    assert body["feature_sources"]["tempo"] == "catalog:bundled"


def test_an_unknown_song_is_a_404_naming_what_was_searched(asking: TestClient):
    response = asking.get("/api/prediction/", params=UNKNOWN)
    assert response.status_code == 404
    body = response.json()["error"]
    assert body["searched"] == UNKNOWN and body["sources_asked"] == ["catalog"]
    assert "Zzyzx Road" in body["message"] and body["hint"]
    assert "musicflow " not in body["message"]


def test_an_unknown_profile_is_a_404_listing_profiles_only_if_allowed(api: ClientFactory):
    hidden = api().get("/api/prediction/", params={**SONG, "profile": "alex"})
    assert hidden.status_code == 404 and "profiles" not in hidden.json()["error"]
    assert "alex" in hidden.json()["error"]["message"]
    shown = api(api_list_profiles=True).get("/api/models", params={"profile": "alex"})
    assert shown.status_code == 404 and shown.json()["error"]["profiles"] == [PROFILE]


def test_an_unknown_profile_is_said_not_to_be_there_not_to_be_empty(api: ClientFactory):
    """A case variant of the profile there is, or a name nobody has: no profile of that name holds plays
    here (it read "profile 'Default' has no data yet", as if it were there, empty), and with listing off
    the message names no other profile. Every route that takes a profile says it alike, the song
    features' too (an unknown profile was taken there as no history, and answered 200)."""
    client = api()
    variant = PROFILE.capitalize()
    assert variant != PROFILE
    for named in (variant, "nobody"):
        for route in (
            "/api/prediction/",
            "/api/features/",
            "/api/raw_features/",
            "/api/models",
            "/api/accuracy",
        ):
            answer = client.get(route, params={**SONG, "profile": named})
            assert answer.status_code == 404, (route, answer.text)
            error = answer.json()["error"]
            assert error["message"] == f"no profile '{named}' with plays on this server", route
            assert "profiles" not in error and f"'{PROFILE}'" not in answer.text, route
    for route in ("/api/features/", "/api/raw_features/"):  # none named: the server's profile
        assert client.get(route, params=SONG).status_code == 200, route
        assert client.get(route, params={**SONG, "profile": PROFILE}).status_code == 200, route


def test_a_list_of_songs_gets_one_answer_each_in_order(asking: TestClient):
    songs = [SONG, UNKNOWN, {"song": "Everlong", "artist": "Foo Fighters", "spotify_id": None}]
    response = asking.post("/api/predictions", json=songs)
    assert response.status_code == 200
    answers = response.json()["answers"]
    assert [a["prediction"]["song"] if a["prediction"] else None for a in answers] == [
        "Blinding Lights",
        None,
        "Everlong",
    ]
    assert answers[1]["error"].startswith("nothing known of this song")
    single = asking.get("/api/prediction/", params=SONG).json()
    assert answers[0]["prediction"]["prediction"] == single["prediction"]
    # the song that could not be answered: the error body the song asked alone gets, in the list
    alone = asking.get("/api/prediction/", params=UNKNOWN)
    assert alone.status_code == 404
    problem = {field: value for field, value in answers[1]["problem"].items() if value is not None}
    assert problem == alone.json()["error"] and problem["suggestions"] is not None
    assert answers[0]["problem"] is None and answers[2]["problem"] is None


def test_a_model_with_no_play_after_its_cut_off_claims_no_mean_of_streams_since(api: ClientFactory):
    """Before any play after the last one the model learned from is here, no song it was asked about is
    judged: each band says how many songs it holds and their mean predicted, and no mean of streams
    since (it said 0.0 for every band); the taste page draws no chart of it and says what would judge it."""
    client = api()
    app: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    songs = [{"song": top.track, "artist": top.artist} for top in app.top_streams(PROFILE, 12)]
    assert client.post("/api/predictions", json=[*songs, SONG]).status_code == 200
    app.logged_predictions(PROFILE)  # what waits in the log is written
    document = client.get("/api/accuracy").json()
    (version,) = document["versions"]
    assert version["plays_after"] == 0 and version["auc"] is None
    for judged in (version, document["drift"]):  # the cut-off in ISO 8601 alone (no Unix seconds beside it)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", judged["cut_off_at"])
        assert "cut_off" not in judged
    held = [band for band in version["calibration"] if band["songs"]]
    assert sum(band["songs"] for band in held) == version["songs"] > 0
    assert all(band["mean_streams"] is None for band in version["calibration"])
    assert all(band["mean_predicted"] is not None for band in held)
    taste = client.get("/taste").text
    assert "no play after that is here yet" in taste and 'id="calibration"' not in taste


def test_input_limits_are_422(asking: TestClient):
    client = asking
    assert client.get("/api/prediction/", params={"song": "x" * 201, "artist": "a"}).status_code == 422
    assert client.get("/api/prediction/", params={"song": "x"}).status_code == 422
    too_many = [SONG] * 101
    response = client.post("/api/predictions", json=too_many)
    assert response.status_code == 422 and response.json()["error"]["problems"]
    assert client.post("/api/predictions", json=[{"song": "a" * 201, "artist": "b"}]).status_code == 422


def test_models_list_show_and_nothing_changes_them(asking: TestClient):
    client = asking
    listed = client.get("/api/models").json()
    assert listed["serving_version"] == 2
    assert [(v["version"], v["is_champion"]) for v in listed["versions"]] == [(2, True), (1, False)]
    detail = client.get("/api/models/1").json()
    assert detail["version"] == 1 and not detail["serving"]
    assert {s["split"] for s in detail["evaluation"]["splits"]} == {"time", "random"}
    assert client.get("/api/models/champion").json()["version"] == 2
    assert client.get("/api/models/9").status_code == 404
    assert client.post("/api/models/1").status_code == 405
    assert client.put("/api/models/1").status_code == 405


def test_the_schema_publishes_every_route_and_its_errors(asking: TestClient):
    schema = asking.get("/openapi.json").json()
    prediction = schema["paths"]["/api/prediction/"]["get"]["responses"]
    assert {"200", "404", "422", "429", "502", "503"} <= set(prediction)
    assert set(schema["paths"]) >= {
        "/api/health",
        "/api/health/live",
        "/api/health/ready",
        "/api/raw_features/",
        "/api/features/",
        "/api/prediction/",
        "/api/predictions",
        "/api/models",
        "/api/models/{version}",
    }
    assert asking.get("/docs").status_code == 200


def test_a_time_is_one_kind_of_value_wherever_the_schema_names_one(asking: TestClient):
    """A job's `created_at` was a number (Unix seconds) where a model version's was ISO 8601 text: one
    name, two meanings. Every `..._at` of the schema is ISO 8601 text now, and so is an evaluation's
    `cutoff` (Unix seconds before); the accuracy's cut-off is its `cut_off_at` alone (it was also `cut_off`,
    a number, where `models show`'s `learned_from.cut_off` is an object)."""
    schemas = asking.get("/openapi.json").json()["components"]["schemas"]
    times = {
        (name, field): spec
        for name, schema in schemas.items()
        for field, spec in schema.get("properties", {}).items()
        if field.endswith("_at")
    }
    assert {("JobBody", "created_at"), ("JobBody", "updated_at"), ("ModelSummary", "created_at")} <= set(
        times
    )
    assert {("VersionAccuracy", "cut_off_at"), ("DriftBody", "cut_off_at")} <= set(times)
    for spec in times.values():
        assert (spec["type"], spec["format"]) == ("string", "date-time"), spec
    assert not [name for name, schema in schemas.items() if "cut_off" in schema.get("properties", {})]
    cutoff = schemas["EvaluationSplit"]["properties"]["cutoff"]
    assert {"type": "string", "format": "date-time"} in cutoff["anyOf"], cutoff
    for version in asking.get("/api/models").json()["versions"]:
        assert re.fullmatch(ISO, version["created_at"])
        detail = asking.get(f"/api/models/{version['version']}").json()
        splits = {split["split"]: split["cutoff"] for split in detail["evaluation"]["splits"]}
        assert re.fullmatch(ISO, splits["time"]) and splits["random"] is None
        app: MusicFlow = asking.app.state.musicflow  # type: ignore[attr-defined]
        (stored,) = [s for s in app.model(PROFILE, version["version"]).evaluation["splits"] if s["cutoff"]]
        assert dt.datetime.fromisoformat(splits["time"]).timestamp() == stored["cutoff"]  # Unix seconds kept
