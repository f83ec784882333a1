"""Catalog files for batch-scoring tests, cut from the catalog bundled with MusicFlow."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from musicflow.features.catalog_files import bundled_catalog_path


def bundled_rows(rows: int, offset: int = 0) -> pl.DataFrame:
    with bundled_catalog_path() as path:
        return pl.read_parquet(path).slice(offset, rows)


def native_catalog(path: Path, rows: int, offset: int = 0) -> Path:
    bundled_rows(rows, offset).write_parquet(path)
    return path
