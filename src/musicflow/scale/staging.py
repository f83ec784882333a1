"""Any catalog `catalog add` reads, converted to native Parquet slices a worker can read by itself.

Files in another layout (CSV, Kaggle dumps, a user's own columns through a mapping) and catalogs already
imported into the store are read once, row by row with the same checks as `catalog add`, and written in
slices of bounded size; every row that cannot be read is kept with its line and reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.core.songs import CatalogRow
from musicflow.errors import CatalogError, OutputFileError
from musicflow.features.catalog_formats.catalog_rows import build_row, plan_for
from musicflow.features.catalog_formats.layouts import detect_format
from musicflow.features.catalog_formats.mapping import ColumnMapping
from musicflow.features.catalog_formats.read_report import RowError
from musicflow.features.catalog_formats.tables import Table
from musicflow.scale.frames import ARTISTS, ID, REASON, ROW, SONG, native_schema

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Rejected:
    row: int
    song: str | None
    artists: str | None
    reason: str


def file_rows(path: Path, mapping: ColumnMapping | None) -> Iterator[CatalogRow | Rejected]:
    """A catalog file's rows, or why each bad one cannot be used; CatalogError if it is no catalog."""
    table = Table(path)
    fmt = mapping.to_format(table.header, str(path)) if mapping else detect_format(table.header)
    if fmt is None:
        from musicflow.features.catalog_files import MAPPING_HINT

        shown = ", ".join(table.header[:15])
        raise CatalogError(f"{path}: not a catalog MusicFlow knows (columns: {shown}). {MAPPING_HINT}")
    plan = plan_for(fmt, table.header)
    for record in table.records():
        if record.problem:
            yield Rejected(record.line, None, None, f"unreadable line: {record.problem}")
            continue
        try:
            row, _notes = build_row(plan, record)
        except RowError as exc:
            yield Rejected(record.line, exc.song, exc.artists, exc.words)
            continue
        yield row


def numbered_by(path: Path) -> str:
    """How `file_rows` says where a row of `path` is: "line" of a CSV file (where the row starts; the
    header is line 1), "row" of a Parquet file (the first row of data is 1)."""
    return Table(path).where


def stage(rows: Iterable[CatalogRow | Rejected], folder: Path, rows_per_slice: int) -> tuple[list[Path], int]:
    """Write the good rows in native Parquet slices and the bad ones to `rejected.parquet` in
    `folder`; returns the slices and how many rows were rejected."""
    folder.mkdir(parents=True, exist_ok=True)
    slices: list[Path] = []
    batch: list[CatalogRow] = []
    rejected: list[Rejected] = []
    for item in rows:
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        batch.append(item)
        if len(batch) == rows_per_slice:
            slices.append(_write_slice(batch, folder / f"slice-{len(slices):05d}.parquet"))
            batch = []
    if batch or not slices:
        slices.append(_write_slice(batch, folder / f"slice-{len(slices):05d}.parquet"))
    _written(rejected_frame(rejected), folder / "rejected.parquet")
    return slices, len(rejected)


def rejected_frame(rejected: list[Rejected]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(
        {
            ROW: [r.row for r in rejected],
            SONG: [r.song for r in rejected],
            ARTISTS: [r.artists for r in rejected],
            REASON: [r.reason for r in rejected],
        },
        schema={ROW: pl.Int64, SONG: pl.String, ARTISTS: pl.String, REASON: pl.String},
    )


def _write_slice(rows: list[CatalogRow], path: Path) -> Path:
    _written(native_frame(rows), path)
    return path


def _written(frame: pl.DataFrame, path: Path) -> None:
    """A converted slice written, or one line saying why not (a full disk)."""
    import polars as pl

    from musicflow.scale.partitions import why

    try:
        frame.write_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise OutputFileError(f"cannot write {path}: {why(exc)}") from None


def stored_frame(columns: Mapping[str, list[Any]]) -> pl.DataFrame:
    """Rows of an imported catalog, as `FeatureStore.catalog_columns` gives them, as `native_frame`
    makes them of the same rows (an empty song or artists is missing, the line is in `source_row`), and
    the loose song key the store keeps of each (`match_key`)."""
    import polars as pl

    schema = native_schema() | {"source_row": pl.Int64(), "match_key": pl.String()}
    stored = {name: schema[name] for name in (ID, SONG, ARTISTS)} | {"line": pl.Int64()}
    stored |= {"match_key": pl.String()}
    frame = pl.DataFrame({**columns}, schema=stored | {name: schema[name] for name in FEATURE_NAMES})
    missing_when_empty = [pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in (SONG, ARTISTS)]
    return frame.with_columns(missing_when_empty).rename({"line": "source_row"}).select(list(schema))


def native_frame(rows: list[CatalogRow]) -> pl.DataFrame:
    """Checked catalog rows in the native layout, with the line each came from in `source_row`."""
    import polars as pl

    columns: dict[str, list[object]] = {
        ID: [r.spotify_id for r in rows],
        SONG: [r.song or None for r in rows],
        ARTISTS: ["; ".join(r.artists) or None for r in rows],
        "source_row": [r.line for r in rows],
    }
    for name in FEATURE_NAMES:
        columns[name] = [r.values.get(name) for r in rows]
    return pl.DataFrame(columns, schema=native_schema() | {"source_row": pl.Int64()})
