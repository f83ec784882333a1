"""A store holding real public listeners as separate profiles, with bundled-catalog features.

Shared by the model benchmarks. The store is cached in `.bench/listeners-<key>.db`, the key a hash of
what built it: the code of the parts that ingest, match and store (core, ingest, features with its bundled
catalog, store, the settings), this file, and the listeners' files. A change to any of them builds a new
store, so a benchmark never reports on plays or matches made by older code; older stores are removed.
taniksha19's history comes as a CSV of basic-format rows (`data__final.csv`); it is written out as a
basic `StreamingHistory0.json` so it goes through the real ingest like everyone else. Only the bundled
catalog supplies features: giving one listener an extra catalog of their own would let the model learn
the source instead of the taste (model-evaluation.md, trap 3). The public data is read from
`../shared/data` beside the repository, or from `MUSICFLOW_SHARED_DATA` (a git worktree elsewhere).
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from musicflow.config import Settings
from musicflow.core.clock import SystemClock
from musicflow.features.fetch import fetch_features
from musicflow.features.source_choice import open_sources
from musicflow.ingest.ingesting import ingest_paths
from musicflow.store import open_store
from musicflow.store.sql import SqlStore

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MUSICFLOW_SHARED_DATA") or REPO.parent / "shared" / "data")
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
SOURCE = REPO / "src" / "musicflow"
BUILT_BY = (
    SOURCE / "core",
    SOURCE / "ingest",
    SOURCE / "features",
    SOURCE / "store",
    SOURCE / "config.py",
    SOURCE / "errors.py",
)


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


def listeners_store() -> tuple[SqlStore, Settings]:
    """The store with every public listener ingested and their features fetched (built on first use)."""
    BENCH_DIR.mkdir(exist_ok=True)
    db = BENCH_DIR / f"listeners-{cache_key()}.db"
    with _only_one_builder():
        if not db.exists():
            for stale in BENCH_DIR.glob("listeners*.db*"):
                stale.unlink()
            _build(db)
    settings = _settings(db)
    return open_store(settings), settings


@contextmanager
def _only_one_builder() -> Iterator[None]:
    """Two benchmarks started together build the store once: the second waits for the first."""
    with (BENCH_DIR / "listeners.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def cache_key() -> str:
    """A hash of the code and the inputs the store is built from."""
    digest = hashlib.sha256()
    for path in sorted(_build_inputs()):
        digest.update(str(path.relative_to(path.anchor)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _build_inputs() -> list[Path]:
    code = [
        file
        for part in BUILT_BY
        for file in ([part] if part.is_file() else part.rglob("*"))
        if file.is_file() and "__pycache__" not in file.parts
    ]
    histories = [
        file
        for paths in (*HISTORIES.values(), *MORE_HISTORIES.values())
        for path in paths
        for file in ([path] if path.is_file() else path.rglob("*"))
        if file.is_file()
    ]
    return [*code, Path(__file__), *histories, TANIKSHA_CSV]


def _settings(db: Path) -> Settings:
    return Settings(data_dir=BENCH_DIR, database_url=f"sqlite:///{db}")


def _build(db: Path) -> None:
    """Fill a store under a temporary name, renamed once complete: an interrupted build is not reused."""
    partial = db.with_name(f"building-{db.name}")
    for leftover in BENCH_DIR.glob(f"{partial.name}*"):
        leftover.unlink()
    settings = _settings(partial)
    store = open_store(settings)
    try:
        _fill(store, settings)
    finally:
        store.close()
    partial.rename(db)


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
