"""A stopped server lets go of what it held (the store, the models, the listener's songs in memory), even
while something keeps its app object: FastAPI's own caches do, and a process that starts servers one after
another (tests, an application embedding MusicFlow) would otherwise keep every one's data. (The catalog
rows read last stay in the process, once, for the next index of the same catalogs: `song_index.py`.)"""

from __future__ import annotations

import gc
import logging
import weakref
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.api.conftest import ClientFactory


def test_a_stopped_server_keeps_none_of_its_data(api: ClientFactory) -> None:
    client = api()
    assert (
        client.get("/api/prediction/", params={"song": "Everlong", "artist": "Foo Fighters"}).status_code
        == 200
    )
    held: MusicFlow = client.app.state.musicflow  # type: ignore[attr-defined]
    gone = weakref.ref(held)
    del held
    client.__exit__(None, None, None)
    gc.collect()
    assert gone() is None  # the app object is still here (the test holds it); the server's data is not
    assert not hasattr(client.app.state, "musicflow")  # type: ignore[attr-defined]


def test_a_server_of_tokens_warns_of_no_listener_nobody_is(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Where tokens name the listeners, the default profile is nobody's: a server of an empty store starts
    without warning that it "has no data yet"; one open to a single listener says so."""
    settings = Settings(data_dir=tmp_path / "store")
    warned = []
    for access in ("tokens", "open"):
        caplog.clear()
        with caplog.at_level(logging.WARNING), TestClient(create_app(settings, access=access)):
            pass
        warned.append([r.getMessage() for r in caplog.records if "no model serves yet" in r.getMessage()])
    assert warned[0] == []
    assert len(warned[1]) == 1 and "'default'" in warned[1][0]
