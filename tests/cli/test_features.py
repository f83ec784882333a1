"""`musicflow catalog ...` and `musicflow features ...` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from musicflow.app.service import MusicFlow
from musicflow.cli.command_tree import app
from musicflow.config import load_settings
from musicflow.demo import export_path
from tests.fakes.reccobeats import AUDIO_PATH, FakeReccoBeats
from tests.fakes.server import Slow, html_page, json_response
from tests.trained import copy_of

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    catalog = tmp_path / "mine.csv"
    catalog.write_text(
        "id,name,artists,danceability,energy,key,loudness,mode,speechiness,acousticness,"
        "instrumentalness,liveness,valence,tempo,time_signature\n"
        "4uLU6hMCjMI75M1A2tKUQC,Never Gonna Give You Up,Rick Astley,0.727,0.939,8,-11.855,1,"
        "0.0369,0.135,0,0.151,0.916,113.3,4\n"
        "0VjIjW4GlUZAMYd2vXMi3b,Blinding Lights,The Weeknd,0.514,0.73,1,-5.934,1,0.0598,0.00146,"
        "0.0000954,0.0897,0.334,171.005,4\n"
        "1111111111111111111111,Broken Row,Nobody,2.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.1,100,4\n"
        "2222222222222222222222,Cut Short,Nobody,0.5,0.5\n",
        encoding="utf-8",
    )
    return catalog


@pytest.fixture
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSICFLOW_USE_BUNDLED_CATALOG", "false")


def ingest_history(tmp_path: Path, *songs: tuple[str, str]) -> None:
    history = tmp_path / "StreamingHistory_music_0.json"
    rows = [
        {"endTime": f"2024-01-01 10:{n:02d}", "artistName": artist, "trackName": song, "msPlayed": 200_000}
        for n, (song, artist) in enumerate(songs)
    ]
    history.write_text(json.dumps(rows), encoding="utf-8")
    assert run("ingest", str(history))[0] == 0


def test_catalog_add_reports_bad_rows_with_line_numbers(small_catalog: Path):
    code, out, _ = run("catalog", "add", str(small_catalog))
    assert code == 0
    assert "Catalog 'mine'" in out and "2 rows stored" in out
    assert "mine.csv:line 4" in out  # danceability 2.5 is out of range
    assert "line 5" in out
    code, out, _ = run("catalog", "list")
    assert "mine" in out and "mine.csv" in out


def test_catalog_add_counts_one_row_as_one_row(small_catalog: Path):
    lines = small_catalog.read_text(encoding="utf-8").splitlines()
    small_catalog.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one bad row left
    code, out, _ = run("catalog", "add", str(small_catalog))
    assert code == 0
    assert "Catalog 'mine' (" in out and "2 rows stored, 1 row could not be read." in out


def test_a_file_that_is_not_a_catalog_says_how_to_map_it(tmp_path: Path):
    odd = tmp_path / "odd.csv"
    odd.write_text("track,singer,bpm\nA,B,120\n", encoding="utf-8")
    code, _, err = run("catalog", "add", str(odd))
    assert code == 1
    assert "not a catalog" in err and "--mapping" in err
    code, out, _ = run("catalog", "add", str(odd), "--mapping", "song=track,artist=singer,tempo=bpm")
    assert code == 0, out
    assert "1 row stored, 0 rows could not be read." in out


def test_a_file_no_row_of_which_can_be_used_leaves_the_catalog_as_it_was(small_catalog: Path, tmp_path: Path):
    """A header alone, or rows every one of them refused, replaced a catalog of that name with an empty
    one, exit 0 ("0 rows stored")."""
    assert run("catalog", "add", str(small_catalog))[0] == 0
    header = small_catalog.read_text(encoding="utf-8").splitlines()[0]
    broken = tmp_path / "broken.csv"
    broken.write_text(
        f"{header}\n1111111111111111111111,Broken Row,Nobody,2.5,0.5,1,-5,1,0.1,0.1,0,0.1,0.1,100,4\n"
    )
    code, out, err = run("catalog", "add", str(broken), "--name", "mine")
    assert (code, out) == (1, "")
    assert err.strip() == (
        f"error: {broken}: none of its 1 row could be used (1 danceability outside the feature table; the"
        " first: broken.csv:line 2: danceability should be within 0..1, got 2.5): catalog 'mine' is left as"
        " it was"
    )
    only_header = tmp_path / "header.csv"
    only_header.write_text(f"{header}\n")
    code, _, err = run("catalog", "add", str(only_header), "--name", "mine")
    assert (
        code == 1
        and err.strip() == f"error: {only_header}: the file holds no rows: catalog 'mine' is left as it was"
    )
    code, _, err = run("catalog", "add", str(only_header))
    assert code == 1 and err.strip().endswith("the file holds no rows: nothing is imported")
    code, out, _ = run("catalog", "list", "--format", "json")
    assert [(c["name"], c["file"], c["rows"]) for c in json.loads(out)] == [("mine", "mine.csv", 2)]
    # when, for programs, as `models list` says it (it was "2026-12-06 10:41 UTC")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", json.loads(out)[0]["imported"])


def test_reading_the_catalogs_makes_no_store(isolated_environment: Path):
    """`catalog list` and a `catalog remove` that removes nothing made an empty store where none was."""
    for args in (("catalog", "list"), ("catalog", "remove", "mine")):
        code, out, err = run(*args)
        assert (code, out) == (1, ""), args
        said = " ".join(err.split())
        assert said.startswith(f"error: no MusicFlow store is in {isolated_environment}"), args
        assert said.endswith("run `musicflow ingest my_spotify_data.zip`"), args
    assert not isolated_environment.exists()


def test_a_song_is_looked_up_before_any_export_is_ingested(isolated_environment: Path):
    """A newcomer asks for a song's features in a data directory never used: answered from the bundled
    catalog (the store made for what sources answer); a profile named that holds nothing is said."""
    song = ("--song", "Blinding Lights", "--artist", "The Weeknd")
    code, out, err = run("features", "show", *song, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["features"]["tempo"]["origin"] == "bundled"
    code, out, err = run("features", "show", *song, "--profile", "alex")
    assert (code, out) == (1, "")
    assert "alex" in err and "holds no listening history" in " ".join(err.split()), err


def test_fetch_show_and_coverage_from_a_catalog(small_catalog: Path, tmp_path: Path, no_bundled: None):
    ingest_history(tmp_path, ("Never Gonna Give You Up", "Rick Astley"), ("Unknown Song", "Nobody"))
    assert run("catalog", "add", str(small_catalog))[0] == 0
    code, out, _ = run("features", "fetch")
    assert code == 0
    assert "catalog" in out and "done" in out
    code, out, _ = run("features", "coverage", "--format", "json")
    report = json.loads(out)
    assert (report["tracks"], report["full"], report["none"]) == (2, 1, 1)
    assert report["unresolved"][0]["track"] == "Unknown Song"
    code, out, _ = run("features", "coverage")  # the list counts what the table's "none" row counts
    assert code == 0 and "Tracks with no features (1), most streamed first:" in out, out
    assert "  Unknown Song — Nobody (1 stream)" in out
    code, out, _ = run(
        "features", "show", "--song", "never gonna give you up", "--artist", "RICK ASTLEY", "-f", "json"
    )
    assert code == 0
    shown = json.loads(out)
    assert shown["features"]["tempo"]["value"] == pytest.approx(113.3)
    assert shown["features"]["tempo"]["source"] == "catalog"
    assert shown["features"]["tempo"]["origin"] == "mine"
    assert "popularity" in shown["missing"]
    # when, for programs, as the API's fetched_at says it (it was "2026-12-06 10:41 UTC", to the minute)
    fetched = shown["features"]["tempo"]["fetched_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", fetched)
    code, out, _ = run(
        "features", "show", "--song", "Never Gonna Give You Up", "--artist", "Rick Astley", "-f", "csv"
    )
    (tempo,) = [row for row in csv.DictReader(io.StringIO(out)) if row["feature"] == "tempo"]
    assert code == 0 and tempo["fetched"] == fetched
    # A song nobody played, asked about directly: found in the catalog all the same.
    code, out, _ = run("features", "show", "--song", "Blinding Lights", "--artist", "The Weeknd")
    assert code == 0 and "171.005" in out
    # A small value that is not zero is never shown as 0 (instrumentalness 0.0000954): three significant
    # digits where three decimals would round it away; CSV and JSON give it exact.
    shown = {row[0]: row[1] for row in _table_rows(out)}
    assert shown["instrumentalness"] == "9.54e-05" and shown["acousticness"] == "0.001"
    assert shown["danceability"] == "0.514" and shown["key"] == "1"
    code, out, _ = run("features", "show", "--song", "Blinding Lights", "--artist", "The Weeknd", "-f", "csv")
    assert code == 0 and "instrumentalness,9.54e-05," in out and "acousticness,0.00146," in out


def test_a_catalog_added_or_removed_answers_at_once(small_catalog: Path, tmp_path: Path, no_bundled: None):
    """Adding or removing a catalog drops every answer of the catalogs: they are asked again at once, so
    coverage stays true without a fetch, and a server's schedule finds no songs "without features" to ask
    for (it asked for every song, said they got features, and trained the same model again)."""
    ingest_history(tmp_path, ("Never Gonna Give You Up", "Rick Astley"), ("Unknown Song", "Nobody"))
    code, out, _ = run("catalog", "add", str(small_catalog))
    assert code == 0
    said = " ".join(out.split())
    assert "features for 1 of the 2 songs 'default' played (0 before): `musicflow train" in said, out

    def covered() -> int:
        code, out, _ = run("features", "coverage", "--format", "json")
        assert code == 0
        return int(json.loads(out)["full"])

    assert covered() == 1
    with MusicFlow.open(load_settings()) as opened:
        assert opened.songs_to_refresh("default") == frozenset()
    again = tmp_path / "again.csv"
    again.write_bytes(small_catalog.read_bytes())
    code, out, _ = run("catalog", "add", str(again))
    assert code == 0 and "1 of the 2 songs 'default' played (as before)." in " ".join(out.split())
    assert covered() == 1
    for name, left in (("again", 1), ("mine", 0)):
        code, out, _ = run("catalog", "remove", name)
        assert code == 0 and f"features for {left} of the 2 songs" in " ".join(out.split()), out
        assert covered() == left


def _table_rows(out: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("│ ").split("│")] for line in out.splitlines() if "│" in line
    ]


def test_an_unknown_song_says_what_to_do(small_catalog: Path, no_bundled: None):
    assert run("catalog", "add", str(small_catalog))[0] == 0
    code, _, err = run("features", "show", "--song", "Zzyzx Road", "--artist", "Nobody")
    assert code == 1
    assert "no source has features for 'Zzyzx Road' by 'Nobody'" in err
    assert "musicflow catalog add" in err


def test_spotify_without_credentials_stops_with_the_settings_to_set(tmp_path: Path, no_bundled: None):
    ingest_history(tmp_path, ("Song", "Artist"))
    code, out, _ = run("features", "fetch", "--source", "spotify")
    assert code == 3
    assert "spotify stopped:" in out and "MUSICFLOW_SPOTIFY_CLIENT_ID" in out


def ingest_extended(tmp_path: Path, count: int) -> list[str]:
    """`count` songs streamed once each, from an extended history (so with Spotify ids); their ids."""
    ids = [f"{n:04d}".ljust(22, "A") for n in range(count)]
    rows = [
        {
            "ts": f"2024-01-01T{n // 60:02d}:{n % 60:02d}:40Z",
            "ms_played": 200_000,
            "master_metadata_track_name": f"Song {n}",
            "master_metadata_album_artist_name": "Band",
            "spotify_track_uri": f"spotify:track:{spotify_id}",
            "reason_end": "trackdone",
        }
        for n, spotify_id in enumerate(ids)
    ]
    history = tmp_path / "Streaming_History_Audio_2024.json"
    history.write_text(json.dumps(rows), encoding="utf-8")
    assert run("ingest", str(history))[0] == 0
    return ids


def test_a_source_paused_for_hours_says_how_many_it_was_asked_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """ReccoBeats, on loopback, answers the first batch and then asks for two hours: the run asked about
    the 40 songs of that batch, of the 100 to ask. It said "asked 100", and on the next run, paused,
    "asked 0" of nothing to ask."""
    ingest_extended(tmp_path, 100)
    recco = FakeReccoBeats(know_everything=True)
    wait = json_response(429, {"error": "Too Many Requests"}, {"Retry-After": "7200"})
    recco.script(AUDIO_PATH, Slow(0), wait)
    monkeypatch.setenv("MUSICFLOW_RECCOBEATS_URL", recco.base_url)
    with recco.running():
        code, out, _ = run("features", "fetch", "--source", "reccobeats", "--format", "json")
        assert code == 3
        (first,) = json.loads(out)["runs"]
        assert {k: first[k] for k in ("to_ask", "asked", "found", "not_found", "undecided")} == {
            "to_ask": 100,
            "asked": 40,
            "found": 40,
            "not_found": 0,
            "undecided": 0,
        }
        code, out, _ = run("features", "fetch", "--source", "reccobeats")
        assert code == 3
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", first["paused_until"])
        row = next(line for line in out.splitlines() if line.startswith("│ reccobeats"))
        assert [cell.strip() for cell in row.split("│")[2:7]] == ["60", "0", "0", "0", "0"]
        assert "paused until" in row and "reccobeats asked us to wait" in out


def test_answers_refused_are_said_under_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A source answering HTML instead of JSON to every batch was "done", and only the log said why none
    of its answers was kept."""
    ingest_extended(tmp_path, 3)
    recco = FakeReccoBeats(know_everything=True)
    recco.script(AUDIO_PATH, html_page(200))
    monkeypatch.setenv("MUSICFLOW_RECCOBEATS_URL", recco.base_url)
    with recco.running():
        code, out, _ = run("features", "fetch", "--source", "reccobeats")
    assert code == 0
    assert (
        "reccobeats: 3 tracks got no answer to keep (no Spotify id to ask with, or an answer refused as the"
        " warnings say): they stay to ask on the next fetch." in out
    )


def test_one_bad_value_on_every_row_is_one_warning_with_the_count_and_an_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """ReccoBeats answering energy 7.5 on every row printed one warning a row (378 warnings, 756 lines of
    stderr for one fault): one a batch now; each row is still left out and counted undecided."""
    ids = ingest_extended(tmp_path, 45)  # two batches of ReccoBeats' 40
    recco = FakeReccoBeats(know_everything=True)
    for spotify_id in ids:
        recco.override_audio(spotify_id, energy=7.5)
    monkeypatch.setenv("MUSICFLOW_RECCOBEATS_URL", recco.base_url)
    with recco.running():
        code, out, err = run("features", "fetch", "--source", "reccobeats", "--format", "json")
    assert code == 0, err
    (summary,) = json.loads(out)["runs"]
    assert (summary["asked"], summary["found"], summary["undecided"]) == (45, 0, 45)
    said = " ".join(err.split())
    assert said.count("WARNING") == 2, err  # one for each batch asked
    assert "reccobeats: 40 rows refused and not stored (asked again on the next fetch):" in said
    assert f"energy should be within 0..1 (e.g. track {ids[0]} got 7.5)" in said
    assert "reccobeats: 5 rows refused" in said


def test_an_unknown_source_is_a_usage_error(tmp_path: Path):
    """Said as Typer says any invalid option: the usage, then the reason; no blank line before it."""
    ingest_history(tmp_path, ("Song", "Artist"))
    code, _, err = run("features", "fetch", "--source", "lastfm")
    assert code == 2
    assert err.startswith("Usage: ") and "Error: --source: unknown feature source 'lastfm'" in err
    code, _, err = run("features", "show", "--song", "Song", "--artist", "Artist", "-s", "audio_files")
    assert code == 2 and err.startswith("Usage: ") and "`musicflow features analyze FOLDER`" in err


def test_the_coverage_of_a_profile_with_no_plays_left_is_a_sentence_not_a_table_of_zeros(
    tmp_path: Path, no_bundled: None
):
    ingest_history(tmp_path, ("Never Gonna Give You Up", "Rick Astley"))
    code, out, _ = run("jobs", "list", "--format", "json")
    (imported,) = [job["id"] for job in json.loads(out) if job["kind"] == "ingest"]
    assert run("ingest", "undo", imported)[0] == 0
    code, out, err = run("features", "coverage")
    assert code == 0, err
    assert "No plays yet in 'default': no track to have features for." in out and "┃" not in out
    code, out, _ = run("features", "coverage", "--format", "json")  # for programs, the zeros as they are
    assert code == 0 and json.loads(out)["tracks"] == 0


def test_a_share_above_nothing_is_never_said_as_0_percent() -> None:
    from rich.console import Console

    from musicflow.app.types import CoverageReport
    from musicflow.cli.render_features import coverage_table

    report = CoverageReport(
        tracks=2000, full=1000, partial=3, none=997, streams=1000, full_streams=999, partial_streams=1
    )
    console = Console(record=True, width=120)
    coverage_table(console, report, "m")
    rows = {
        line.split("│")[1].strip(): line.split("│")[3:5]
        for line in console.export_text().splitlines()
        if "│" in line
    }
    assert [cell.strip() for cell in rows["partial"]] == ["<1%", "<1%"]
    assert [cell.strip() for cell in rows["full audio features"]] == ["50%", ">99%"]
    assert [cell.strip() for cell in rows["none"]] == ["50%", "0%"]


def test_fetch_needs_an_ingested_profile():
    code, _, err = run("features", "fetch", "--profile", "nobody")
    assert code == 1
    assert "profile 'nobody' has no data yet" in err


def test_the_bundled_catalog_covers_the_demo_listener(catalog_store: Path, isolated_environment: Path):
    copy_of(catalog_store, isolated_environment)  # the bundled catalog imported already, as on first use
    with export_path() as demo:
        assert run("ingest", str(demo))[0] == 0
    assert run("features", "fetch")[0] == 0
    report = json.loads(run("features", "coverage", "--format", "json")[1])
    assert report["tracks"] > 4000
    assert 0.40 < report["full"] / report["tracks"] < 0.60
    assert report["full_share_of_streams"] > 0.6


def test_the_bundled_catalog_once_removed_stays_removed_until_added_again(tmp_path: Path):
    """Reading never imports a catalog the user removed: the next fetch finds no catalog, and the
    catalog comes back only when asked for (`catalog add bundled`)."""
    ingest_history(tmp_path, ("Everlong", "Foo Fighters"))
    assert run("features", "fetch")[0] == 0  # the first use imports the bundled catalog
    assert "bundled" in run("catalog", "list")[1]

    code, out, _ = run("catalog", "remove", "bundled")
    assert code == 0 and "`musicflow catalog add bundled`" in out
    run("features", "fetch")
    run("features", "show", "--song", "Everlong", "--artist", "Foo Fighters")
    assert "No catalogs yet" in run("catalog", "list")[1]

    code, out, _ = run("catalog", "add", "bundled")
    assert code == 0, out
    assert "bundled" in run("catalog", "list")[1]
    code, _, err = run("catalog", "add", str(tmp_path / "bundled-typo"))
    assert code == 2 and "no such file" in err
