"""Bad input on the command line: one clear line and an exit code that says what happened, never a
traceback; what was stored stays."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app

runner = CliRunner()
PLAY = {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 200_000}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_a_huge_limit_is_a_usage_error_not_a_traceback():
    code, out, err = run("streams", "top", "--limit", "99999999999999999999")
    assert code == 2
    assert "--limit" in err and "Traceback" not in out + err


def test_files_without_any_streaming_history_fail(tmp_path: Path, isolated_environment: Path):
    other = tmp_path / "Userdata.json"
    other.write_text(json.dumps({"username": "someone"}))
    code, out, err = run("ingest", str(other), "--profile", "typo")
    assert code == 1
    assert "is a Spotify streaming history" in err and str(other) in err
    assert "(Userdata.json: not a streaming history" in err  # why, file by file
    assert "Recorded as import" not in err and "Ingested into" not in out  # nothing was
    code, _, err = run("streams", "top", "--profile", "typo")
    said = " ".join(err.split())  # no empty profile was made; the message says where the store is
    assert code == 1 and f"(the store in {isolated_environment} holds no listening history yet)" in said, said


def test_files_without_any_history_keep_what_the_profile_holds(tmp_path: Path):
    """Nothing read into a profile that has plays: the error, and the plays stay (the empty profile a
    first ingest of nothing would make is removed; this one is not)."""
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(json.dumps([PLAY]))
    code, _, err = run("ingest", str(history), "--profile", "kept")
    assert code == 0, err
    other = tmp_path / "Userdata.json"
    other.write_text(json.dumps({"username": "someone"}))
    code, _, err = run("ingest", str(other), "--profile", "kept")
    assert code == 1 and "no play was read (Userdata.json: not a streaming history" in err
    code, out, err = run("streams", "top", "--profile", "kept", "-f", "json")
    assert code == 0, err
    assert [(row["track"], row["streams"]) for row in json.loads(out)] == [("B", 1)]


def test_a_damaged_member_says_partial_and_keeps_the_rest(tmp_path: Path):
    export = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("MyData/StreamingHistory_music_0.json", json.dumps([PLAY]))
        archive.writestr("MyData/StreamingHistory_music_1.json", '[{"endTime": "2024-01-0')
    code, out, err = run("ingest", str(export))
    assert code == 3
    assert "StreamingHistory_music_1.json" in out and "could not be read" in err
    code, out, _ = run("streams", "top", "-f", "json")
    assert code == 0 and [row["track"] for row in json.loads(out)] == ["B"]


def test_a_command_offers_only_the_formats_it_writes():
    code, _, err = run("models", "show", "champion", "--format", "csv")
    assert code == 2 and "'table', 'json'" in err


@pytest.mark.parametrize(
    ("word", "said"),
    [
        ("champion", "'champion' names the champion itself: give the version number to promote"),
        ("v0", "model versions are numbered from 1, not 0"),
        ("three", "'three' is not a model version: give a number (e.g. 3)"),
    ],
)
def test_promote_needs_a_version_number(word: str, said: str, isolated_environment: Path):
    """The error says what promoting takes: a number, never 'champion', which it refuses."""
    code, out, err = run("models", "promote", word, "--profile", "P")
    assert code == 2, (out, err)
    assert "Usage: musicflow models promote" in err and said in err
    assert word == "champion" or "'champion'" not in err
    assert "Traceback" not in out + err and not isolated_environment.exists()  # before any store is opened


SERVES = "(e.g. 3) or 'champion', the one that serves;"


@pytest.mark.parametrize(
    ("args", "param", "named"),
    [
        (["models", "show", "-1"], "VERSION", SERVES),
        (["models", "show", "-1", "--profile", "P", "-f", "json"], "VERSION", SERVES),
        (["models", "show", "--", "-1"], "VERSION", SERVES),
        (["models", "promote", "-12"], "VERSION", "(e.g. 3);"),
        (["evaluate", "--version", "-1"], "--version", SERVES),
        (["train", "--reproduce", "-1"], "--reproduce", SERVES),
    ],
)
def test_a_negative_version_is_said_to_be_none_not_an_unknown_option(
    args: list[str], param: str, named: str, isolated_environment: Path
):
    """`models show -1` (the newest? the one before the champion?) answered "No such option: -1": no
    version is counted back from the newest, and the error says what names one, exit 2."""
    code, out, err = run(*args)
    assert code == 2, (out, err)
    said = " ".join(err.split())
    number = next(arg for arg in args if re.fullmatch(r"-\d+", arg))
    assert f"Usage: musicflow {' '.join(args[:2]) if args[0] == 'models' else args[0]} " in said
    assert (
        f"Invalid value for '{param}': model versions are numbered from 1, not {number}: give a version's"
        f" own number {named} no number counts back from the newest"
    ) in said
    assert "No such option" not in said and "Traceback" not in out + err
    assert not isolated_environment.exists()  # said before any store is opened


def _number_arguments() -> list[list[str]]:
    """Every command whose argument is a number (a version, a token's number), found in the command tree,
    and `ingest undo ID`, whose id is the second of ingest's arguments."""
    import typer

    found: list[list[str]] = [["ingest", "undo"]]

    def walk(command: Any, path: list[str]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])
        for param in getattr(command, "params", ()):
            if param.param_type_name == "argument" and (
                param.metavar == "VERSION" or param.type_descriptor.annotation is int
            ):
                found.append(path)

    walk(typer.main.get_command(app), [])
    return found


NUMBER_ARGUMENTS = _number_arguments()


def test_every_number_argument_is_found():
    assert {("models", "show"), ("models", "promote"), ("tokens", "revoke"), ("ingest", "undo")} <= {
        tuple(path) for path in NUMBER_ARGUMENTS
    }


@pytest.mark.parametrize("command", NUMBER_ARGUMENTS, ids=" ".join)
@pytest.mark.parametrize("number", ["-3", "-12"])
def test_a_negative_number_argument_is_said_in_words_not_an_unknown_option(
    command: list[str], number: str, isolated_environment: Path
):
    """`tokens revoke -3` and `ingest undo -3` answered Click's "No such option: -3" (only `models show -1`
    said what it takes): each command taking a number says what it takes, exit 2, before any store is
    opened; so does each with its options after the number."""
    options = [] if command == ["tokens", "revoke"] else ["--profile", "P"]  # a token has no profile
    for args in ([*command, number], [*command, number, *options]):
        code, out, err = run(*args)
        said = " ".join(err.split())
        assert code == 2, (args, out, err)
        assert f"Usage: musicflow {' '.join(command[:2] if command[0] != 'ingest' else command[:1])} " in said
        assert "No such option" not in said and "Traceback" not in out + err
        assert f"not {number}" in said, said  # what was given, said back
        assert not isolated_environment.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["tokens", "revoke", "-3"],
            "Invalid value for 'ID': tokens are numbered from 1, not -3: give a token's number as"
            " `musicflow tokens list` shows it",
        ),
        (
            ["tokens", "revoke", "0"],
            "Invalid value for 'ID': tokens are numbered from 1, not 0: give a token's number as"
            " `musicflow tokens list` shows it",
        ),
        (
            ["ingest", "undo", "-3", "--profile", "P", "-f", "json"],
            "`ingest undo ID` takes an import's id, as ingest printed it or `musicflow jobs list` shows it,"
            " not -3",
        ),
        (["ingest", "undo", "--", "-3"], "`ingest undo ID` takes an import's id"),
        (["ingest", "-3"], "-3: no such file or folder"),
    ],
)
def test_what_a_number_argument_takes_is_said(args: list[str], said: str, isolated_environment: Path):
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert said in " ".join(err.split()) and not out
    assert not isolated_environment.exists()


def test_another_unknown_option_is_still_said_to_be_one(isolated_environment: Path):
    """Only a negative number is read as the argument: another unknown option is said as such."""
    code, _, err = run("tokens", "revoke", "--bogus")
    assert code == 2 and "No such option: --bogus" in err


@pytest.mark.parametrize(
    "args",
    [
        ["models", "show", "abc", "--profile", "P"],
        ["evaluate", "--version", "abc"],
        ["train", "--reproduce", "abc"],
    ],
)
def test_a_reference_to_no_version_is_a_usage_error(args: list[str], isolated_environment: Path):
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert "'abc' is not a model version: give a number (e.g. 3) or 'champion'" in err
    assert f"Usage: musicflow {args[0]}" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--song", "S"], "--song goes with --artist"),
        (["--artist", "A"], "--artist goes with --song"),
        (["--song", "", "--artist", "Queen"], "--song is empty"),
        (["--song", "Bohemian Rhapsody", "--artist", "  "], "--artist is empty"),
        ([], "say which song: --song TITLE --artist NAME, or --input SONGS.csv"),
        (["--song", "S", "--artist", "A", "--input", "songs.csv"], "leave out --song and --artist"),
        (["--song", "S", "--artist", "A", "--output", "x.csv"], "--output goes with --input"),
        (["--input", "songs.csv", "--output", "x.csv", "-f", "table"], "--output writes csv or json"),
        (["--song", "x" * 201, "--artist", "AJR"], "--song is 201 characters long: at most 200 are taken"),
        (["--song", "S", "--artist", "a" * 500], "--artist is 500 characters long"),  # the API's 422 too
    ],
)
def test_options_without_their_pair_are_usage_errors(args: list[str], said: str, isolated_environment: Path):
    """A command line that does not say what to do exits 2 with the command's usage, before any work
    (no store is opened)."""
    code, out, err = run("predict", *args)
    assert code == 2, (out, err)
    assert said in err and "Usage: musicflow predict" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["predict", "--input", "songs.csv"], "songs.csv: no such file"),
        (["catalog", "add", "songs.csv"], "songs.csv: no such file"),
        (["ingest", "my_spotify_data.zip"], "my_spotify_data.zip: no such file or folder"),
        (["features", "analyze", "music"], "music: no such folder"),
        (
            ["score", "songs.csv", "--out", "o.csv", "--mapping", "song=name"],
            "songs.csv: no such file (a mapping is for a catalog file)",
        ),
    ],
)
def test_a_missing_file_named_on_the_command_line_is_a_usage_error(
    args: list[str], said: str, isolated_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert f"Error: {said}" in err and f"Usage: musicflow {args[0]}" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()  # before any store is opened


def test_a_folder_given_as_the_songs_to_predict_is_one_line(tmp_path: Path):
    code, out, err = run("predict", "--input", str(tmp_path))
    assert code == 1, (out, err)
    assert f"error: {tmp_path}: is a folder; give the CSV file itself" in err
    assert "Traceback" not in out + err


NOT_UTF8 = b"caf\xe9".decode("utf-8", "surrogateescape")  # "café" typed in a Latin-1 terminal, as argv has it


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["predict", "--song", NOT_UTF8, "--artist", "x"], "'--song'"),
        (["predict", "--song", "x", "--artist", NOT_UTF8], "'--artist'"),
        (["features", "show", "--song", NOT_UTF8, "--artist", "x"], "'--song'"),
        (["streams", "top", "--profile", NOT_UTF8], "'--profile'"),
        (["tokens", "list", "--profile", NOT_UTF8], "'--profile'"),
        (["catalog", "remove", NOT_UTF8], "'NAME'"),
    ],
)
def test_a_name_in_bytes_that_are_not_utf8_is_refused_as_a_usage_error(
    args: list[str], option: str, isolated_environment: Path
):
    """Such a name reached the store and ended in a traceback (surrogates not allowed): it is refused,
    naming the bytes, rather than guessed at (a replacement character would find nothing)."""
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert f"Invalid value for {option}" in " ".join(err.split())
    assert "holds bytes that are not UTF-8 text (e9): give the name in UTF-8" in " ".join(err.split())
    assert "Traceback" not in out + err and not isolated_environment.exists()  # before any store is opened


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["models", "show", HUGE], "model versions are numbered up to 2,147,483,647"),
        (["evaluate", "--version", HUGE], "model versions are numbered up to 2,147,483,647"),
        (["models", "promote", f"v{HUGE}"], "model versions are numbered up to 2,147,483,647"),
        (["train", "--reproduce", HUGE], "model versions are numbered up to 2,147,483,647"),
        (["tokens", "revoke", HUGE], "'ID'"),
        (["recommend", "--per-artist", HUGE, "--top", "1"], "'--per-artist'"),
    ],
)
def test_a_number_past_what_the_store_holds_is_a_usage_error(
    args: list[str], said: str, isolated_environment: Path
):
    """It went on to the store (OverflowError of SQLite, of polars): a traceback."""
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert said in " ".join(err.split()) and f"Usage: musicflow {args[0]}" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "a profile's name cannot be empty"),
        ("   ", "a profile's name cannot be empty"),
        ("p" * 65, "a profile's name is at most 64 characters long, not 65"),
    ],
)
def test_a_profile_name_the_store_cannot_keep_is_a_usage_error(
    name: str, said: str, tmp_path: Path, isolated_environment: Path
):
    """`-p ""` made a profile '' (its hints then dropped `--profile`), and a 100-character name was kept
    in a 64-character column: refused as the name is read, before the export is."""
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(json.dumps([PLAY]))
    for args in (["ingest", str(history)], ["streams", "top"], ["train"], ["log", "export", "-f", "json"]):
        code, out, err = run(*args, "--profile", name)
        assert code == 2, (args, out, err)
        assert "Invalid value for '--profile'" in err and said in err
        assert "Traceback" not in out + err and not isolated_environment.exists()


def test_the_spaces_around_a_profile_name_are_left_out(tmp_path: Path):
    """As the API takes `?profile=`: " alex " is alex, one profile whichever way it was typed."""
    history = tmp_path / "StreamingHistory0.json"
    history.write_text(json.dumps([PLAY]))
    assert run("ingest", str(history), "--profile", " alex ")[0] == 0
    code, out, err = run("streams", "top", "--profile", "alex", "-f", "json")
    assert code == 0, err
    assert [row["track"] for row in json.loads(out)] == ["B"]
    code, _, err = run("streams", "top", "--profile", "p" * 64)  # as long as the store keeps: a name
    assert code == 1 and "has no data yet" in err


@pytest.mark.parametrize("mapping", ["garbage", "song=name,mood=vibe", "artists_sep=slash"])
def test_a_mapping_that_is_no_mapping_is_a_usage_error(
    mapping: str, tmp_path: Path, isolated_environment: Path
):
    catalog = tmp_path / "songs.csv"
    catalog.write_text("name,artist\nEverlong,Foo Fighters\n", encoding="utf-8")
    for args in (["catalog", "add", str(catalog), "--name", "m"], ["score", str(catalog), "--out", "o.csv"]):
        code, out, err = run(*args, "--mapping", mapping)
        assert code == 2, (args, out, err)
        assert "Invalid value for '--mapping'" in err and f"Usage: musicflow {args[0]}" in err
        assert "Traceback" not in out + err and not isolated_environment.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["score", "bundled", "--out", "{missing}/x.csv"],
        ["predict", "--input", "{songs}", "--output", "{missing}/x.csv"],
        ["log", "export", "--output", "{missing}/x.parquet"],
        ["log", "export", "--format", "csv", "--output", "{missing}/x.csv"],
    ],
)
def test_a_file_to_write_in_a_folder_that_is_not_there_is_a_usage_error_before_any_work(
    args: list[str], tmp_path: Path, isolated_environment: Path
):
    """`score --out` said it after opening the store (exit 1), `log export` said "...: None"."""
    songs = tmp_path / "songs.csv"
    songs.write_text("song,artist\nEverlong,Foo Fighters\n", encoding="utf-8")
    missing = tmp_path / "no-such-folder"
    given = [arg.format(missing=missing, songs=songs) for arg in args]
    code, out, err = run(*given)
    assert code == 2, (out, err)
    assert f"cannot write {missing}/x." in err and f"{missing}: no such folder" in err
    assert "None" not in err and f"Usage: musicflow {args[0]}" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()  # no store opened
    (tmp_path / "taken").mkdir()
    code, _, err = run(*given[:-1], str(tmp_path / "taken"))
    assert code == 2 and f"cannot write {tmp_path / 'taken'}: it is a folder" in err


def test_a_folder_to_rebuild_into_that_holds_anything_is_refused_before_any_work(
    tmp_path: Path, isolated_environment: Path
):
    """`train --reproduce V --output DIR` wrote into a non-empty DIR (the store's own folder, even)."""
    held = tmp_path / "held"
    held.mkdir()
    (held / "notes.txt").write_text("mine")
    code, out, err = run("train", "--reproduce", "1", "--output", str(held))
    assert code == 2, (out, err)
    assert f"{held} is not empty (it holds notes.txt): name an empty or new folder" in err
    assert "Traceback" not in out + err and not isolated_environment.exists()
    code, _, err = run("train", "--reproduce", "1", "--output", str(held / "notes.txt"))
    assert code == 2 and "is a file: name an empty or new folder" in err


def test_a_read_only_command_makes_no_store_where_there_is_none(isolated_environment: Path):
    """It made an empty store in a data directory never used (a mistyped MUSICFLOW_DATA_DIR, too) and said
    "this store holds no profile yet" without saying where it had looked."""
    for args in (
        ["streams", "top", "--profile", "demo"],
        ["streams", "artists"],
        ["models", "list"],
        ["models", "show", "champion"],
        ["evaluate"],
        ["predict", "--song", "Everlong", "--artist", "Foo Fighters"],
        ["recommend"],
        ["log", "export", "-f", "json"],
        ["accuracy"],
        ["tokens", "list"],
        ["tokens", "revoke", "3"],
        ["profile", "delete", "demo", "--yes"],
        ["jobs", "list"],
        ["jobs", "run"],
    ):
        code, out, err = run(*args)
        assert code == 1, (args, out, err)
        said = " ".join(err.split())
        assert f"no MusicFlow store is in {isolated_environment} (there is no musicflow.db" in said, args
        assert "run `musicflow ingest my_spotify_data.zip`" in said and "Traceback" not in out + err
        assert not isolated_environment.exists(), args
    history = isolated_environment.parent / "StreamingHistory0.json"
    history.write_text(json.dumps([PLAY]))
    code, _, err = run("ingest", str(history))  # a command that writes makes it, as before
    assert code == 0, err
    code, out, err = run("streams", "top", "-f", "json")
    assert code == 0 and [row["track"] for row in json.loads(out)] == ["B"]


def test_the_files_that_could_not_be_read_are_the_ones_the_summary_counts(tmp_path: Path):
    """A broken JSON, a fake zip, a file of invalid rows and `[]`: the list said "Files passed over (3)"
    (damaged and not alike), then "1 file could not be read (see above)"."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "StreamingHistory0.json").write_text(json.dumps([PLAY]))
    (folder / "broken.json").write_text('[{"endTime": "2024-01-0')
    (folder / "my_spotify_data.zip").write_text("not a zip")
    (folder / "rows.json").write_text(json.dumps([{"foo": 1}, {"bar": 2}]))
    (folder / "empty.json").write_text("[]")
    code, out, err = run("ingest", str(folder))
    assert code == 3, (out, err)
    lines = [line.strip() for line in out.splitlines()]
    damaged = lines.index("Files that could not be read (1):")
    assert lines[damaged + 1].startswith(f"{folder / 'broken.json'}: not JSON")
    passed = lines.index("Files passed over (2):")
    assert {line.split(":")[0] for line in lines[passed + 1 : passed + 3]} == {
        str(folder / "my_spotify_data.zip"),
        str(folder / "rows.json"),
    }
    assert "1 file could not be read (see above)" in " ".join(err.split())


@pytest.mark.parametrize(
    "args",
    [
        ["features", "analyze", ".", "--engine", "spark"],
        ["score", "songs.csv", "--out", "x.csv", "--engine", "spark"],
    ],
)
def test_an_engine_there_is_not_is_a_usage_error_naming_those_there_are(
    args: list[str], isolated_environment: Path
):
    """Every command with --engine takes local or dask, and its help says so (`features analyze` took any
    word: its help said ENGINE)."""
    code, out, err = run(*args)
    said = " ".join(err.split())
    assert code == 2, (out, err)
    assert "Invalid value for '--engine'" in said and "'local', 'dask'" in said
    assert "Traceback" not in out + err and not isolated_environment.exists()
    code, out, _ = run(*args[:2], "--help")
    assert code == 0 and "--engine local|dask" in " ".join(out.split())
