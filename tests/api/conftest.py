"""The API's tests share one trained store: the demo listener as profile `default`, with two model
versions (v2, trained on other zeros, is the champion), built once per session (tests/trained.py) and
copied for each test."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
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


def within_one_rate_window(seconds: float = 5.0, window_s: int = 60) -> None:
    """Wait, if need be, until the next `seconds` fall inside one window of the rate limiter.

    Its windows start at multiples of their length since the epoch, and counts that straddle a start are
    weighed by how much of the last window is left, so a request more passes there: a test that counts
    to a limit must not cross one.
    """
    left = window_s - time.time() % window_s
    if left < seconds:
        time.sleep(left + 0.05)


_PEERS = itertools.count()


@pytest.fixture(scope="module")
def shared_server(
    two_versions_listener: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, Path]]:
    """One started server, with default settings, for the tests of a module that only ask: nothing they
    do changes the store (a GET never writes) or the server's settings. Starting a server reads the
    catalogs and loads the model, most of the time of such a test. The app and its data directory."""
    data_dir = tmp_path_factory.mktemp("asked") / "musicflow-data"
    copy_of(two_versions_listener, data_dir)
    with pytest.MonkeyPatch.context() as patch:  # no developer's setting reaches it
        for variable in [v for v in os.environ if v.startswith("MUSICFLOW_")]:
            patch.delenv(variable)
        configured = Settings(data_dir=data_dir, retrain_every_hours=0)
    app = create_app(configured, profile=PROFILE, access="open")
    with TestClient(app):
        yield app, data_dir


@pytest.fixture
def asking(shared_server: tuple[FastAPI, Path]) -> TestClient:
    """A client of the module's shared server, from an address of its own (its own rate limit)."""
    peer = next(_PEERS)
    address = f"198.51.{100 + peer // 250}.{1 + peer % 250}"
    return TestClient(shared_server[0], client=(address, 50000), raise_server_exceptions=False)


@pytest.fixture
def asked_dir(shared_server: tuple[FastAPI, Path]) -> Path:
    """The data directory of the module's shared server (open it to compare, never to change it)."""
    return shared_server[1]
