"""A listener's songs are told to no other listener: on a server that asks for tokens, a song only
another listener played (and no catalog has) is neither said to be "known (it was played)", nor offered
as a near name ("did you mean"), nor suggested, to a token of someone else; its own listener still is.

The store holds the demo listener (with a model) and a second listener, `other` (plays only)."""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from fastapi.testclient import TestClient

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.errors import SongNotFoundError
from tests.api.test_access import bearer
from tests.trained import PROFILE, copy_of

KNOWN = "is known (it was played)"
OTHER_EXPORT = Path("histories/extended/erickmay/endsong_1.json")  # no song of it is the demo's


@dataclass(frozen=True)
class TheirSong:
    """A song only `other` played, no source has features for, and a misspelling of it that finds it."""

    song: str
    artist: str
    typed: dict[str, str]


def _only_theirs(app: MusicFlow) -> TheirSong:
    demo = {(t.track, t.artist) for t in app.top_streams(PROFILE, None)}
    for played in app.top_streams("other", None):
        if (played.track, played.artist) in demo or len(played.track) < 8 or len(played.artist) < 6:
            continue
        try:
            app.song_features(played.track, played.artist, keep=False)
        except SongNotFoundError as missing:
            if KNOWN not in str(missing):
                continue
        else:
            continue  # a catalog has it: its name is no one's secret
        typed = {"song": played.track[:-1], "artist": played.artist[:-1]}
        try:  # the store's own user (a command) is offered it for the misspelling
            app.song_features(typed["song"], typed["artist"], keep=False)
        except SongNotFoundError as near:
            if played.track in str(near) or any(s.song == played.track for s in near.suggestions):
                return TheirSong(played.track, played.artist, typed)
    raise AssertionError("the second listener has no song only they played that no catalog has")


@pytest.fixture(scope="module")
def shared(
    two_versions_listener: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str], TheirSong]]:
    data_dir = tmp_path_factory.mktemp("two_listeners")
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("MUSICFLOW_")]:
            patch.delenv(name)
        copy_of(two_versions_listener, data_dir)
        with MusicFlow.open(Settings(data_dir=data_dir)) as app:
            app.ingest([shared_data / OTHER_EXPORT], "other")
            tokens = {"demo": app.create_token(PROFILE).token, "other": app.create_token("other").token}
            theirs = _only_theirs(app)
        settings = Settings(data_dir=data_dir, retrain_every_hours=0)
        with TestClient(create_app(settings, profile=PROFILE, access="tokens")) as server:
            yield server, tokens, theirs


@pytest.mark.parametrize("route", ["/api/prediction/", "/api/features/", "/api/raw_features/"])
def test_another_listeners_song_is_not_told_of(
    shared: tuple[TestClient, dict[str, str], TheirSong], route: str
) -> None:
    server, tokens, theirs = shared
    exact = server.get(
        route, params={"song": theirs.song, "artist": theirs.artist}, headers=bearer(tokens["demo"])
    )
    assert exact.status_code == 404
    assert KNOWN not in exact.text
    typed = server.get(route, params=theirs.typed, headers=bearer(tokens["demo"]))
    assert typed.status_code == 404
    assert theirs.song not in typed.text  # neither "did you mean" nor a suggestion names it


def test_the_page_does_not_tell_of_it_either(shared: tuple[TestClient, dict[str, str], TheirSong]) -> None:
    server, tokens, theirs = shared
    page = server.get("/signin")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    signed = server.post("/signin", data={"token": tokens["demo"], "csrf": csrf}, follow_redirects=False)
    assert signed.status_code == 303
    try:
        exact = server.get("/", params={"song": theirs.song, "artist": theirs.artist})
        assert exact.status_code == 404
        assert KNOWN not in html.unescape(exact.text)
        typed = server.get("/", params=theirs.typed)
        assert typed.status_code == 404
        assert theirs.song not in html.unescape(typed.text)  # nor in a link: quote_plus(song)
        assert quote_plus(theirs.song) not in typed.text
    finally:
        server.cookies.clear()


def test_their_own_listener_is_still_told(shared: tuple[TestClient, dict[str, str], TheirSong]) -> None:
    server, tokens, theirs = shared
    exact = server.get(
        "/api/features/",
        params={"song": theirs.song, "artist": theirs.artist},
        headers=bearer(tokens["other"]),
    )
    assert exact.status_code == 404
    assert KNOWN in exact.text
    typed = server.get("/api/features/", params=theirs.typed, headers=bearer(tokens["other"]))
    assert typed.status_code == 404
    assert theirs.song in typed.text
