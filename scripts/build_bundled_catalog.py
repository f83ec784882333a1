"""Build the catalog MusicFlow ships, from the public catalogs in shared/data/catalogs.

Every file is read through `read_catalog`, so the bundled catalog holds exactly what a user would get
by adding those files themselves: values validated against the feature table, known quirks handled.

Deduplication:
- Rows with a Spotify id are merged per id. The row with the most known values wins; the fields it
  lacks are filled from the other rows of that id in reading order (one id is one recording, and its
  audio analysis does not change between pulls). Names come from the first of those rows, in the same
  order, whose title has no unreadable characters.
- Rows without an id (only the 2023 most-streamed list has none) are kept once per
  `match_key(primary artist, title)`, the one with the most values winning, and only when no row with
  an id already has that key: an id'd row answers the same lookups with finer values.

Usage: python scripts/build_bundled_catalog.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from musicflow.core.feature_spec import FEATURES, Kind
from musicflow.core.songs import CatalogRow, match_key
from musicflow.features.catalog_files import read_catalog

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
OUT_DIR = REPO / "src" / "musicflow" / "features" / "data"
OUT_FILE = OUT_DIR / "catalog.parquet"
PROVENANCE_FILE = OUT_DIR / "PROVENANCE.txt"
ARTIST_JOIN = "; "
_POLARS_TYPES = {Kind.FLOAT: pl.Float64, Kind.INT: pl.Int32, Kind.BOOL: pl.Boolean}


@dataclass
class SourceStats:
    folder: str
    files: list[str]
    rows_ok: int = 0
    rows_bad: int = 0
    notes: str = ""


def read_all(catalogs: Path) -> tuple[list[CatalogRow], list[SourceStats]]:
    rows: list[CatalogRow] = []
    stats: list[SourceStats] = []
    for folder in sorted(p for p in catalogs.iterdir() if p.is_dir()):
        files = sorted(folder.glob("*.csv"))
        source = SourceStats(folder.name, [f.name for f in files])
        for path in files:
            read = read_catalog(path)
            rows.extend(read)
            report = read.report
            source.rows_ok += report.rows_ok
            source.rows_bad += report.rows_bad
            extra = dict(report.reasons) | dict(report.notes)
            if extra:
                source.notes += f"    {path.name} ({report.format_name}): {extra}\n"
        stats.append(source)
    return rows, stats


def merged_by_id(rows: Iterable[CatalogRow]) -> dict[str, CatalogRow]:
    groups: dict[str, list[CatalogRow]] = {}
    for row in rows:
        if row.spotify_id:
            groups.setdefault(row.spotify_id, []).append(row)
    return {ident: _merge(group) for ident, group in groups.items()}


def _merge(group: list[CatalogRow]) -> CatalogRow:
    ordered = sorted(group, key=lambda row: -len(row.values))  # stable: reading order breaks ties
    values = dict(ordered[0].values)
    for row in ordered[1:]:
        for name, value in row.values.items():
            values.setdefault(name, value)
    named = [row for row in ordered if row.song]
    readable = [row for row in named if "\ufffd" not in row.song + "".join(row.artists)]
    names = (readable or named or ordered)[0]
    return CatalogRow(ordered[0].spotify_id, names.song, names.artists, values, ordered[0].line)


def unkeyed_rows(rows: Iterable[CatalogRow], known_keys: set[str]) -> list[CatalogRow]:
    best: dict[str, CatalogRow] = {}
    for row in rows:
        if row.spotify_id or not row.artists:
            continue
        key = match_key(row.artists[0], row.song)
        if key in known_keys:
            continue
        if key not in best or len(row.values) > len(best[key].values):
            best[key] = row
    return list(best.values())


def to_frame(rows: list[CatalogRow]) -> pl.DataFrame:
    columns: dict[str, pl.Series] = {
        "spotify_id": pl.Series([r.spotify_id for r in rows], dtype=pl.String),
        "song": pl.Series([r.song for r in rows], dtype=pl.String),
        "artists": pl.Series([ARTIST_JOIN.join(r.artists) for r in rows], dtype=pl.String),
    }
    for spec in FEATURES:
        values = [r.values.get(spec.name) for r in rows]
        columns[spec.name] = pl.Series(values, dtype=_POLARS_TYPES[spec.kind])
    return pl.DataFrame(columns).sort(["artists", "song", "spotify_id"], nulls_last=True)


def provenance_text(stats: list[SourceStats], catalogs: Path, total: int) -> str:
    lines = [
        "# Provenance of catalog.parquet (MusicFlow's bundled offline feature catalog)",
        "",
        "Built by scripts/build_bundled_catalog.py from the public catalog files below, each read",
        "through musicflow.features.catalog_files.read_catalog.",
        f"Rows: {total} (one per Spotify id, plus songs without an id that no id'd row matches).",
        "",
        "Columns: spotify_id, song, artists (joined with '; ', primary first), then every feature of",
        "musicflow.core.feature_spec in table order; a missing value is null.",
        "",
        "Changes made to the source data:",
        "- values converted to the feature table's units: key note names to 0-11, Major/Minor to 1/0,",
        "  time signatures such as '4 beats' or Excel's '4-Apr' to beats per bar, percent features",
        "  (0-100) to 0-1, release dates (YYYY-MM-DD, DD-MM-YYYY, M/D/YY, YYYY) to year/month/day;",
        "- tempo 0 (unknown) and loudness above 0 dB are left out (null), as the table does not hold them;",
        "- rows that could not be read are left out (see the counts per source);",
        "- mis-decoded names (mojibake) re-decoded where the bytes prove it;",
        "- rows of one Spotify id merged: the row with the most values wins, its gaps filled from the",
        "  others; rows without an id kept only when no id'd row has the same artist and title key;",
        "- columns not in the feature table dropped (genres, playlist names, chart counts, targets).",
        "",
        "Sources (licence as stated in each folder's PROVENANCE.txt; no licence was granted beyond it):",
    ]
    for source in stats:
        lines.append("")
        lines.append(f"* {source.folder} ({', '.join(source.files)})")
        lines.extend(f"  {line}" for line in _provenance_lines(catalogs / source.folder / "PROVENANCE.txt"))
        lines.append(f"  rows read ok: {source.rows_ok}; rows left out as unreadable: {source.rows_bad}")
        if source.notes:
            lines.append("  per file (reasons and notes):")
            lines.append(source.notes.rstrip("\n"))
    return "\n".join(lines) + "\n"


def _provenance_lines(path: Path) -> list[str]:
    wanted = ("source repo:", "commit:", "licence:")
    return [line.strip() for line in path.read_text().splitlines() if line.strip().startswith(wanted)]


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHARED
    catalogs = shared / "catalogs"
    rows, stats = read_all(catalogs)
    by_id = merged_by_id(rows)
    keys = {match_key(row.artists[0], row.song) for row in by_id.values() if row.artists and row.song}
    kept = list(by_id.values()) + unkeyed_rows(rows, keys)
    frame = to_frame(kept)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(OUT_FILE, compression="zstd", compression_level=19, statistics=False)
    PROVENANCE_FILE.write_text(provenance_text(stats, catalogs, frame.height))
    size = OUT_FILE.stat().st_size
    print(f"read {len(rows)} rows; wrote {frame.height} rows, {size / 1e6:.2f} MB")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
