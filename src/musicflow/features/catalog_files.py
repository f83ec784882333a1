"""Offline feature catalogs: CSV or Parquet files of songs with Spotify audio features.

`read_catalog` recognises the layouts people download (Kaggle dumps, playlist pulls, MusicFlow's own
native catalog) by their header, or reads a user's own file through a `ColumnMapping`. Rows come out
lazily and already validated against the feature table; a bad row is counted and described with its
line number, never fatal. Only a file that is not a catalog at all raises CatalogError.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from musicflow.core.feature_spec import AUDIO_FEATURES
from musicflow.core.songs import CatalogRow, FeatureValue
from musicflow.errors import CatalogError
from musicflow.features.catalog_formats.catalog_rows import ReadPlan, build_row, plan_for, typed_values
from musicflow.features.catalog_formats.layouts import detect_format
from musicflow.features.catalog_formats.mapping import ColumnMapping
from musicflow.features.catalog_formats.read_report import CatalogReport, RowError
from musicflow.features.catalog_formats.tables import Record, Table

__all__ = [
    "BUNDLED_CATALOG",
    "CatalogRead",
    "CatalogReport",
    "CatalogRow",
    "ColumnMapping",
    "bundled_catalog_path",
    "read_catalog",
]

log = logging.getLogger(__name__)

BUNDLED_CATALOG = "catalog.parquet"
MAPPING_HINT = (
    "Expected a Spotify id column (id, track_id, uri, spotify_id) or song and artist columns "
    "(track_name, artist_name, ...), and at least three audio feature columns named like "
    f"{', '.join(AUDIO_FEATURES[:4])}, .... For other column names pass a mapping, for example "
    "--mapping 'id=track_id,song=name,artist=artists,tempo=bpm'."
)


class CatalogRead:
    """The rows of one catalog file, read lazily each time it is iterated.

    `report` describes the latest pass and is complete once the iteration has ended.
    """

    def __init__(self, table: Table, plan: ReadPlan) -> None:
        self._table = table
        self._plan = plan
        self.path = table.path
        self.format_name = plan.fmt.name
        self.report = CatalogReport(format_name=plan.fmt.name)

    def __iter__(self) -> Iterator[CatalogRow]:
        report = self.report = CatalogReport(format_name=self.format_name)
        label = self.path.name
        for record, values in self._records():
            where = f"{label}:{self._table.where} {record.line}"
            if record.problem:
                report.count_bad("unreadable CSV line", where, record.problem)
                continue
            try:
                row, notes = build_row(self._plan, record, values)
            except RowError as exc:
                report.count_bad(exc.reason, where, exc.detail)
                continue
            report.count_ok(notes)
            yield row
        log.info(
            "catalog %s (%s): %d rows ok, %d bad", label, self.format_name, report.rows_ok, report.rows_bad
        )

    def _records(self) -> Iterator[tuple[Record, dict[str, FeatureValue] | None]]:
        """Each record, with its features where a Parquet batch's typed columns gave them checked."""
        if self._table.kind != "parquet":
            for record in self._table.records():
                yield record, None
            return
        for records, batch in self._table.parquet_batches():
            values = typed_values(self._plan, batch) or [None] * len(records)
            yield from zip(records, values, strict=True)


def read_catalog(path: Path, mapping: ColumnMapping | None = None) -> CatalogRead:
    """Open a catalog file and choose how to read it; raises CatalogError if it is not a catalog."""
    table = Table(Path(path))
    if mapping is not None:
        fmt = mapping.to_format(table.header, str(path))
    else:
        found = detect_format(table.header)
        if found is None:
            shown = ", ".join(table.header[:15]) + (", ..." if len(table.header) > 15 else "")
            raise CatalogError(f"{path}: not a catalog MusicFlow knows (columns: {shown}). {MAPPING_HINT}")
        fmt = found
    return CatalogRead(table, plan_for(fmt, table.header))


@contextmanager
def bundled_catalog_path() -> Iterator[Path]:
    """A real path to the catalog shipped with MusicFlow, wherever the package is installed."""
    resource = resources.files("musicflow.features").joinpath("data", BUNDLED_CATALOG)
    with resources.as_file(resource) as path:
        yield path
