"""A source that asked us to wait (a 429 with a Retry-After of a day) is not asked again before then by
any question: a GET remembers it in the server's memory (it writes nothing), a command that may write
records it in the store, where every later process reads it. Through the Spotify fake on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from musicflow.app.service import MusicFlow
from musicflow.config import Settings
from musicflow.errors import RateLimitedError
from tests.fakes.clock import FakeClock
from tests.fakes.server import json_response
from tests.fakes.spotify import SEARCH_PATH, FakeSpotify, Song

DAY = 86_400
HELLO = Song("4sPmO7WMQUAf45kwMOtONw", "Hello", ("Adele",))


@pytest.fixture
def limited(spotify_server: FakeSpotify) -> FakeSpotify:
    spotify_server.add(HELLO)
    wait = json_response(
        429, {"error": {"status": 429, "message": "API rate limit exceeded"}}, {"Retry-After": str(DAY)}
    )
    spotify_server.script(SEARCH_PATH, wait)  # once: asked again, it would answer
    return spotify_server


@pytest.fixture
def settings(tmp_path: Path, limited: FakeSpotify) -> Settings:
    return Settings(
        data_dir=tmp_path / "home",
        use_bundled_catalog=False,
        feature_sources=["spotify"],
        spotify_api_url=limited.api_url,
        spotify_token_url=limited.accounts_url,
        spotify_client_id=limited.client_id,
        spotify_client_secret=SecretStr(limited.client_secret),
    )


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[MusicFlow]:
    with MusicFlow.open(settings, clock) as opened:
        yield opened


def ask(app: MusicFlow, *, keep: bool) -> RateLimitedError:
    with pytest.raises(RateLimitedError) as raised:
        app.song_features("Hello", "Adele", keep=keep)
    return raised.value


def test_a_question_over_http_asks_a_source_that_said_wait_no_more_and_writes_nothing(
    app: MusicFlow, limited: FakeSpotify, clock: FakeClock
) -> None:
    first = ask(app, keep=False)
    said = str(first)
    assert "(asked: spotify; spotify: rate limited: it asked us to wait until " in said
    assert "spotify: spotify:" not in said
    assert first.resume_at == pytest.approx(clock.now() + DAY, abs=2)
    asked = limited.count(SEARCH_PATH)
    assert asked >= 1
    for _ in range(3):  # other questions, in the same server: none reaches Spotify, and none says it did
        later = str(ask(app, keep=False))
        assert "(asked: no source; spotify: rate limited: it asked us to wait until " in later
    assert limited.count(SEARCH_PATH) == asked
    assert app._store.features.source_pause("spotify") is None  # a GET writes nothing


def test_a_command_records_the_wait_and_the_next_one_honours_it_until_it_ends(
    settings: Settings, limited: FakeSpotify, clock: FakeClock
) -> None:
    with MusicFlow.open(settings, clock) as app:
        ask(app, keep=True)  # `features show`: it may write
        paused = app._store.features.source_pause("spotify")
        assert paused is not None and paused.resume_at == pytest.approx(clock.now() + DAY, abs=2)
    asked = limited.count(SEARCH_PATH)
    with MusicFlow.open(settings, clock) as app:  # the next command: another process, the same store
        ask(app, keep=True)
        ask(app, keep=False)
    assert limited.count(SEARCH_PATH) == asked  # it asked again on every command before
    clock.advance(DAY + 1)  # the wait is over: asked again, Spotify answers
    with MusicFlow.open(settings, clock) as app:
        found = app.song_features("Hello", "Adele", keep=True)
    assert limited.count(SEARCH_PATH) > asked and found.merged.values
