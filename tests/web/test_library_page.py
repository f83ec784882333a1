"""The page answers from the listener's library too: a banned artist's song is a firm zero, a saved song
says it is in their Liked Songs."""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.web.conftest import PROFILE, demo_settings
from tests.web.test_pages import STRONG_KEY, web_app


@pytest.fixture
def client(demo_dir: Path, tmp_path: Path) -> Iterator[TestClient]:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_dir, data_dir)
    library = tmp_path / "YourLibrary.json"
    library.write_text(
        json.dumps(
            {
                "tracks": [{"artist": "Dua Lipa", "album": "Future Nostalgia", "track": "Levitating"}],
                "bannedArtists": [{"name": "The Weeknd"}],
            }
        )
    )
    with MusicFlow.open(demo_settings(data_dir)) as app:
        app.ingest([library], PROFILE)
        page_app = web_app(app, Settings(web_session_secret=SecretStr(STRONG_KEY)))
        with TestClient(page_app) as test_client:
            yield test_client


def test_the_page_says_what_the_library_says(client: TestClient) -> None:
    page = client.get("/", params={"song": "Blinding Lights", "artist": "The Weeknd", "profile": PROFILE})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<span id="streams">0.0</span> predicted streams' in text
    assert (
        "You banned The Weeknd in Spotify" in text and "you banned The Weeknd (every song of theirs)" in text
    )

    saved = client.get("/", params={"song": "Levitating", "artist": "Dua Lipa", "profile": PROFILE})
    assert saved.status_code == 200
    assert '<ul class="library" id="library"><li>♥ in your Liked Songs</li></ul>' in html.unescape(saved.text)
