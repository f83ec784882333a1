"""Artist genres, and how well a song's artist matches the genres a listener streams.

The genres ship with MusicFlow (`data/artist_genres.json.gz`, built by `scripts/build_artist_genres.py`
from the public catalogs that carry them; `data/PROVENANCE.txt`): for each artist key, the words of
their genres with each word's share ("dance pop" is dance + pop; "hip hop" one word). A listener's
genres are the same words weighed by their streams of each artist; a song's match is the share of the
listener's genres its artist's words hold (0 to 1), unknown (NaN) when its artist's genres are.

Measured leave-listeners-out (docs/model-quality.md), this match helps most where the model is weakest:
songs by artists the listener never streamed.
"""

from __future__ import annotations

import gzip
import json
import math
import threading
from collections.abc import Mapping
from pathlib import Path

Genres = Mapping[str, float]  # genre word -> share of the artist's (or the listener's) genres
GENRES_FILE = Path(__file__).with_name("data") / "artist_genres.json.gz"

_table: dict[str, dict[str, float]] | None = None
_lock = threading.Lock()


def artist_genres() -> Mapping[str, Genres]:
    """Artist key -> genre words and their shares: the shipped table, read once per process."""
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = _read(GENRES_FILE)
    return _table


def listener_genres(streams_by_artist: Mapping[str, float], genres: Mapping[str, Genres]) -> Genres:
    """The listener's genre words, weighed by their streams of each artist whose genres are known."""
    total: dict[str, float] = {}
    for artist, streams in streams_by_artist.items():
        for word, share in genres.get(artist, {}).items():
            total[word] = total.get(word, 0.0) + streams * share
    return shares(total)


def genre_match(artist: str, listener: Genres, genres: Mapping[str, Genres]) -> float:
    """The share of the listener's genres that the artist's words hold, 0 to 1; NaN when the artist's
    genres are unknown (or the listener's: nothing they stream has known genres)."""
    found = genres.get(artist)
    if not found or not listener:
        return math.nan
    return sum(listener.get(word, 0.0) * share for word, share in found.items())


def shares(counts: Mapping[str, float]) -> dict[str, float]:
    total = sum(counts.values())
    return {word: count / total for word, count in counts.items()} if total else {}


def _read(path: Path) -> dict[str, dict[str, float]]:
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    return {str(artist): {str(w): float(s) for w, s in words.items()} for artist, words in table.items()}
