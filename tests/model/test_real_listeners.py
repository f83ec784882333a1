"""Two real listeners through the real ingest and the bundled catalog (imported once per test session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.core.clock import SystemClock
from musicflow.features.fetch import fetch_features
from musicflow.features.source_choice import open_sources
from musicflow.ingest.ingesting import ingest_paths
from musicflow.model.split_scores import OURS
from musicflow.model.train import TrainingOptions, train_profile
from musicflow.model.trained import TrainedModel
from musicflow.store import open_store
from musicflow.store.sql import SqlStore
from tests.trained import copy_of

LISTENERS = {
    "ashleyjmurray": Path("histories") / "basic" / "ashleyjmurray" / "StreamingHistory0.json",
    "emb400": Path("histories") / "basic" / "emb400" / "StreamingHistory0.json",
}


@pytest.fixture(scope="module")
def real_store(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path, catalog_store: Path
) -> Iterator[SqlStore]:
    settings = copy_of(catalog_store, Path(tmp_path_factory.mktemp("real")))
    store = open_store(settings)
    for name, history in LISTENERS.items():
        ingest_paths([shared_data / history], store, name, settings)
    with open_sources(["catalog"], settings, store.features, SystemClock()) as sources:
        for name in LISTENERS:
            profile_id = store.profile_id(name)
            assert profile_id is not None
            fetch_features(store.features, profile_id, sources, clock=SystemClock(), miss_ttl_s=60.0)
    yield store
    store.close()


@pytest.mark.slow  # trains a model
def test_a_real_listener_trains_evaluates_and_round_trips(real_store: SqlStore) -> None:
    options = TrainingOptions(params={"n_estimators": 100, "learning_rate": 0.08}, seeds=(0,))
    model = train_profile(real_store, "ashleyjmurray", options)
    time_split = model.evaluation["splits"][0]
    assert time_split["split"] == "time" and time_split["test_sizes"]["streamed"] > 20
    # One other listener in the store: the zeros are the songs MusicFlow ships (`zero_strategy_for`).
    assert model.training["zero_strategy"].startswith("shipped")
    assert time_split["metrics"][OURS]["auc_shipped"]["mean"] > 0.55
    assert "explicit" in model.training["dropped_features"]  # the bundled catalog rarely has it
    assert TrainedModel.from_artifacts(model.to_artifacts()).features == model.features
