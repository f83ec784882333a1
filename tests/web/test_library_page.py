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

LIBRARY = {
    "tracks": [{"artist": "Dua Lipa", "album": "Future Nostalgia", "track": "Levitating"}],
    "bannedArtists": [{"name": "The Weeknd"}],
}
BANNED = {"song": "Blinding Lights", "artist": "The Weeknd", "profile": PROFILE}


@pytest.fixture
def served(demo_dir: Path, tmp_path: Path) -> Iterator[tuple[MusicFlow, TestClient]]:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_dir, data_dir)
    with MusicFlow.open(demo_settings(data_dir)) as app:
        page_app = web_app(app, Settings(web_session_secret=SecretStr(STRONG_KEY)))
        with TestClient(page_app) as test_client:
            yield app, test_client


def test_the_page_says_what_the_library_says_once_it_is_ingested(
    served: tuple[MusicFlow, TestClient], tmp_path: Path
) -> None:
    app, client = served
    before = client.get("/", params=BANNED)  # the server has loaded the listener
    assert before.status_code == 200 and "You banned" not in html.unescape(before.text)
    library = tmp_path / "YourLibrary.json"
    library.write_text(json.dumps(LIBRARY))
    app.ingest([library], PROFILE)  # as an upload to the running server does

    page = client.get("/", params=BANNED)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<span id="streams">0.0</span> predicted streams' in text
    assert (
        "You banned The Weeknd in Spotify" in text and "you banned The Weeknd (every song of theirs)" in text
    )

    saved = client.get("/", params={"song": "Levitating", "artist": "Dua Lipa", "profile": PROFILE})
    assert saved.status_code == 200
    assert '<ul class="library" id="library"><li>♥ in your Liked Songs</li></ul>' in html.unescape(saved.text)
