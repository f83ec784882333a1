"""A registry on each backend, with a clock that moves only when told to."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicflow.config import Settings
from musicflow.model.registry import FileModelRegistry
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
