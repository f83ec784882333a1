"""Names as people type them on the page, over HTTP: an answer for a near name says "did you mean", and
a name nothing is near enough links to the nearest songs known, each link answering for its song."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from tests.web.conftest import PROFILE
from tests.web.test_pages import STRONG_KEY, web_app


@pytest.fixture
def client(demo_app: MusicFlow) -> Iterator[TestClient]:
    with TestClient(web_app(demo_app, Settings(web_session_secret=SecretStr(STRONG_KEY)))) as test_client:
        yield test_client


def test_a_near_name_is_answered_and_says_which_song(client: TestClient) -> None:
    page = client.get("/", params={"song": "Back To Slep", "artist": "chris brown"})
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Did you mean 'Back To Sleep' by Chris Brown? Here is the answer for it." in text
    assert '<span class="title">Back To Sleep</span>' in page.text and "predicted streams" in text
    typed_right = client.get("/", params={"song": "Back To Sleep", "artist": "Chris Brown"})
    assert typed_right.status_code == 200 and 'id="did-you-mean"' not in typed_right.text


def test_nothing_near_enough_links_to_the_nearest_songs(client: TestClient) -> None:
    page = client.get("/", params={"song": "Sugar", "artist": "Marooon Fiev"})
    assert page.status_code == 404
    assert "Did you mean one of these?" in page.text
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page.text)
    assert 1 <= len(links) <= 5
    first_link, first_words = links[0]
    assert html.unescape(first_words) == "'Sugar' by Maroon 5"
    followed = client.get(html.unescape(first_link))
    assert followed.status_code == 200 and "predicted streams" in followed.text
    assert f"profile={PROFILE}" in html.unescape(first_link)

    far = client.get("/", params={"song": "Zzyzx Road", "artist": "Nobody At All"})
    assert far.status_code == 404 and 'id="suggestions"' not in far.text
