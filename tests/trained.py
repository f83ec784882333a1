"""The demo listener, built once per test session in stages, each stage a data directory of its own:

- `catalog_data_dir`: an empty store with the bundled catalog imported (the import takes seconds);
- `ingested_data_dir`: that, with the demo export ingested as profile `default` and its features fetched;
- `trained_data_dir`: that, with one model version (v1, champion);
- `two_versions_data_dir`: that, with a second version trained on other zeros (v2, champion).

Each stage is built from a copy of the one before, the first time a test asks for it. A stage is shared:
never change it in place. A test that changes a store works on a copy (`copy_of`): copying takes
milliseconds, building a stage again takes seconds of importing and training.

Under pytest-xdist the stages are shared by all workers of the run (`shared_folder`): the first worker
that asks builds a stage, holding its file lock; another asking meanwhile waits for it and reads it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.demo import export_path
from musicflow.features.catalog import ensure_bundled_catalog
from musicflow.store import open_store

PROFILE = "default"
# A test of what happens around training (jobs, schedule, versions) and not of the evaluation's spread
# trains with one evaluation seed: about twice as fast, the same steps.
QUICK_TRAINING = {"model_evaluation_seeds": 1}
_DONE = ".built"


def shared_folder(factory: pytest.TempPathFactory) -> Path:
    """The folder for what the whole run shares: pytest's base temp folder, or under pytest-xdist the one
    holding every worker's own (made fresh for each run, like the base temp folder itself)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The stage `name` in the run's shared folder, built by `build` unless it was already (by this
    process or another worker of the run)."""
    root = shared_folder(factory)
    folder = root / name
    if (folder / _DONE).exists():
        return folder
    with FileLock(root / f"{name}.lock"):
        if (folder / _DONE).exists():  # another worker built it while this one waited
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        with pytest.MonkeyPatch.context() as patch:  # no developer's setting reaches the shared stores
            for variable in [v for v in os.environ if v.startswith("MUSICFLOW_")]:
                patch.delenv(variable)
            build(folder)
        (folder / _DONE).touch()
    return folder


def _stage_after(
    factory: pytest.TempPathFactory,
    name: str,
    before: Path,
    step: Callable[[MusicFlow], object],
    **settings: Any,
) -> Path:
    """The stage `name`: a copy of the stage `before`, opened with these settings, then `step` done on it."""

    def build(folder: Path) -> None:
        shutil.copytree(before, folder, ignore=shutil.ignore_patterns(_DONE))
        with MusicFlow.open(Settings(data_dir=folder, **settings)) as app:
            step(app)

    return _built_once(factory, name, build)


def _train(app: MusicFlow) -> None:
    app.train(PROFILE, force=True)


def catalog_data_dir(factory: pytest.TempPathFactory) -> Path:
    """A store with nothing but the bundled catalog, in `musicflow.db`."""

    def build(folder: Path) -> None:
        store = open_store(Settings(data_dir=folder))
        try:
            assert ensure_bundled_catalog(store.features) is not None
        finally:
            store.close()

    return _built_once(factory, "catalog-store", build)


def ingested_data_dir(factory: pytest.TempPathFactory) -> Path:
    """The demo export ingested as profile `default`, its features from the bundled catalog; no model."""

    def ingest(app: MusicFlow) -> None:
        with export_path() as demo:
            app.ingest([demo], PROFILE)
        app.fetch_features(PROFILE)

    return _stage_after(factory, "ingested-listener", catalog_data_dir(factory), ingest)


def trained_data_dir(factory: pytest.TempPathFactory) -> Path:
    """The ingested demo listener with one trained model version (v1, the champion)."""
    return _stage_after(factory, "trained-listener", ingested_data_dir(factory), _train)


def two_versions_data_dir(factory: pytest.TempPathFactory) -> Path:
    """The trained demo listener (v1), and a second version trained on other zeros (v2, the champion),
    evaluated with one seed (its tests ask what a second version changes, not its spread)."""
    before = trained_data_dir(factory)
    settings = {"model_zeros": "skips", **QUICK_TRAINING}
    return _stage_after(factory, "two-versions-listener", before, _train, **settings)


def copy_of(folder: Path, target: Path) -> Settings:
    """Settings for a copy of a stage at `target` (which may exist, empty or not)."""
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(_DONE), dirs_exist_ok=True)
    return Settings(data_dir=target)
