"""What the page shows once a listener deleted their data: this browser's highscore of theirs went with
it, and no link names a listener that is not there."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.config import Settings
from tests.trained import copy_of

SONG = {"song": "Bad Guy", "artist": "Billie Eilish"}  # one the listener never played


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_deleting_my_data_empties_my_highscore_in_this_browser(
    two_versions_listener: Path, isolated_environment: Path
) -> None:
    settings = copy_of(two_versions_listener, isolated_environment)
    with TestClient(create_app(Settings(data_dir=settings.data_dir, retrain_every_hours=0))) as page:
        tried = page.get("/", params=SONG)
        assert tried.status_code == 200
        assert "Bad Guy" in page.get("/").text  # kept in the highscore
        deleted = page.post("/data/delete", data={"csrf": csrf_of(tried.text), "confirm": "yes"})
        assert deleted.status_code == 200 and "Deleted:" in deleted.text
        assert "Bad Guy" not in page.get("/").text


def test_the_sign_in_page_links_to_no_listener(
    two_versions_listener: Path, isolated_environment: Path
) -> None:
    settings = copy_of(two_versions_listener, isolated_environment)
    app = create_app(Settings(data_dir=settings.data_dir, retrain_every_hours=0), access="tokens")
    with TestClient(app) as page:
        signin = page.get("/signin")
    assert signin.status_code == 200
    assert "profile=None" not in signin.text and 'class="brand" href="/"' in signin.text
