from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from tests.trained import copy_of


@pytest.fixture
def app(trained_listener: Path, tmp_path: Path) -> Iterator[MusicFlow]:
    """A copy of the trained demo listener (tests/trained.py), opened."""
    settings = copy_of(trained_listener, tmp_path / "store")
    with MusicFlow.open(settings) as opened:
        yield opened


@pytest.fixture(scope="session")
def dask_client() -> Iterator[object]:
    """A real two-worker cluster of separate processes, once per session."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
