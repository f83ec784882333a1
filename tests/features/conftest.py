"""Fixtures for the HTTP sources: fake APIs on 127.0.0.1 and a clock that never really waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.clock import FakeClock
from tests.fakes.reccobeats import FakeReccoBeats
from tests.fakes.spotify import FakeSpotify


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def reccobeats_server(clock: FakeClock) -> Iterator[FakeReccoBeats]:
    server = FakeReccoBeats()
    with server.running():
        yield server


@pytest.fixture
def spotify_server(clock: FakeClock) -> Iterator[FakeSpotify]:
    server = FakeSpotify(clock=clock)
    with server.running():
        yield server
