"""A store holding real public listeners as separate profiles, with bundled-catalog features.

Shared by the model benchmarks. The store is cached in `.bench/listeners.db` (delete it to rebuild).
taniksha19's history comes as a CSV of basic-format rows (`data__final.csv`); it is written out as a
basic `StreamingHistory0.json` so it goes through the real ingest like everyone else. Only the bundled
catalog supplies features: giving one listener an extra catalog of their own would let the model learn
the source instead of the taste (model-evaluation.md, trap 3).
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import orjson

from musicflow.config import Settings
from musicflow.core.clock import SystemClock
from musicflow.features.fetch import fetch_features
from musicflow.features.sources import open_sources
from musicflow.ingest.service import ingest_paths
from musicflow.store import open_store
from musicflow.store.sql import SqlStore

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
BENCH_DIR = REPO / ".bench"
HISTORIES = {
    "emb400": SHARED / "histories" / "basic" / "emb400",
    "ashleyjmurray": SHARED / "histories" / "basic" / "ashleyjmurray",
    "mungeraiden": SHARED / "histories" / "both" / "mungeraiden",
    "efrrowini": SHARED / "histories" / "extended" / "efrrowini",
}
TANIKSHA = "taniksha19"
TANIKSHA_CSV = SHARED / "listeners" / TANIKSHA / "data__final.csv"
LISTENERS = (*HISTORIES, TANIKSHA)


def taniksha_history(folder: Path) -> Path:
    """The joined listener's basic history as the JSON file Spotify's export would have held."""
    with TANIKSHA_CSV.open(newline="", encoding="utf-8") as handle:
        rows = [
            {
                "endTime": row["endTime"],
                "artistName": row["artistName"],
                "trackName": row["trackName"],
                "msPlayed": int(row["msPlayed"]),
            }
            for row in csv.DictReader(handle)
        ]
    path = folder / "StreamingHistory0.json"
    path.write_bytes(orjson.dumps(rows))
    return path


def listeners_store(path: Path | None = None) -> tuple[SqlStore, Settings]:
    """The store with the five listeners ingested and their features fetched (built on first use)."""
    BENCH_DIR.mkdir(exist_ok=True)
    db = path or BENCH_DIR / "listeners.db"
    settings = Settings(data_dir=BENCH_DIR, database_url=f"sqlite:///{db}")
    fresh = not db.exists()
    store = open_store(settings)
    if fresh:
        _fill(store, settings)
    return store, settings


def _fill(store: SqlStore, settings: Settings) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, folder in HISTORIES.items():
            ingest_paths([folder], store, name, settings)
        ingest_paths([taniksha_history(Path(tmp))], store, TANIKSHA, settings)
    with open_sources(["catalog"], settings, store.features, SystemClock()) as sources:
        for name in LISTENERS:
            profile_id = store.profile_id(name)
            assert profile_id is not None
            fetch_features(store.features, profile_id, sources, clock=SystemClock(), miss_ttl_s=86_400.0)
