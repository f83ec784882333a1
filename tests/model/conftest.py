"""A registry on each backend, with a clock that moves only when told to."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicflow.config import Settings
from musicflow.model.registry import FileModelRegistry, ModelMetadata
from musicflow.store.sql import SqlStore
from tests.fakes.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def models_dir(backend_settings: Settings) -> Path:
    return backend_settings.data_dir / "models"


@pytest.fixture
def registry(store: SqlStore, models_dir: Path, clock: FakeClock) -> FileModelRegistry:
    return FileModelRegistry(store.models, models_dir, clock=clock.now)


def metadata(auc: float = 0.8, sp_plus: float = 0.2, **extra: object) -> ModelMetadata:
    return ModelMetadata(
        data_fingerprint="f" * 64,
        feature_names=("energy", "tempo", "artist_affinity"),
        parameters={"objective": "poisson", "num_leaves": 15},
        evaluation={"time_split": {"auc": auc, "sp_plus": sp_plus, "n_test": 120}, **extra},
        library_versions={"lightgbm": "4.6.0"},
    )


def artifacts(seed: str = "a") -> dict[str, bytes]:
    return {"model.txt": f"tree\nversion={seed}\n".encode(), "features.json": b'["energy", "tempo"]'}
