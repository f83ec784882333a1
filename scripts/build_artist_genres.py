"""Build the artist genres MusicFlow ships (`features/data/artist_genres.json.gz`) from the public
data in shared/data that carries genres.

Sources: the artist genres of `catalogs/playlist_2010to2022` and of `libraries/bartekc_liked`
(Spotify's own, e.g. "dance pop"), the playlist genre and subgenre of `catalogs/high_popularity` and
`low_popularity`, and the genre of the `SpotifyFeatures.csv` rows (`spotifyfeatures_subset`,
`tracks600k_head`). For each artist, keyed as songs are (`primary_artist`), the table holds each genre
as the taste page names it (`genres.genre_name`) and how many times the sources gave it; the model's
genre words are read from those (`genres.words_of`).

It writes the provenance beside the table (`features/data/ARTIST_GENRES.txt`), with the counts of this
build, so the two never disagree.

Usage: python scripts/build_artist_genres.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import ast
import csv
import gzip
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from musicflow.core.songs import primary_artist
from musicflow.features.genres import GENRES_FILE, genre_name, genre_words

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PROVENANCE_FILE = GENRES_FILE.with_name("ARTIST_GENRES.txt")


def artist_genres(shared: Path = SHARED) -> dict[str, dict[str, int]]:
    """Artist key -> their genres and how many times each was given, from every shared source that has
    genres."""
    counts: dict[str, dict[str, int]] = {}

    def add(artist: str | None, genres: Iterable[str]) -> None:
        if not artist:
            return
        key = primary_artist(artist)
        found = counts.setdefault(key, {})
        for genre in genres:
            name = genre_name(genre)
            if name:
                found[name] = found.get(name, 0) + 1

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
    return {key: found for key, found in counts.items() if found}


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


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED
    table = {artist: dict(sorted(names.items())) for artist, names in sorted(artist_genres(shared).items())}
    text = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode()
    GENRES_FILE.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))  # the same bytes every build
    PROVENANCE_FILE.write_text(provenance_text(table), encoding="utf-8")
    print(f"{counts_line(table)} -> {GENRES_FILE}")  # noqa: T201


def counts_line(table: dict[str, dict[str, int]]) -> str:
    """What the table holds: "6,993 artists, 2,186 genres (1,857 words)"."""
    names = {name for found in table.values() for name in found}
    words = {word for name in names for word in genre_words(name)}
    return f"{len(table):,} artists, {len(names):,} genres ({len(words):,} words)"


def provenance_text(table: dict[str, dict[str, int]]) -> str:
    return f"""# Provenance of artist_genres.json.gz (the artist genres MusicFlow ships)

Built by scripts/build_artist_genres.py from the public files below (the same terms as the catalogs'
files, PROVENANCE.txt beside this one; no licence was granted beyond them): for each artist (keyed as
songs are, `primary_artist`), their genres as the sources give them (lower case, single spaces,
"hip-hop" spelt "hip hop") and how many of the artist's rows gave each. The model reads them as words
(`features/genres.words_of`: "dance pop" is dance + pop, "hip hop" and "r&b" one word each), the taste
page as names. {counts_line(table)}.
Nothing else of the files is kept (no titles, no listeners, no playlists).

* playlist_2010to2022 (playlist_2010to2022.csv): the `artist_genres` column (Spotify's artist genres)
* bartekc_liked (liked_songs_raw.csv): the `artist_genres` column; one person's liked songs, of which
  only artist names and their genres are used
* high_popularity, low_popularity (*_spotify_data.csv): `playlist_genre` and `playlist_subgenre`
* spotifyfeatures_subset, tracks600k_head (SpotifyFeatures.csv): the `genre` column
"""


if __name__ == "__main__":
    main()
