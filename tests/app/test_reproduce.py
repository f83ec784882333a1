"""A model version built again from what it recorded, on the demo listener: new plays (later ones, and
older ones arriving late) and new features since do not change it; plays taken back make it impossible,
and the error says so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from musicflow.app.service import MusicFlow
from musicflow.core.songs import FeatureRecord
from musicflow.errors import ModelVersionNotFoundError
from musicflow.model.artifacts import DATA_FILE, LINEAGE_FILE, META_FILE, MODEL_FILE
from musicflow.model.trained import TrainedModel
from musicflow.store import open_store
from tests.trained import PROFILE

NEW_ARTIST = "Nobody Heard Before"


def play(ts: str, song: str, artist: str, ms: int = 200_000) -> dict[str, object]:
    """One play as the extended export writes it."""
    return {
        "ts": ts,
        "ms_played": ms,
        "master_metadata_track_name": song,
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": "An Album",
        "spotify_track_uri": None,
        "spotify_episode_uri": None,
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "skipped": False,
    }


def more_plays(folder: Path, known: list[tuple[str, str]]) -> int:
    """An export of plays after the cut-off (new songs of a new artist, and more of the listener's own
    songs) and of plays long before it (an older export sent late); how many."""
    later = [
        play(f"2026-06-{day:02d}T1{hour}:00:00Z", f"Song {day}", NEW_ARTIST)
        for day in range(1, 29)
        for hour in range(3)
    ]
    later += [
        play(f"2026-07-01T0{i % 10}:{i:02d}:00Z", song, artist) for i, (song, artist) in enumerate(known)
    ]
    older = [
        play(f"2019-03-{day:02d}T08:00:00Z", song, artist) for day, (song, artist) in enumerate(known, 1)
    ]
    folder.mkdir()
    (folder / "Streaming_History_Audio_2026.json").write_text(json.dumps(later + older))
    return len(later) + len(older)


def made_up_songs(model: TrainedModel, count: int = 2_000) -> np.ndarray:
    """Songs around the model's training medians, some values missing, to ask every model the same."""
    rng = np.random.default_rng(7)
    medians = np.array([model.medians[c] for c in model.features], dtype=np.float64)
    rows = medians * rng.uniform(0.0, 2.0, (count, len(medians))) + rng.normal(0, 1, (count, len(medians)))
    rows[rng.uniform(size=rows.shape) < 0.1] = np.nan
    return rows


def version_files(app: MusicFlow, number: int) -> dict[str, bytes]:
    return app.registry.load(PROFILE, number).artifacts


@pytest.mark.slow
def test_a_version_is_rebuilt_from_its_cut_off_and_features_whatever_came_since(
    trained_app: MusicFlow, tmp_path: Path
) -> None:
    app = trained_app
    learned = json.loads(version_files(app, 1)[LINEAGE_FILE])
    top = [(t.track, t.artist) for t in app.top_streams(PROFILE, 15)]
    added = more_plays(tmp_path / "later", top)
    assert app.ingest([tmp_path / "later"], PROFILE).new_plays == added
    store = open_store(app.settings)  # today's features change: another source answers for the top songs
    try:
        tracks = {(t.track, t.artist): t for t in store.features.profile_tracks(1, 30_000)}
        answers = {
            tracks[song].track_id: FeatureRecord("audio_files", {"energy_estimate": 0.99, "tempo": 200.0})
            for song in top
        }
        store.features.save_answers("audio_files", answers, now=1.0, miss_ttl_s=1.0)
    finally:
        store.close()

    rebuilt = app.reproduce(PROFILE, "1", tmp_path / "rebuilt")
    assert rebuilt.identical and rebuilt.max_difference <= 1e-9
    assert rebuilt.same_model_file
    assert rebuilt.plays == learned["cut_off"]["plays"] and rebuilt.rows > 1_000
    assert rebuilt.changes == ()
    assert not app.registry.list(PROFILE)[0].version > 1  # nothing registered

    fresh = app.train(PROFILE, force=True).publication.version
    assert fresh.version == 2 and fresh.data_fingerprint != app.model(PROFILE, "1").data_fingerprint
    now = json.loads(version_files(app, 2)[LINEAGE_FILE])
    assert now["cut_off"]["plays"] == learned["cut_off"]["plays"] + added
    assert now["features"]["digest"] != learned["features"]["digest"]

    stored = TrainedModel.from_artifacts(version_files(app, 1))
    written = {name: (tmp_path / "rebuilt" / name).read_bytes() for name in (MODEL_FILE, META_FILE)}
    again = TrainedModel.from_artifacts(written)
    newer = TrainedModel.from_artifacts(version_files(app, 2))
    songs = made_up_songs(stored)
    assert np.abs(again.predict_matrix(songs) - stored.predict_matrix(songs)).max() <= 1e-9
    assert np.abs(newer.predict_matrix(songs) - stored.predict_matrix(songs)).max() > 1e-3
    assert (tmp_path / "rebuilt" / DATA_FILE).read_bytes() == version_files(app, 1)[DATA_FILE]


@pytest.mark.slow
def test_plays_taken_back_take_the_version_with_them_and_rebuilding_it_says_why(
    trained_app: MusicFlow,
) -> None:
    """The version learned from the import taken back: it goes with the plays, so it cannot be rebuilt
    (plays gone from under a version that stays, another listener's, are named: tests/model/test_lineage)."""
    app = trained_app
    (imported,) = [job for job in app.jobs(PROFILE) if job.kind == "ingest"]
    undone = app.undo_import(PROFILE, imported.id)
    assert undone.removed > 0 and undone.model_versions_removed == (1,)
    with pytest.raises(ModelVersionNotFoundError, match=r"the plays it learned from, which were taken back"):
        app.reproduce(PROFILE, "1")
