"""`musicflow predict` and `features show` with names as people type them, on the demo listener (who
streams Maroon 5 and never streamed Chris Brown)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from musicflow.app.error_map import EXIT_CODES
from musicflow.cli.command_tree import app
from musicflow.errors import ErrorKind
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE, trained_data_dir

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def listener(tmp_path_factory: pytest.TempPathFactory, isolated_environment: Path) -> None:
    """The trained demo listener, copied for this test."""
    shutil.copytree(trained_data_dir(tmp_path_factory), isolated_environment)


def test_maroon5_is_maroon_5(listener: None):
    code, out, err = run("predict", "--song", "Sugar", "--artist", "maroon5")
    assert code == 0, err
    assert "did you mean 'Sugar' by Maroon 5?" in out
    assert "Sugar — Maroon 5" in out and "predicted streams" in out

    code, out, err = run("predict", "--song", "Sugar", "--artist", "maroon5", "-f", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["matched"] == {"song": "Sugar", "artist": "Maroon 5"}
    assert answer["did_you_mean"] == "did you mean 'Sugar' by Maroon 5?"
    assert (answer["song"], answer["artist"]) == ("Sugar", "Maroon 5")
    assert answer["basis"] == "audio features and your history" and answer["artist_affinity"]["streams"] > 0


def test_a_song_no_catalog_has_by_a_misspelled_artist_you_stream_is_answered_from_history(listener: None):
    code, out, err = run("predict", "--song", "A Song Nobody Wrote", "--artist", "Maroon5", "-f", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["matched"] == {"song": "A Song Nobody Wrote", "artist": "Maroon 5"}
    assert answer["basis"] == "your history of this artist only"


def test_a_typo_in_a_title(listener: None):
    code, out, err = run("predict", "--song", "Back To Slep", "--artist", "chris brown")
    assert code == 0, err
    assert "did you mean 'Back To Sleep' by Chris Brown?" in out
    code, out, err = run(
        "features", "show", "--song", "Back To Slep", "--artist", "chris brown", "-f", "json"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["song"] == "Back To Sleep" and shown["matched"] == {
        "song": "Back To Sleep",
        "artist": "Chris Brown",
    }
    assert shown["features"]["tempo"]["source"] == "catalog"


def test_a_typo_in_a_title_of_an_artist_you_stream(listener: None):
    """The listener streams Nirvana: a mistyped title of theirs is answered for the song, which says how
    often it was streamed, where it was answered from the artist's history alone."""
    code, out, err = run("predict", "--song", "Smells Like Teen Spirt", "--artist", "nirvana")
    assert code == 0, err
    assert "did you mean 'Smells Like Teen Spirit' by Nirvana?" in out
    assert "You have streamed it" in out


def test_one_typo_in_a_short_title_of_yours_is_answered_for_your_song(listener: None):
    """ "Faimt" by Linkin Park reads as far from "Faint" by closeness (80 in 100), and was answered as a
    song never played, from the artist's history: the listener streamed Faint 54 times."""
    code, out, err = run("predict", "--song", "Faimt", "--artist", "linkin park", "-f", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["matched"] == {"song": "Faint", "artist": "Linkin Park"}
    asked_right = json.loads(run("predict", "--song", "Faint", "--artist", "Linkin Park", "-f", "json")[1])
    assert answer["history"] == asked_right["history"] and answer["history"]["song_streams"] > 0
    assert answer["prediction"] == asked_right["prediction"]


def test_one_typo_in_a_title_they_streamed_only_as_a_version_is_answered_for_it(listener: None):
    """The listener streamed "Egyptian Reggae (Live)" and no plain "Egyptian Reggae": "Egyptian Reggae"
    is answered for theirs, and "Egyptian Regae" was answered as a song never played."""
    code, out, err = run("predict", "--song", "Egyptian Regae", "--artist", "Jonathan Richman", "-f", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["matched"] == {"song": "Egyptian Reggae (Live)", "artist": "Jonathan Richman"}
    theirs = run("predict", "--song", "Egyptian Reggae (Live)", "--artist", "Jonathan Richman", "-f", "json")
    assert answer["history"] == json.loads(theirs[1])["history"] and answer["history"]["song_streams"] > 0


def test_a_song_typed_right_says_no_did_you_mean(listener: None):
    code, out, err = run("predict", "--song", "Sugar", "--artist", "Maroon 5", "-f", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["matched"] is None and answer["did_you_mean"] is None


def test_a_list_of_songs_says_which_were_answered_for_another_name(listener: None, tmp_path: Path):
    songs = tmp_path / "songs.csv"
    songs.write_text("song,artist\nSugar,Maroon 5\nSugr,maroon5\nSugar,Marooon Fiev\n", encoding="utf-8")
    code, out, err = run("predict", "--input", str(songs))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["did_you_mean"] for row in rows] == ["", "did you mean 'Sugar' by Maroon 5?", ""]
    assert rows[0]["predicted_streams"] == rows[1]["predicted_streams"]
    assert rows[2]["error"].startswith("nothing known of this song")


def test_nothing_close_is_not_found_with_the_nearest_songs(listener: None):
    code, out, err = run("predict", "--song", "Sugar", "--artist", "Marooon Fiev")
    assert code == EXIT_CODES[ErrorKind.NOT_FOUND] == 1
    assert "no source has features for 'Sugar' by 'Marooon Fiev'" in err
    lines = err.splitlines()
    nearest = lines.index("the nearest songs known:")
    assert lines[nearest + 1] == "  'Sugar' by Maroon 5"
    assert not out

    code, _, err = run("features", "show", "--song", "Zzyzx Road", "--artist", "Nobody At All")
    assert code == 1
    assert "no source has features for 'Zzyzx Road'" in err and "nearest" not in err


def test_a_suggestion_is_a_song_someone_knows_never_the_title_typed_by_a_near_artist(listener: None):
    """ "Blinding Lihgts" by "The Wekend": the nearest songs are The Weeknd's, as known; the title as typed
    by the artist the listener streams is no song anyone knows, so it is not offered as one."""
    code, _, err = run("predict", "--song", "Blinding Lihgts", "--artist", "The Wekend")
    assert code == 1
    lines = err.splitlines()
    offered = lines[lines.index("the nearest songs known:") + 1 :]
    assert offered and offered[0] == "  'Blinding Lights' by The Weeknd"
    assert not any("Lihgts" in line for line in offered)


def _predicted(*args: str) -> dict[str, object]:
    code, out, err = run("predict", *args, "-f", "json")
    assert code == 0, err
    answer: dict[str, object] = json.loads(out)
    return answer


def test_a_song_you_streamed_typed_without_its_bracketed_part_is_answered_for_it(listener: None):
    """The listener streamed 'Street Spirit (Fade Out)', which no name as typed finds: it is answered,
    and named, with their streams of it, as the full title is."""
    code, out, err = run("predict", "--song", "Street Spirit", "--artist", "Radiohead")
    assert code == 0, err
    assert "did you mean 'Street Spirit (Fade Out)' by Radiohead?" in out
    assert "You have streamed it" in out
    typed = _predicted("--song", "Street Spirit", "--artist", "Radiohead")
    full = _predicted("--song", "Street Spirit (Fade Out)", "--artist", "Radiohead")
    assert typed["matched"] == {"song": "Street Spirit (Fade Out)", "artist": "Radiohead"}
    assert typed["prediction"] == full["prediction"] and full["matched"] is None


def test_a_plain_title_is_not_answered_for_a_version_of_it(listener: None):
    """'Everlong' is a song of its own: the acoustic version the listener streams more is not it."""
    answer = _predicted("--song", "Everlong", "--artist", "Foo Fighters")
    assert answer["song"] == "Everlong" and answer["matched"] is None


@pytest.mark.parametrize(
    ("typed", "theirs"),
    [
        ("Plush (Acoustic Version)", ("Plush - Acoustic", "Stone Temple Pilots")),
        ("Everlong (Acoustic)", ("Everlong - Acoustic Version", "Foo Fighters")),
    ],
)
def test_a_version_typed_in_another_spelling_is_answered_for_your_version(
    listener: None, typed: str, theirs: tuple[str, str]
):
    """A version typed in another spelling is the listener's own version of that kind, named as they
    streamed it and with their streams of it, as a remaster's spelling is the song: not the song it is a
    version of (which 'Plush (Acoustic Version)' was once folded into)."""
    song, artist = theirs
    answer = _predicted("--song", typed, "--artist", artist)
    own = _predicted("--song", song, "--artist", artist)
    assert (answer["song"], answer["artist"]) == (song, artist)
    assert answer["history"] == own["history"] and answer["history"]["song_streams"] > 0  # type: ignore[index]
    assert answer["prediction"] == own["prediction"]
    plain = _predicted("--song", song.split(" - ")[0], "--artist", artist)
    assert plain["history"]["song_streams"] != answer["history"]["song_streams"]  # type: ignore[index]


def test_a_song_several_catalog_rows_hold_is_the_most_popular_one(listener: None):
    """The bundled catalog holds 'Heathens' twice: the original (popularity 83) and a 2023 reissue
    (33). Asked by name, it is the original, in `features show` as in a prediction."""
    code, out, err = run(
        "features", "show", "--song", "Heathens", "--artist", "Twenty One Pilots", "-f", "json"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["spotify_id"] == "6i0V12jOa3mr6uu4WYhUBr"
    assert shown["features"]["popularity"]["value"] == 83
    answer = _predicted("--song", "Heathens", "--artist", "Twenty One Pilots")
    assert "newer than most songs you play" not in json.dumps(answer["reasons"])


def test_features_show_resolves_a_name_from_the_history_of_the_profile_named(listener: None):
    """With --profile, `features show` finds the listener's song as a prediction for them does; a profile
    named that holds nothing is an error naming the known ones."""
    code, out, err = run(
        "features",
        "show",
        "--song",
        "Street Spirit",
        "--artist",
        "Radiohead",
        "-f",
        "json",
        "--profile",
        PROFILE,
    )
    assert code == 0, err
    assert json.loads(out)["matched"] == {"song": "Street Spirit (Fade Out)", "artist": "Radiohead"}
    code, _, err = run(
        "features", "show", "--song", "Street Spirit", "--artist", "Radiohead", "--profile", "nobody"
    )
    assert code == 1 and "nobody" in err and PROFILE in err


def test_a_song_asked_by_an_artist_it_features_is_the_listeners_own(listener: None):
    """Their export names a song's first artist only: "We Found Love" by Calvin Harris is the Rihanna
    song they streamed (a catalog credits both), with their count of it as `streams top` gives it, not
    a song new to them."""
    code, out, err = run("streams", "top", "-n", "100000", "-f", "csv")
    assert code == 0, err
    streamed = {
        (row["track"], row["artist"]): int(row["streams"]) for row in csv.DictReader(io.StringIO(out))
    }
    code, out, err = run("predict", "--song", "We Found Love", "--artist", "Calvin Harris", "-f", "json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["matched"] == {"song": "We Found Love", "artist": "Rihanna; Calvin Harris"}
    assert answer["history"]["song_streams"] == streamed[("We Found Love", "Rihanna")] > 0
    assert answer["message"]["emoji"] == "🔁"
    code, out, err = run("predict", "--song", "Sunflower", "--artist", "swae lee")  # as people type it
    assert code == 0, err
    title = "Sunflower - Spider-Man: Into the Spider-Verse"
    assert f"did you mean '{title}' by Post Malone and Swae Lee?" in out
    assert f"You have streamed it {streamed[(title, 'Post Malone')]} times already" in out


def test_a_version_of_a_song_they_streamed_says_so(listener: None):
    code, out, err = run("streams", "top", "-n", "100000", "-f", "csv")
    assert code == 0, err
    streamed = {
        (row["track"], row["artist"]): int(row["streams"]) for row in csv.DictReader(io.StringIO(out))
    }
    times = streamed[("Glycerine - Remastered", "Bush")]
    code, out, err = run("predict", "--song", "Glycerine - Acoustic", "--artist", "Bush")
    assert code == 0, err
    assert f"↺ An acoustic version of Glycerine - Remastered, which you streamed {times} times" in out
    code, out, err = run("predict", "--song", "Glycerine", "--artist", "Bush")  # the song itself
    assert code == 0, err
    assert "↺" not in out and f"You have streamed it {times} times already" in out


def test_a_band_is_one_artist_with_or_without_its_leading_the(listener: None):
    """The demo listener streamed 'I Gotta Feeling' by Black Eyed Peas, as Spotify names the band now;
    the bundled catalog, older, has it by The Black Eyed Peas. Asked either way it is their song, with
    their streams and the catalog's features, never a song by an artist they never streamed, and
    `recommend` never lists it as a song they have not played."""
    code, out, err = run("streams", "top", "-n", "100000", "-f", "csv")
    assert code == 0, err
    streamed = {
        (row["track"], row["artist"]): int(row["streams"]) for row in csv.DictReader(io.StringIO(out))
    }
    times = streamed[("I Gotta Feeling", "Black Eyed Peas")]
    answers = [
        _predicted("--song", "I Gotta Feeling", "--artist", a)
        for a in ("The Black Eyed Peas", "BLACK EYED PEAS")
    ]
    for answer in answers:
        assert answer["message"] == {"emoji": "🔁", "text": f"You have streamed it {times} times already"}
        assert answer["basis"] == "audio features and your history"
        words = " ".join(str(reason["words"]) for reason in answer["reasons"])  # type: ignore[attr-defined]
        assert "never streamed" not in words
    assert answers[0]["prediction"] == answers[1]["prediction"]
    code, out, err = run("recommend", "--top", "1000", "--per-artist", "1000", "-f", "json")
    assert code == 0, err
    listed = {(row["song"], row["artist"]) for row in json.loads(out)["recommendations"]}
    assert not any(song == "I Gotta Feeling" for song, _ in listed)
    assert any("Black Eyed Peas" in artist for _, artist in listed)  # the band's other songs are listed


def test_a_song_a_catalog_gives_a_subtitle_is_still_the_listeners(listener: None):
    """The demo listener streamed 'Come Out and Play' by The Offspring; the bundled catalog has it as
    'Come Out And Play (Keep ‘Em Separated)'. Asked by the catalog's title it is their song, with their
    streams; `recommend` never offers it as new, nor as "another version" of itself."""
    code, out, err = run("streams", "top", "-n", "100000", "-f", "csv")
    assert code == 0, err
    streamed = {
        (row["track"], row["artist"]): int(row["streams"]) for row in csv.DictReader(io.StringIO(out))
    }
    times = streamed[("Come Out and Play", "The Offspring")]
    answer = _predicted("--song", "Come Out And Play (Keep ‘Em Separated)", "--artist", "The Offspring")
    assert answer["message"] == {"emoji": "🔁", "text": f"You have streamed it {times} times already"}
    assert answer["version_of"] is None
    code, out, err = run("recommend", "--top", "1000", "--per-artist", "1000", "-f", "json")
    assert code == 0, err
    listed = [row for row in json.loads(out)["recommendations"] if row["artist"] == "The Offspring"]
    assert listed and not any(row["song"].startswith("Come Out And Play") for row in listed)


def test_one_song_under_a_title_and_its_subtitled_title_is_listed_once_and_scored_as_played(
    listener: None, tmp_path: Path
):
    """A catalog holding "Everlong" under a subtitle (the demo listener streamed "Everlong") and a song
    they never played under two titles, one with a subtitle: `score` says the first is played, and
    `recommend` never lists it and lists the other once."""
    songs = ["Everlong (The Colour and the Shape)", "Hollow Days", "Hollow Days (Under the Bridge)", "Calm"]
    features = bundled_rows(len(songs), offset=70_000).drop("spotify_id", "song", "artists")
    names = pl.DataFrame(
        {
            "spotify_id": [f"foo{i:019d}" for i in range(len(songs))],
            "song": songs,
            "artists": ["Foo Fighters"] * len(songs),
        }
    )
    pl.concat([names, features], how="horizontal").write_parquet(tmp_path / "foo.parquet")
    code, _, err = run("catalog", "add", str(tmp_path / "foo.parquet"), "--name", "foo")
    assert code == 0, err
    code, _, err = run("score", "foo", "--out", str(tmp_path / "scored.csv"))
    assert code == 0, err
    with (tmp_path / "scored.csv").open(encoding="utf-8") as scored:
        played = {row["song"]: row["played"] for row in csv.DictReader(scored)}
    assert played == {songs[0]: "true", songs[1]: "false", songs[2]: "false", songs[3]: "false"}
    code, out, err = run("recommend", "--catalog", "foo", "--top", "10", "--per-artist", "10", "-f", "json")
    assert code == 0, err
    listed = [row["song"] for row in json.loads(out)["recommendations"]]
    assert sorted(listed) in (["Calm", "Hollow Days"], ["Calm", "Hollow Days (Under the Bridge)"])


def test_a_film_song_under_its_films_name_and_without_it_is_one_song(listener: None, tmp_path: Path):
    """Streamed 3 times as 'Piya Milenge (From "Raanjhanaa")' and once as 'Piya Milenge' (two titles
    Spotify gives one song): one song of 4 streams in `streams top`, and asked by either title it is
    "streamed 4 times"."""
    film, plain = 'Piya Milenge (From "Raanjhanaa")', "Piya Milenge"
    plays = [(film, n) for n in range(3)] + [(plain, 3)]
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(
        json.dumps(
            [
                {
                    "endTime": f"2026-11-0{n + 1} 10:00",
                    "artistName": "A.R. Rahman",
                    "trackName": title,
                    "msPlayed": 200_000,
                }
                for title, n in plays
            ]
        )
    )
    code, _, err = run("ingest", str(history))
    assert code == 0, err
    code, out, err = run("streams", "top", "-n", "100000", "-f", "csv")
    assert code == 0, err
    counted = [
        (row["track"], row["streams"])
        for row in csv.DictReader(io.StringIO(out))
        if "Rahman" in row["artist"]
    ]
    assert counted == [(film, "4")]
    for title in (film, plain):
        answer = _predicted("--song", title, "--artist", "A.R. Rahman")
        assert answer["message"] == {"emoji": "🔁", "text": "You have streamed it 4 times already"}


def test_an_artist_whose_name_reads_as_two_is_not_the_artist_of_its_first_word(
    listener: None, tmp_path: Path
):
    """A listener of Tyler, The Creator is not told they streamed "Tyler", another artist, nor offered his
    songs as an artist's they stream; a catalog that split Tyler, The Creator's name at its comma
    ("Tyler; The Creator; Kali Uchis") names him whole, with the listener's streams of him, as `streams
    top` counts them."""
    history = tmp_path / "StreamingHistory0.json"
    plays = [
        {"endTime": f"2026-11-0{n + 1} 10:00", "artistName": "Tyler, The Creator", "trackName": "EARFQUAKE"}
        for n in range(6)
    ]
    history.write_text(json.dumps([{**play, "msPlayed": 200_000} for play in plays]))
    code, _, err = run("ingest", str(history))
    assert code == 0, err
    songs = ["Lonely Road", "Summer Nights", "Sorry Not Sorry"]
    features = bundled_rows(len(songs), offset=71_000).drop("spotify_id", "song", "artists")
    names = pl.DataFrame(
        {
            "spotify_id": [f"tyl{i:019d}" for i in range(len(songs))],
            "song": songs,
            "artists": ["Tyler", "Tyler", "Tyler; The Creator; Kali Uchis"],
        }
    )
    pl.concat([names, features], how="horizontal").write_parquet(tmp_path / "tyler.parquet")
    code, _, err = run("catalog", "add", str(tmp_path / "tyler.parquet"), "--name", "tyler")
    assert code == 0, err
    code, out, err = run("recommend", "--catalog", "tyler", "--top", "10", "--per-artist", "10", "-f", "json")
    assert code == 0, err
    listed = {row["song"]: row for row in json.loads(out)["recommendations"]}
    assert set(listed) == set(songs)
    code, out, err = run("streams", "top", "-n", "100000", "-f", "csv")
    assert code == 0, err
    his = sum(
        int(row["streams"])
        for row in csv.DictReader(io.StringIO(out))
        if row["artist"] == "Tyler, The Creator"
    )
    assert his >= 6
    assert [listed[song]["artist_streams"] for song in songs] == [0, 0, his]
    assert listed["Sorry Not Sorry"]["artist"].startswith("Tyler, The Creator")
    answer = _predicted("--song", "Lonely Road", "--artist", "Tyler")
    said_of_artist, reasons = answer["history"], answer["reasons"]
    assert isinstance(said_of_artist, dict) and isinstance(reasons, list)
    assert said_of_artist["artist_streams"] == 0
    said = " ".join(str(reason["words"]) for reason in reasons)
    assert "never streamed Tyler" in said and "Tyler, The Creator" not in said
