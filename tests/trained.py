"""The demo listener trained once per test session, for every test that needs a model: the demo export
ingested as profile `default`, its features from the bundled catalog, one model version (v1, champion).
Training takes tens of seconds, a copy milliseconds: each test works on a copy of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.demo import export_path

PROFILE = "default"


def trained_data_dir(factory: pytest.TempPathFactory) -> Path:
    """Trained once per session (kept under pytest's base temp folder), whichever fixture asks first."""
    folder = factory.getbasetemp() / "trained-listener"
    done = folder / ".trained"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    with MusicFlow.open(Settings(data_dir=folder)) as app:
        with export_path() as demo:
            app.ingest([demo], PROFILE)
        app.fetch_features(PROFILE)
        app.train(PROFILE, force=True)
    done.touch()
    return folder


def copy_of(folder: Path, target: Path) -> Settings:
    shutil.copytree(folder, target)
    return Settings(data_dir=target)
