from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from tests.scale.listener import copy_of, trained_data_dir


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[MusicFlow]:
    settings = copy_of(trained_data_dir(tmp_path_factory), tmp_path / "store")
    with MusicFlow.open(settings) as opened:
        yield opened
