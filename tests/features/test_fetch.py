"""The resumable fetch job, end to end: real store, real HTTP to a fake ReccoBeats on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from musicflow.config import Settings
from musicflow.core.plays import ExportFormat, Play
from musicflow.features.fetch import fetch_features
from musicflow.features.reccobeats import ReccoBeatsOptions, ReccoBeatsSource
from musicflow.features.spotify import SpotifyOptions, SpotifySource
from musicflow.features.spotify_auth import SpotifyCredentials
from musicflow.store import open_store
from musicflow.store.sql import SqlStore
from tests.fakes.clock import FakeClock
from tests.fakes.options import FAST_HTTP
from tests.fakes.reccobeats import AUDIO_PATH, TRACK_PATH, FakeReccoBeats
from tests.fakes.server import Reset, Slow, json_response
from tests.fakes.spotify import FakeSpotify, Song

TRACKS = 100  # three batches of 40, 40 and 20
DAY = 86_400.0


def spotify_id(n: int) -> str:
    return f"{n:04d}".ljust(22, "A")


def listened(store: SqlStore, tracks: int = TRACKS, profile: str = "default") -> int:
    profile_id = store.ensure_profile(profile)
    plays = [
        Play(
            1_700_000_000 + 600 * n,
            200_000,
            f"Song {n}",
            "Artist",
            None,
            spotify_id(n),
            None,
            None,
            ExportFormat.EXTENDED,
        )
        for n in range(tracks)
    ]
    store.add_plays(profile_id, plays)
    return profile_id


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = open_store(Settings(data_dir=tmp_path / "store"))
    yield store
    store.close()


def recco(server: FakeReccoBeats, clock: FakeClock) -> ReccoBeatsSource:
    return ReccoBeatsSource(ReccoBeatsOptions(base_url=server.base_url, http=FAST_HTTP), clock=clock)


def requests_made(server: FakeReccoBeats) -> int:
    return server.count(AUDIO_PATH) + server.count(TRACK_PATH)


def test_a_fetch_stopped_by_a_dead_upstream_resumes_with_only_the_calls_not_made(
    store: SqlStore, clock: FakeClock, reccobeats_server: FakeReccoBeats
):
    reccobeats_server.know_everything = True
    profile_id = listened(store)
    # The first batch goes through; then the server is down for longer than the retry budget.
    dead = [json_response(503, {"error": {"status": 503, "message": "down"}})] * FAST_HTTP.max_attempts
    reccobeats_server.script(AUDIO_PATH, Slow(0), *dead)
    source = recco(reccobeats_server, clock)
    (run,) = fetch_features(store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    assert run.answered == 40
    assert run.stopped and "reccobeats" in run.stopped
    first_run_requests = requests_made(reccobeats_server)

    (again,) = fetch_features(store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    source.close()
    assert (again.pending, again.answered, again.stopped) == (60, 60, None)
    # 60 tracks left: two batches, each one audio-features and one track request.
    assert requests_made(reccobeats_server) - first_run_requests == 4
    stored = store.features.features_of(list(range(1, TRACKS + 1)))
    assert len(stored) == TRACKS
    assert all(s[0].source == "reccobeats" and "energy" in s[0].values for s in stored.values())


def test_a_finished_fetch_asks_nothing_again(
    store: SqlStore, clock: FakeClock, reccobeats_server: FakeReccoBeats
):
    reccobeats_server.known = {spotify_id(n) for n in range(0, TRACKS, 2)}  # half are unknown
    profile_id = listened(store)
    source = recco(reccobeats_server, clock)
    (run,) = fetch_features(store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    assert (run.answered, run.not_found) == (50, 50)
    before = requests_made(reccobeats_server)
    (again,) = fetch_features(store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    assert (again.pending, requests_made(reccobeats_server)) == (0, before)
    clock.advance(DAY + 1)  # the negative cache expires: only the misses are asked again
    (later,) = fetch_features(store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    source.close()
    assert later.pending == 50


def test_a_long_retry_after_pauses_the_source_and_says_until_when(
    sqlite_store: SqlStore, clock: FakeClock, reccobeats_server: FakeReccoBeats
):
    reccobeats_server.know_everything = True
    profile_id = listened(sqlite_store)
    hours = 3 * 3600
    reccobeats_server.script(
        AUDIO_PATH,
        Slow(0),
        json_response(429, {"error": {"status": 429, "message": "slow down"}}, {"Retry-After": str(hours)}),
    )
    source = recco(reccobeats_server, clock)
    (run,) = fetch_features(sqlite_store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    # of the 100 to ask, the batch answered was asked; the one answered with a wait was not (it said
    # "asked 100" of a run that asked 40)
    assert (run.pending, run.asked, run.answered, run.undecided) == (100, 40, 40, 0)
    assert run.paused_until == pytest.approx(clock.now() + hours, abs=2)
    asked = requests_made(reccobeats_server)

    (paused,) = fetch_features(sqlite_store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    assert paused.paused_until == run.paused_until
    assert (paused.pending, paused.asked) == (
        60,
        0,
    )  # what is left to ask, none of it asked (it said 0 to ask)
    assert requests_made(reccobeats_server) == asked  # nothing asked while paused

    clock.advance(hours + 1)
    (resumed,) = fetch_features(sqlite_store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    source.close()
    assert (resumed.pending, resumed.answered, resumed.paused_until) == (60, 60, None)


def test_garbage_from_upstream_stores_nothing(
    sqlite_store: SqlStore, clock: FakeClock, reccobeats_server: FakeReccoBeats
):
    reccobeats_server.know_everything = True
    reccobeats_server.audio_overrides[spotify_id(3)] = {"energy": 7.5}  # out of range: that row only
    profile_id = listened(sqlite_store, tracks=10)
    reccobeats_server.script(AUDIO_PATH, Reset())  # a reset is retried, then the answers come
    source = recco(reccobeats_server, clock)
    (run,) = fetch_features(sqlite_store.features, profile_id, [source], clock=clock, miss_ttl_s=DAY)
    source.close()
    assert run.answered == 9
    stored = sqlite_store.features.features_of(list(range(1, 11)))
    assert 4 not in stored  # track 4 holds spotify_id(3)
    assert len(stored) == 9


@pytest.mark.slow
def test_the_fetch_command_killed_half_way_makes_only_the_missing_calls_next_time(
    isolated_environment: Path, reccobeats_server: FakeReccoBeats
):
    reccobeats_server.know_everything = True
    settings = Settings()
    store = open_store(settings)
    listened(store, tracks=400)  # ten batches
    store.close()
    reccobeats_server.script(AUDIO_PATH, *[Slow(0.15)] * 100)
    env = {
        **os.environ,
        "MUSICFLOW_FEATURE_SOURCES": "reccobeats",
        "MUSICFLOW_RECCOBEATS_URL": reccobeats_server.base_url,
    }
    command = [sys.executable, "-m", "musicflow", "features", "fetch"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while reccobeats_server.count(AUDIO_PATH) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    asked_before_kill = reccobeats_server.count(AUDIO_PATH)
    assert 4 <= asked_before_kill < 10

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # Ten batches in all; at most the one in flight at the kill is asked twice.
    assert 10 <= reccobeats_server.count(AUDIO_PATH) <= 11
    assert "full audio features" in done.stdout
    store = open_store(settings)
    try:
        assert len(store.features.features_of(list(range(1, 401)))) == 400
    finally:
        store.close()


def test_spotify_resolves_ids_that_reccobeats_then_uses(
    sqlite_store: SqlStore, clock: FakeClock, reccobeats_server: FakeReccoBeats, spotify_server: FakeSpotify
):
    songs = [Song(spotify_id(n), f"Basic Song {n}", ("Basic Artist",)) for n in range(12)]
    spotify_server.add(*songs)
    reccobeats_server.know_everything = True
    profile_id = sqlite_store.ensure_profile("default")
    sqlite_store.add_plays(
        profile_id,
        [
            Play(
                1_700_000_000 + 600 * n,
                200_000,
                s.name,
                "Basic Artist",
                None,
                None,
                None,
                None,
                ExportFormat.BASIC,
            )
            for n, s in enumerate(songs)
        ]
        + [
            Play(
                1_700_100_000, 200_000, "Not On Spotify", "Nobody", None, None, None, None, ExportFormat.BASIC
            )
        ],
    )
    spotify = SpotifySource(
        SpotifyCredentials(spotify_server.client_id, spotify_server.client_secret),
        SpotifyOptions(
            api_base_url=spotify_server.api_url, token_url=spotify_server.accounts_url, http=FAST_HTTP
        ),
        clock=clock,
    )
    recco_source = recco(reccobeats_server, clock)
    runs = fetch_features(
        sqlite_store.features, profile_id, [spotify, recco_source], clock=clock, miss_ttl_s=DAY
    )
    spotify.close()
    recco_source.close()
    assert [(r.source, r.answered, r.not_found) for r in runs] == [("spotify", 12, 1), ("reccobeats", 12, 0)]
    assert runs[1].undecided == 1  # the song Spotify could not resolve has no id to ask with
    track = sqlite_store.features.find_track("Basic Song 3", "Basic Artist")
    assert track is not None and track.query.spotify_id == spotify_id(3)
    stored = {s.source: s for s in sqlite_store.features.features_of([track.track_id])[track.track_id]}
    assert stored["spotify"].isrc and "release_year" in stored["spotify"].values
    assert "popularity" not in stored["spotify"].values  # development mode: missing, never 0
    assert "energy" in stored["reccobeats"].values
