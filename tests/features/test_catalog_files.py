"""Reading feature catalogs: the real files people download, their quirks, and a user's own files."""

from __future__ import annotations

import csv
import gzip
import re
import tracemalloc
from pathlib import Path

import polars as pl
import pytest

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.errors import CatalogError
from musicflow.features.catalog_files import (
    CatalogReport,
    CatalogRow,
    ColumnMapping,
    bundled_catalog_path,
    read_catalog,
)
from musicflow.features.catalog_formats.catalog_rows import build_row, plan_for
from musicflow.features.catalog_formats.layouts import detect_format
from musicflow.features.catalog_formats.read_report import RowError
from musicflow.features.catalog_formats.tables import Table

HEADER = "id,name,artists,danceability,energy,key,loudness,mode,tempo,time_signature,duration_ms"
GOOD_ID = "4GiXBCUF7H6YfNQsnBRIzl"

# file -> (layout name, rows the reader must refuse, and why)
REAL_FILES = {
    "high_popularity/high_popularity_spotify_data.csv": ("spotify popularity playlists 2024", {}),
    "hitpredictor_decades/dataset-of-00s.csv": ("hit predictor decades (Billboard target)", {}),
    "hitpredictor_decades/dataset-of-60s.csv": ("hit predictor decades (Billboard target)", {}),
    "kattapriyatham_tracks/spotify_tracks.csv": ("tracks by release year", {}),
    "low_popularity/low_popularity_spotify_data.csv": (
        "spotify popularity playlists 2024",
        {"no audio features": 1},
    ),
    "playlist_2010to2022/playlist_2010to2022.csv": ("top hits playlists by year", {"no audio features": 1}),
    "spotify2023_streams/spotify-2023.csv": ("most streamed songs 2023 (percent features)", {}),
    "spotifyfeatures_subset/SpotifyFeatures.csv": ("SpotifyFeatures by genre", {"truncated row": 1}),
    "taniksha19_playlists/data__favorite_songs.csv": ("favourite songs (ids only)", {}),
    "taniksha19_playlists/data__playlist_songs.csv": ("playlist songs with length", {}),
    "top_songs_audio_features/spotify_top_songs_audio_features.csv": (
        "weekly top songs with audio features",
        {},
    ),
    "tracks600k_head/SpotifyFeatures.csv": ("SpotifyFeatures by genre", {}),
    "tracks600k_head/tracks.csv": ("tracks 1921-2020 (artists as lists)", {}),
}


def rows_stated_in_provenance(path: Path) -> int:
    text = (path.parent / "PROVENANCE.txt").read_text()
    match = re.search(rf"stats: {re.escape(path.name)}: size=\d+ rows=(\d+)", text)
    assert match, f"no row count for {path.name} in PROVENANCE.txt"
    return int(match.group(1))


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_all(path: Path, mapping: ColumnMapping | None = None) -> tuple[list[CatalogRow], CatalogReport]:
    read = read_catalog(path, mapping)
    rows = list(read)
    return rows, read.report


def by_song(rows: list[CatalogRow], song: str) -> CatalogRow:
    return next(row for row in rows if row.song == song)


# --- the real files -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_each_real_catalog_is_recognised_and_read_whole(shared_data: Path, name: str):
    path = shared_data / "catalogs" / name
    layout, refused = REAL_FILES[name]
    read = read_catalog(path)
    rows = list(read)
    assert read.report.format_name == layout
    assert read.report.rows_read == rows_stated_in_provenance(path)
    assert dict(read.report.reasons) == refused
    assert len(rows) == read.report.rows_ok == read.report.rows_read - sum(refused.values())
    assert all(row.values for row in rows)


def test_a_hit_predictor_row_matches_the_raw_file(shared_data: Path):
    rows, _ = read_all(shared_data / "catalogs/hitpredictor_decades/dataset-of-00s.csv")
    lucky = by_song(rows, "Lucky Man")
    # raw: Lucky Man,Montgomery Gentry,spotify:track:4GiXBCUF7H6YfNQsnBRIzl,0.578,0.471,4,-7.27,1,...
    assert lucky.spotify_id == GOOD_ID
    assert lucky.artists == ("Montgomery Gentry",)
    assert lucky.line == 2
    assert lucky.values["danceability"] == 0.578
    assert lucky.values["key"] == 4
    assert lucky.values["loudness"] == -7.27
    assert lucky.values["duration_ms"] == 196707


def test_billboard_featuring_credits_are_split_primary_first(shared_data: Path):
    rows, _ = read_all(shared_data / "catalogs/hitpredictor_decades/dataset-of-10s.csv")
    assert by_song(rows, "My Last").artists == ("Big Sean", "Chris Brown")


def test_percent_features_and_note_names_of_the_2023_list(shared_data: Path):
    rows, _ = read_all(shared_data / "catalogs/spotify2023_streams/spotify-2023.csv")
    seven = by_song(rows, "Seven (feat. Latto) (Explicit Ver.)")
    # raw: ...,125,B,Major,80,89,83,31,0,8,4 (bpm, key, mode, danceability_%, valence_%, energy_%, ...)
    assert seven.spotify_id is None
    assert seven.artists == ("Latto", "Jung Kook")
    assert seven.values["tempo"] == 125
    assert seven.values["key"] == 11
    assert seven.values["mode"] == 1
    assert seven.values["danceability"] == pytest.approx(0.80)
    assert seven.values["valence"] == pytest.approx(0.89)
    assert seven.values["n_artists"] == 2
    assert (seven.values["release_year"], seven.values["release_month"]) == (2023, 7)


def test_a_blank_key_is_missing_not_c(shared_data: Path):
    path = shared_data / "catalogs/spotify2023_streams/spotify-2023.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        blank_keys = sum(1 for row in csv.DictReader(handle) if not row["key"].strip())
    rows, _ = read_all(path)
    assert blank_keys > 0
    assert sum(1 for row in rows if "key" not in row.values) == blank_keys


def test_spotify_features_note_names_and_excel_time_signatures(shared_data: Path):
    rows, _ = read_all(shared_data / "catalogs/spotifyfeatures_subset/SpotifyFeatures.csv")
    first = rows[0]
    # raw: Movie,Henri Salvador,C'est beau de faire un Show,0BRjO6ga9RKC...,C#,...,Major,...,4-Apr
    assert first.song == "C'est beau de faire un Show"
    assert (first.values["key"], first.values["mode"], first.values["time_signature"]) == (1, 1, 4)
    signatures = {row.values.get("time_signature") for row in rows}
    assert signatures <= {0, 1, 3, 4, 5}
    assert {3, 4, 5} <= signatures


def test_both_excel_spellings_of_three_four_time_agree(shared_data: Path):
    subset, _ = read_all(shared_data / "catalogs/spotifyfeatures_subset/SpotifyFeatures.csv")
    head, _ = read_all(shared_data / "catalogs/tracks600k_head/SpotifyFeatures.csv")
    subset_by_line = {row.line: row for row in subset}
    for row in head[:2000]:  # the head file is the first rows of the same dump: '4-Mar' vs '03-Apr'
        assert row.values.get("time_signature") == subset_by_line[row.line].values.get("time_signature")


def test_the_truncated_last_line_is_reported_with_its_line_number(shared_data: Path):
    path = shared_data / "catalogs/spotifyfeatures_subset/SpotifyFeatures.csv"
    last_line = len(path.read_bytes().splitlines())
    _, report = read_all(path)
    assert report.examples == [f"SpotifyFeatures.csv:line {last_line}: truncated row (11 of 18 fields)"]


def test_text_keys_modes_and_beats_of_the_weekly_charts(shared_data: Path):
    rows, _ = read_all(shared_data / "catalogs/top_songs_audio_features/spotify_top_songs_audio_features.csv")
    growing = by_song(rows, "Growing Pains")  # raw: C#/Db,Minor,4 beats
    assert (growing.values["key"], growing.values["mode"], growing.values["time_signature"]) == (1, 0, 4)
    assert by_song(rows, "Still Got Time (feat. PARTYNEXTDOOR)").artists == ("ZAYN", "PARTYNEXTDOOR")


def test_list_literal_artists_and_day_first_dates(shared_data: Path):
    rows, _ = read_all(shared_data / "catalogs/tracks600k_head/tracks.csv")
    carve = by_song(rows, "Carve")  # raw: ['Uli'], 22-02-1922, explicit 0
    assert carve.artists == ("Uli",)
    assert (carve.values["release_year"], carve.values["release_month"], carve.values["release_day"]) == (
        1922,
        2,
        22,
    )
    assert carve.values["explicit"] is False
    haydn = next(row for row in rows if row.song.startswith("Haydn: String Quartet No. 50"))
    assert haydn.artists == ("Franz Joseph Haydn", "Pro Arte Quartet")
    assert haydn.values["n_artists"] == 2


def test_double_encoded_bom_padded_copy_and_us_dates_agree(shared_data: Path):
    """The same 1,686 tracks: one copy has 'ï»¿energy' and M/D/YY dates, the other is space-padded."""
    bom, _ = read_all(shared_data / "catalogs/high_popularity/high_popularity_spotify_data.csv")
    padded, _ = read_all(shared_data / "catalogs/low_popularity/high_popularity_spotify_data.csv")
    assert len(bom) == len(padded) == 1686
    for left, right in zip(bom, padded, strict=True):
        assert left.spotify_id == right.spotify_id
        assert left.values == right.values  # energy from the BOM column; 8/16/24 == 2024-08-16


def test_mojibake_names_are_re_decoded(shared_data: Path):
    damaged, report = read_all(shared_data / "catalogs/high_popularity/high_popularity_spotify_data.csv")
    clean, _ = read_all(shared_data / "catalogs/low_popularity/high_popularity_spotify_data.csv")
    same = sum(1 for a, b in zip(damaged, clean, strict=True) if (a.song, a.artists) == (b.song, b.artists))
    assert report.notes["name re-decoded from mis-encoded text"] > 100
    assert same >= 1686 - 20  # a few were cut or changed at the source and cannot be restored
    assert by_song(damaged, "APT.").artists == ("ROSÉ", "Bruno Mars")


def test_tempo_zero_and_loudness_above_zero_are_left_out_with_a_note(shared_data: Path):
    path = shared_data / "catalogs/kattapriyatham_tracks/spotify_tracks.csv"
    with path.open(newline="") as handle:
        raw = list(csv.DictReader(handle))
    zero_tempo = sum(1 for row in raw if float(row["tempo"]) == 0)
    loud = sum(1 for row in raw if float(row["loudness"]) > 0)
    rows, report = read_all(path)
    assert report.notes["tempo 0 (unknown) left out"] == zero_tempo > 0
    assert report.notes["loudness above 0 dB left out"] == loud > 0
    assert sum(1 for row in rows if "tempo" not in row.values) == zero_tempo
    assert all(row.values.get("loudness", -1) <= 0 for row in rows)


# --- quirks, one small file each ------------------------------------------------------------------


def test_utf8_bom_and_double_encoded_bom_headers(tmp_path: Path):
    line = f"{GOOD_ID},Song,Artist,0.5,0.6,5,-7,1,120,4,200000\n"
    for bom in ("\ufeff", "ï»¿"):
        rows, _ = read_all(write(tmp_path / "bom.csv", bom + HEADER + "\n" + line))
        assert rows[0].values["danceability"] == 0.5


def test_padded_fields_are_trimmed(tmp_path: Path):
    path = write(
        tmp_path / "pad.csv", HEADER + f"\n {GOOD_ID} ,  Song  , Artist ,0.5 ,  0.6,5,-7,1,120,4,1\n"
    )
    [row], _ = read_all(path)
    assert (row.spotify_id, row.song, row.artists, row.values["energy"]) == (
        GOOD_ID,
        "Song",
        ("Artist",),
        0.6,
    )


@pytest.mark.parametrize(
    ("key", "mode", "signature", "expected"),
    [
        ("Db", "Minor", "4-Mar", (1, 0, 3)),
        ("C#/Db", "major", "03-Apr", (1, 1, 3)),
        ("A#", "Major", "4 beats", (10, 1, 4)),
        ("B", "1", "4-Apr", (11, 1, 4)),
        ("-1", "0", "0/4", (-1, 0, 0)),
    ],
)
def test_keys_modes_and_time_signatures_as_text(tmp_path: Path, key, mode, signature, expected):
    line = f"{GOOD_ID},Song,Artist,0.5,0.6,{key},-7,{mode},120,{signature},200000\n"
    [row], _ = read_all(write(tmp_path / "k.csv", HEADER + "\n" + line))
    assert (row.values["key"], row.values["mode"], row.values["time_signature"]) == expected


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        (f"spotify:track:{GOOD_ID}", GOOD_ID),
        (GOOD_ID, GOOD_ID),
        (f"https://open.spotify.com/track/{GOOD_ID}?si=abc", GOOD_ID),
    ],
)
def test_ids_as_uris_links_or_bare(tmp_path: Path, ident: str, expected: str):
    line = f"{ident},Song,Artist,0.5,0.6,5,-7,1,120,4,200000\n"
    [row], _ = read_all(write(tmp_path / "id.csv", HEADER + "\n" + line))
    assert row.spotify_id == expected


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("2019-05-01", (2019, 5, 1)),
        ("1999-07", (1999, 7, None)),
        ("1967", (1967, None, None)),
        ("22-02-1922", (1922, 2, 22)),
        ("8/16/24", (2024, 8, 16)),
        ("5/1/67", (1967, 5, 1)),
    ],
)
def test_release_dates_in_every_layout(tmp_path: Path, text: str, parts):
    header = "track_id,name,artist,energy,valence,tempo,release_date"
    path = write(tmp_path / "d.csv", f"{header}\n{GOOD_ID},S,A,0.5,0.5,90,{text}\n")
    [row], _ = read_all(path)
    got = tuple(row.values.get(f"release_{part}") for part in ("year", "month", "day"))
    assert got == parts


def test_durations_in_ms_or_minutes_and_seconds(tmp_path: Path):
    text = f"{HEADER}\n{GOOD_ID},A,X,0.5,0.6,5,-7,1,120,4,3:45\n{GOOD_ID},B,X,0.5,0.6,5,-7,1,120,4,200000\n"
    rows, _ = read_all(write(tmp_path / "dur.csv", text))
    assert [row.values["duration_ms"] for row in rows] == [225_000, 200_000]


def test_out_of_table_values_reject_the_row_with_its_line(tmp_path: Path):
    text = (
        f"{HEADER}\n"
        f"{GOOD_ID},Fine,X,0.5,0.6,5,-7,1,120,4,200000\n"
        f"{GOOD_ID},Too loud,X,0.5,0.6,5,25,1,120,4,200000\n"
        f"{GOOD_ID},Bad dance,X,1.5,0.6,5,-7,1,120,4,200000\n"
        f"{GOOD_ID},Not a number,X,abc,0.6,5,-7,1,120,4,200000\n"
        f"{GOOD_ID},Quiet quirk,X,0.5,0.6,5,0.4,1,0,4,200000\n"
    )
    rows, report = read_all(write(tmp_path / "bad.csv", text))
    assert [row.song for row in rows] == ["Fine", "Quiet quirk"]
    assert "loudness" not in rows[1].values and "tempo" not in rows[1].values
    assert report.rows_bad == 3
    assert report.reasons == {
        "loudness outside the feature table": 1,
        "danceability outside the feature table": 1,
        "not a number in 'danceability'": 1,
    }
    assert report.examples[0].startswith("bad.csv:line 3: loudness should be within")
    assert report.examples[2].startswith("bad.csv:line 5: 'danceability' is not a number")


def test_line_numbers_count_quoted_line_breaks(tmp_path: Path):
    text = f'{HEADER}\n{GOOD_ID},"Two\nlines",X,0.5,0.6,5,-7,1,120,4,1\n{GOOD_ID},Short,X\n'
    rows, report = read_all(write(tmp_path / "nl.csv", text))
    assert rows[0].line == 2
    assert report.examples == ["nl.csv:line 4: truncated row (3 of 11 fields)"]


def test_windows_1252_names_are_decoded(tmp_path: Path):
    path = write(tmp_path / "cp.csv", f"{HEADER}\n{GOOD_ID},Café,Beyoncé,0.5,0.6,5,-7,1,120,4,1\n", "cp1252")
    [row], _ = read_all(path)
    assert (row.song, row.artists) == ("Café", ("Beyoncé",))


def test_semicolon_separated_files_with_decimal_commas(tmp_path: Path):
    path = write(
        tmp_path / "eu.csv", f"id;name;artist;energy;danceability;valence\n{GOOD_ID};S;A;0,5;0,25;1\n"
    )
    [row], _ = read_all(path)
    assert row.values == {"energy": 0.5, "danceability": 0.25, "valence": 1}


def test_reading_is_lazy_and_memory_bounded(tmp_path: Path):
    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write(HEADER + "\n")
        for n in range(10_000):
            handle.write(f"{GOOD_ID},Song {n},Artist {n % 97},0.5,0.6,5,-7,1,120,4,200000\n")
    tracemalloc.start()
    count = sum(1 for _ in read_catalog(path))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 10_000
    assert peak < 4_000_000  # all 10,000 rows held at once take over 7 MB; read lazily, well under 0.1 MB


# --- not catalogs ---------------------------------------------------------------------------------


def test_an_unknown_header_says_what_was_expected_and_how_to_map(tmp_path: Path):
    path = write(tmp_path / "other.csv", "when,what,who\n2020,x,y\n")
    with pytest.raises(CatalogError) as caught:
        read_catalog(path)
    message = str(caught.value)
    assert "columns: when, what, who" in message
    assert "track_id" in message and "danceability" in message
    assert "--mapping 'id=track_id,song=name,artist=artists,tempo=bpm'" in message


def test_a_streaming_history_is_not_a_catalog(shared_data: Path):
    with pytest.raises(CatalogError, match="not a catalog"):
        read_catalog(shared_data / "histories/basic/emb400/StreamingHistory0.json")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"PK\x03\x04zip", "binary"),
        (b"just text\n", "header"),
    ],
)
def test_files_that_are_not_catalogs(tmp_path: Path, content: bytes, problem: str):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(CatalogError, match=problem):
        read_catalog(path)


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(CatalogError, match="no such file"):
        read_catalog(tmp_path / "nope.csv")
    with pytest.raises(CatalogError, match="folder"):
        read_catalog(tmp_path)


# --- a user's own files with a mapping ------------------------------------------------------------


def test_mapping_text_is_parsed():
    mapping = ColumnMapping.parse("id=track_id, song=name,artist=artists,tempo=bpm,artists_sep=comma")
    assert (mapping.id, mapping.song, mapping.artists, mapping.artists_style) == (
        "track_id",
        "name",
        "artists",
        "comma",
    )
    assert mapping.features == {"tempo": "bpm"}


def test_user_csv_with_a_mapping(tmp_path: Path):
    text = f"Track ID,Title,Performers,BPM,Energy\n{GOOD_ID},My Song,A; B,128,0.7\n"
    mapping = ColumnMapping.parse("id=Track ID,song=Title,artist=Performers,tempo=BPM,artists_sep=semicolon")
    [row], report = read_all(write(tmp_path / "mine.csv", text), mapping)
    assert report.format_name == "mapped columns"
    assert (row.spotify_id, row.song, row.artists) == (GOOD_ID, "My Song", ("A", "B"))
    assert row.values == {"tempo": 128, "energy": 0.7}


def test_user_parquet_with_a_mapping(tmp_path: Path):
    path = tmp_path / "mine.parquet"
    pl.DataFrame(
        {
            "uri": [f"spotify:track:{GOOD_ID}", None],
            "title": ["One", "Two"],
            "who": ["X", "Y"],
            "bpm": [120.0, 0.0],
            "valence": [0.3, 2.0],
            "explicit": [True, None],
        }
    ).write_parquet(path)
    rows, report = read_all(path, ColumnMapping.parse("id=uri,song=title,artist=who,tempo=bpm"))
    assert [(row.spotify_id, row.song) for row in rows] == [(GOOD_ID, "One")]
    assert rows[0].values == {"tempo": 120.0, "valence": 0.3, "explicit": True}
    assert report.examples == ["mine.parquet:row 2: valence should be within 0..1, got 2.0"]


def cell_by_cell(path: Path) -> tuple[list[CatalogRow], CatalogReport]:
    """What reading each record's cells one by one makes of a file (a Parquet file's columns are read
    whole where their types allow it: the same rows and report must come out)."""
    table = Table(path)
    fmt = detect_format(table.header)
    assert fmt is not None
    plan = plan_for(fmt, table.header)
    rows, report = [], CatalogReport(format_name=fmt.name)
    for record in table.records():
        try:
            row, notes = build_row(plan, record)
        except RowError as exc:
            report.count_bad(exc.reason, f"{path.name}:row {record.line}", exc.detail)
            continue
        report.count_ok(notes)
        rows.append(row)
    return rows, report


def test_typed_parquet_columns_read_as_their_cells_do(tmp_path: Path):
    nan, inf = float("nan"), float("inf")
    good = {"spotify_id": GOOD_ID, "song": "A", "artists": "X; Y", "danceability": 0.5, "energy": 0.5}
    good |= {"tempo": 120.0, "loudness": -5.0, "key": 1, "popularity": 45.0, "release_year": 2000}
    good |= {"explicit": True, "duration_ms": 200_000}
    changes: list[dict[str, object]] = [
        {},
        {"tempo": 0.0},  # quirks: left out, noted, the row kept
        {"loudness": 3.0},
        {"release_year": 0},
        {"loudness": 0.0, "popularity": -0.0, "key": -1, "danceability": nan, "explicit": None},  # fine
        {"loudness": 10.5},  # refused
        {"energy": inf},
        {"popularity": 45.5},
        {"key": 12},
        {"duration_ms": 86_400_001},
        {"tempo": 500.1},
        {"release_year": 3000},
        {"spotify_id": "not an id"},
        {"spotify_id": None, "song": "na"},
        {"spotify_id": None, "song": "BeyoncÃ©", "artists": " Someone "},  # a name repaired, noted
        {"danceability": None, "energy": None, "tempo": None, "loudness": None, "key": None},
    ]
    schema = {"energy": pl.Float32, "key": pl.Int32, "release_year": pl.Int64, "duration_ms": pl.UInt32}
    typed = pl.DataFrame([good | change for change in changes], schema_overrides=schema)
    variants = {
        "typed": typed,
        "keys as floats, flags as numbers": typed.with_columns(
            pl.col("key").cast(pl.Float64), pl.col("explicit").cast(pl.Int8)
        ),
        "no audio features": typed.drop("danceability", "energy", "tempo", "loudness", "key"),
    }
    reports = []
    for variant, frame in variants.items():
        path = tmp_path / "typed.parquet"
        frame.write_parquet(path)
        rows, report = read_all(path)
        expected_rows, expected_report = cell_by_cell(path)
        assert report == expected_report, variant
        assert rows == expected_rows, variant
        for row, expected in zip(rows, expected_rows, strict=True):
            assert [(k, type(v)) for k, v in row.values.items()] == [
                (k, type(v)) for k, v in expected.values.items()
            ], variant
        reports.append(report)
    assert (reports[0].rows_ok, reports[0].rows_bad, sum(reports[0].notes.values())) == (6, 10, 4)
    assert reports[-1].rows_bad == len(changes)


def test_a_mapping_naming_a_missing_column_is_a_clear_error(tmp_path: Path):
    path = write(tmp_path / "mine.csv", f"track_id,name\n{GOOD_ID},S\n")
    with pytest.raises(CatalogError) as caught:
        read_catalog(path, ColumnMapping.parse("id=track_id,song=name,tempo=bpm"))
    assert "tempo='bpm'" in str(caught.value)
    assert "its columns are: track_id, name" in str(caught.value)


def test_a_mapping_naming_an_unknown_feature_is_a_clear_error():
    with pytest.raises(CatalogError, match="'loudnes' is not something"):
        ColumnMapping.parse("id=track_id,loudnes=db")
    with pytest.raises(CatalogError, match="role=column"):
        ColumnMapping.parse("id")


# --- the bundled catalog --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> tuple[Path, list[CatalogRow], str]:
    with bundled_catalog_path() as path:
        read = read_catalog(path)
        rows = list(read)
        assert read.report.rows_bad == 0
        return path, rows, read.report.format_name


@pytest.mark.slow  # reads all of the bundled catalog
def test_the_bundled_catalog_reads_back_as_documented(bundled: tuple[Path, list[CatalogRow], str]):
    path, rows, format_name = bundled
    provenance = (path.parent / "PROVENANCE.txt").read_text()
    documented = re.search(r"^Rows: (\d+)", provenance, re.MULTILINE)
    assert documented is not None
    assert format_name == "musicflow native catalog"
    assert len(rows) == int(documented.group(1)) > 90_000
    assert list(pl.read_parquet_schema(path)) == ["spotify_id", "song", "artists", *FEATURE_NAMES]
    ids = [row.spotify_id for row in rows if row.spotify_id]
    assert len(ids) == len(set(ids))
    assert path.stat().st_size < 6_000_000


@pytest.mark.slow  # reads all of the bundled catalog
def test_the_bundled_catalog_holds_known_songs(bundled: tuple[Path, list[CatalogRow], str]):
    _, rows, _ = bundled
    lucky = next(row for row in rows if row.spotify_id == GOOD_ID)
    assert (lucky.song, lucky.artists, lucky.values["danceability"]) == (
        "Lucky Man",
        ("Montgomery Gentry",),
        0.578,
    )
    apt = [row for row in rows if row.song == "APT." and row.artists[:1] == ("ROSÉ",)]
    assert apt and apt[0].artists == ("ROSÉ", "Bruno Mars")  # the clean spelling won over the mojibake copy


def test_a_gzipped_csv_is_read_like_the_plain_file(tmp_path: Path):
    path = tmp_path / "catalog.csv.gz"
    path.write_bytes(gzip.compress(f"{HEADER}\n{GOOD_ID},Song,Artist,0.5,0.6,5,-7,1,120,4,1\n".encode()))
    [row], report = read_all(path)
    assert (row.song, row.values["tempo"], report.rows_ok) == ("Song", 120, 1)
