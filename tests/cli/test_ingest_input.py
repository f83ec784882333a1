"""What `musicflow ingest` answers for input that is not an export as Spotify writes it: a device or a
pipe, a file too large to be one, a file in another encoding, values no play has, a file named only
`.json`. Each is said in words that name the file and what to do, with the exit code that says what
happened, and what was stored stays."""

from __future__ import annotations

import codecs
import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.cli.command_tree import app

runner = CliRunner()
PLAY = {"endTime": "2024-01-01 10:00", "artistName": "Beyoncé", "trackName": "Déjà Vu", "msPlayed": 200_000}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    return " ".join(text.split())


def history(count: int = 1, artist: str = "Beyoncé") -> list[dict[str, object]]:
    return [
        {**PLAY, "artistName": artist, "endTime": f"2024-01-{day:02d} 10:00"} for day in range(1, count + 1)
    ]


def stored(profile: str = "default") -> list[tuple[str, int]]:
    code, out, err = run("streams", "top", "--profile", profile, "-f", "json")
    assert code == 0, err
    return [(row["track"], row["streams"]) for row in json.loads(out)]


# -- 1. only a regular file or a folder is read -------------------------------------------------------
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_a_usage_error_before_anything_is_read(isolated_environment: Path) -> None:
    """`ingest /dev/zero` read until the memory ran out (MemoryError, or the process killed)."""
    code, out, err = run("ingest", "/dev/zero")
    assert code == 2, (out, err)
    assert "/dev/zero: a device, not a file or a folder: name my_spotify_data.zip" in flat(err)
    assert "Traceback" not in out + err and not isolated_environment.exists()  # no store was opened


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_a_usage_error_and_does_not_hang(tmp_path: Path, isolated_environment: Path) -> None:
    """`ingest` of a FIFO waited forever for a writer."""
    fifo = tmp_path / "my_spotify_data.zip"
    os.mkfifo(fifo)
    code, out, err = run("ingest", str(fifo))
    assert code == 2, (out, err)
    assert f"{fifo}: a pipe (FIFO), not a file or a folder" in flat(err)
    assert not isolated_environment.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_inside_a_folder_is_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    os.mkfifo(folder / "StreamingHistory_music_1.json")
    (folder / "StreamingHistory_music_0.json").write_text(json.dumps(history()))
    code, _, err = run("ingest", str(folder))
    assert code == 0, err
    assert stored() == [("Déjà Vu", 1)]


# -- 2. a file larger than any of an export is refused before it is read whole -------------------------
LIMIT = 2_000  # MUSICFLOW_INGEST_MAX_FILE_BYTES in these tests


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("MUSICFLOW_INGEST_MAX_FILE_BYTES", str(LIMIT))
    return LIMIT


def test_a_file_over_the_limit_is_refused_naming_its_size_the_limit_and_the_setting(
    tmp_path: Path, small_limit: int
) -> None:
    big = tmp_path / "Streaming_History_Audio_2024.json"
    big.write_text(json.dumps(history(40)))
    size = big.stat().st_size
    assert size > small_limit
    code, out, err = run("ingest", str(big))
    assert code == 1, (out, err)
    said = flat(err)
    assert said.startswith(f"error: no play could be read from {big} (Streaming_History_Audio_2024.json: ")
    assert f"{size:,} bytes, more than the {small_limit:,} a file of an export may have" in said
    assert "(MUSICFLOW_INGEST_MAX_FILE_BYTES)" in said and "raise the setting and run again" in said
    code, _, err = run("streams", "top")
    assert code == 1 and "holds no listening history yet" in flat(err)  # nothing was stored, no profile made


def test_a_member_over_the_limit_is_refused_and_the_rest_of_the_export_stored(
    tmp_path: Path, small_limit: int
) -> None:
    """Its header says its size, so it is refused before it is inflated; the other files are stored, and
    the command says one file could not be read (exit 3: run it again once it is fixed)."""
    export = tmp_path / "my_spotify_data.zip"
    big = json.dumps(history(40, artist="Big")).encode()
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", json.dumps(history()))
        archive.writestr("Spotify Extended Streaming History/Streaming_History_Audio_2024.json", big)
    code, out, err = run("ingest", str(export))
    assert code == 3, (out, err)
    said = flat(out)
    assert f"Streaming_History_Audio_2024.json: {len(big):,} bytes, more than the {small_limit:,}" in said
    assert "1 file could not be read" in flat(err)
    assert stored() == [("Déjà Vu", 1)]


def test_the_limit_is_read_from_the_settings_and_a_file_under_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plays = tmp_path / "StreamingHistory_music_0.json"
    plays.write_text(json.dumps(history(3)))
    monkeypatch.setenv("MUSICFLOW_INGEST_MAX_FILE_BYTES", str(plays.stat().st_size))  # at the limit: read
    code, _, err = run("ingest", str(plays))
    assert code == 0, err
    monkeypatch.setenv("MUSICFLOW_INGEST_MAX_FILE_BYTES", "0")
    code, _, err = run("ingest", str(plays))
    assert code == 2 and "MUSICFLOW_INGEST_MAX_FILE_BYTES" in err


# -- 4. encodings ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("encoding", "mark"),
    [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)],
)
def test_a_file_an_editor_saved_with_a_byte_order_mark_is_read(
    tmp_path: Path, encoding: str, mark: bytes
) -> None:
    """Notepad's "UTF-8 with BOM" was refused outright ("not JSON"); with "Unicode" (UTF-16 and its
    mark) the mark says how to read it."""
    saved = tmp_path / "StreamingHistory_music_0.json"
    saved.write_bytes(mark + json.dumps(history(2), ensure_ascii=False).encode(encoding))
    code, out, err = run("ingest", str(saved))
    assert code == 0, (out, err)
    assert stored() == [("Déjà Vu", 2)]  # the accents as written


@pytest.mark.parametrize(
    ("encoding", "said"),
    [
        ("latin-1", "byte 0xE9 at line 1, column {é} is not UTF-8: the file was saved in another encoding"),
        ("cp1252", "such as Latin-1 or Windows-1252"),
        ("utf-16-le", "it looks like UTF-16 text without a byte order mark"),
    ],
)
def test_a_file_in_another_encoding_is_named_and_not_guessed_at(
    tmp_path: Path, encoding: str, said: str
) -> None:
    saved = tmp_path / "StreamingHistory_music_0.json"
    written = json.dumps(history(), ensure_ascii=False).encode(encoding)
    saved.write_bytes(written)
    said = said.replace("{é}", str(written.find(b"\xe9") + 1))  # the first é, counted from 1
    code, out, err = run("ingest", str(saved))
    assert code == 1, (out, err)
    message = flat(err)
    assert message.startswith(f"error: no play could be read from {saved} (StreamingHistory_music_0.json: ")
    assert "not UTF-8 JSON as Spotify writes it" in message and said in message, message
    assert "ingest the file as Spotify sent it, or save it again as UTF-8" in message


def test_a_file_in_another_encoding_beside_readable_ones_keeps_them(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "StreamingHistory_music_0.json").write_text(json.dumps(history()))
    (folder / "StreamingHistory_music_1.json").write_bytes(
        json.dumps(history(3, "Zoé"), ensure_ascii=False).encode("latin-1")
    )
    code, out, err = run("ingest", str(folder))
    assert code == 3, (out, err)
    assert "StreamingHistory_music_1.json: not UTF-8 JSON as Spotify writes it" in flat(out)
    assert stored() == [("Déjà Vu", 1)]


# -- 5. what the summary says ---------------------------------------------------------------------------
def test_a_negative_play_length_is_passed_over_and_said_why(tmp_path: Path) -> None:
    plays = tmp_path / "StreamingHistory_music_0.json"
    plays.write_text(json.dumps([PLAY, {**PLAY, "endTime": "2024-01-02 10:00", "msPlayed": -5_000}]))
    code, out, err = run("ingest", str(plays))
    assert code == 0, err
    said = flat(out)
    assert "new plays stored 1" in said and "Rows left out invalid record 1" in said
    assert (
        f"invalid: {plays}, record 1: 'msPlayed' is negative, which no play's length can be: -5,000 ms"
        in said
    )


def test_files_of_no_music_play_are_an_error_that_says_what_they_held(tmp_path: Path) -> None:
    """A history whose every record could not be read was "Ingested into profile 'x'" with 0 plays and
    exit 0, and `train` then said the profile had no data; one of podcast episodes alone, the same."""
    broken = tmp_path / "Streaming_History_Audio_2020.json"
    broken.write_text(json.dumps([{"ts": "garbage", "ms_played": 1_000}, {"ms_played": 5}]))
    code, out, err = run("ingest", str(broken), "--profile", "x")
    assert code == 1 and "Ingested" not in out, (out, err)
    assert (
        f"error: no music play could be read from {broken}: of its 2 records, 2 could not be read (first:"
        f" {broken}, record 0: 'ts' is not a date-time: 'garbage')"
    ) in flat(err)
    podcasts = tmp_path / "StreamingHistory_podcast_0.json"
    episode = {"endTime": "2024-01-01 10:00", "podcastName": "P", "episodeName": "E", "msPlayed": 90_000}
    podcasts.write_text(json.dumps([episode, {**episode, "endTime": "2024-01-02 10:00"}]))
    code, _, err = run("ingest", str(podcasts), "--profile", "x")
    assert code == 1
    assert f"no music play could be read from {podcasts}: of its 2 records, 2 are podcast episodes" in flat(
        err
    )
    code, out, _ = run("jobs", "list", "--format", "json")  # nothing stored: no profile, no import
    assert code == 0 and json.loads(out) == []
    plays = tmp_path / "StreamingHistory_music_0.json"  # beside music, they are left out as before
    plays.write_text(json.dumps(history()))
    code, out, err = run("ingest", str(plays), str(podcasts), str(broken), "--profile", "x")
    assert code == 0, err
    assert stored("x") == [("Déjà Vu", 1)]
    code, _, err = run("ingest", str(broken), "--profile", "x")  # refused again: what is stored stays
    assert code == 1 and "no music play could be read" in err
    assert stored("x") == [("Déjà Vu", 1)]


def test_a_file_named_only_json_is_read_by_its_content(tmp_path: Path) -> None:
    """Named on the command line it was read; in a folder or an archive it was passed over unsaid, and
    the folder was "no Spotify streaming history" with no reason given."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / ".json").write_text(json.dumps(history()))
    code, out, err = run("ingest", str(folder))
    assert code == 0, (out, err)
    assert stored() == [("Déjà Vu", 1)]
    (folder / ".json").write_text("{}")
    code, out, err = run("ingest", str(folder), "--profile", "other")
    assert code == 1
    assert (
        f"nothing in {folder} is a Spotify streaming history: no play was read (.json: not a streaming"
        in flat(err)
    )


def test_a_zip_without_a_json_file_is_said_not_passed_over_unsaid(tmp_path: Path) -> None:
    """Named beside a history it went unmentioned; named alone, the error gave no reason."""
    notes = tmp_path / "notes.zip"
    with zipfile.ZipFile(notes, "w") as archive:
        archive.writestr("README.txt", "not an export")
    export = tmp_path / "StreamingHistory0.json"
    export.write_text(json.dumps(history()))
    said = f"{notes}: a zip archive with no JSON file in it: not a Spotify data export"
    code, out, err = run("ingest", str(export), str(notes))
    assert code == 0, (out, err)
    assert "Files passed over (1):" in out and said in flat(out), out
    assert stored() == [("Déjà Vu", 1)]
    code, out, err = run("ingest", str(notes), "--profile", "other")
    assert code == 1
    assert (
        f"nothing in {notes} is a Spotify streaming history: no play was read (notes.zip: a zip archive"
        " with no JSON file in it: not a Spotify data export)"
    ) in flat(err), err


# -- 3. a profile exists once it holds plays -------------------------------------------------------------
def test_a_first_ingest_that_fails_leaves_no_profile_behind(tmp_path: Path) -> None:
    """A damaged zip, or a file of `[]`, made an empty profile that every list of profiles then named."""
    assert run("ingest", str(tmp_path / "nothing-here.zip"), "--profile", "typo")[0] == 2
    broken = tmp_path / "my_spotify_data.zip"
    broken.write_bytes(b"PK\x03\x04 and then nothing")
    code, _, err = run("ingest", str(broken), "--profile", "broken")
    assert code == 1 and "not a readable zip archive" in err
    nothing = tmp_path / "StreamingHistory_music_0.json"
    nothing.write_text("[]")
    code, out, err = run("ingest", str(nothing), "--profile", "empty")
    assert code == 0, err
    assert "Nothing was added (nothing to take back)." in flat(err) and "Recorded as import" not in err
    plays = tmp_path / "StreamingHistory_music_1.json"
    plays.write_text(json.dumps(history()))
    assert run("ingest", str(plays), "--profile", "listener")[0] == 0

    code, _, err = run("streams", "top", "--profile", "nobody")
    assert code == 1 and "(profiles in this store: listener; to use one, add `--profile listener`)" in flat(
        err
    )
    for name in ("broken", "empty"):
        code, _, err = run("profile", "delete", name, "--yes")
        assert code == 1 and f"there is no profile '{name}' (profiles in this store: listener)" in flat(err)
    code, out, _ = run("jobs", "list", "--format", "json")
    assert code == 0 and {job["profile"] for job in json.loads(out)} == {"listener"}


def test_an_ingest_that_fails_keeps_the_profile_it_did_not_make(tmp_path: Path) -> None:
    plays = tmp_path / "StreamingHistory_music_0.json"
    plays.write_text(json.dumps(history()))
    assert run("ingest", str(plays), "--profile", "kept")[0] == 0
    broken = tmp_path / "my_spotify_data.zip"
    broken.write_bytes(b"PK\x03\x04 and then nothing")
    code, _, err = run("ingest", str(broken), "--profile", "kept")
    assert code == 1 and "not a readable zip archive" in err
    nothing = tmp_path / "StreamingHistory_music_1.json"
    nothing.write_text("[]")
    assert run("ingest", str(nothing), "--profile", "kept")[0] == 0
    assert stored("kept") == [("Déjà Vu", 1)]
    code, out, _ = run("jobs", "list", "--format", "json")
    failed = [job for job in json.loads(out) if job["state"] == "failed"]  # the failure is on record
    assert [(job["kind"], job["profile"]) for job in failed] == [("ingest", "kept")]
    assert "not a readable zip archive" in failed[0]["error"]


# -- what macOS writes beside the files it zips -------------------------------------------------------
def test_an_export_zipped_again_on_a_mac_reads_as_the_export(tmp_path: Path, isolated_environment: Path):
    """Finder's "Compress" adds `__MACOSX/` with an AppleDouble `._<name>` for every file, binary though
    named `.json`: each was read as a damaged file of the export (exit 3, "could not be read")."""
    export = tmp_path / "my_spotify_data.zip"
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(200)
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("Spotify Account Data/StreamingHistory_music_0.json", json.dumps(history(3)))
        archive.writestr("__MACOSX/Spotify Account Data/._StreamingHistory_music_0.json", apple_double)
        archive.writestr("Spotify Account Data/._Userdata.json", apple_double)
    code, out, err = run("ingest", str(export))
    assert code == 0, (out, err)
    assert "could not be read" not in flat(out + err) and "MACOSX" not in out + err
    assert stored() == [("Déjà Vu", 3)]
    folder = tmp_path / "unpacked"  # the same files copied to a drive that keeps them as files
    (folder / "__MACOSX").mkdir(parents=True)
    (folder / "StreamingHistory_music_0.json").write_text(json.dumps(history(4)), encoding="utf-8")
    (folder / "._StreamingHistory_music_0.json").write_bytes(apple_double)
    (folder / "__MACOSX" / "._StreamingHistory_music_0.json").write_bytes(apple_double)
    code, out, err = run("ingest", str(folder), "--profile", "copied")
    assert code == 0, (out, err)
    assert "could not be read" not in flat(out + err) and stored("copied") == [("Déjà Vu", 4)]
