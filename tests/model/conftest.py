from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.model.snapshot import Snapshot, load_snapshot
from musicflow.store.sql import SqlStore
from tests.model.synthetic import synthetic_store

PRECEDENCE = ("catalog", "reccobeats", "audio_files", "spotify")


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStore]:
    store = synthetic_store(Path(tmp_path_factory.mktemp("synthetic")))
    yield store
    store.close()


@pytest.fixture(scope="module")
def snapshot(synthetic: SqlStore) -> Snapshot:
    return load_snapshot(synthetic, stream_min_ms=30_000, precedence=PRECEDENCE)
