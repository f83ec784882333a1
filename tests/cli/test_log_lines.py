"""What `-v` and `-vv` print names no song a listener asked about: the HTTP library's line for each
request (a Spotify search's address holds the title and the artist) is not printed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from musicflow.app.service import MusicFlow
from musicflow.cli.command_tree import app
from musicflow.config import Settings
from tests.fakes.clock import FakeClock
from tests.fakes.spotify import FakeSpotify

runner = CliRunner()


def test_verbose_logs_do_not_name_the_song_asked(tmp_path: Path) -> None:
    with MusicFlow.open(Settings(data_dir=tmp_path)):  # a store (`features show` makes none)
        pass
    spotify = FakeSpotify(clock=FakeClock())
    with spotify.running():
        env = {
            "MUSICFLOW_DATA_DIR": str(tmp_path),
            "MUSICFLOW_FEATURE_SOURCES": "spotify",
            "MUSICFLOW_USE_BUNDLED_CATALOG": "false",
            "MUSICFLOW_SPOTIFY_API_URL": spotify.api_url,
            "MUSICFLOW_SPOTIFY_TOKEN_URL": spotify.accounts_url,
            "MUSICFLOW_SPOTIFY_CLIENT_ID": spotify.client_id,
            "MUSICFLOW_SPOTIFY_CLIENT_SECRET": spotify.client_secret,
        }
        for verbose in ("-v", "-vv"):
            asked = ["features", "show", "--song", "A Song Nobody Logs", "--artist", "Private Person"]
            result = runner.invoke(app, [verbose, *asked], env=env)
            assert spotify.requests, "Spotify was not asked"  # the question went out
            printed = result.stdout + result.stderr
            assert "HTTP Request" not in printed
            assert "Nobody+Logs" not in printed and "Nobody%20Logs" not in printed
