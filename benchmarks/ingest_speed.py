"""Ingest benchmark: a realistic ten-year extended export (500,000 records in 20 files, zipped like a real
download) into SQLite, end to end, against the bare JSON parse of the same files in the same process.

End to end means a first ingest: create the store (every migration), read and check the export, store
the plays, close. `musicflow ingest` (and an upload) also records which plays the import brought, so
that `ingest undo` can take them back: that ingest is measured on a line of its own, from a new store
too. The records are resampled from real histories, so some are podcast episodes and rows without a
track: rates say whether they count records or music plays.

Usage: python -m benchmarks.ingest_speed [--plays N] [--files N]
Targets: ingest within 3x of the bare parse; peak memory under 400 MB.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from musicflow.config import Settings
from musicflow.ingest.ingesting import ingest_paths
from musicflow.store import open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "histories"
CACHE = REPO / ".bench"
START = datetime(2014, 1, 1, tzinfo=UTC).timestamp()
END = datetime(2026, 6, 1, tzinfo=UTC).timestamp()


def real_records() -> list[dict[str, object]]:
    """Every extended-format record the public histories hold (music, podcasts, audiobooks alike)."""
    records: list[dict[str, object]] = []
    for path in sorted(SHARED.glob("*/*/*.json")):
        if path.name.startswith(("Streaming_History_Audio", "endsong")):
            records.extend(orjson.loads(path.read_bytes()))
    if not records:
        sys.exit(f"no extended histories under {SHARED}")
    return records


def build_export(target: Path, plays: int, files: int, seed: int = 7) -> None:
    """Resample real plays, spread over twelve years, into files laid out like a real download."""
    rng = random.Random(seed)
    pool = real_records()
    moments = sorted(rng.uniform(START, END) for _ in range(plays))
    per_file = -(-plays // files)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for index in range(files):
            chunk = moments[index * per_file : (index + 1) * per_file]
            rows = []
            for moment in chunk:
                row = dict(rng.choice(pool))
                row["ts"] = datetime.fromtimestamp(int(moment), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                rows.append(row)
            year = datetime.fromtimestamp(chunk[0], UTC).year
            name = f"Spotify Extended Streaming History/Streaming_History_Audio_{year}_{index}.json"
            archive.writestr(name, orjson.dumps(rows, option=orjson.OPT_INDENT_2))


def bare_parse(export: Path) -> tuple[float, float, int]:
    """Seconds to inflate the members, seconds to inflate and `orjson.loads` them, records parsed."""
    with zipfile.ZipFile(export) as archive:
        names = [n for n in archive.namelist() if n.endswith(".json")]
        started = time.perf_counter()
        for name in names:
            archive.read(name)
        inflate = time.perf_counter() - started
        started = time.perf_counter()
        records = sum(len(orjson.loads(archive.read(name))) for name in names)
        parse = time.perf_counter() - started
    return inflate, parse, records


@dataclass(frozen=True)
class Ingested:
    seconds: float
    creating_store: float
    music_plays: int
    stored: int


def ingest(export: Path, *, recording_the_import: bool = False) -> Ingested:
    """Time a first ingest into a new store, from creating it to closing it; `recording_the_import`: as
    `musicflow ingest` does, with the job that records the import and the plays it brought."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir))
        started = time.perf_counter()
        store = open_store(settings)
        creating_store = time.perf_counter() - started
        try:
            import_id = None
            if recording_the_import:
                import_id = uuid.uuid4().hex
                store.jobs.add_job(import_id, "bench", "ingest", None, time.time(), "musicflow ingest")
            report = ingest_paths([export], store, "bench", settings, import_id=import_id)
        finally:
            store.close()
        elapsed = time.perf_counter() - started
    return Ingested(elapsed, creating_store, report.music_plays, report.new_plays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plays", type=int, default=500_000, help="records in the export")
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    export = CACHE / f"my_spotify_data_{args.plays}_{args.files}.zip"
    if not export.exists():
        print(f"building {export.name} ...", flush=True)
        build_export(export, args.plays, args.files)
    size_mb = sum(i.file_size for i in zipfile.ZipFile(export).infolist()) / 1e6
    print(f"export: {args.plays:,} records in {args.files} files, {size_mb:,.0f} MB of JSON")

    inflate_s, parse_s, records = bare_parse(export)
    done = ingest(export)
    ingest_s = done.seconds
    recorded = ingest(export, recording_the_import=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records in the export:    {records:,} ({done.music_plays:,} music plays, {done.stored:,} stored)")
    print(f"inflate only:             {inflate_s:7.2f} s")
    print(f"inflate + orjson.loads:   {parse_s:7.2f} s  ({records / parse_s:,.0f} records/s)")
    print(
        f"ingest end to end:        {ingest_s:7.2f} s  ({records / ingest_s:,.0f} records/s,"
        f" {done.music_plays / ingest_s:,.0f} music plays/s)"
    )
    print(f"  of which creating the store (migrations): {done.creating_store:.2f} s")
    print(f"ratio ingest / bare parse: {ingest_s / parse_s:6.2f}x  (target <= 3x)")
    with_record = f"{recorded.seconds:7.2f} s  ({recorded.seconds / parse_s:.2f}x)"
    print(f"recording the import too: {with_record}  as `musicflow ingest` and an upload do")
    print(f"peak memory (process):    {peak_mb:7.0f} MB  (target < 400 MB)")


if __name__ == "__main__":
    main()
