"""A CSV catalog converted for scoring a block of records and a column at a time: the same rows, values,
lines and reasons as `catalog add` reading it row by row, however the file is quoted, spelled or broken,
and the same predictions as the same rows in a Parquet file."""

from __future__ import annotations

import functools
import gzip
import random
import threading
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from musicflow.app.service import MusicFlow
from musicflow.core.songs import CatalogRow
from musicflow.features.catalog_formats.catalog_rows import build_row, plan_for
from musicflow.features.catalog_formats.layouts import detect_format
from musicflow.features.catalog_formats.mapping import ColumnMapping
from musicflow.features.catalog_formats.read_report import RowError
from musicflow.features.catalog_formats.tables import Record, Table
from musicflow.scale import csv_blocks
from musicflow.scale.staging import Rejected, file_rows, native_frame, rejected_frame, stage
from tests.scale.catalogs import bundled_rows
from tests.trained import PROFILE

NATIVE = (
    "spotify_id,song,artists,danceability,energy,key,loudness,mode,tempo,explicit,duration_ms,release_year"
)
GOOD = "0.5,0.6,5,-6.5,1,120.0,false,200000,2001"


def _row_by_row(path: Path, mapping: ColumnMapping | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows as `catalog add` reads them, one at a time: the reference."""
    table = Table(path)
    fmt = mapping.to_format(table.header, str(path)) if mapping else detect_format(table.header)
    assert fmt is not None
    plan = plan_for(fmt, table.header)
    rows: list[CatalogRow] = []
    bad: list[Rejected] = []
    for record in table.records():
        if record.problem:
            bad.append(Rejected(record.line, None, None, f"unreadable line: {record.problem}"))
            continue
        try:
            rows.append(build_row(plan, record)[0])
        except RowError as exc:
            bad.append(Rejected(record.line, exc.song, exc.artists, exc.words))
    return native_frame(rows), rejected_frame(bad).sort("row")


def _converted(
    path: Path, mapping: ColumnMapping | None, folder: Path, per: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    slices, rejected = stage(file_rows(path, mapping), folder, per)
    sizes = [pl.scan_parquet(s).select(pl.len()).collect().item() for s in slices]
    assert all(size == per for size in sizes[:-1]) and sizes[-1] <= per
    bad = pl.read_parquet(folder / "rejected.parquet").sort("row")
    assert bad.height == rejected
    return pl.concat([pl.read_parquet(s) for s in slices]), bad


def _same_as_row_by_row(path: Path, folder: Path, mapping: ColumnMapping | None = None, per: int = 4) -> int:
    good, bad = _converted(path, mapping, folder, per)
    expected_good, expected_bad = _row_by_row(path, mapping)
    assert_frame_equal(good, expected_good, check_exact=True)
    assert_frame_equal(bad, expected_bad, check_exact=True)
    return good.height


TRICKY = {
    "quoted fields, embedded separators, quotes and line breaks": (
        f"{NATIVE}\n"
        f'6CnkB2yYPK0OyQPxIiJiqD,"Hello, World","Drake; Future",{GOOD}\n'
        f'3tJjZMHLqhD8DaGgdBICnc,"A ""quoted"" title","Earth; Wind & Fire",{GOOD}\n'
        f'1udwFobQ1JoOdWPQrp2b6u,"two\nlines\nlong",Adele,{GOOD}\n'
        f'2udwFobQ1JoOdWPQrp2b6u,After Them,"Tyler; The Creator; Kali Uchis",{GOOD}\n'
        f'"3udwFobQ1JoOdWPQrp2b6u","All","Quoted",{GOOD.replace(",", chr(34) + "," + chr(34))}\n'
    ),
    "Windows line breaks, blank lines, lines of empty fields, no last line break": (
        f"{NATIVE}\r\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,One,Adele,{GOOD}\r\n\r\n,,,,,,,,,,,\r\n   \r\n"
        f'3tJjZMHLqhD8DaGgdBICnc,"Two\r\nlines",Adele,{GOOD}\r\n'
        f"1udwFobQ1JoOdWPQrp2b6u,Last,Adele,{GOOD}"
    ),
    "bad rows: truncated, too long, bad values, missing names, no audio": (
        f"{NATIVE}\n"
        "6CnkB2yYPK0OyQPxIiJiqD,Truncated,Adele\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Extra,Adele,{GOOD},x\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Extra but empty,Adele,{GOOD},,\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Fast,Adele,{GOOD.replace('120.0', 'fast')}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Loud,Adele,{GOOD.replace('-6.5', '5.5')}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Louder,Adele,{GOOD.replace('-6.5', '12')}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Energetic,Adele,{GOOD.replace('0.6', '1.5')}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Keyed,Adele,{GOOD.replace(',5,', ',4.5,')}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Huge,Adele,{GOOD.replace(',5,', ',99999999999999999999,')}\n"
        f"bad id,Bad id,Adele,{GOOD}\n"
        f",,Adele,{GOOD}\n"
        "6CnkB2yYPK0OyQPxIiJiqD,Silent,Adele,,,,,,,false,200000,2001\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Year zero,Adele,{GOOD.replace('2001', '0')}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Tempo zero,Adele,{GOOD.replace('120.0', '0')}\n"
    ),
    "spellings: padded, missing, decimal comma, words, exponents, signs, -0": (
        "spotify_id;song;artists;danceability;energy;key;loudness;mode;tempo;explicit;duration_ms\n"
        "6CnkB2yYPK0OyQPxIiJiqD; Padded ; Adele ; 0.5 ;NA;C#;-0;Major;1e2;True;3:25\n"
        "6CnkB2yYPK0OyQPxIiJiqD;Comma;Adele;0,5;nan;4.0;-0.0;minor;+120;yes;200000.0\n"
        "6CnkB2yYPK0OyQPxIiJiqD;Odd;Adele;.5;5e-1;1e1;-6.;1;120.;1.0;200000.4\n"
        "6CnkB2yYPK0OyQPxIiJiqD;Null;null;0.5;None;-;-;0;-;n;-\n"
        "6CnkB2yYPK0OyQPxIiJiqD;Ctrl\x1c;Adele\t;\t0.5;0.5\x1c;4;-5;1;120;f;1\n"
        "6CnkB2yYPK0OyQPxIiJiqD;Unicode digit;Adele;٣;0.5;4;-5;1;120;f;1\n"
    ),
    "names: mis-decoded, accented, several credits, known one-artist names, list literals": (
        f"{NATIVE}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,BeyoncÃ©,BeyoncÃ©,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Sigur Rós,Björk; Sigur Rós,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Tyler,Tyler; The Creator; Kali Uchis,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Crosby,Crosby; Stills; Nash & Young,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Empty credits,Drake;;Future; ,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Only separators,;,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,No word first,!!!; Drake,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Literal,\"['A', 'B']\",{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,None,None,{GOOD}\n"
    ),
    "quoting the csv module reads otherwise, from the middle of the file": (
        f"{NATIVE}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Before,Adele,{GOOD}\n"
        * 3
        + f'6CnkB2yYPK0OyQPxIiJiqD,12" Mix,Adele,{GOOD}\n'
        + f'6CnkB2yYPK0OyQPxIiJiqD, "Spaced, quote",Adele,{GOOD}\n'
        + f"6CnkB2yYPK0OyQPxIiJiqD,After,Adele,{GOOD}\n" * 3
    ),
    "a lone carriage return": (
        f"{NATIVE}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,One,Adele,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Return\r,Adele,{GOOD}\n"
        f"6CnkB2yYPK0OyQPxIiJiqD,Two,Adele,{GOOD}\n"
    ),
    "a NUL byte past the first bytes (those are told apart from a binary file)": (
        f"{NATIVE}\n"
        + f"6CnkB2yYPK0OyQPxIiJiqD,Many,Adele,{GOOD}\n" * 120
        + f"6CnkB2yYPK0OyQPxIiJiqD,Nul\x00,Adele,{GOOD}\n"
        + f"6CnkB2yYPK0OyQPxIiJiqD,After,Adele,{GOOD}\n"
    ),
}


@pytest.mark.parametrize("block", [64, csv_blocks.BLOCK_BYTES])
@pytest.mark.parametrize("name", sorted(TRICKY))
def test_a_csv_catalog_is_converted_as_catalog_add_reads_it_row_by_row(
    name: str, block: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Blocks of 64 bytes end inside nearly every record: a record is never cut, and keeps its line."""
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", block)
    path = tmp_path / "catalog.csv"
    path.write_text(TRICKY[name], encoding="utf-8", newline="")
    _same_as_row_by_row(path, tmp_path / "staged")


def test_bytes_that_are_not_utf8_and_a_gzip_file_are_read_as_catalog_add_reads_them(tmp_path: Path):
    text = f"{NATIVE}\n" + "".join(f"6CnkB2yYPK0OyQPxIiJiqD,Song {i},Adele,{GOOD}\n" for i in range(20))
    data = text.encode().replace(b"Song 7", b"Caf\xe9 7")  # Windows-1252
    plain = tmp_path / "cp1252.csv"
    plain.write_bytes(data)
    assert _same_as_row_by_row(plain, tmp_path / "a") == 20
    packed = tmp_path / "catalog.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    assert _same_as_row_by_row(packed, tmp_path / "b") == 20


def test_a_header_only_csv_converts_to_no_rows(tmp_path: Path):
    for at, text in enumerate((f"{NATIVE}\n", f"{NATIVE}\r\n", NATIVE, f"{NATIVE}\n\n\n")):
        path = tmp_path / f"header-{at}.csv"
        path.write_text(text, encoding="utf-8", newline="")
        good, bad = _converted(path, None, tmp_path / f"staged-{at}", 4)
        assert (good.height, bad.height) == (0, 0)


# Random catalogs of every layout the conversion reads in columns, with spellings good and bad.
LAYOUTS = {
    "native": NATIVE,
    "popularity": "track_id,track_name,track_artist,track_popularity,track_album_release_date,"
    "danceability,energy,key,loudness,mode,tempo,time_signature,duration_ms",
    "by year": "artist,track,track_id,popularity,year,"
    "danceability,energy,key,loudness,mode,speechiness,tempo",
    "lists": "id,name,artists,id_artists,release_date,danceability,energy,key,loudness,mode,tempo,n_artists",
    "percent": "track_name,artist(s)_name,artist_count,released_year,released_month,released_day,"
    "bpm,key,mode,danceability_%,energy_%",
}
SPELLINGS = {
    "id": [
        "6CnkB2yYPK0OyQPxIiJiqD",
        "spotify:track:3tJjZMHLqhD8DaGgdBICnc",
        "https://open.spotify.com/intl-de/track/1udwFobQ1JoOdWPQrp2b6u",
        "bad id",
        "",
        " 6CnkB2yYPK0OyQPxIiJiqD",
    ],
    "name": ["Hello", "Hello, World", " padded ", "BeyoncÃ©", "Naïve", "None", "", 'Say "hi"', "two\nlines"],
    "artists": [
        "Drake",
        "Drake; Future",
        "Drake, Future",
        "Tyler, The Creator, Kali Uchis",
        "Drake feat. Future",
        "Lil Nas X",
        "['A', 'B']",
        "",
        ";",
        "Björk; Sigur Rós",
        "Mumford & Sons",
    ],
    "bool": ["true", "false", "True", "1", "0.0", "maybe", ""],
    "date": [
        "2021-03-04",
        "2021-3-4",
        "2021",
        "2021-02",
        "2021-02-30",
        "2020-02-29",
        "0000-01-01",
        "3/4/21",
        "2021-03-04T10:00:00",
        "",
        "abc",
    ],
    "int": [
        "0",
        "1",
        "4",
        "4.0",
        "4.5",
        "-1",
        "12",
        "+4",
        " 4",
        "NA",
        "",
        "Major",
        "C#",
        "4 beats",
        "3/4",
        "200000",
        "200000.5",
        "3:25",
        "-0",
        "2021",
        "1e1",
    ],
    "number": [
        "0.5",
        "0.25",
        "1",
        "0",
        "-0",
        "-0.0",
        ".5",
        "1e-1",
        " 0.5",
        "0,5",
        "NA",
        "nan",
        "",
        "inf",
        "abc",
        "-5.5",
        "3.2",
        "120",
        "7.5",
        "-61",
    ],
}
KINDS = {
    "spotify_id": "id",
    "track_id": "id",
    "id": "id",
    "song": "name",
    "track_name": "name",
    "name": "name",
    "track": "name",
    "artists": "artists",
    "track_artist": "artists",
    "artist": "artists",
    "artist(s)_name": "artists",
    "explicit": "bool",
    "track_album_release_date": "date",
    "release_date": "date",
}
WHOLE = {
    "key",
    "mode",
    "time_signature",
    "duration_ms",
    "popularity",
    "track_popularity",
    "release_year",
    "year",
    "released_year",
    "released_month",
    "released_day",
    "n_artists",
    "artist_count",
}


def _random_catalog(path: Path, rnd: random.Random) -> None:
    columns = LAYOUTS[rnd.choice(sorted(LAYOUTS))].split(",")
    delimiter, line_break = rnd.choice([",", ";", "\t"]), rnd.choice(["\n", "\r\n"])

    def cell(column: str) -> str:
        spellings = SPELLINGS[KINDS.get(column, "int" if column in WHOLE else "number")]
        value = rnd.choice(spellings[:3] if rnd.random() < 0.7 else spellings)
        if rnd.random() < 0.1 or any(c in value for c in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(columns)]
    for _ in range(rnd.randint(0, 60)):
        cells = [cell(column) for column in columns]
        if rnd.random() < 0.05:
            cells = cells[: rnd.randint(0, len(cells) - 1)]
        lines.append(delimiter.join(cells))
    path.write_text(line_break.join(lines) + line_break, encoding="utf-8", newline="")


@pytest.mark.parametrize("seed", range(30))
def test_random_csv_catalogs_are_converted_as_catalog_add_reads_them(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rnd = random.Random(seed)
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", rnd.choice([64, 500, 1 << 20]))
    path = tmp_path / "catalog.csv"
    _random_catalog(path, rnd)
    _same_as_row_by_row(path, tmp_path / "staged", per=rnd.choice([3, 1000]))


def test_a_mapped_csv_catalog_is_converted_as_catalog_add_reads_it(tmp_path: Path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "title,singer,dance,nrg,when\n"
        "Everlong,Foo Fighters,0.5,0.6,1997-08-18\n"
        "Bad date,Foo Fighters,0.5,0.6,1997-02-30\n"
        '"Comma, song","Foo Fighters feat. Someone",0.5,0.6,1997\n',
        encoding="utf-8",
    )
    mapping = ColumnMapping.parse("song=title,artist=singer,danceability=dance,energy=nrg,release_date=when")
    assert _same_as_row_by_row(path, tmp_path / "staged", mapping) == 2


def test_a_csv_catalog_scores_as_the_same_rows_in_parquet(app: MusicFlow, tmp_path: Path):
    """Titles with separators, quotes and line breaks, and bad values: the same predictions, and the same
    rows rejected, each at the line of the file it starts on (a title of two lines moves the next down)."""
    rows = bundled_rows(400).with_row_index("i")
    rows = rows.with_columns(
        pl.when(pl.col("i") % 50 == 3)
        .then(pl.lit('Say "hi", twice\nor not'))
        .otherwise(pl.col("song"))
        .alias("song"),
        pl.when(pl.col("i") % 97 == 5).then(pl.lit(7.5)).otherwise(pl.col("energy")).alias("energy"),
    ).drop("i")
    parquet, csv = tmp_path / "catalog.parquet", tmp_path / "catalog.csv"
    rows.write_parquet(parquet)
    rows.write_csv(csv)
    from_parquet = app.score_catalog(PROFILE, str(parquet), tmp_path / "p.parquet")
    from_csv = app.score_catalog(PROFILE, str(csv), tmp_path / "c.parquet")
    assert (from_csv.rows_scored, from_csv.rows_rejected) == (
        from_parquet.rows_scored,
        from_parquet.rows_rejected,
    )
    assert from_csv.rows_rejected == 5
    assert_frame_equal(
        pl.read_parquet(from_csv.output), pl.read_parquet(from_parquet.output), check_exact=True
    )
    by_row, by_line = pl.read_parquet(from_parquet.rejected_output), pl.read_parquet(from_csv.rejected_output)
    assert by_line.get_column("song").to_list() == by_row.get_column("song").to_list()
    # Row r starts on line r + 1 (the header) + one more line for each two-line title before it.
    two_line_titles_before = [
        len([i for i in range(0, r - 1) if i % 50 == 3]) for r in by_row.get_column("row")
    ]
    expected = [
        r + 1 + extra for r, extra in zip(by_row.get_column("row"), two_line_titles_before, strict=True)
    ]
    assert by_line.get_column("line").to_list() == expected
    assert all("energy" in reason for reason in by_line.get_column("reason"))


def test_a_csv_catalog_pandas_or_polars_wrote_is_read_in_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Only the rows spelled otherwise are read one by one (a million rows read so took a minute and
    more): here the one with an energy that is no number."""
    from musicflow.scale import staging

    read_one_by_one: list[int] = []

    def counted(plan: object, record: Record) -> object:
        read_one_by_one.append(record.line)
        return build_row(plan, record)  # type: ignore[arg-type]

    monkeypatch.setattr(staging, "build_row", counted)
    rows = bundled_rows(3000).with_columns(pl.col("energy").cast(pl.String))
    rows = rows.with_columns(
        pl.when(pl.int_range(pl.len()) == 1234).then(pl.lit("lots")).otherwise("energy").alias("energy")
    )
    path = tmp_path / "catalog.csv"
    rows.write_csv(path)
    good, bad = _converted(path, None, tmp_path / "staged", 1000)
    assert (good.height, bad.height) == (2999, 1)
    assert read_one_by_one == [1236] == bad.get_column("row").to_list()


def _say(said: list[tuple[int, int]], done: int, total: int) -> None:
    said.append((done, total))


def test_converting_a_csv_catalog_says_how_far_the_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`score` shows it as a bar: bytes of the file as stored, to the end, also where the csv module
    reads on from a block it reads otherwise, and for a gzip file."""
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(csv_blocks, "SAID_EVERY", 10)
    rows = [f"6CnkB2yYPK0OyQPxIiJiqD,Song {i},Adele,{GOOD}" for i in range(400)]
    rows[300] = f'6CnkB2yYPK0OyQPxIiJiqD,12" Mix,Adele,{GOOD}'
    plain, packed = tmp_path / "plain.csv", tmp_path / "packed.csv.gz"
    plain.write_text("\n".join([NATIVE, *rows]), encoding="utf-8")
    packed.write_bytes(gzip.compress("\n".join([NATIVE, *rows[:200]]).encode()))
    for path in (plain, packed):
        said: list[tuple[int, int]] = []
        stage(file_rows(path, None, functools.partial(_say, said)), tmp_path / path.stem, 99)
        size = path.stat().st_size
        assert len(said) > 3
        assert said[-1] == (size, size)
        assert all(total == size for _, total in said)
        assert [done for done, _ in said] == sorted(done for done, _ in said)


class _StoppedError(Exception):
    pass


def test_a_csv_catalog_stopped_while_scored_resumes_from_its_converted_parts(app: MusicFlow, tmp_path: Path):
    """The converted slices stay in the job folder: `--resume` scores only the parts not done, and the
    file comes out as from a job run at once."""
    from musicflow.scale.engines import LocalEngine
    from musicflow.scale.job import JobInput, run_job

    path = tmp_path / "catalog.csv"
    bundled_rows(3000).write_csv(path)
    source = JobInput.of_file(path, lambda: file_rows(path, None))
    pack = app.scoring_pack(PROFILE)

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            raise _StoppedError

    out = tmp_path / "out.parquet"
    with pytest.raises(_StoppedError):
        run_job(pack, source, out, LocalEngine(), partition_rows=500, progress=stop_after_two)
    resumed = run_job(pack, source, out, LocalEngine(), partition_rows=500, resume=True)
    afresh = run_job(pack, source, tmp_path / "afresh.parquet", LocalEngine(), partition_rows=500)
    assert (resumed.partitions, resumed.partitions_resumed) == (6, 2)
    assert_frame_equal(pl.read_parquet(resumed.output), pl.read_parquet(afresh.output), check_exact=True)


def _interrupted_at(said: list[int], done: int, total: int) -> None:
    said.append(done)
    if len(said) == 3:
        raise KeyboardInterrupt  # as the bar does for a Ctrl-C Python swallowed where it landed


def test_ctrl_c_while_a_csv_catalog_is_converted_stops_the_reading_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The next block is read in a thread: an interrupt (or an error) there stops the conversion, and
    a conversion stopped by its reader leaves no thread reading on."""
    monkeypatch.setattr(csv_blocks, "BLOCK_BYTES", 1024)
    path = tmp_path / "catalog.csv"
    path.write_text("\n".join([NATIVE, *(f"6CnkB2yYPK0OyQPxIiJiqD,S{i},Adele,{GOOD}" for i in range(500))]))
    said: list[int] = []
    with pytest.raises(KeyboardInterrupt):
        stage(file_rows(path, None, functools.partial(_interrupted_at, said)), tmp_path / "staged", 99)
    assert len(said) == 3
    rows = file_rows(path, None)
    next(rows)
    rows.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "csv-blocks"]


SPOTIFY_FEATURES = (
    "genre,artist_name,track_name,track_id,popularity,acousticness,danceability,duration_ms,energy,"
    "instrumentalness,key,liveness,loudness,mode,speechiness,tempo,time_signature,valence"
)
# (key, mode, time_signature) as Kaggle's SpotifyFeatures.csv spells them, and spellings read otherwise
SPELLED = [
    *[
        (key, mode, beats)
        for key in ("C", "C#", "D", "Eb", "F#", "A#", "B")
        for mode, beats in (("Major", "4-Apr"), ("Minor", "3-Apr"), ("Major", "5-Apr"), ("Minor", "1-Apr"))
    ],
    ("c#", "major", "4-Mar"),
    ("db", "Minor", "03-Apr"),
    ("C#/Db", "Major", "4 beats"),
    ("A minor", "1", "3/4"),
    ("Bb", "0", "4"),
    ("CB", "Major", "4.0"),
    ("e", "Major", "4 / 4"),
    ("B  #", "Major", "7-APR"),
    ("H", "Major", "4-Apr"),
    ("Cmajor", "Major", "4-Apr"),
    ("C", "Major", "5-Jan"),
    ("C", "Major", "12-Apr"),
    ("C", "Major", "4-Foo"),
    ("1e1", "Major", "4-Apr"),
    ("C ", "Major", " 4-Apr "),
    ("C", "Major", "4 bars"),
]


def test_kaggles_spotify_features_layout_is_converted_in_columns_as_catalog_add_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Keys as note names and Excel's `4-Apr` time signatures sent every row of that layout, Kaggle's
    SpotifyFeatures.csv, to be read one by one: 1.5 million rows took 98 s to score, where the same rows
    in plain numbers take about 20. Now only rows `build_row` refuses are read so."""
    from musicflow.scale import staging

    read_one_by_one: list[int] = []

    def counted(plan: object, record: Record) -> object:
        read_one_by_one.append(record.line)
        return build_row(plan, record)  # type: ignore[arg-type]

    monkeypatch.setattr(staging, "build_row", counted)
    lines = [SPOTIFY_FEATURES]
    for i, (key, mode, beats) in enumerate(SPELLED):
        lines.append(
            f"Pop,Adele,Song {i},6CnkB2yYPK0OyQPxIiJiqD,50,0.1,0.5,200000,0.6,0.0,{key},0.1,-6.5,{mode},0.05,"
            f"120.0,{beats},0.4"
        )
    path = tmp_path / "SpotifyFeatures.csv"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    _same_as_row_by_row(path, tmp_path / "staged", per=1000)
    refused = ["H", "Cmajor", "5-Jan", "12-Apr", "4-Foo", "1e1", "4 bars"]
    expected = [2 + i for i, spelled in enumerate(SPELLED) if set(spelled) & set(refused)]
    assert read_one_by_one == expected
