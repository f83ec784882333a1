"""The demo listener with its features and a trained model, built once per test session (tests/trained.py)
and copied for each test that needs it (training takes seconds; a copy, milliseconds)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.trained import PROFILE, copy_of


def demo_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, feature_sources=["catalog"])


@pytest.fixture(scope="session")
def trained_home(trained_listener: Path) -> Path:
    """A data directory holding the demo listener and one trained model (v1, the champion)."""
    return trained_listener


@pytest.fixture
def trained_app(trained_home: Path, tmp_path: Path) -> Iterator[MusicFlow]:
    """A fresh copy of the trained demo home, opened."""
    home = tmp_path / "home"
    copy_of(trained_home, home)
    with MusicFlow.open(demo_settings(home)) as app:
        yield app


@pytest.fixture
def app_with_two_versions(two_versions_listener: Path, tmp_path: Path) -> Iterator[MusicFlow]:
    """A fresh copy of the demo home with two trained versions, opened: v1 the champion, v2 registered."""
    home = tmp_path / "home"
    copy_of(two_versions_listener, home)
    with MusicFlow.open(demo_settings(home)) as app:
        app.promote(PROFILE, "1")
        yield app


@pytest.fixture
def app(trained_app: MusicFlow) -> MusicFlow:
    """The trained demo listener, under the name the batch-scoring tests use."""
    return trained_app
