"""Names as people type them, over HTTP: an answer for a near name names it; nothing near enough is a
404 with the nearest songs known, as the schema documents."""

from __future__ import annotations

from fastapi.testclient import TestClient

from musicflow.api.schemas import ApiError, PredictionBody

SUGAR = {"song": "Sugar", "artist": "Maroon 5"}


def test_a_near_name_is_answered_and_named(asking: TestClient):
    client = asking
    response = client.get("/api/prediction/", params={"song": "Sugar", "artist": "maroon5"})
    assert response.status_code == 200
    body = response.json()
    PredictionBody.model_validate(body)
    assert body["matched"] == SUGAR and (body["song"], body["artist"]) == ("Sugar", "Maroon 5")
    assert body["did_you_mean"] == "did you mean 'Sugar' by Maroon 5?"
    typed_right = client.get("/api/prediction/", params=SUGAR).json()
    assert typed_right["matched"] is None and typed_right["did_you_mean"] is None
    assert typed_right["prediction"] == body["prediction"]  # the same song, the same answer

    listed = client.post("/api/predictions", json=[{"song": "Sugr", "artist": "Maroon5"}]).json()
    assert listed["answers"][0]["prediction"]["matched"] == SUGAR


def test_a_typo_in_a_song_you_streamed_is_answered_with_your_streams_of_it(asking: TestClient):
    """An artist the listener streams answered a mistyped title from their history of the artist alone,
    silent about the song they streamed; a near song of theirs is answered for, and named."""
    typed = asking.get("/api/prediction/", params={"song": "Smells Like Teen Spirt", "artist": "nirvana"})
    assert typed.status_code == 200
    body = typed.json()
    PredictionBody.model_validate(body)
    right = asking.get("/api/prediction/", params={"song": "Smells Like Teen Spirit", "artist": "Nirvana"})
    assert body["did_you_mean"] == "did you mean 'Smells Like Teen Spirit' by Nirvana?"
    assert body["history"]["song_streams"] == right.json()["history"]["song_streams"] > 0
    assert body["prediction"] == right.json()["prediction"]
    nobody = asking.get("/api/prediction/", params={"song": "A Song Nobody Wrote", "artist": "Nirvana"})
    assert nobody.status_code == 200 and nobody.json()["matched"] is None  # no near song: their history
    assert nobody.json()["basis"] == "your history of this artist only"


def test_a_song_of_yours_asked_with_an_id_nothing_holds_is_not_a_did_you_mean_of_itself(asking: TestClient):
    """A song of the listener's no source has features for, asked with a Spotify id of another recording
    (one of their export's other ids for it, which no track holds), was answered "did you mean 'Outside'
    by Staind?" to a question about Outside by Staind."""
    asked = {"song": "Outside", "artist": "Staind"}
    by_name = asking.get("/api/prediction/", params=asked).json()
    assert by_name["history"]["song_streams"] > 0 and not by_name["features"]  # theirs; no source has it
    with_id = asking.get("/api/prediction/", params={**asked, "spotify_id": "0" * 21 + "1"})
    assert with_id.status_code == 200
    body = with_id.json()
    assert body["matched"] is None and body["did_you_mean"] is None
    assert (body["song"], body["artist"]) == ("Outside", "Staind")
    assert body["history"] == by_name["history"] and body["prediction"] == by_name["prediction"]
    other = {"song": "Enjoy the Silence", "artist": "Depeche Mode"}
    sent = [{**asked, "spotify_id": "0" * 21 + "1"}, {**other, "spotify_id": "0" * 21 + "2"}]
    listed = asking.post("/api/predictions", json=sent).json()["answers"]
    assert [answer["prediction"]["did_you_mean"] for answer in listed] == [None, None]
    assert [answer["prediction"]["song"] for answer in listed] == ["Outside", "Enjoy the Silence"]
    assert listed[0]["prediction"]["history"] == by_name["history"]


def test_the_features_of_a_near_name_say_which_song_they_are(asking: TestClient):
    body = asking.get("/api/features/", params={"song": "Back To Slep", "artist": "chris brown"}).json()
    assert body["matched"] == {"song": "Back To Sleep", "artist": "Chris Brown"}
    assert body["track"]["name"] == "Back To Sleep" and body["audio_features"]["tempo"]
    raw = asking.get("/api/raw_features/", params={"song": "Blinding Lights", "artist": "The Weeknd"}).json()
    assert raw["matched"] is None


def test_nothing_near_enough_is_a_404_with_the_nearest_songs(asking: TestClient):
    asked = {"song": "Sugar", "artist": "Marooon Fiev"}
    response = asking.get("/api/prediction/", params=asked)
    assert response.status_code == 404
    ApiError.model_validate(response.json())
    body = response.json()["error"]
    assert body["searched"] == asked and body["kind"] == "not found"
    assert body["suggestions"][0] == SUGAR and len(body["suggestions"]) <= 5
    assert all(s["song"].casefold() == "sugar" for s in body["suggestions"])

    far = asking.get("/api/features/", params={"song": "Zzyzx Road", "artist": "Nobody At All"})
    assert far.status_code == 404 and far.json()["error"]["suggestions"] == []


def test_the_schema_documents_the_suggestions_and_the_match(asking: TestClient):
    schemas = asking.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ErrorDetail"]["properties"]["suggestions"]["anyOf"][0]["items"]["$ref"].endswith(
        "/KnownSong"
    )
    assert {"matched", "did_you_mean"} <= set(schemas["PredictionBody"]["required"])
    assert set(schemas["KnownSong"]["required"]) == {"song", "artist"}


def test_a_streamed_song_no_source_has_features_for_is_known_and_never_suggested_as_itself(
    asking: TestClient,
):
    """The listener streamed 'Outside' by Staind, which no catalog has: a 404 says it is known, and its
    suggestions never hold the name asked itself."""
    asked = {"song": "Outside", "artist": "Staind"}
    response = asking.get("/api/features/", params=asked)
    assert response.status_code == 404
    error = response.json()["error"]
    assert "'Outside' by 'Staind' is known" in error["message"]
    assert "no source has features for it" in error["message"]
    assert asked not in error["suggestions"]
    assert asking.get("/api/prediction/", params=asked).status_code == 200


def test_the_features_routes_resolve_a_near_name_as_predictions_do(asking: TestClient):
    typo = {"song": "Outsid", "artist": "Staind"}
    assert asking.get("/api/prediction/", params=typo).json()["matched"] == {
        "song": "Outside",
        "artist": "Staind",
    }
    for route in ("/api/features/", "/api/raw_features/"):
        error = asking.get(route, params=typo).json()["error"]
        assert "did you mean 'Outside' by Staind?" in error["message"]
        assert error["suggestions"][0] == {"song": "Outside", "artist": "Staind"}

    short = {"song": "Street Spirit", "artist": "Radiohead"}
    predicted = asking.get("/api/prediction/", params=short).json()
    features = asking.get("/api/features/", params=short).json()
    assert (
        predicted["matched"]
        == features["matched"]
        == {"song": "Street Spirit (Fade Out)", "artist": "Radiohead"}
    )
    assert features["track"]["name"] == "Street Spirit (Fade Out)"


FONSI = "Luis Fonsi"


def test_a_song_and_its_remix_are_two_songs_over_http(asking: TestClient):
    """Despacito's features are Despacito's, not its more popular remix's; the listener's 64 streams of
    'Everlong' and 6 of its live recording are each their own, as their export has them."""
    features = {
        title: asking.get("/api/features/", params={"song": title, "artist": FONSI}).json()
        for title in ("Despacito", "Despacito - Remix")
    }
    assert features["Despacito"]["track"]["name"] == "Despacito" and features["Despacito"]["matched"] is None
    assert features["Despacito - Remix"]["track"]["name"] == "Despacito - Remix"
    original = asking.get("/api/prediction/", params={"song": "Despacito", "artist": FONSI}).json()
    remix = asking.get("/api/prediction/", params={"song": "Despacito - Remix", "artist": FONSI}).json()
    assert (
        original["spotify_id"] == "6habFhsOp2NvshLv26DqMb" and remix["spotify_id"] == "6rPO02ozF3bM7NnOV4h6s2"
    )
    live = "Everlong - Live at the Pantages Theatre, Los Angeles, CA - August 2006"
    for song, streams in (("Everlong", 64), (live, 6)):
        body = asking.get("/api/prediction/", params={"song": song, "artist": "Foo Fighters"}).json()
        PredictionBody.model_validate(body)
        assert body["song"] == song and body["history"]["song_streams"] == streams
        assert f"streamed it {streams} times" in body["description"]


def test_a_version_nothing_knows_is_a_404_naming_the_song_nearest(asking: TestClient):
    """A live version the catalog lacks is not answered as the song it is near by name (a live recording
    is no typo): a 404 whose suggestions name the song as it is."""
    asked = {"song": "Girls Just Want to Have Fun - Live", "artist": "Cyndi Lauper"}
    response = asking.get("/api/prediction/", params=asked)
    assert response.status_code == 404
    body = response.json()["error"]
    assert body["searched"] == asked and body["kind"] == "not found"
    assert body["suggestions"][0] == {"song": "Girls Just Want to Have Fun", "artist": "Cyndi Lauper"}


def test_another_live_recording_a_catalog_holds_is_answered_as_itself_not_as_theirs(asking: TestClient):
    """The listener streamed Everlong live at the Pantages Theatre; its live recording at the Roundhouse,
    which the catalog holds, is another song they never streamed, answered as typed. A live version
    nothing holds as typed ('Everlong (Live)') is answered for theirs, and says so."""
    roundhouse = "Everlong - Live at the Roundhouse, London, UK - July 2011"
    body = asking.get("/api/prediction/", params={"song": roundhouse, "artist": "Foo Fighters"}).json()
    PredictionBody.model_validate(body)
    assert body["song"] == roundhouse and body["matched"] is None
    assert not body["history"]["song_streams"] and "streamed it" not in body["description"]
    vague = asking.get(
        "/api/prediction/", params={"song": "Everlong (Live)", "artist": "Foo Fighters"}
    ).json()
    assert vague["song"].startswith("Everlong - Live at the Pantages Theatre") and vague["did_you_mean"]
    assert vague["history"]["song_streams"] == 6
