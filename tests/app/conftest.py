"""A MusicFlow with the demo listener ingested, its features fetched and a model trained, made once per
test session and copied for each test that needs it (training takes seconds; a copy, milliseconds)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.trained import trained_data_dir


def demo_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, feature_sources=["catalog"])


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the demo listener and one trained model (v1, the champion)."""
    return trained_data_dir(tmp_path_factory)


@pytest.fixture
def trained_app(trained_home: Path, tmp_path: Path) -> Iterator[MusicFlow]:
    """A fresh copy of the trained demo home, opened."""
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    with MusicFlow.open(demo_settings(home)) as app:
        yield app


@pytest.fixture
def app(trained_app: MusicFlow) -> MusicFlow:
    """The trained demo listener, under the name the batch-scoring tests use."""
    return trained_app
