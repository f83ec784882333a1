"""Artist genres from the public data, and how well a song's artist matches a listener's genres: a
candidate model input, measured by `model_ablation` (design "with genres").

Sources (every shared file that has genres): the artist genres of `catalogs/playlist_2010to2022` and of
`libraries/bartekc_liked` (Spotify's own, e.g. "dance pop"), the playlist genre and subgenre of
`catalogs/high_popularity` and `low_popularity`, and the genre of the `SpotifyFeatures.csv` rows
(`spotifyfeatures_subset`, `tracks600k_head`). A genre is split into words after folding a few
spellings ("hip hop" and "hip-hop" -> "hiphop", "r&b" -> "rnb"), so "dance pop" and "pop" share
"pop"; an artist's genres are the share of each word over all its rows. Benchmark code, not product.
"""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from benchmarks.listeners_store import SHARED
from musicflow.core.songs import primary_artist

Genres = Mapping[str, float]  # genre word -> share (summing to 1)
_WORDS = re.compile(r"[\s\-&/,]+")


@cache
def artist_genres(shared: Path = SHARED) -> dict[str, Genres]:
    """Artist key -> their genre words' shares, from every shared source that has genres."""
    counts: dict[str, dict[str, float]] = {}

    def add(artist: str | None, genres: Iterable[str]) -> None:
        if not artist:
            return
        key = primary_artist(artist)
        found = counts.setdefault(key, {})
        for genre in genres:
            folded = genre.strip().lower().replace("r&b", "rnb")
            folded = folded.replace("hip hop", "hiphop").replace("hip-hop", "hiphop")
            for word in set(_WORDS.split(folded)) - {""}:
                found[word] = found.get(word, 0.0) + 1.0

    for row in _rows(shared / "catalogs/playlist_2010to2022/playlist_2010to2022.csv"):
        add(row.get("artist_name"), _listed(row.get("artist_genres")))
    for row in _rows(shared / "libraries/bartekc_liked/liked_songs_raw.csv"):
        add(row.get("artist_name"), _listed(row.get("artist_genres")))
    for name in (
        "high_popularity/high_popularity_spotify_data.csv",
        "low_popularity/low_popularity_spotify_data.csv",
    ):
        for row in _rows(shared / "catalogs" / name):
            artist = (row.get("track_artist") or "").split(",")[0]
            add(artist, [row.get("playlist_genre") or "", row.get("playlist_subgenre") or ""])
    for name in ("spotifyfeatures_subset/SpotifyFeatures.csv", "tracks600k_head/SpotifyFeatures.csv"):
        for row in _rows(shared / "catalogs" / name):
            add(row.get("artist_name"), [row.get("genre") or ""])
    return {key: _shares(found) for key, found in counts.items() if found}


def listener_genres(streams_by_artist: Mapping[str, float], genres: Mapping[str, Genres]) -> Genres:
    """The listener's genre words, weighed by their streams of each artist that has genres."""
    total: dict[str, float] = {}
    for artist, streams in streams_by_artist.items():
        for word, share in genres.get(artist, {}).items():
            total[word] = total.get(word, 0.0) + streams * share
    return _shares(total)


def genre_match(artist: str, listener: Genres, genres: Mapping[str, Genres]) -> float:
    """How much of the listener's genres the artist's are (0 to 1); NaN when the artist has none known."""
    found = genres.get(artist)
    if not found:
        return float("nan")
    return sum(listener.get(word, 0.0) * share for word, share in found.items())


def _shares(counts: Mapping[str, float]) -> dict[str, float]:
    total = sum(counts.values())
    return {word: count / total for word, count in counts.items()} if total else {}


def _listed(text: str | None) -> list[str]:
    try:
        value = ast.literal_eval(text or "[]")
    except (ValueError, SyntaxError):
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _rows(path: Path) -> Iterable[dict[str, str]]:
    """A CSV's rows with header names cleaned of byte-order marks (some files carry a double-encoded one)."""
    csv.field_size_limit(1 << 24)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip().lstrip("\ufeff").replace("ï»¿", "") for h in next(reader, [])]
        for cells in reader:
            yield {name: (cell or "").strip() for name, cell in zip(header, cells, strict=False)}
