"""How right were we, on a real public extended export split in time: the plays before the split
ingested and trained on, predictions asked through the API (and so logged), then the plays after the
split ingested; the first model version's report judges every logged prediction."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.trained import QUICK_TRAINING, copy_of

EXPORT = Path("histories/extended/erickmay/endsong_1.json")
PROFILE = "erick"
STREAM_MS = 30_000


def music(plays: list[dict[str, object]]) -> list[dict[str, object]]:
    return [
        p for p in plays if p.get("master_metadata_track_name") and p.get("master_metadata_album_artist_name")
    ]


def trained_on(catalog_store: Path, home: Path, plays: Path) -> Settings:
    """A copy of the catalog store at `home` with `plays` ingested as PROFILE, its features fetched from
    the catalog and a first model trained; its settings."""
    settings = copy_of(catalog_store, home).model_copy(
        update={"feature_sources": ["catalog"], **QUICK_TRAINING}
    )
    with MusicFlow.open(settings) as app:
        app.ingest([plays], PROFILE)
        app.fetch_features(PROFILE)
        app.train(PROFILE)
    return settings


@pytest.fixture
def split_export(shared_data: Path, tmp_path: Path) -> tuple[Path, Path, list[dict[str, object]]]:
    plays = sorted(music(json.loads((shared_data / EXPORT).read_text())), key=lambda p: str(p["ts"]))
    cut = int(len(plays) * 0.7)
    before, after = tmp_path / "before" / "endsong_0.json", tmp_path / "after" / "endsong_1.json"
    for path, part in ((before, plays[:cut]), (after, plays[cut:])):
        path.parent.mkdir()
        path.write_text(json.dumps(part))
    return before, after, plays[cut:]


@pytest.mark.slow
def test_the_first_version_is_judged_on_every_logged_prediction(
    catalog_store: Path, isolated_environment: Path, split_export: tuple[Path, Path, list[dict[str, object]]]
) -> None:
    before, after, later = split_export
    settings = trained_on(catalog_store, isolated_environment, before)

    streamed_later = Counter(
        (str(p["master_metadata_track_name"]), str(p["master_metadata_album_artist_name"]))
        for p in later
        if int(str(p["ms_played"])) >= STREAM_MS
    )
    with MusicFlow.open(settings) as app:
        others = [(t.track, t.artist) for t in app.top_streams(PROFILE, 300)]
    answered: dict[tuple[str, str], float] = {}
    with TestClient(create_app(settings, profile=PROFILE)) as client:
        for group in (list(streamed_later), [song for song in others if song not in streamed_later]):
            asked = 0
            for song, artist in group:
                got = client.get("/api/prediction/", params={"song": song, "artist": artist})
                if got.status_code == 200:
                    answered[(got.json()["song"], got.json()["artist"])] = got.json()["prediction"]
                    asked += 1
                if asked == 30:
                    break
    streamed = [key for key in answered if streamed_later[key] > 0]
    assert len(streamed) >= 5 and len(answered) - len(streamed) >= 5

    with MusicFlow.open(settings) as app:
        (waiting,) = app.accuracy(PROFILE).versions  # no plays after the cut-off yet: nothing to judge by
        assert (waiting.plays_after, waiting.streamed, waiting.auc) == (0, 0, None)
        app.ingest([after], PROFILE)
        judged = app.accuracy(PROFILE)

    (first,) = judged.versions
    assert first.version == 1 and first.cut_off_exact
    assert first.songs == len(answered) == judged.logged
    assert first.streamed == len(streamed)
    assert first.plays_after == len(later)
    assert first.auc is not None and 0.0 <= first.auc <= 1.0
    assert sum(band.songs for band in first.bands) == len(answered)
    with TestClient(create_app(settings, profile=PROFILE)) as client:
        document = client.get("/api/accuracy").json()
        taste = client.get("/taste").text
    assert document["versions"][0]["streamed"] == len(streamed)
    assert document["versions"][0]["auc"] == round(first.auc, 3)
    assert f"streamed {len(streamed)} of those songs" in taste
    assert f"{round(first.auc * 100)} times in 100" in taste
    assert 'id="calibration"' in taste and "<svg" in taste
    assert re.search(r"Model v1, trained (under a minute|\d+ \w+) ago", taste)


OTHER_LISTENER = Path("histories/extended/mica92/Streaming_History_Audio_2024_4.json")


@pytest.mark.slow
def test_drift_shows_when_later_plays_come_from_other_artists_and_not_when_the_listener_goes_on(
    catalog_store: Path,
    tmp_path: Path,
    shared_data: Path,
    split_export: tuple[Path, Path, list[dict[str, object]]],
) -> None:
    before, after, _ = split_export
    trained = tmp_path / "trained"
    settings = trained_on(catalog_store, trained, before)
    with MusicFlow.open(settings) as app:
        (queued,) = [job.id for job in app.jobs(PROFILE) if job.kind == "train"]
        app.run_next_job()  # the retrain the first plays queued: nothing new to learn
        assert app.job(queued).state == "done"
        waiting = app.accuracy(PROFILE).drift
    assert waiting is not None and not waiting.enough and not waiting.drifted
    assert waiting.summary.startswith("Too few plays since to tell: 0 streams since")

    other = shared_data / OTHER_LISTENER
    later_elsewhere = tmp_path / "other" / "Streaming_History_Audio_2024.json"
    later_elsewhere.parent.mkdir()
    later_elsewhere.write_text(json.dumps(music(json.loads(other.read_text()))[:800]))
    found = {}
    for name, plays in (("goes on", after), ("moves", later_elsewhere)):
        home = copy_of(trained, tmp_path / name).model_copy(
            update={"feature_sources": ["catalog"], **QUICK_TRAINING}
        )
        with MusicFlow.open(home) as app:
            app.ingest([plays], PROFILE)
            app.fetch_features(PROFILE)
            found[name] = app.accuracy(PROFILE).drift
        if name == "moves":
            with TestClient(create_app(home, profile=PROFILE)) as client:
                document = client.get("/api/accuracy").json()["drift"]
                taste = client.get("/taste").text
            with MusicFlow.open(home) as app:
                app.run_next_job()  # unless the server's runner did it already
                (retrained,) = [job for job in app.jobs(PROFILE) if job.kind == "train" and job.id != queued]

    going_on, moved = found["goes on"], found["moves"]
    assert going_on is not None and moved is not None
    assert going_on.enough and not going_on.drifted, going_on.as_document()
    assert going_on.summary.endswith("like those it learned from: no drift.")
    assert going_on.retrain == "queued"  # new plays queue a retrain whether they drift or not

    assert moved.enough and moved.drifted and moved.artists_moved, moved.as_document()
    assert moved.new_artist_share is not None and moved.new_artist_share > 0.6
    assert moved.summary.startswith("Your listening has moved away from what model v1 learned")
    assert "went to artists it never saw you stream" in moved.summary
    assert moved.summary.endswith("A retrain is queued.")
    assert document["drifted"] is True and document["new_artist_share"] == round(moved.new_artist_share, 3)
    assert document["retrain"] in ("queued", "running")  # the server's runner may have started it
    assert f"A retrain is {document['retrain']}." in document["summary"]
    assert "Your listening has moved away from what model v1 learned" in taste
    assert retrained.state == "done" and retrained.result is not None
    assert str(retrained.result["drift"]).startswith("Your listening has moved away from what model v1")
