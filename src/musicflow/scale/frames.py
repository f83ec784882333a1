"""Catalog rows as columns: the native layout batch scoring reads, checked against the feature table.

The native layout is MusicFlow's own catalog (`spotify_id`, `song`, `artists` joined by ';', and one
column per feature of `core.feature_spec`). A Parquet file in that layout is read as it is, a slice at a
time; any other catalog `catalog add` reads is first converted to it (see `staging`). The checks are
those of `catalog add`, done column by column: a value of the wrong type or outside the feature table
rejects its row with the column, the value and the row number, and the rest of the file is scored.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from musicflow.core.feature_spec import AUDIO_FEATURES, FEATURE_NAMES, FEATURES, FeatureSpec, Kind
from musicflow.errors import InputFileError

if TYPE_CHECKING:
    import polars as pl

ID, SONG, ARTISTS = "spotify_id", "song", "artists"
NAME_COLUMNS = (ID, SONG, ARTISTS)
ROW = "row"  # where a row is in the input, for the rejected rows (see `scale.job.JobInput.where`)
REASON = "reason"
MAX_QUIRKY_LOUDNESS_DB = 10.0


def native_schema() -> dict[str, pl.DataType]:
    import polars as pl

    kinds = {Kind.FLOAT: pl.Float64(), Kind.INT: pl.Int64(), Kind.BOOL: pl.Boolean()}
    return {ID: pl.String(), SONG: pl.String(), ARTISTS: pl.String()} | {
        spec.name: kinds[spec.kind] for spec in FEATURES
    }


def is_native_parquet(path: Path) -> bool:
    """A Parquet file with the native name columns: read as it is, without conversion."""
    if path.suffix.lower() != ".parquet":
        return False
    return set(NAME_COLUMNS) <= set(parquet_columns(path))


def parquet_columns(path: Path) -> list[str]:
    import polars as pl

    try:
        return list(pl.read_parquet_schema(path))
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputFileError(f"{path}: not a readable Parquet file ({exc})") from None


def parquet_rows(path: Path) -> int:
    import polars as pl

    return int(pl.scan_parquet(path).select(pl.len()).collect().item())


def read_slice(path: Path, offset: int, length: int) -> pl.DataFrame:
    """Rows `offset` to `offset + length` of a native Parquet file, numbered from 1 in `row`."""
    import polars as pl

    frame = pl.scan_parquet(path).slice(offset, length).collect()
    return frame.with_row_index(ROW, offset + 1)


def checked(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows that can be scored, with typed and cleaned features; rows that cannot, with the reason)."""
    import polars as pl

    frame = _with_names(frame)
    problems: list[pl.Expr] = [
        pl.when(pl.col(ID).is_null() & (pl.col(SONG).is_null() | pl.col(ARTISTS).is_null())).then(
            pl.lit("no Spotify id and no song or artist")
        )
    ]
    typed: list[pl.Expr] = []
    for spec in FEATURES:
        if spec.name not in frame.columns:
            typed.append(pl.lit(None, dtype=native_schema()[spec.name]).alias(spec.name))
            continue
        value, problem = _checked_feature(spec)
        typed.append(value)
        problems.append(problem)
    audio = pl.any_horizontal(*(pl.col(name).is_not_null() for name in AUDIO_FEATURES))
    with_problems = (
        frame.with_columns(pl.coalesce(problems).alias(REASON))
        .with_columns(typed)
        .with_columns(_quirks())
        .with_columns(pl.coalesce(pl.col(REASON), pl.when(~audio).then(pl.lit("no audio features"))))
    )
    good = with_problems.filter(pl.col(REASON).is_null()).drop(REASON)
    bad = with_problems.filter(pl.col(REASON).is_not_null()).select(ROW, SONG, ARTISTS, REASON)
    return good, bad


def _with_names(frame: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    names = []
    for column in NAME_COLUMNS:
        if column not in frame.columns:
            names.append(pl.lit(None, dtype=pl.String).alias(column))
        else:
            text = pl.col(column).cast(pl.String, strict=False).str.strip_chars()
            names.append(pl.when(text == "").then(None).otherwise(text).alias(column))
    return frame.with_columns(names)


def _checked_feature(spec: FeatureSpec) -> tuple[pl.Expr, pl.Expr]:
    """The column typed as the table says, and the reason a row's value is refused (else null)."""
    import polars as pl

    raw = pl.col(spec.name)
    if spec.kind is Kind.BOOL:
        value = raw.cast(pl.Boolean, strict=False)
        bad_type = raw.is_not_null() & value.is_null()
        problem = pl.when(bad_type).then(pl.format(f"{spec.name} should be true or false, got {{}}", raw))
        return value.alias(spec.name), problem
    number = raw.cast(pl.Float64, strict=False)
    bad_type = raw.is_not_null() & (number.is_null() | number.is_nan())
    whole = pl.lit(True) if spec.kind is Kind.FLOAT else number.round(0) == number
    low = spec.low if spec.low is not None else float("-inf")
    high = spec.high if spec.high is not None else float("inf")
    checked_problem = (
        pl.when(bad_type)
        .then(pl.format(f"{spec.name} should be a number, got {{}}", raw.cast(pl.String, strict=False)))
        .when(_out_of_range(spec.name, number, low, high))
        .then(pl.format(f"{spec.name} outside {low:.15g}..{high:.15g}, got {{}}", number))
        .when(number.is_not_null() & ~whole)
        .then(pl.format(f"{spec.name} should be a whole number, got {{}}", number))
    )
    typed = number.cast(pl.Int64, strict=False) if spec.kind is Kind.INT else number
    return typed.alias(spec.name), checked_problem


def _out_of_range(name: str, number: pl.Expr, low: float, high: float) -> pl.Expr:
    """Outside the table, except the quirks `catalog add` leaves out and keeps the row for."""
    outside = (number < low) | (number > high) | number.is_infinite()
    if name in ("tempo", "release_year"):
        return outside & (number != 0)
    if name == "loudness":
        return outside & ~((number > 0) & (number <= MAX_QUIRKY_LOUDNESS_DB))
    return outside


def _quirks() -> list[pl.Expr]:
    """What `catalog add` leaves out of a row, keeping the rest: tempo 0, a loudness a little above
    0 dB, release year 0 (see features.catalog_formats.rows)."""
    import polars as pl

    year_unknown = pl.col("release_year") == 0
    loud = pl.col("loudness")
    return [
        pl.when(pl.col("tempo") == 0).then(None).otherwise(pl.col("tempo")).alias("tempo"),
        pl.when((loud > 0) & (loud <= MAX_QUIRKY_LOUDNESS_DB)).then(None).otherwise(loud).alias("loudness"),
        *(
            pl.when(year_unknown).then(None).otherwise(pl.col(part)).alias(part)
            for part in ("release_year", "release_month", "release_day")
        ),
    ]


def feature_values(frame: pl.DataFrame) -> npt.NDArray[np.float64]:
    """The frame's feature columns as the vectoriser's table (`FEATURE_NAMES` order, NaN where missing
    or where the file has no such column)."""
    import polars as pl

    table = np.full((frame.height, len(FEATURE_NAMES)), np.nan, dtype=np.float64)
    for at, name in enumerate(FEATURE_NAMES):
        if name in frame.columns:
            column = frame.get_column(name).cast(pl.Float64).to_numpy(allow_copy=True)
            table[:, at] = column.astype(np.float64, copy=False)
    return table


def release_times(rows: pl.DataFrame) -> npt.NDArray[np.float64]:
    """Each row's release date as epoch seconds (a missing month or day: the first), inf where the row
    gives no year: when a song came out, for leaving out of a list at a past moment the songs that did
    not exist yet."""
    import polars as pl

    def part(name: str) -> pl.Expr:
        value = pl.col(name).cast(pl.Int64, strict=False) if name in rows.columns else pl.lit(None)
        return pl.when(value.is_between(1, 12 if name == "release_month" else 31)).then(value).otherwise(1)

    year = pl.col("release_year").cast(pl.Int64, strict=False)
    dated = rows.select(
        pl.when(year.is_between(1900, 2100))
        .then(
            pl.date(year, part("release_month"), 1).dt.offset_by(
                (part("release_day") - 1).cast(pl.String) + "d"
            )
        )
        .otherwise(None)
        .alias("released")
    )
    seconds = dated.get_column("released").cast(pl.Datetime("ms")).dt.epoch("s").cast(pl.Float64)
    return seconds.fill_null(np.inf).to_numpy()
