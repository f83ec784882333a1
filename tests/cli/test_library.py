"""The listener's library as a user meets it: ingested from the export, a banned song or artist answered
with a firm zero and never recommended, a saved song said so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app
from tests.trained import copy_of

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def trained(trained_listener: Path, isolated_environment: Path) -> None:
    copy_of(trained_listener, isolated_environment)


def ingest_library(folder: Path, **lists: object) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "YourLibrary.json").write_text(json.dumps({"tracks": [], "albums": [], **lists}))
    code, out, err = run("ingest", str(folder))
    assert code == 0, err
    return " ".join(out.split())


def predict(song: str, artist: str) -> dict[str, object]:
    code, out, err = run("predict", "--song", song, "--artist", artist, "-f", "json")
    assert code == 0, err
    answer: dict[str, object] = json.loads(out)
    return answer


def test_a_banned_artist_is_a_firm_zero_and_a_saved_song_says_so(trained: None, tmp_path: Path):
    before = predict("Blinding Lights", "The Weeknd")
    assert isinstance(before["prediction"], float) and before["prediction"] > 0
    shown = ingest_library(
        tmp_path / "export",
        tracks=[{"artist": "Dua Lipa", "album": "Future Nostalgia", "track": "Levitating"}],
        bannedArtists=[{"name": "The Weeknd", "uri": "spotify:artist:1Xyo4u8uXC1ZmMpatF05PJ"}],
    )
    assert "library: saved songs (Liked Songs) 1" in shown and "library: artists you banned 1" in shown

    banned = predict("Blinding Lights", "The Weeknd")
    assert banned["prediction"] == 0
    assert banned["library"] == {"saved": False, "artist_followed": False, "banned": "artist"}
    assert banned["message"] == {"emoji": "🚫", "text": "You banned The Weeknd in Spotify"}
    reasons = banned["reasons"]
    assert isinstance(reasons, list) and len(reasons) == 1
    reason = reasons[0]
    assert "you banned The Weeknd" in reason["words"] and f"{before['prediction']:.1f}" in reason["words"]
    assert "banned The Weeknd in Spotify: 0 streams" in str(banned["description"])

    code, out, _ = run("predict", "--song", "Blinding Lights", "--artist", "The Weeknd")
    assert code == 0 and "predicted streams: 0.0" in out and "🚫 You banned The Weeknd in Spotify" in out

    saved = predict("Levitating", "Dua Lipa")
    assert saved["library"] == {"saved": True, "artist_followed": False, "banned": None}
    code, out, _ = run("predict", "--song", "levitating", "--artist", "dua lipa")
    assert code == 0 and "♥ in your Liked Songs" in out


def test_a_banned_artist_or_song_is_never_recommended(trained: None, tmp_path: Path):
    code, out, err = run("recommend", "--top", "10", "-f", "json")
    assert code == 0, err
    first, second = json.loads(out)["recommendations"][:2]
    ingest_library(
        tmp_path / "export",
        bannedArtists=[{"name": first["artist"]}],
        bannedTracks=[{"artist": second["artist"], "track": second["song"]}],
    )
    code, out, err = run("recommend", "--top", "10", "-f", "json")
    assert code == 0, err
    after = json.loads(out)["recommendations"]
    assert len(after) == 10
    assert first["artist"] not in {r["artist"] for r in after}
    assert (second["artist"], second["song"]) not in {(r["artist"], r["song"]) for r in after}


def test_score_gives_a_banned_song_or_artist_zero_and_says_so(trained: None, tmp_path: Path):
    import polars as pl

    ingest_library(
        tmp_path / "export",
        bannedArtists=[{"name": "The Weeknd"}],
        bannedTracks=[{"artist": "Dua Lipa", "track": "Levitating"}],
    )
    code, _, err = run("score", "bundled", "--out", str(tmp_path / "scored.csv"))
    assert code == 0, err
    scored = pl.read_csv(tmp_path / "scored.csv")
    weeknd = scored.filter(pl.col("artist").str.starts_with("The Weeknd"))
    levitating = scored.filter(
        pl.col("artist").str.starts_with("Dua Lipa") & (pl.col("song") == "Levitating")
    )
    assert weeknd.height > 5 and levitating.height >= 1
    assert weeknd.get_column("banned").all() and levitating.get_column("banned").all()
    banned = scored.filter(pl.col("banned"))
    for artist, song in banned.select("artist", "song").iter_rows():  # nothing else: other spellings only
        assert "the weeknd" in artist.lower() or (
            "dua lipa" in artist.lower() and "levitating" in song.lower()
        )
    assert banned.get_column("predicted_streams").to_list() == [0.0] * banned.height
    assert scored.filter(~pl.col("banned")).get_column("predicted_streams").sum() > 0


def test_a_song_nothing_is_known_of_by_a_banned_artist_is_answered_by_the_ban(trained: None, tmp_path: Path):
    code, _, err = run("predict", "--song", "Not A Real Song", "--artist", "Zzyzx Quartet")
    assert code != 0 and "nothing is known" in err
    ingest_library(tmp_path / "export", bannedArtists=[{"name": "Zzyzx Quartet"}])
    answer = predict("Not A Real Song", "Zzyzx Quartet")
    assert answer["prediction"] == 0 and answer["library"]["banned"] == "artist"  # type: ignore[index]
    assert answer["basis"] == "your ban in Spotify (nothing else is known of this song)"
    reasons = answer["reasons"]
    assert isinstance(reasons, list) and [r["words"] for r in reasons] == [
        "you banned Zzyzx Quartet (every song of theirs) in Spotify, so you will not stream it"
    ]


def test_a_damaged_library_says_so_and_keeps_the_stored_one(trained: None, tmp_path: Path):
    ingest_library(tmp_path / "good", bannedArtists=[{"name": "The Weeknd"}])
    shown = ingest_library(tmp_path / "damaged", tracks=[{"track": "no artist"}], bannedArtists=[{}])
    assert (
        "Library: 2 entries without names (or with names no store keeps) left out; nothing in it could be"
        " read, so the library stored"
        " before is kept." in shown
    )
    assert predict("Blinding Lights", "The Weeknd")["prediction"] == 0
