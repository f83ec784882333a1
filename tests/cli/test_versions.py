"""Versions of a song as a listener meets them on the command line: a remix or a live version is a song
of its own, counted apart from the song in `streams top` and in every answer about either, found with
its own features, and recommended as what it is; a version nobody knows is never answered as the song.

The demo listener (trained) streamed 'Despacito' once: the tests add to their history, as a later export
would bring them, a stream of it and five of 'Despacito - Remix', which they had never played."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from tests.scale.catalogs import bundled_rows
from tests.trained import trained_data_dir

runner = CliRunner()
FONSI = "Luis Fonsi"
STREAMED = {"Despacito": 2, "Despacito - Remix": 5}  # in all, with the demo's own stream of Despacito
ADDED = {"Despacito": 1, "Despacito - Remix": 5}
# The bundled catalog holds Despacito and its remix by Luis Fonsi twice each: the most popular of each.
ORIGINAL_ID, REMIX_ID = "6habFhsOp2NvshLv26DqMb", "6rPO02ozF3bM7NnOV4h6s2"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def as_json(*args: str) -> Any:
    code, out, err = run(*args, "-f", "json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def listener(tmp_path_factory: pytest.TempPathFactory, isolated_environment: Path) -> None:
    """The trained demo listener, copied for this test."""
    shutil.copytree(trained_data_dir(tmp_path_factory), isolated_environment)


@pytest.fixture
def despacito(listener: None, tmp_path: Path) -> None:
    """The demo listener, who has now streamed Despacito twice and its remix five times."""
    plays = [
        {"endTime": f"2026-02-0{day} 1{n}:00", "artistName": FONSI, "trackName": title, "msPlayed": 200_000}
        for day, (title, streams) in enumerate(ADDED.items(), start=1)
        for n in range(streams)
    ]
    history = tmp_path / "export" / "StreamingHistory_music_9.json"
    history.parent.mkdir()
    history.write_text(json.dumps(plays), encoding="utf-8")
    code, _, err = run("ingest", str(history))
    assert code == 0, err


def test_a_remix_streamed_is_counted_apart_from_the_song(despacito: None):
    """Despacito streamed twice and its remix five times: `streams top` and `predict` say 2 and 5, never
    7 for Despacito; the remix typed in another spelling is the remix."""
    top = as_json("streams", "top", "--limit", "100000")
    fonsi = {row["track"]: row["streams"] for row in top if row["artist"] == FONSI}
    assert {title: fonsi.get(title) for title in STREAMED} == STREAMED
    for title, streams in STREAMED.items():
        code, out, err = run("predict", "--song", title, "--artist", FONSI)
        assert code == 0, err
        assert f"You have streamed it {streams} times already" in out
        answer = as_json("predict", "--song", title, "--artist", FONSI)
        assert answer["history"]["song_streams"] == streams and answer["song"] == title
        assert f"streamed it {streams} times" in answer["description"] and answer["matched"] is None
    typed = as_json("predict", "--song", "Despacito (Remix)", "--artist", FONSI)  # another spelling of it
    assert typed["song"] == "Despacito - Remix" and typed["history"]["song_streams"] == 5


def test_the_song_and_its_remix_each_have_their_own_features(listener: None):
    """Asked by name, 'Despacito' is the catalog's Despacito, never its more popular remix."""
    original = as_json("features", "show", "--song", "Despacito", "--artist", FONSI)
    remix = as_json("features", "show", "--song", "Despacito - Remix", "--artist", FONSI)
    assert (original["spotify_id"], remix["spotify_id"]) == (ORIGINAL_ID, REMIX_ID)
    assert original["song"] == "Despacito" and original["matched"] is None
    assert remix["song"] == "Despacito - Remix" and remix["matched"] is None
    assert original["features"]["popularity"]["value"] < remix["features"]["popularity"]["value"]


def test_a_remix_of_a_song_you_streamed_says_so_and_new_songs_only_leaves_it_out(
    despacito: None, tmp_path: Path
):
    """The listener streamed Despacito and its remix: the catalog's remix is theirs already (never
    listed), another remix is "a remix of Despacito" with their streams of the song itself, and
    `--new-songs-only` leaves it out as it leaves out every version of a song they played."""
    songs = ["Despacito - Remix", "Despacito - Justin Bieber Remix", "Despacito - Live", "Calma"]
    features = bundled_rows(len(songs), offset=70_000).drop("spotify_id", "song", "artists")
    names = pl.DataFrame(
        {"spotify_id": [f"fonsi{i:017d}" for i in range(len(songs))], "song": songs, "artists": [FONSI] * 4}
    )
    pl.concat([names, features], how="horizontal").write_parquet(tmp_path / "fonsi.parquet")
    code, _, err = run("catalog", "add", str(tmp_path / "fonsi.parquet"), "--name", "fonsi")
    assert code == 0, err
    asked = ("recommend", "--catalog", "fonsi", "--top", "10", "--per-artist", "10")
    found = {row["song"]: row for row in as_json(*asked)["recommendations"]}
    assert set(found) == {"Despacito - Justin Bieber Remix", "Despacito - Live", "Calma"}
    assert found["Despacito - Justin Bieber Remix"]["reasons"][0] == (
        "a remix of Despacito, which you streamed 2 times"
    )
    assert (
        found["Despacito - Live"]["reasons"][0] == "a live version of Despacito, which you streamed 2 times"
    )
    assert not any("Despacito" in reason for reason in found["Calma"]["reasons"])
    new_only = as_json(*asked, "--new-songs-only")["recommendations"]
    assert [row["song"] for row in new_only] == ["Calma"]


def test_a_version_no_source_knows_is_not_answered_as_the_song(listener: None):
    """'Smells Like Teen Spirit - Live' is near the song the listener streams by name, but a live
    recording is no typo of it: it is answered from the listener's history of Nirvana, with no streams
    of its own and no 'did you mean' the song; the song itself still says how often they streamed it."""
    song = as_json("predict", "--song", "Smells Like Teen Spirit", "--artist", "Nirvana")
    assert song["history"]["song_streams"] > 0
    live = as_json("predict", "--song", "Smells Like Teen Spirit - Live", "--artist", "Nirvana")
    assert live["matched"] is None and live["did_you_mean"] is None
    assert live["song"] == "Smells Like Teen Spirit - Live" and live["history"]["song_streams"] == 0
    assert live["basis"] == "your history of this artist only"
    code, out, err = run("predict", "--song", "Smells Like Teen Spirit - Live", "--artist", "Nirvana")
    assert code == 0, err
    assert "You have streamed it" not in out and "did you mean" not in out


def test_a_version_of_an_artist_you_never_streamed_suggests_the_song_without_answering_for_it(
    listener: None,
):
    """The catalog has 'Girls Just Want to Have Fun', not a live version of it: asked for one, the
    answer is that nothing is known of it, with the song among the nearest songs known, named as what it
    is; never the song's prediction or features under a "did you mean" as for a typo."""
    for asked in (("predict",), ("features", "show")):
        code, out, err = run(
            *asked, "--song", "Girls Just Want to Have Fun - Live", "--artist", "Cyndi Lauper"
        )
        assert code == 1 and not out, asked
        assert "no source has features for 'Girls Just Want to Have Fun - Live' by 'Cyndi Lauper'" in err
        lines = err.splitlines()
        assert (
            lines[lines.index("the nearest songs known:") + 1]
            == "  'Girls Just Want to Have Fun' by Cyndi Lauper"
        )
