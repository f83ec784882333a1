from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from tests.trained import copy_of, trained_data_dir


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[MusicFlow]:
    settings = copy_of(trained_data_dir(tmp_path_factory), tmp_path / "store")
    with MusicFlow.open(settings) as opened:
        yield opened


@pytest.fixture(scope="session")
def dask_client() -> Iterator[object]:
    """A real two-worker cluster of separate processes, once per session."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
