"""Opening a catalog file as a header plus a lazy stream of records, whatever its container.

The kind of file is told from its first bytes, not its name: Parquet (`PAR1`), gzip, or text read as
CSV (comma, semicolon or tab, told from the header line). Text is decoded as UTF-8 with undecodable
bytes kept as surrogates, so one Windows-1252 name does not make the whole file unreadable (the row
parser re-decodes those names). Records are read one at a time (CSV) or in batches (Parquet), so a
catalog of millions of rows never sits in memory whole.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import polars as pl

from musicflow.errors import CatalogError

PARQUET_MAGIC = b"PAR1"
GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 8192
PARQUET_BATCH_ROWS = 50_000
_BOMS = ("\ufeff", "ï»¿")  # the BOM, and the BOM decoded as Windows-1252 and saved again as UTF-8
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class Record:
    """One data row: `line` is where it starts in the file (Parquet: its 1-based row number)."""

    line: int
    cells: Sequence[object]
    problem: str | None = None  # the CSV parser could not read this line at all


class Table:
    """A catalog file's normalised header and its records, re-readable from the start."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = _kind_of(path)
        self.where = "row" if self.kind == "parquet" else "line"
        self.header = self._read_header()

    def records(self) -> Iterator[Record]:
        if self.kind == "parquet":
            return (record for records, _ in self.parquet_batches() for record in records)
        return self._csv_records()

    def parquet_batches(self) -> Iterator[tuple[list[Record], pl.DataFrame]]:
        """A Parquet file's records a batch at a time, each batch with its typed columns."""
        line = 0
        try:
            for batch in pl.scan_parquet(self.path).collect_batches(chunk_size=PARQUET_BATCH_ROWS):
                records = [Record(line + at, cells) for at, cells in enumerate(batch.iter_rows(), 1)]
                line += len(records)
                yield records, batch
        except pl.exceptions.PolarsError as exc:
            raise CatalogError(f"{self.path}: Parquet data unreadable after row {line} ({exc})") from None

    def _read_header(self) -> list[str]:
        if self.kind == "parquet":
            try:
                names = list(pl.read_parquet_schema(self.path))
            except (pl.exceptions.PolarsError, OSError) as exc:
                raise CatalogError(f"{self.path}: not a readable Parquet file ({exc})") from None
            return normalise_header(names)
        with self._open_text() as text:
            first = next(csv.reader(text, delimiter=_delimiter_of(self._first_line())), None)
        if not first or len(first) < 2:
            raise CatalogError(f"{self.path}: not a catalog: no header row with columns (is it a CSV file?)")
        return normalise_header(first)

    def _open_text(self) -> IO[str]:
        if self.kind == "gzip":
            return gzip.open(self.path, "rt", encoding="utf-8", errors="surrogateescape", newline="")
        return self.path.open(encoding="utf-8", errors="surrogateescape", newline="")

    def _first_line(self) -> str:
        with self._open_text() as text:
            return text.readline()

    def _csv_records(self) -> Iterator[Record]:
        delimiter = _delimiter_of(self._first_line())
        with self._open_text() as text:
            reader = csv.reader(text, delimiter=delimiter, skipinitialspace=True)
            next(reader, None)
            yield from _csv_rows(reader)


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[Record]:
    """Records with their starting line; a line the CSV parser rejects becomes a record with a problem."""
    line_num = getattr(reader, "line_num", 1)
    while True:
        start = line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line_num = getattr(reader, "line_num", start)
            yield Record(start, (), f"unreadable CSV ({exc})")
            continue
        line_num = getattr(reader, "line_num", start)
        if cells and any(cell.strip() for cell in cells):
            yield Record(start, cells)


def normalise_header(names: Sequence[str]) -> list[str]:
    """Header cells without BOMs and padding, lower case, so layouts match however they were saved."""
    clean = []
    for name in names:
        text = str(name)
        for bom in _BOMS:
            text = text.removeprefix(bom)
        clean.append(text.strip().casefold())
    return clean


def _kind_of(path: Path) -> str:
    try:
        with path.open("rb") as raw:
            head = raw.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CatalogError(f"{path}: is a folder; give the catalog file itself") from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read ({exc.strerror})") from None
    if not head.strip():
        raise CatalogError(f"{path}: the file is empty")
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(GZIP_MAGIC):
        _check_text(path, _gunzipped_head(path))
        return "gzip"
    _check_text(path, head)
    return "csv"


def _gunzipped_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as raw:
            return raw.read(SNIFF_BYTES)
    except (OSError, EOFError) as exc:
        raise CatalogError(f"{path}: a damaged gzip file ({exc})") from None


def _check_text(path: Path, head: bytes) -> None:
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        raise CatalogError(f"{path}: a binary file, not a CSV or Parquet catalog")


def _delimiter_of(first_line: str) -> str:
    """The separator the header uses most: comma, semicolon (European Excel) or tab."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
    return max(counts, key=lambda delimiter: counts[delimiter])
