"""Artist genres: the genres a listener streams, and how well a song's artist matches them.

The genres ship with MusicFlow (`data/artist_genres.json.gz`, built by `scripts/build_artist_genres.py`
from the public catalogs that carry them; `data/ARTIST_GENRES.txt`): for each artist key, the genres the
sources give them ("dance pop", "k-pop") and how many times. They are read two ways, both from that one
table:

- by name (`artist_genre_names`), what a person reads: the taste page shows a listener's genres as the
  sources name them, weighed by their streams of each artist;
- by word (`artist_genres`), what the model matches: each genre split into words ("dance pop" is dance +
  pop; "hip hop" one word), so a song's artist matches a listener who streams the same kind of music
  under another genre name. A song's match is the share of the listener's genre words its artist's words
  hold (0 to 1), unknown (NaN) when its artist's genres are.

Measured leave-listeners-out (docs/model-quality.md), this match helps most where the model is weakest:
songs by artists the listener never streamed.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

Genres = Mapping[str, float]  # genre name or word -> share of the artist's (or the listener's) genres
GENRES_FILE = Path(__file__).with_name("data") / "artist_genres.json.gz"
WORD_PLACES = 4  # the word shares are rounded as the table the model was measured with had them

_WORD_SPLIT = re.compile(r"[\s\-&/,]+")
_tables: dict[str, dict[str, dict[str, float]]] = {}
_lock = threading.Lock()


def artist_genres() -> Mapping[str, Genres]:
    """Artist key -> genre words and their shares (what the model matches), read once per process."""
    return _table("words")


def artist_genre_names() -> Mapping[str, Genres]:
    """Artist key -> genre names as the sources give them and their shares (what a person reads)."""
    return _table("names")


def genre_name(genre: str) -> str:
    """A genre as the taste page names it: lower case, single spaces, one spelling of "hip hop"."""
    return " ".join(genre.strip().lower().replace("hip-hop", "hip hop").split())


@lru_cache(maxsize=1 << 13)
def genre_words(name: str) -> frozenset[str]:
    """The words a genre is matched by: "dance pop" is {dance, pop}; "hip hop" and "hip-hop" are one
    word, as "r&b" is ("rnb")."""
    folded = name.strip().lower().replace("r&b", "rnb")
    folded = folded.replace("hip hop", "hiphop").replace("hip-hop", "hiphop")
    return frozenset(_WORD_SPLIT.split(folded)) - {""}


def listener_genres(streams_by_artist: Mapping[str, float], genres: Mapping[str, Genres]) -> Genres:
    """The listener's genres (names or words, as `genres` holds), weighed by their streams of each
    artist whose genres are known."""
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
    # Summed exactly (`fsum`): a table's words come in the order of a set, which differs between
    # processes, and a plain sum would differ in its last bits with it.
    return math.fsum(listener.get(word, 0.0) * share for word, share in found.items())


def shares(counts: Mapping[str, float]) -> dict[str, float]:
    total = math.fsum(counts.values())  # exact: the same whatever order `counts` holds its words in
    return {word: count / total for word, count in counts.items()} if total else {}


def words_of(names: Mapping[str, float]) -> dict[str, float]:
    """An artist's genre words and their shares, from their genres and how many times each was given."""
    counts: dict[str, float] = {}
    for name, count in names.items():
        for word in sorted(genre_words(name)):  # in one order in every process
            counts[word] = counts.get(word, 0.0) + count
    return {word: round(share, WORD_PLACES) for word, share in shares(counts).items()}


def _table(kind: str) -> dict[str, dict[str, float]]:
    """The shipped table read once per process, and each reading of it made once, when first asked."""
    if kind not in _tables:
        with _lock:
            if "counts" not in _tables:
                _tables["counts"] = _read(GENRES_FILE)
            if kind not in _tables:
                counts = _tables["counts"]
                of = words_of if kind == "words" else shares
                _tables[kind] = {artist: of(names) for artist, names in counts.items()}
    return _tables[kind]


def _read(path: Path) -> dict[str, dict[str, float]]:
    """Artist key -> genre name -> how many times the sources gave it."""
    if not path.exists():
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    return {str(artist): {str(g): float(n) for g, n in names.items()} for artist, names in table.items()}
