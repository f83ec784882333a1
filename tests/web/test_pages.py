"""The pages over HTTP, in process, on the demo model: headers, the signed highscore, weight, startup."""

from __future__ import annotations

import html
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from musicflow.api.app import create_app
from musicflow.app.access import Grants
from musicflow.app.service import MusicFlow
from musicflow.app.vocabulary import ARTISTS_WHOSE, by_artist_words
from musicflow.config import Settings
from musicflow.errors import ConfigError
from musicflow.web import SESSION_COOKIE, install_web
from tests.web.conftest import PROFILE, SCRIPT_ARTIST, SCRIPT_SONG
from tests.web.test_upload_page import signed_in

STRONG_KEY = "k3y-for-tests-0123456789-abcdefghijkl"
PAGE_BUDGET_BYTES = 200 * 1024


def web_app(musicflow: MusicFlow, settings: Settings) -> FastAPI:
    app = FastAPI()
    app.state.musicflow = musicflow
    app.state.profile = PROFILE
    app.state.grants = Grants("open", PROFILE)
    install_web(app, settings)
    return app


@pytest.fixture
def client(demo_app: MusicFlow) -> Iterator[TestClient]:
    settings = Settings(web_session_secret=SecretStr(STRONG_KEY))
    with TestClient(web_app(demo_app, settings)) as test_client:
        yield test_client


def test_every_page_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/taste", "/static/style.css", "/?song=Nope&artist=Nobody"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"


def test_a_tampered_cookie_is_an_empty_highscore(client: TestClient) -> None:
    client.get("/", params={"song": "Bad Guy", "artist": "Billie Eilish"})  # one the listener never played
    assert "Bad Guy" in client.get("/").text.split('id="hs-title"')[1]
    signed = client.cookies[SESSION_COOKIE]
    payload, _, signature = signed.partition(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    client.cookies.set(SESSION_COOKIE, forged)
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="highscore-empty"' in page.text


def test_a_title_with_markup_is_escaped_everywhere(client: TestClient) -> None:
    page = client.get("/", params={"song": "<script>alert(1)</script>", "artist": "Mallory <b>& Co</b>"})
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_first_page_is_small(client: TestClient) -> None:
    page = client.get("/", params={"song": "Blinding Lights", "artist": "The Weeknd"})
    total = len(page.content)
    for asset in ("/static/style.css", "/static/cover.svg"):
        total += len(client.get(asset).content)
    assert total < PAGE_BUDGET_BYTES


def test_an_unknown_profile_is_a_message_with_what_would_help(client: TestClient) -> None:
    page = client.get("/taste", params={"profile": "nobody"})
    assert page.status_code == 404
    assert "no profile &#39;nobody&#39; with plays on this server" in page.text
    assert "What would help" in page.text


def test_production_refuses_to_start_without_a_strong_key(demo_app: MusicFlow) -> None:
    for key in (None, "short", "a" * 64):
        settings = Settings(web_production=True, web_session_secret=SecretStr(key) if key else None)
        with pytest.raises(ConfigError, match="strong MUSICFLOW_WEB_SESSION_SECRET"):
            web_app(demo_app, settings)
    web_app(demo_app, Settings(web_production=True, web_session_secret=SecretStr(STRONG_KEY)))


def test_a_song_no_source_knows_by_an_artist_you_stream_is_answered_and_says_from_what(
    client: TestClient,
) -> None:
    """The answer says what it rests on: here the listener's history of the artist alone."""
    page = client.get("/", params={"song": "A Song No Catalog Has", "artist": "Linkin Park"})
    assert page.status_code == 200
    assert "predicted streams" in page.text
    assert "from your history of this artist only" in page.text
    assert "Features from ." not in page.text


def test_how_sure_quotes_the_models_test_on_songs_like_the_one_asked(
    client: TestClient, demo_app: MusicFlow
) -> None:
    """A song by an artist the listener never streamed is judged by the model's test on such songs, the
    figure Discover quotes for them, not by its AUC over all songs."""
    kinds = set()
    # The only song of theirs by its artist is judged as the model saw it: by an artist new to them.
    listener = demo_app.serving.get(PROFILE).listener
    alone = next(t for t in demo_app.top_streams(PROFILE, 200) if len(listener.songs_by(t.artist)) == 1)
    asked = ((SCRIPT_SONG, SCRIPT_ARTIST), ("Blinding Lights", "The Weeknd"), (alone.track, alone.artist))
    for song, artist in asked:  # new, streamed, streamed once
        prediction = demo_app.predict(PROFILE, song, artist)
        known = prediction.answer.affinity.songs > 0  # the artist's other songs
        assert known or song != "Blinding Lights"
        kinds.add(known)
        standing = demo_app.standing(PROFILE, prediction.model_version)
        assert standing is not None
        expected = by_artist_words(known, standing.by_artist[known])
        page = html.unescape(client.get("/", params={"song": song, "artist": artist}).text)
        sure = page.split('class="sure">')[1].split("</p>")[0]
        assert (expected or f"too few songs by {ARTISTS_WHOSE[known]}") in sure, sure
    assert kinds == {True, False}


def test_each_reason_says_what_it_changed_in_the_streams_shown(
    client: TestClient, demo_app: MusicFlow
) -> None:
    """ "-51 %" beside an estimate of 3.06 that the model alone put at 7.2 was not what the reason changed
    (the push is on the model's log scale): each reason shows what it changed in predicted streams, the
    one that leaned the estimate toward the base rate exactly the difference its words state."""
    leaned = None
    for track in demo_app.taste(PROFILE).top_tracks:
        answer = demo_app.predict(PROFILE, track.name, track.artist)
        if any(r.feature == "artist_evidence" for r in answer.answer.prediction.contributions):
            leaned = answer
            break
    assert leaned is not None, "the demo's top songs include one by an artist of few songs"
    reasons = leaned.answer.prediction.contributions
    first = reasons[0]
    assert first.feature == "artist_evidence" and first.streams is not None
    alone = float(first.words.rsplit("(", 1)[1].split(" from")[0])
    assert first.streams == pytest.approx(leaned.streams - alone, abs=0.051)  # as the words round it
    changes = [abs(r.streams or 0.0) for r in reasons[1:]]
    assert changes == sorted(changes, reverse=True)  # strongest first, in what the listener reads
    query = leaned.answer.song.query
    page = html.unescape(client.get("/", params={"song": query.song, "artist": query.artist}).text)
    for reason in reasons:
        assert f"{reason.streams:+.2f} stream" in page, reason
    assert " %" not in page.split('aria-label="What moved this prediction')[1].split("</svg>")[0]


def test_a_listener_who_may_only_read_is_not_sent_to_an_upload_they_cannot_make(
    catalog_store: Path, tmp_path: Path
) -> None:
    """A read token's profile with no plays yet: each page said "add your Spotify data export on the
    upload page", where the upload page then said that token may not send one. Each says instead that
    adding it takes a token that may change data; a write token's pages still lead to the upload."""
    data_dir = tmp_path / "data"
    shutil.copytree(catalog_store, data_dir)
    settings = Settings(data_dir=data_dir, feature_sources=["catalog"])
    with MusicFlow.open(settings) as app:
        tokens = {scope: app.create_token("newcomer", scope).token for scope in ("read", "write")}
    with TestClient(create_app(settings, access="tokens"), follow_redirects=False) as reader:
        signed_in(reader, tokens["read"])
        for path in ("/taste", "/discover", "/?song=Bones&artist=Imagine+Dragons"):
            page = html.unescape(reader.get(path).text)
            assert "may change data" in page and "yours may only read" in page, path
            assert "on the upload page" not in page and 'href="/upload?' not in page.split("<main")[1], path
        writer = TestClient(reader.app, follow_redirects=False)
        signed_in(writer, tokens["write"])
        for path in ("/taste", "/discover"):
            page = html.unescape(writer.get(path).text)
            assert 'href="/upload?profile=newcomer"' in page and "yours may only read" not in page, path


def test_a_song_whose_artist_was_streamed_in_it_alone_says_why_the_artist_counts_as_new(
    client: TestClient, demo_app: MusicFlow
) -> None:
    """A real listener's 148 streams of Skillet's one song were answered "for songs by artists new to
    you, the model ranked ...": true as the model sees the song (the artist's other songs: none), false
    as the listener reads it. The page says why the artist counts as new; of a song by an artist never
    streamed, nothing more."""
    listener = demo_app.serving.get(PROFILE).listener
    alone = next(t for t in demo_app.top_streams(PROFILE, 200) if len(listener.songs_by(t.artist)) == 1)
    page = html.unescape(client.get("/", params={"song": alone.track, "artist": alone.artist}).text)
    sure = page.split('class="sure">')[1].split("</p>")[0]
    assert f"songs by {ARTISTS_WHOSE[False]}" in sure, sure
    assert sure.endswith(
        f" {alone.artist} counts as new to you here: you streamed {alone.artist} in this song alone."
    ), sure
    never = html.unescape(client.get("/", params={"song": SCRIPT_SONG, "artist": SCRIPT_ARTIST}).text)
    assert f"songs by {ARTISTS_WHOSE[False]}" in never and "counts as new to you here" not in never
