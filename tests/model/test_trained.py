from __future__ import annotations

import json
import math

import pytest

from musicflow.errors import ModelError
from musicflow.model.affinity import ArtistAffinity
from musicflow.model.artifacts import META_FILE, MODEL_FILE
from musicflow.model.dataset import DEFAULT_ZEROS
from musicflow.model.predict import (
    LOW_VERDICT,
    QUANTILES,
    VERDICTS,
    predict_batch,
    predict_song,
    predict_streams,
)
from musicflow.model.snapshot import Snapshot
from musicflow.model.train import TrainingOptions, fit_final, train_on_snapshot
from musicflow.model.trained import FORMAT, TrainedModel
from musicflow.model.vectorize import AFFINITY_COLUMNS, vectorize

# Zeros from the other listeners, made up from catalog and shipped songs: the rule `auto` follows in a
# store of several listeners (with fewer than five, `auto` takes the shipped songs straight away).
FAST = TrainingOptions(
    zeros=DEFAULT_ZEROS, params={"n_estimators": 60, "learning_rate": 0.1}, seeds=(0,), splits=("time",)
)


@pytest.fixture(scope="module")
def model(snapshot: Snapshot) -> TrainedModel:
    return train_on_snapshot(snapshot, "me", FAST)


def test_artifacts_round_trip_to_the_same_predictions(model: TrainedModel, snapshot: Snapshot) -> None:
    files = model.to_artifacts()
    assert set(files) == {MODEL_FILE, META_FILE}
    loaded = TrainedModel.from_artifacts(files)
    assert loaded.features == model.features
    for song in list(snapshot.songs.values())[:20]:
        affinity = ArtistAffinity(5, 1)
        assert predict_streams(loaded, song.features, affinity) == predict_streams(
            model, song.features, affinity
        )
    meta = json.loads(files[META_FILE])
    assert meta["evaluation"]["splits"][0]["split"] == "time" and meta["data_fingerprint"]


def test_a_feature_list_mismatch_is_refused(model: TrainedModel) -> None:
    files = model.to_artifacts()
    meta = json.loads(files[META_FILE])
    meta["features"] = list(reversed(meta["features"]))
    with pytest.raises(ModelError, match="feature list"):
        TrainedModel.from_artifacts({**files, META_FILE: json.dumps(meta).encode()})
    with pytest.raises(ModelError, match="incomplete"):
        TrainedModel.from_artifacts({MODEL_FILE: files[MODEL_FILE]})


def test_formats_say_what_the_booster_predicts(model: TrainedModel, snapshot: Snapshot) -> None:
    files = model.to_artifacts()
    meta = json.loads(files[META_FILE])
    assert meta["format"] == FORMAT and meta["params"]["target_transform"] == "log1p"
    song = next(s for s in snapshot.songs.values() if s.has_features)
    row = vectorize(song.features, ArtistAffinity(5, 1), model.layout)
    raw = float(model.booster.predict(row.reshape(1, -1))[0])
    assert (
        abs(float(model.predict_matrix(row.reshape(1, -1))[0]) - math.expm1(raw)) < 1e-9
    )  # answers in streams
    # A model of the first format predicts streams directly (no transform in its parameters).
    meta["format"] = "musicflow-model/1"
    del meta["params"]["target_transform"]
    older = TrainedModel.from_artifacts({**files, META_FILE: json.dumps(meta).encode()})
    assert abs(float(older.predict_matrix(row.reshape(1, -1))[0]) - raw) < 1e-9
    meta["format"] = "someone-else/9"
    with pytest.raises(ModelError, match="not a MusicFlow model"):
        TrainedModel.from_artifacts({**files, META_FILE: json.dumps(meta).encode()})


def test_training_is_deterministic(model: TrainedModel, snapshot: Snapshot) -> None:
    again = train_on_snapshot(snapshot, "me", FAST)
    assert again.booster.model_to_string() == model.booster.model_to_string()


def test_predictions_come_with_a_verdict_and_reasons(model: TrainedModel, snapshot: Snapshot) -> None:
    songs = [s for s in snapshot.songs.values() if s.has_features][:10]
    single = predict_song(model, songs[0].features, ArtistAffinity(40, 4))
    assert 0 <= single.streams <= 30 and single.verdict and single.contributions
    assert all(c.words for c in single.contributions)
    batch = predict_batch(model, [(s.features, ArtistAffinity()) for s in songs])
    assert len(batch) == 10
    for song, predicted in zip(songs, batch, strict=True):
        alone = predict_song(model, song.features, ArtistAffinity(), explain=3)
        assert predicted.streams == alone.streams  # the batch scores each song as alone, to the last bit
        assert 0 <= predicted.streams <= 30
        assert predicted.verdict == expected_verdict(model, predicted.streams) == alone.verdict
        assert len(predicted.contributions) == 3 and all(c.words for c in predicted.contributions)
    assert len({p.verdict for p in batch}) > 1  # songs of different appeal get different words


def expected_verdict(model: TrainedModel, streams: float) -> str:
    """The words of the highest quantile of the listener's streamed songs that `streams` reaches."""
    reached = [q for q, _ in VERDICTS if streams >= model.thresholds[q]]
    return dict(VERDICTS)[max(reached, key=QUANTILES.__getitem__)] if reached else LOW_VERDICT


def test_the_served_model_is_anchored_on_the_listeners_history(model: TrainedModel) -> None:
    """The booster that serves averages one on every column with one on the listener's history alone,
    and says so in its stored parameters (the gate measures a champion again with them)."""
    meta = json.loads(model.to_artifacts()[META_FILE])
    history = [c for c in model.layout.columns if c in AFFINITY_COLUMNS]
    assert history and len(history) < len(model.layout.columns)
    assert list(meta["params"]["anchor_columns"]) == list(AFFINITY_COLUMNS)
    assert meta["params"]["anchor_weight"] == 0.5
    assert model.booster.num_trees() == FAST.params["n_estimators"] + meta["params"]["anchor_estimators"]


def test_a_song_asked_alone_and_in_a_list_gets_the_same_number(
    model: TrainedModel, snapshot: Snapshot
) -> None:
    """To the last bit: a listener comparing `predict` with `predict --input` sees one answer per song."""
    songs = list(snapshot.songs.values())[:400]
    affinities = [ArtistAffinity(i % 50, i % 7) for i in range(len(songs))]
    items = [(s.features, a) for s, a in zip(songs, affinities, strict=True)]
    listed = [p.streams for p in predict_batch(model, items, explain=0)]
    alone = [predict_streams(model, features, affinity) for features, affinity in items]
    assert listed == alone
    assert len(set(listed)) > 20  # many different answers, not one number repeated


def test_predictions_and_reasons_are_lightgbms_own(model: TrainedModel, snapshot: Snapshot) -> None:
    """Served from the explainer's tables, a prediction is the booster's to the bit and each reason's
    contribution LightGBM's `pred_contrib`, on the listener's songs with and without history."""
    import numpy as np

    from musicflow.model.stream_scale import streams_from
    from musicflow.model.vectorize import vectorize_many

    songs = list(snapshot.songs.values())[:300]
    affinities = [ArtistAffinity(i % 7 * 5, i % 3, (i % 7) / 10) for i in range(len(songs))]
    rows = vectorize_many([(s.features, a) for s, a in zip(songs, affinities, strict=True)], model.layout)
    assert model.explainer.fallback is None
    predicted, effects = model.predictions(rows, explain=True)
    booster = np.asarray(model.booster.predict(rows, num_threads=1), dtype=np.float64)
    np.testing.assert_array_equal(predicted, streams_from(booster, model.target_transform))
    expected = np.asarray(model.booster.predict(rows, pred_contrib=True, num_threads=1), dtype=np.float64)
    assert effects is not None
    np.testing.assert_allclose(effects, expected, rtol=0, atol=1e-10)


def test_the_model_that_serves_leaves_out_what_the_evaluated_models_left_out(
    model: TrainedModel, snapshot: Snapshot
) -> None:
    """A feature the evaluation's splits left out is not served, even where the served rows' own check
    would keep it, and the model says why."""
    assert "valence" in model.layout.columns
    served = fit_final(
        snapshot, "me", DEFAULT_ZEROS, FAST, None, left_out={"valence": "a leak on the time split"}
    )
    assert "valence" not in served.layout.columns
    assert (
        served.training["dropped_features"]["valence"]
        == "the model evaluated left it out: a leak on the time split"
    )
