"""Every prediction the API and the page give is in the log, reused answers too; none when it is off."""

from __future__ import annotations

from musicflow.app.service import MusicFlow
from tests.api.conftest import ClientFactory
from tests.trained import PROFILE

SONG = {"song": "Levitating", "artist": "Dua Lipa"}


def test_every_prediction_given_is_logged(api: ClientFactory) -> None:
    client = api()
    app: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    top = app.top_streams(PROFILE, 1)[0]
    first = client.get("/api/prediction/", params=SONG).json()
    again = client.get("/api/prediction/", params=SONG).json()  # the answer reused
    batch = client.post("/api/predictions", json=[SONG, {"song": top.track, "artist": top.artist}]).json()
    page = client.get("/", params=SONG)
    assert page.status_code == 200 and again == first

    logged = app.logged_predictions(PROFILE)
    said = [answer["prediction"]["prediction"] for answer in batch["answers"]]
    assert [(e.via, e.song, e.artist, e.predicted) for e in logged] == [
        ("api", "Levitating", "Dua Lipa", first["prediction"]),
        ("api", "Levitating", "Dua Lipa", first["prediction"]),
        ("api", "Levitating", "Dua Lipa", said[0]),
        ("api", top.track, top.artist, said[1]),
        ("page", "Levitating", "Dua Lipa", first["prediction"]),
    ]
    assert {e.model_version for e in logged} == {first["model_version"]}
    assert logged[0].spotify_id == first["spotify_id"]
    times = [e.asked_at for e in logged]
    assert times == sorted(times)


def test_nothing_is_logged_when_the_log_is_off(api: ClientFactory) -> None:
    client = api(prediction_log=False)
    assert client.get("/api/prediction/", params=SONG).status_code == 200
    app: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    assert app.logged_predictions(PROFILE) == []
