"""A CSV catalog cut into blocks of whole records that polars parses in one go, read as `catalog add`
reads it (Python's csv module, through `features.catalog_formats.tables.Table`).

The csv module and a Python loop over every cell took 45 s for a million rows (on two cores), where
polars parses them in about a second. Both read a block the same way when its quoting is plain: every
quote opens a field (at the start of a line or right after a separator), closes one (right before a
separator or a line break) or is doubled inside one; no carriage return stands alone; no NUL byte; no
record longer than the csv module's field limit. Spreadsheets, pandas and polars write CSV that way. In
such a block a line break outside quotes ends a record, so each record keeps the line it starts on and
the number of fields it has, found from the bytes; polars reads the cells. From the first block that is
not plain, the rest of the file is read record by record by the csv module itself, as before. Blocks are
of bounded size, so the file never sits in memory whole.
"""

from __future__ import annotations

import csv
import gzip
import io
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt
import polars as pl

from musicflow.features.catalog_formats.tables import Record

BLOCK_BYTES = 8 * 1024 * 1024  # 5M rows: 10.1 s at a peak of 625 MiB (blocks of 12 MiB: 9.9 s, 727 MiB)
SAID_EVERY = (
    20_000  # records the csv module reads are passed on (and how far the file is read said) so many at a time
)
DELIMITERS = (",", ";", "\t")  # as `Table` tells them, from the header line
_QUOTE, _NEWLINE, _RETURN = ord('"'), ord("\n"), ord("\r")


@dataclass(frozen=True)
class Records:
    """Whole records of a CSV file, found in its bytes: `data` holds them after a first line of `width`
    empty fields (so that polars makes that many columns of them)."""

    data: bytes
    lines: npt.NDArray[np.int64]  # the line each record starts on (the header is line 1)
    fields: npt.NDArray[np.int64]  # how many fields the csv module finds in each record
    starts: npt.NDArray[np.int64]  # each record's bytes in `data`, its line break included
    ends: npt.NDArray[np.int64]
    delimiter: str

    def record(self, at: int) -> Record:
        """Record `at` as the csv module reads it (a blank line: no cells)."""
        text = self.data[int(self.starts[at]) : int(self.ends[at])].decode("utf-8", "surrogateescape")
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter, skipinitialspace=True)
        line = int(self.lines[at])
        try:
            return Record(line, next(reader, []))
        except csv.Error as exc:
            return Record(line, (), f"unreadable CSV ({exc})")


@dataclass(frozen=True)
class Block(Records):
    """The records parsed: `cells` has one row per record (blank lines too), a String column
    `c<position>` for each position asked for, null where the field is empty or missing."""

    cells: pl.DataFrame


Item = Block | Record  # a Record: read by the csv module (its cells may be blank: see `kept`)


def kept(record: Record) -> bool:
    """Whether `Table.records` gives this record: a blank line or a line of empty fields is skipped."""
    return bool(record.problem) or any(str(cell).strip() for cell in record.cells)


def csv_items(
    path: Path, kind: str, width: int, positions: Sequence[int], read: Callable[[int], None] | None = None
) -> Iterator[Item]:
    """The data records of a CSV file (`kind` "csv" or "gzip") of `width` columns: blocks parsed by
    polars while the quoting is plain, then records read by the csv module; `positions`: the columns a
    block's cells hold. `read` is told how many bytes of the file (as stored) are read, now and then.

    The next block's records are found in a thread while this one is parsed and used (numpy lets go of
    the GIL); `read` is called from that thread."""
    for made in _ahead(_items(path, kind, width, positions, read)):
        if isinstance(made, Records):
            yield from _parsed(made, width, positions)
        else:
            yield from made


_Made = Records | list[Record]  # records found in a block, or read by the csv module, a batch at a time


def _ahead(items: Generator[_Made, None, None]) -> Iterator[_Made]:
    """`items`, each made in a thread while the one before is used; the thread stops when they are not
    wanted any more (an error, Ctrl-C), and its error is raised here."""
    made: queue.Queue[tuple[str, _Made | BaseException | None]] = queue.Queue(maxsize=1)
    unwanted = threading.Event()

    def put(kind: str, value: _Made | BaseException | None) -> bool:
        while not unwanted.is_set():
            try:
                made.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        try:
            for item in items:
                if not put("item", item):
                    break
            else:
                put("end", None)
        except BaseException as exc:  # noqa: BLE001 - raised again where the items are used
            put("error", exc)
        finally:
            items.close()

    thread = threading.Thread(target=make, name="csv-blocks", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = made.get()
            if kind == "end":
                return
            if isinstance(value, BaseException):
                raise value
            assert value is not None
            yield value
    finally:
        unwanted.set()
        thread.join()


def _items(
    path: Path, kind: str, width: int, positions: Sequence[int], read: Callable[[int], None] | None
) -> Generator[_Made, None, None]:
    delimiter = delimiter_of(path, kind)
    code = ord(delimiter)
    with _opened(path, kind) as (raw, position):
        pending, offset, line, header = b"", 0, 1, True
        while True:
            chunk = raw.read(BLOCK_BYTES)
            data = pending + chunk
            if not data:
                return
            layout = _Layout.of(data, code, at_end=not chunk)
            if layout is None:  # quoting the csv module reads otherwise, or a record too long
                yield from _by_csv(path, kind, delimiter, offset, line, header, read)
                return
            starts, ends = layout.starts, layout.ends
            if not len(ends):  # no record ends yet: read on
                pending = data
                continue
            cut = int(ends[-1])
            if header and len(starts):
                starts, ends, header = starts[1:], ends[1:], False
            if len(starts):
                yield _found(data, cut, layout, starts, ends, line, delimiter, width)
            if read is not None:
                read(position())
            line += len(layout.newlines)
            offset += cut
            pending = data[cut:]
            if not chunk:
                return


def delimiter_of(path: Path, kind: str) -> str:
    """The separator the header line uses most, as `Table` tells it."""
    with _opened(path, kind) as (raw, _):
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
        first = text.readline()
    counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
    return max(counts, key=lambda delimiter: counts[delimiter])


@dataclass(frozen=True)
class _Layout:
    """Where the records of a plain block start and end, its line breaks and its field counts."""

    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    newlines: npt.NDArray[np.int64]
    fields: npt.NDArray[np.int64]

    @classmethod
    def of(cls, data: bytes, delimiter: int, *, at_end: bool) -> _Layout | None:
        """The whole records at the start of `data` (all of it `at_end`; none when no record ends in
        it yet), or None when their quoting is not plain or one is longer than the csv module takes
        (`data` starts where a record does)."""
        size = len(data)
        limit = csv.field_size_limit()
        codes = np.frombuffer(data, dtype=np.uint8)
        quotes = np.flatnonzero(codes == _QUOTE)
        newlines = np.flatnonzero(codes == _NEWLINE)
        outside = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
        ends = outside + 1
        if at_end and (not len(ends) or ends[-1] < size):
            ends = np.append(ends, size)
        if not len(ends):
            empty = np.empty(0, dtype=np.int64)
            return None if size > limit else cls(empty, empty, empty, empty)
        cut = int(ends[-1])
        quotes = quotes[quotes < cut]
        if len(quotes) % 2 or not _plain(data, cut, codes, quotes, delimiter):
            return None
        starts = np.concatenate(([0], ends[:-1])).astype(np.int64)
        if int((ends - starts).max()) > limit:
            return None
        is_delimiter = (codes[:cut] == delimiter).view(np.uint8)
        fields = 1 + np.add.reduceat(is_delimiter, starts, dtype=np.uint32).astype(np.int64)
        if len(quotes):  # separators inside quotes are no field's end
            opens, lengths = quotes[0::2], quotes[1::2] - quotes[0::2]
            inside = np.repeat(opens - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            quoted = inside[codes[inside] == delimiter]
            record = np.searchsorted(starts, quoted, side="right") - 1
            fields -= np.bincount(record, minlength=len(starts))
        return cls(starts, ends.astype(np.int64), newlines[newlines < cut], fields)


def _plain(
    data: bytes, cut: int, codes: npt.NDArray[np.uint8], quotes: npt.NDArray[np.int64], delimiter: int
) -> bool:
    """In `data[:cut]`: quotes only around whole fields (doubled inside), no lone carriage return, no
    NUL."""
    if data.find(b"\0", 0, cut) >= 0:
        return False
    if data.find(b"\r", 0, cut) >= 0:
        returns = np.flatnonzero(codes[:cut] == _RETURN)
        if returns[-1] + 1 >= cut or (codes[returns + 1] != _NEWLINE).any():
            return False
    codes = codes[:cut]
    if not len(quotes):
        return True
    before = np.where(quotes > 0, codes[np.maximum(quotes - 1, 0)], _NEWLINE)
    after = np.where(quotes + 1 < len(codes), codes[np.minimum(quotes + 1, len(codes) - 1)], _NEWLINE)
    opening = (np.arange(len(quotes)) & 1) == 0  # an even number of quotes before it
    opens = (before == delimiter) | (before == _NEWLINE) | (before == _QUOTE)  # _QUOTE: doubled
    closes = (after == delimiter) | (after == _NEWLINE) | (after == _QUOTE) | (after == _RETURN)
    return bool(np.where(opening, opens, closes).all())


def _found(
    data: bytes,
    cut: int,
    layout: _Layout,
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    first_line: int,
    delimiter: str,
    width: int,
) -> Records:
    """The records `starts`..`ends` of `data` (up to `cut`)."""
    first = (delimiter * (width - 1) + "\n").encode()
    shift = int(starts[0]) - len(first)
    return Records(
        b"".join((first, memoryview(data)[int(starts[0]) : cut])),
        first_line + np.searchsorted(layout.newlines, starts),
        layout.fields[len(layout.fields) - len(starts) :],
        starts - shift,
        ends - shift,
        delimiter,
    )


def _parsed(records: Records, width: int, positions: Sequence[int]) -> Iterator[Item]:
    """The records as a block, or read by the csv module where polars cannot read them (bytes that are
    not UTF-8)."""
    try:
        cells = pl.read_csv(
            records.data,
            has_header=False,
            columns=list(positions),
            new_columns=[f"c{at}" for at in range(width)],
            separator=records.delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        ).slice(1)
    except pl.exceptions.PolarsError:
        cells = None
    if cells is None or cells.height != len(records.starts):
        yield from (record for record in map(records.record, range(len(records.starts))) if kept(record))
        return
    yield Block(
        records.data, records.lines, records.fields, records.starts, records.ends, records.delimiter, cells
    )


def _by_csv(
    path: Path,
    kind: str,
    delimiter: str,
    offset: int,
    line: int,
    header: bool,
    read: Callable[[int], None] | None,
) -> Iterator[list[Record]]:
    """The records from byte `offset` (line `line`, where a record starts) to the end, as `Table.records`
    reads them, SAID_EVERY at a time."""
    with _opened(path, kind) as (raw, position):
        raw.seek(offset)
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
        reader = csv.reader(text, delimiter=delimiter, skipinitialspace=True)
        if header:
            next(reader, None)
        batch: list[Record] = []
        while True:
            if len(batch) >= SAID_EVERY:
                if read is not None:
                    read(position())
                yield batch
                batch = []
            start = line + reader.line_num
            try:
                cells = next(reader)
            except StopIteration:
                yield batch
                return
            except csv.Error as exc:
                batch.append(Record(start, (), f"unreadable CSV ({exc})"))
                continue
            record = Record(start, cells)
            if kept(record):
                batch.append(record)


@contextmanager
def _opened(path: Path, kind: str) -> Iterator[tuple[IO[bytes], Callable[[], int]]]:
    """The file's bytes (unpacked, for gzip), and how many bytes of the file as stored are read."""
    with path.open("rb") as stored:
        if kind == "gzip":
            with gzip.GzipFile(fileobj=stored, mode="rb") as unpacked:
                yield unpacked, stored.tell  # type: ignore[misc]  # an IO[bytes] in all but name
        else:
            yield stored, stored.tell
