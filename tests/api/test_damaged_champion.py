"""A champion whose files fail their checksum is never served: a fresh server stays not ready, and a server
already serving a good model keeps serving it after a promotion to the damaged one, saying why."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.api.conftest import ClientFactory
from tests.trained import PROFILE

SONG = {"song": "Blinding Lights", "artist": "The Weeknd"}
OTHER_SONG = {"song": "Levitating", "artist": "Dua Lipa"}


def damage(data_dir: Path, version: int) -> None:
    model_file = data_dir / "models" / PROFILE / str(version) / "model.txt"
    model_file.write_text(model_file.read_text() + "\n# changed after it was registered\n")


def test_a_fresh_server_with_a_damaged_champion_stays_not_ready(api: ClientFactory, data_dir: Path):
    damage(data_dir, 2)  # v2 is the champion
    client = api()
    ready = client.get("/api/health/ready")
    assert ready.status_code == 503
    assert "changed since it was registered" in ready.json()["error"]["message"]
    for params in (SONG, OTHER_SONG):
        refused = client.get("/api/prediction/", params=params)
        assert refused.status_code == 503, refused.text
        assert "prediction" not in refused.json() and "model_version" not in refused.json()
    assert client.get("/api/health/ready").status_code == 503  # asking again does not load it either


def test_a_serving_server_keeps_its_model_after_a_promotion_to_a_damaged_one(
    api: ClientFactory, data_dir: Path, caplog: pytest.LogCaptureFixture
):
    client = api()
    assert client.get("/api/prediction/", params=SONG).json()["model_version"] == 2
    with MusicFlow.open(Settings(data_dir=data_dir)) as elsewhere:  # as `musicflow models promote 1` does
        elsewhere.promote(PROFILE, "1")
    damage(data_dir, 1)

    versions: list[int] = []
    with caplog.at_level(logging.WARNING):
        deadline = time.monotonic() + 10
        while "keeping model v2" not in caplog.text and time.monotonic() < deadline:
            versions.append(client.get("/api/prediction/", params=SONG).json()["model_version"])
            time.sleep(0.1)
        versions.append(client.get("/api/prediction/", params=OTHER_SONG).json()["model_version"])
    assert "keeping model v2; the champion v1 cannot be served" in caplog.text
    assert "changed since it was registered" in caplog.text  # the log says why
    assert set(versions) == {2}
    ready = client.get("/api/health/ready")
    assert ready.status_code == 200 and ready.json()["model_version"] == 2
