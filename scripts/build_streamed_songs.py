"""Build the list of songs other people streamed that MusicFlow ships (`model/data/streamed_songs.parquet`).

The public listening histories in shared/data go through the real ingest into a store of their own, with
the bundled catalog as the only feature source (the store `benchmarks/listeners_store.py` builds); every
song one of them streamed (30 s or more) becomes a row: its key (folded primary artist and title), its
artist, how many of those people streamed it, and the bundled catalog's features where it has them.
Nothing else leaves the histories: no times, no play counts, no names of people.

Usage: PYTHONPATH=. python scripts/build_streamed_songs.py
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from benchmarks.listeners_store import ALL_LISTENERS, listeners_store

from musicflow.model.shipped import SHIPPED_FILE, songs_streamed_by, write_shipped
from musicflow.model.snapshot import load_snapshot
from musicflow.model.train import DEFAULT_PRECEDENCE

log = logging.getLogger("build_streamed_songs")


def main(target: Path = SHIPPED_FILE) -> None:
    store, _ = listeners_store()
    try:
        snapshot = load_snapshot(store, stream_min_ms=30_000, precedence=DEFAULT_PRECEDENCE)
    finally:
        store.close()
    people = [snapshot.profiles[name] for name in ALL_LISTENERS if name in snapshot.profiles]
    songs = songs_streamed_by(snapshot, people)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_shipped(songs, target)
    with_features = sum(1 for song in songs if song.values)
    log.info(
        "%d songs (%d with features) from %d people: %s, %d bytes",
        len(songs),
        with_features,
        len(people),
        target,
        target.stat().st_size,
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED_FILE)
