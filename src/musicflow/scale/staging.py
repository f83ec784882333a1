"""Any catalog `catalog add` reads, converted to native Parquet slices a worker can read by itself.

Files in another layout (CSV, Kaggle dumps, a user's own columns through a mapping) and catalogs already
imported into the store are read once, with the same checks as `catalog add`, and written in slices of
bounded size; every row that cannot be read is kept with its line and reason. A CSV file is read a block
of records at a time and its cells a column at a time (`csv_blocks`, `text_cells`), the rows spelled
otherwise one by one as `catalog add` reads them; other files and imported catalogs row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.core.songs import CatalogRow
from musicflow.errors import CatalogError, OutputFileError
from musicflow.features.catalog_formats.catalog_rows import ReadPlan, build_row, plan_for
from musicflow.features.catalog_formats.layouts import detect_format
from musicflow.features.catalog_formats.mapping import ColumnMapping
from musicflow.features.catalog_formats.read_report import RowError
from musicflow.features.catalog_formats.tables import Record, Table
from musicflow.scale.frames import ARTISTS, ID, REASON, ROW, SONG, native_schema

if TYPE_CHECKING:
    import polars as pl

    from musicflow.scale.csv_blocks import Block

SOURCE_ROW = "source_row"  # the line (or row) a converted row comes from
HELD_ROWS = 50_000  # rows read one by one are put in columns this many at a time


@dataclass(frozen=True)
class Rejected:
    row: int
    song: str | None
    artists: str | None
    reason: str


Converted = CatalogRow | Rejected  # or a frame of rows in the native layout (`native_frame`)


Reading = Callable[[int, int], None]  # bytes of the file read, bytes in all


def file_rows(
    path: Path, mapping: ColumnMapping | None, progress: Reading | None = None
) -> Generator[Converted | pl.DataFrame, None, None]:
    """A catalog file's rows, or why each bad one cannot be used; CatalogError if it is no catalog. The
    rows of a CSV file come mostly as frames in the native layout, each row with its line in
    `source_row`, in the order of the file, and `progress` is told how far the file is read."""
    table = Table(path)
    fmt = mapping.to_format(table.header, str(path)) if mapping else detect_format(table.header)
    if fmt is None:
        from musicflow.features.catalog_files import MAPPING_HINT

        shown = ", ".join(table.header[:15])
        raise CatalogError(f"{path}: not a catalog MusicFlow knows (columns: {shown}). {MAPPING_HINT}")
    plan = plan_for(fmt, table.header)
    if table.kind != "parquet":
        from musicflow.scale.text_cells import columnar

        if columnar(plan):
            size = path.stat().st_size
            read = None if progress is None else lambda done: progress(min(done, size), size)
            yield from _csv_rows(path, table.kind, plan, read)
            if progress is not None:
                progress(size, size)
            return
    for record in table.records():
        yield _row(plan, record)


def _row(plan: ReadPlan, record: Record) -> Converted:
    if record.problem:
        return Rejected(record.line, None, None, f"unreadable line: {record.problem}")
    try:
        row, _notes = build_row(plan, record)
    except RowError as exc:
        return Rejected(record.line, exc.song, exc.artists, exc.words)
    return row


def _csv_rows(
    path: Path, kind: str, plan: ReadPlan, read: Callable[[int], None] | None
) -> Iterator[Converted | pl.DataFrame]:
    from musicflow.scale.csv_blocks import csv_items

    named = {at for at in (plan.id_at, plan.title_at, plan.artists_at) if at is not None}
    positions = sorted(named | {at for at, _, _ in plan.features})
    for item in csv_items(path, kind, plan.width, positions, read):
        if isinstance(item, Record):
            yield _row(plan, item)
        else:
            yield from _block_rows(item, plan)


def _block_rows(block: Block, plan: ReadPlan) -> Iterator[Rejected | pl.DataFrame]:
    """A block's rows as one frame, and the rejected ones: the rows `text_cells` reads in columns, and
    the others read one by one, as `build_row` reads them."""
    import polars as pl

    from musicflow.scale.csv_blocks import kept
    from musicflow.scale.text_cells import NO_AUDIO, PLAIN, native_rows

    rows = native_rows(block.cells, plan).with_columns(
        pl.Series(SOURCE_ROW, block.lines, dtype=pl.Int64),
        (pl.Series(block.fields) == plan.width).alias("whole"),
    )
    for line, song, artists in (
        rows.filter(pl.col(NO_AUDIO) & pl.col("whole")).select(SOURCE_ROW, SONG, ARTISTS).iter_rows()
    ):
        yield Rejected(line, song, artists, "no audio features")
    others = rows.select(~((pl.col(PLAIN) | pl.col(NO_AUDIO)) & pl.col("whole"))).to_series()
    one_by_one: list[CatalogRow] = []
    for at in others.arg_true().to_list():
        record = block.record(at)
        if not kept(record):
            continue
        row = _row(plan, record)
        if isinstance(row, Rejected):
            yield row
        else:
            one_by_one.append(row)
    columns = [*native_schema(), SOURCE_ROW]
    good = rows.filter(pl.col(PLAIN) & pl.col("whole")).select(columns)
    if one_by_one:
        good = pl.concat([good, native_frame(one_by_one)]).sort(SOURCE_ROW)
    yield good


def numbered_by(path: Path) -> str:
    """How `file_rows` says where a row of `path` is: "line" of a CSV file (where the row starts; the
    header is line 1), "row" of a Parquet file (the first row of data is 1)."""
    return Table(path).where


def stage(
    rows: Iterable[Converted | pl.DataFrame], folder: Path, rows_per_slice: int
) -> tuple[list[Path], int]:
    """Write the good rows (one by one, or frames from `file_rows`) in native Parquet slices of
    `rows_per_slice` rows and the bad ones to `rejected.parquet` in `folder`; returns the slices and how
    many rows were rejected."""
    folder.mkdir(parents=True, exist_ok=True)
    slices = _Slices(folder, rows_per_slice)
    rejected: list[Rejected] = []
    for item in rows:
        if isinstance(item, Rejected):
            rejected.append(item)
        elif isinstance(item, CatalogRow):
            slices.add_row(item)
        else:
            slices.add_frame(item)
    written = slices.close()
    _written(rejected_frame(rejected), folder / "rejected.parquet")
    return written, len(rejected)


class _Slices:
    """Good rows, in order, written `rows` at a time; rows that come one by one are put in a frame
    `HELD_ROWS` at a time, so that they never pile up as Python objects."""

    def __init__(self, folder: Path, rows: int) -> None:
        self.folder, self.rows = folder, rows
        self.written: list[Path] = []
        self.frames: list[pl.DataFrame] = []
        self.waiting = 0  # rows in `frames`
        self.held: list[CatalogRow] = []

    def add_row(self, row: CatalogRow) -> None:
        self.held.append(row)
        if len(self.held) >= HELD_ROWS or self.waiting + len(self.held) >= self.rows:
            self._hold()
            self._write_whole()

    def add_frame(self, frame: pl.DataFrame) -> None:
        self._hold()
        self.frames.append(frame)
        self.waiting += frame.height
        self._write_whole()

    def close(self) -> list[Path]:
        """Writes the rows left (an empty slice for a file without good rows); returns every slice."""
        import polars as pl

        self._hold()
        if self.waiting or not self.written:
            self._write(pl.concat(self.frames) if self.frames else native_frame([]))
        return self.written

    def _hold(self) -> None:
        if self.held:
            self.frames.append(native_frame(self.held))
            self.waiting += len(self.held)
            self.held = []

    def _write_whole(self) -> None:
        import polars as pl

        while self.waiting >= self.rows:
            together = pl.concat(self.frames) if len(self.frames) > 1 else self.frames[0]
            self._write(together.head(self.rows))
            rest = together.slice(self.rows)
            self.frames = [rest] if rest.height else []
            self.waiting = rest.height

    def _write(self, frame: pl.DataFrame) -> None:
        path = self.folder / f"slice-{len(self.written):05d}.parquet"
        _written(frame, path)
        self.written.append(path)


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


def _written(frame: pl.DataFrame, path: Path) -> None:
    """A converted slice written, or one line saying why not (a full disk). LZ4: a slice is read once,
    by the partitions, and written in a third less time than with polars' default zstd."""
    import polars as pl

    from musicflow.scale.partitions import why

    try:
        frame.write_parquet(path, compression="lz4")
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
        SOURCE_ROW: [r.line for r in rows],
    }
    for name in FEATURE_NAMES:
        columns[name] = [r.values.get(name) for r in rows]
    return pl.DataFrame(columns, schema=native_schema() | {SOURCE_ROW: pl.Int64()})
