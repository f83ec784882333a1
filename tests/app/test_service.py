"""The application layer as a front end uses it: predictions, their safety under threads, and a serving
model that follows the registry's champion."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from musicflow.app.predicting import Unanswered
from musicflow.app.service import MusicFlow
from musicflow.app.serving import ServingModels
from musicflow.app.vocabulary import SongRequest
from musicflow.errors import (
    ErrorKind,
    Hint,
    ModelError,
    NoModelError,
    ProfileNotFoundError,
    SongNotFoundError,
)
from tests.app.conftest import demo_settings
from tests.trained import PROFILE


def _catalog_songs(app: MusicFlow, count: int) -> list[SongRequest]:
    """Songs the bundled catalog knows (so each has features), most of them never played."""
    from musicflow.features.catalog import ensure_bundled_catalog

    ensure_bundled_catalog(app._store.features)
    history = app._store.history
    rows = history.catalog_songs(history.catalog_row_ids()[: count * 2])
    return [SongRequest(row.song, row.artist) for row in rows if row.song and row.artist][:count]


def test_a_prediction_names_the_profile_and_the_version_that_made_it(trained_app: MusicFlow):
    answer = trained_app.predict(PROFILE, "Blinding Lights", "The Weeknd")
    document = answer.as_document()
    assert 0.0 <= answer.streams <= 30.0
    assert document["model_version"] == 1 and document["profile"] == PROFILE
    assert document["song"] == "Blinding Lights" and document["message"]
    assert document["prediction"] == round(answer.streams, 2)
    assert set(document["feature_sources"].values()) == {"catalog:bundled"}  # type: ignore[attr-defined]


@pytest.mark.slow  # 1,125 predictions
def test_predictions_from_8_threads_equal_predictions_one_at_a_time(trained_app: MusicFlow):
    songs = _catalog_songs(trained_app, 125) * 8  # 1,000 questions
    alone = [trained_app.predict(PROFILE, s.song, s.artist).streams for s in songs[:125]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda s: trained_app.predict(PROFILE, s.song, s.artist).streams, songs))
    assert together == alone * 8


def test_predict_many_answers_each_song_in_order(trained_app: MusicFlow):
    songs = [
        SongRequest("Blinding Lights", "The Weeknd"),
        SongRequest("", "Nobody"),
        SongRequest("Zzzz Not A Song", "Nobody At All"),
    ]
    first, blank, unknown = trained_app.predict_many(PROFILE, songs)
    assert not isinstance(first, Unanswered) and first.model_version == 1
    assert isinstance(blank, Unanswered) and blank.reason == "song and artist are both needed"
    assert isinstance(unknown, Unanswered) and "no source" in unknown.reason
    assert isinstance(unknown.error, SongNotFoundError)  # the error the song asked alone raises


def test_a_song_no_source_knows_says_what_was_searched(trained_app: MusicFlow):
    with pytest.raises(SongNotFoundError) as caught:
        trained_app.predict(PROFILE, "Zzzz Not A Song", "Nobody At All")
    assert caught.value.kind is ErrorKind.NOT_FOUND and caught.value.hint is Hint.ADD_FEATURE_SOURCE
    assert "'Zzzz Not A Song' by 'Nobody At All'" in str(caught.value) and "catalog" in str(caught.value)
    assert "musicflow " not in str(caught.value)  # what to type is the front end's business


def test_an_unknown_profile_is_not_found_with_a_hint(trained_app: MusicFlow):
    with pytest.raises(ProfileNotFoundError) as caught:
        trained_app.predict("nobody", "Blinding Lights", "The Weeknd")
    assert caught.value.hint is Hint.INGEST and caught.value.profile == "nobody"


def test_the_serving_model_follows_a_promotion_made_elsewhere(
    app_with_two_versions: MusicFlow, tmp_path: Path
):
    trained_app = app_with_two_versions
    trained_app.serving = ServingModels(trained_app._champion_version, trained_app._load_serving, 0.0)
    assert trained_app.predict(PROFILE, "Blinding Lights", "The Weeknd").model_version == 1
    other = MusicFlow.open(demo_settings(tmp_path / "home"))  # another process, as far as the store knows
    try:
        other.promote(PROFILE, "2")
        assert trained_app.predict(PROFILE, "Blinding Lights", "The Weeknd").model_version == 2
        other.rollback(PROFILE)
        assert trained_app.predict(PROFILE, "Blinding Lights", "The Weeknd").model_version == 1
    finally:
        other.close()


def test_a_damaged_champion_is_never_served(
    app_with_two_versions: MusicFlow, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    trained_app = app_with_two_versions
    trained_app.serving = ServingModels(trained_app._champion_version, trained_app._load_serving, 0.0)
    assert trained_app.predict(PROFILE, "Blinding Lights", "The Weeknd").model_version == 1
    trained_app.promote(PROFILE, "2")
    model_file = next((tmp_path / "home" / "models" / PROFILE).glob("2/model.txt"))
    model_file.write_text(model_file.read_text() + "\n# changed")
    with caplog.at_level(logging.WARNING):
        answer = trained_app.predict(PROFILE, "Blinding Lights", "The Weeknd")
    assert answer.model_version == 1  # the last good model keeps serving
    assert "keeping model v1" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):  # the refused champion is not read and hashed again
        assert trained_app.predict(PROFILE, "Blinding Lights", "The Weeknd").model_version == 1
    assert "keeping model v1" not in caplog.text
    fresh = MusicFlow.open(demo_settings(tmp_path / "home"))
    try:
        with pytest.raises(ModelError) as caught:  # nothing good loaded yet: refuse, never serve it
            fresh.predict(PROFILE, "Blinding Lights", "The Weeknd")
        assert caught.value.kind is ErrorKind.NOT_READY
    finally:
        fresh.close()


def test_promoting_the_word_champion_is_refused(trained_app: MusicFlow):
    with pytest.raises(ModelError, match="give the version number"):
        trained_app.promote(PROFILE, "champion")


def test_a_profile_without_a_model_is_not_ready(trained_app: MusicFlow, tmp_path: Path):
    with export_home(tmp_path) as app, pytest.raises(NoModelError) as caught:
        app.predict(PROFILE, "Blinding Lights", "The Weeknd")
    assert caught.value.kind is ErrorKind.NOT_READY and caught.value.hint is Hint.TRAIN


def export_home(tmp_path: Path) -> MusicFlow:
    from musicflow.demo import export_path

    app = MusicFlow.open(demo_settings(tmp_path / "untrained"))
    with export_path() as export:
        app.ingest([export], PROFILE)
    return app
