"""The API's tests share one trained store: the demo listener as profile `default`, with two model
versions (v2, trained on other zeros, is the champion), built once per session (tests/trained.py) and
copied for each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.access import AccessMode
from musicflow.config import Settings
from tests.trained import PROFILE, copy_of

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def data_dir(two_versions_listener: Path, isolated_environment: Path) -> Path:
    """A copy of the trained store for this test alone."""
    copy_of(two_versions_listener, isolated_environment)
    return isolated_environment


@pytest.fixture
def api(data_dir: Path) -> Iterator[ClientFactory]:
    """Build a started app with settings of the test's choosing; each client is closed afterwards."""
    opened: list[TestClient] = []

    def client(
        *, profile: str = PROFILE, peer: str = "192.0.2.10", access: AccessMode = "open", **settings: object
    ) -> TestClient:
        # No scheduled job unless a test asks for one: a server's first start would queue a features
        # refresh, which asks a network source about every song the store lacks features for.
        settings = {"retrain_every_hours": 0, **settings}
        configured = Settings(data_dir=data_dir, **settings)  # type: ignore[arg-type]
        app = create_app(configured, profile=profile, access=access)
        started = TestClient(app, client=(peer, 50000), raise_server_exceptions=False)
        started.__enter__()
        opened.append(started)
        return started

    yield client
    for started in opened:
        started.__exit__(None, None, None)
