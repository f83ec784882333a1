"""The page answers from the listener's library too: a banned artist's song is a firm zero, a saved song
says it is in their Liked Songs."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from musicflow.app.service import MusicFlow
from musicflow.app.vocabulary import Evaluation
from musicflow.config import Settings
from musicflow.features.genres import artist_genre_names
from musicflow.store.ports import Job
from musicflow.web.upload_pages import job_view
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
    assert '<span id="streams">0.00</span> predicted streams' in text
    assert (
        "You banned The Weeknd in Spotify" in text and "you banned The Weeknd (every song of theirs)" in text
    )

    saved = client.get("/", params={"song": "Levitating", "artist": "Dua Lipa", "profile": PROFILE})
    assert saved.status_code == 200
    assert '<ul class="library" id="library"><li>♥ in your Liked Songs</li></ul>' in html.unescape(saved.text)


def test_discover_leaves_out_an_artist_banned_after_it_was_shown(
    served: tuple[MusicFlow, TestClient], tmp_path: Path
) -> None:
    app, client = served

    def artists() -> list[str]:
        page = client.get("/discover", params={"profile": PROFILE})
        assert page.status_code == 200
        return [html.unescape(a) for a in re.findall(r'<span class="pick-artist">([^<]+)</span>', page.text)]

    shown = artists()
    assert shown
    library = tmp_path / "YourLibrary.json"
    library.write_text(json.dumps({"bannedArtists": [{"name": shown[0]}]}))
    app.ingest([library], PROFILE)
    after = artists()
    assert after and shown[0] not in after


def test_the_upload_page_says_what_the_library_held() -> None:
    library = {"saved_song": 3, "saved_album": 0, "followed_artist": 0, "banned_song": 0, "banned_artist": 1}
    done = Job(
        "j",
        "me",
        "upload",
        "done",
        "done",
        {},
        {"plays": 0, "new_plays": 0, "library": library},
        None,
        None,
        1,
        0.0,
        1.0,
    )
    assert job_view(done)["library"] == (
        "Your library: 3 Liked Songs; you banned 1 artist: answered 0 and never recommended."
    )
    without = Job(
        "j", "me", "upload", "done", "done", {}, {"plays": 5, "new_plays": 5}, None, None, 1, 0.0, 1.0
    )
    assert job_view(without)["library"] is None


def test_the_taste_page_shows_your_genres_and_your_library(
    served: tuple[MusicFlow, TestClient], tmp_path: Path
) -> None:
    app, client = served
    before = html.unescape(client.get("/taste", params={"profile": PROFILE}).text)
    assert 'id="genres-title"' in before and 'id="library-summary"' not in before  # no library yet
    listener = app.serving.get(PROFILE).listener
    top_name, top_share = max(listener.genres().items(), key=lambda g: g[1])
    assert f"{top_share:.0%}".replace("%", " %") in before and top_name in before
    # each genre shown is one the sources give an artist the listener streamed, named as they name it,
    # never a word cut out of one ("k" and "pop" of "k-pop", "feel" and "good" of "feel good")
    chart = before.split('id="genres"')[1].split("</figure>")[0]
    shown = [
        "".join(re.findall(r"<tspan[^>]*>([^<]+)</tspan>", label))
        for label in re.findall(r'<text[^>]*class="label"[^>]*>(.*?)</text>', chart)
    ]
    names = artist_genre_names()
    theirs = {name for artist in listener.artist_affinities() for name in names.get(artist, {})}
    assert len(shown) == 8 and set(shown) <= theirs
    assert any(" " in name for name in shown)  # the demo listener's genres include some of two words
    # the demo listener is alone in their store: their model goes without genres, and the page says so
    assert "artist_genre_match" not in app.serving.get(PROFILE).model.features
    # in the words of its own training's recorded reason, said of the store as it was then
    evaluation = Evaluation.from_dict(app.serving.get(PROFILE).model.evaluation)
    reason = evaluation.left_out()["artist_genre_match"].removesuffix(" (the time split)")
    note = before.split('id="genres-note">')[1].split("</p>")[0]
    assert note.startswith("Your model does not use genres. When it was trained,") and reason in note, note
    assert "other listeners share this store" not in before
    library = tmp_path / "YourLibrary.json"
    library.write_text(json.dumps(LIBRARY | {"bannedTracks": [{"artist": "Muse", "track": "Uprising"}]}))
    app.ingest([library], PROFILE)
    page = html.unescape(client.get("/taste", params={"profile": PROFILE}).text)
    said = page.split('id="library-summary">')[1].split("</p>")[0]
    assert said == "1 Liked Song; you banned 1 song and 1 artist: answered 0 and never recommended."
    assert page.count("Your library") == 1  # the heading says it, the sentence does not again
    assert "<li>The Weeknd (every song)</li>" in page and "<li>'Uprising' by Muse</li>" in page
