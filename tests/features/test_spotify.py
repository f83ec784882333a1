"""Spotify through its fake: token handling, search that checks the hit, development-mode metadata."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from musicflow.core.songs import FeatureRecord, NotFound, TrackQuery
from musicflow.errors import RateLimitedError, UpstreamAuthError
from musicflow.features.source_port import FeatureSource
from musicflow.features.spotify import SpotifyOptions, SpotifySource
from musicflow.features.spotify_auth import SpotifyCredentials
from tests.fakes.clock import FakeClock
from tests.fakes.options import FAST_HTTP
from tests.fakes.server import json_response
from tests.fakes.spotify import SEARCH_PATH, TOKEN_PATH, TRACKS_PREFIX, FakeSpotify, Song

HELLO = Song("4sPmO7WMQUAf45kwMOtONw", "Hello", ("Adele",), duration_ms=295_493, isrc="GBBKS1500214")
KARAOKE_HELLO = Song("0Ur4O2B4kHDgHdbGUEa3pD", "Hello", ("Karaoke Kings",))
LET_IT_BE = Song(
    "7iN1s7xHE4ifF5povM6A48",
    "Let It Be - Remastered 2009",
    ("The Beatles",),
    release_date="1970-03",
    release_date_precision="month",
)


def make_source(
    server: FakeSpotify, clock: FakeClock, secret: str | None = None, **options: object
) -> SpotifySource:
    credentials = SpotifyCredentials(server.client_id, secret or server.client_secret)
    settings = SpotifyOptions(
        api_base_url=server.api_url,
        token_url=server.accounts_url,
        http=FAST_HTTP,
        **options,  # type: ignore[arg-type]
    )
    return SpotifySource(credentials, settings, clock=clock)


@pytest.fixture
def server(spotify_server: FakeSpotify) -> FakeSpotify:
    spotify_server.add(KARAOKE_HELLO, HELLO, LET_IT_BE)
    return spotify_server


@pytest.fixture
def source(server: FakeSpotify, clock: FakeClock) -> Iterator[SpotifySource]:
    made = make_source(server, clock)
    yield made
    made.close()


def ask(source: SpotifySource, artist: str, song: str, spotify_id: str | None = None) -> object:
    return source.fetch([TrackQuery(key="k", song=song, artist=artist, spotify_id=spotify_id)]).get("k")


def test_search_picks_the_hit_matching_artist_and_title_not_the_first(source, server):
    record = ask(source, "Adele", "Hello")

    assert isinstance(record, FeatureRecord)
    assert record.spotify_id == HELLO.spotify_id  # the karaoke version came first in the results
    assert record.source == "spotify" and record.isrc == "GBBKS1500214"
    assert record.values["duration_ms"] == 295_493
    assert record.values["explicit"] is False
    assert record.values["n_artists"] == 1
    assert (record.values["release_year"], record.values["release_month"], record.values["release_day"]) == (
        2011,
        3,
        7,
    )


def test_search_asks_for_at_most_10_results_and_needs_no_second_request(source, server):
    ask(source, "Adele", "Hello")

    [search] = [r for r in server.requests if r.path == SEARCH_PATH]
    assert search.param("limit") == "10" and search.param("type") == "track"
    assert server.count(TRACKS_PREFIX + HELLO.spotify_id) == 0


def test_loose_spelling_still_matches(source, server):
    record = ask(source, "the beatles", "Let It Be")

    assert isinstance(record, FeatureRecord) and record.spotify_id == LET_IT_BE.spotify_id
    assert record.values["release_year"] == 1970 and record.values["release_month"] == 3
    assert "release_day" not in record.values  # precision "month": the day is not known


def test_no_matching_hit_is_not_found(source, server):
    answer = ask(source, "Lionel Richie", "Hello")

    assert isinstance(answer, NotFound) and answer.source == "spotify"


def test_a_known_spotify_id_skips_search(source, server):
    record = ask(source, "Adele", "Hello", spotify_id=HELLO.spotify_id)

    assert isinstance(record, FeatureRecord) and record.spotify_id == HELLO.spotify_id
    assert server.count(SEARCH_PATH) == 0
    assert server.count(TRACKS_PREFIX + HELLO.spotify_id) == 1


def test_an_unknown_spotify_id_is_not_found(source, server):
    answer = ask(source, "Nobody", "Nothing", spotify_id="0000000000000000000000")

    assert isinstance(answer, NotFound)


def test_popularity_and_markets_missing_in_development_mode_stay_missing(source, server):
    record = ask(source, "Adele", "Hello")

    assert isinstance(record, FeatureRecord)
    assert "popularity" not in record.values and "n_markets" not in record.values


def test_popularity_and_markets_are_used_when_spotify_sends_them(source, server):
    server.dev_mode = False

    record = ask(source, "Adele", "Hello")

    assert isinstance(record, FeatureRecord)
    assert record.values["popularity"] == 50 and record.values["n_markets"] == 3


def test_an_out_of_range_track_is_rejected_and_the_other_songs_answered(source, server):
    server.add(dataclasses.replace(HELLO, duration_ms=0))

    answers = source.fetch(
        [
            TrackQuery(key="bad", song="Hello", artist="Adele"),
            TrackQuery(key="good", song="Let It Be", artist="The Beatles"),
        ]
    )

    assert "bad" not in answers
    assert isinstance(answers["good"], FeatureRecord)


def test_spotify_asking_for_hours_of_silence_pauses_the_job(source, server, clock):
    server.script(
        SEARCH_PATH,
        json_response(429, {"error": {"status": 429, "message": "Too many"}}, {"Retry-After": "14400"}),
    )

    with pytest.raises(RateLimitedError) as raised:
        ask(source, "Adele", "Hello")

    assert raised.value.source == "spotify"
    assert raised.value.resume_at == pytest.approx(clock.now() + 14400)
    assert server.count(SEARCH_PATH) == 1


def test_one_token_serves_many_requests(source, server):
    for _ in range(3):
        ask(source, "Adele", "Hello")

    assert server.count(TOKEN_PATH) == 1


def test_token_is_renewed_shortly_before_it_expires(source, server, clock):
    ask(source, "Adele", "Hello")
    clock.advance(3600 - 30)  # inside the 60 s margin

    ask(source, "Adele", "Hello")

    assert server.count(TOKEN_PATH) == 2
    assert server.statuses[401] == 0  # renewed before Spotify had to refuse it


def test_a_refused_token_is_replaced_once_for_concurrent_callers(source, server):
    ask(source, "Adele", "Hello")
    server.expire_tokens()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: ask(source, "Adele", "Hello"), range(8)))

    assert all(isinstance(a, FeatureRecord) for a in answers)
    assert server.count(TOKEN_PATH) == 2
    assert server.statuses[401] >= 1


def test_a_token_refused_twice_is_an_auth_error(source, server):
    ask(source, "Adele", "Hello")
    refusal = json_response(401, {"error": {"status": 401, "message": "Invalid access token"}})
    server.script(SEARCH_PATH, refusal, refusal)

    with pytest.raises(UpstreamAuthError, match="401"):
        ask(source, "Adele", "Hello")
    assert server.count(TOKEN_PATH) == 2


def test_invalid_client_is_a_clear_auth_error_without_the_secret(server, clock, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "wrong-secret-0123456789abcdef"
    source = make_source(server, clock, secret=secret)

    with pytest.raises(UpstreamAuthError) as raised:
        ask(source, "Adele", "Hello")

    message = str(raised.value)
    assert "invalid_client" in message and "MUSICFLOW_SPOTIFY_CLIENT_SECRET" in message
    assert secret not in message and secret not in caplog.text and secret not in repr(source)
    assert server.count(TOKEN_PATH) == 1  # a refused secret is not retried
    assert server.count(SEARCH_PATH) == 0


def test_missing_credentials_name_the_settings_to_set(server, clock):
    source = SpotifySource(
        None, SpotifyOptions(api_base_url=server.api_url, token_url=server.accounts_url), clock=clock
    )

    with pytest.raises(UpstreamAuthError, match="MUSICFLOW_SPOTIFY_CLIENT_ID"):
        ask(source, "Adele", "Hello")
    assert server.count(TOKEN_PATH) == 0


def test_the_secret_never_shows_in_logs_or_reprs_of_a_working_source(source, server, caplog):
    caplog.set_level(logging.DEBUG)

    ask(source, "Adele", "Hello")

    assert server.client_secret not in caplog.text
    assert server.client_secret not in repr(source)
    assert "BQ-fake-token" not in caplog.text  # nor the access token


def test_fake_wire_format_audio_features_needs_a_token_then_answers_a_bare_403(server):
    """Guards the fake, on purpose: Spotify closed audio features in November 2024 with this exact answer.

    The source must never count on that endpoint; a fake that answered it would let a test of a
    source that did pass against a Spotify that no longer exists.
    """
    response = httpx.get(server.api_url + "/audio-features", params={"ids": HELLO.spotify_id})
    assert response.status_code == 401  # no token
    token = httpx.post(
        server.accounts_url,
        data={"grant_type": "client_credentials"},
        auth=(server.client_id, server.client_secret),
    ).json()["access_token"]
    response = httpx.get(
        server.api_url + "/audio-features",
        params={"ids": HELLO.spotify_id},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (response.status_code, response.json()) == (403, {"error": {"status": 403}})


def test_source_is_a_feature_source_with_small_batches(source):
    port: FeatureSource = source  # checked by mypy: the class implements the protocol
    assert port.name == "spotify"
    assert 1 <= port.batch_size <= 10
