"""A store holding real public listeners as separate profiles, with bundled-catalog features.

Shared by the model benchmarks. The store is cached in `.bench/public-listeners.db` (delete it to
rebuild).
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
BASIC, EXTENDED = SHARED / "histories" / "basic", SHARED / "histories" / "extended"
HISTORIES: dict[str, list[Path]] = {
    "emb400": [BASIC / "emb400"],
    "ashleyjmurray": [BASIC / "ashleyjmurray"],
    "mungeraiden": [SHARED / "histories" / "both" / "mungeraiden"],
    "efrrowini": [EXTENDED / "efrrowini"],
}
TANIKSHA = "taniksha19"
TANIKSHA_CSV = SHARED / "listeners" / TANIKSHA / "data__final.csv"
LISTENERS = (*HISTORIES, TANIKSHA)
# The other public histories; the quality benchmark reports those with enough streams. `lshatkin` holds
# two people, told apart by the files' prefixes.
MORE_HISTORIES: dict[str, list[Path]] = {
    "pikachu": [EXTENDED / "pikachu"],
    "erickmay": [EXTENDED / "erickmay" / "endsong_1.json"],
    "mica92": [EXTENDED / "mica92"],
    "kechiemerole": sorted((BASIC / "kechiemerole").glob("StreamingHistory*.json")),
    "muskan123b": sorted((BASIC / "muskan123b").glob("StreamingHistory*.json")),
    "lshatkin": sorted((BASIC / "lshatkin").glob("MyData__StreamingHistory*.json")),
    "lshatkin-dana": sorted((BASIC / "lshatkin").glob("dana_data__StreamingHistory*.json")),
}
ALL_LISTENERS = (*LISTENERS, *MORE_HISTORIES)


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
    """The store with every public listener ingested and their features fetched (built on first use)."""
    BENCH_DIR.mkdir(exist_ok=True)
    db = path or BENCH_DIR / "public-listeners.db"
    settings = Settings(data_dir=BENCH_DIR, database_url=f"sqlite:///{db}")
    fresh = not db.exists()
    store = open_store(settings)
    if fresh:
        _fill(store, settings)
    return store, settings


def _fill(store: SqlStore, settings: Settings) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths in {**HISTORIES, **MORE_HISTORIES}.items():
            ingest_paths(paths, store, name, settings)
        ingest_paths([taniksha_history(Path(tmp))], store, TANIKSHA, settings)
    with open_sources(["catalog"], settings, store.features, SystemClock()) as sources:
        for name in ALL_LISTENERS:
            profile_id = store.profile_id(name)
            assert profile_id is not None
            fetch_features(store.features, profile_id, sources, clock=SystemClock(), miss_ttl_s=86_400.0)
