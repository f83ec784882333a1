"""Build the artist genres MusicFlow ships (`features/data/artist_genres.json.gz`) from the public
data in shared/data that carries genres.

Sources, each read for what describes the artist or the song itself: the artist genres of
`catalogs/playlist_2010to2022` and of `libraries/bartekc_liked` (Spotify's own, e.g. "dance pop"), the
genre of the `SpotifyFeatures.csv` rows (`spotifyfeatures_subset`, `tracks600k_head`: the song's genre),
and the playlist genre of `catalogs/high_popularity` and `low_popularity` only when at least
`MIN_PLAYLISTS` different playlists give it to the same artist. Those files' genres are the genre of
the playlist a song was in, not of its artist ("Meditative Vibes", filed under ambient/meditative,
holds Afrobeats songs); on the artists Spotify's own genres also cover, a playlist genre given by one
playlist agreed with them on half the rows, one given by several playlists on about two thirds, and
the playlist subgenres ("modern", "classic", "chill") on a fifth, so subgenres are never taken.

For each artist, keyed as songs are (`primary_artist`), the table holds each genre as the taste page
names it (`genres.genre_name`) and how many times the sources gave it; the model's genre words are read
from those (`genres.words_of`). A row whose cells do not line up with its file's header is skipped and
counted; a "genre" that is not words (a number, a stray quote from a shifted column) is never kept.

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
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from musicflow.core.songs import primary_artist
from musicflow.features.genres import GENRES_FILE, genre_name, genre_words

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PROVENANCE_FILE = GENRES_FILE.with_name("ARTIST_GENRES.txt")
ARTIST_GENRE_FILES = (
    "catalogs/playlist_2010to2022/playlist_2010to2022.csv",
    "libraries/bartekc_liked/liked_songs_raw.csv",
)
PLAYLIST_FILES = (
    "catalogs/high_popularity/high_popularity_spotify_data.csv",
    "catalogs/low_popularity/low_popularity_spotify_data.csv",
)
SONG_GENRE_FILES = (
    "catalogs/spotifyfeatures_subset/SpotifyFeatures.csv",
    "catalogs/tracks600k_head/SpotifyFeatures.csv",
)
MIN_PLAYLISTS = 2  # a playlist genre is the artist's only when this many different playlists give it
_NAME_MARKS = frozenset(" -&+:'")  # "r&b", "k-pop", "lgbtq+ hip hop", "pov: indie", "canzone d'autore"


def artist_genres(shared: Path = SHARED, skipped: Counter[str] | None = None) -> dict[str, dict[str, int]]:
    """Artist key -> their genres and how many times each was given, from every shared source that has
    genres. The rows of a file whose cells do not line up with its header are counted in `skipped`."""
    skipped = Counter() if skipped is None else skipped
    counts: dict[str, dict[str, int]] = {}

    def add(artist: str | None, genres: Iterable[str], times: int = 1) -> None:
        key = primary_artist(artist or "")
        if not key:  # no artist, or one whose name folds to nothing ("!!!")
            return
        found = counts.setdefault(key, {})
        for genre in genres:
            name = genre_name(genre)
            if is_genre_name(name):
                found[name] = found.get(name, 0) + times

    for name in ARTIST_GENRE_FILES:
        for row in _rows(shared, name, skipped):
            add(row.get("artist_name"), _listed(row.get("artist_genres")))
    for name in SONG_GENRE_FILES:
        for row in _rows(shared, name, skipped):
            add(row.get("artist_name"), [row.get("genre") or ""])
    for (artist, genre), given in playlist_genres(shared, skipped).items():
        if len(given) >= MIN_PLAYLISTS:
            add(artist, [genre], sum(given.values()))
    return {key: found for key, found in counts.items() if found}


def playlist_genres(shared: Path, skipped: Counter[str]) -> dict[tuple[str, str], Counter[str]]:
    """(artist key, playlist genre) -> the playlists that gave it, each with how many of the artist's
    rows it gave it on. The genre is the playlist's ("Afro Hits" is afrobeats), the artist the song's
    first credited one."""
    given: dict[tuple[str, str], Counter[str]] = {}
    for name in PLAYLIST_FILES:
        for row in _rows(shared, name, skipped):
            artist = primary_artist(row.get("track_artist") or "")
            genre = genre_name(row.get("playlist_genre") or "")
            if artist and genre:
                given.setdefault((artist, genre), Counter())[row.get("playlist_id") or ""] += 1
    return given


def is_genre_name(name: str) -> bool:
    """Whether a name can be a genre: words (at least one letter), with no mark but those genres use
    between words ("r&b", "k-pop", "canzone d'autore"); not a number, not a stray quote of a name."""
    return (
        any(ch.isalpha() for ch in name)
        and all(ch.isalnum() or ch in _NAME_MARKS for ch in name)
        and name[0].isalnum()
        and (name[-1].isalnum() or name[-1] == "+")
    )


def _listed(text: str | None) -> list[str]:
    try:
        value = ast.literal_eval(text or "[]")
    except (ValueError, SyntaxError):
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _rows(shared: Path, name: str, skipped: Counter[str]) -> Iterable[dict[str, str]]:
    """A CSV's rows with header names cleaned of byte-order marks (some files carry a double-encoded one)
    and cells of their padding (`low_popularity` pads them, quoted ones too: `, "CKay, Olamide"`). A row
    whose cells do not line up with the header (a truncated last line) is skipped and counted under the
    file's name."""
    csv.field_size_limit(1 << 24)
    with (shared / name).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, skipinitialspace=True)
        header = [h.strip().lstrip("\ufeff").replace("ï»¿", "") for h in next(reader, [])]
        for cells in reader:
            if len(cells) != len(header):
                skipped[name] += 1
                continue
            yield {column: (cell or "").strip() for column, cell in zip(header, cells, strict=True)}


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED
    skipped: Counter[str] = Counter()
    built = artist_genres(shared, skipped)
    table = {artist: dict(sorted(names.items())) for artist, names in sorted(built.items())}
    text = json.dumps(table, ensure_ascii=False, separators=(",", ":")).encode()
    GENRES_FILE.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))  # the same bytes every build
    PROVENANCE_FILE.write_text(provenance_text(table, skipped), encoding="utf-8")
    print(f"{counts_line(table)}; {skipped_line(skipped)} -> {GENRES_FILE}")  # noqa: T201


def counts_line(table: dict[str, dict[str, int]]) -> str:
    """What the table holds: "4,844 artists, 1,126 genres (723 words)"."""
    names = {name for found in table.values() for name in found}
    words = {word for name in names for word in genre_words(name)}
    return f"{len(table):,} artists, {len(names):,} genres ({len(words):,} words)"


def skipped_line(skipped: Counter[str]) -> str:
    """The rows skipped because their cells did not line up with their file's header."""
    if not skipped:
        return "no row skipped"
    each = ", ".join(f"{Path(name).parent.name} {count:,}" for name, count in sorted(skipped.items()))
    return f"rows skipped (their cells do not line up with the header): {each}"


def provenance_text(table: dict[str, dict[str, int]], skipped: Counter[str]) -> str:
    return f"""# Provenance of artist_genres.json.gz (the artist genres MusicFlow ships)

Built by scripts/build_artist_genres.py from the public files below (the same terms as the catalogs'
files, PROVENANCE.txt beside this one; no licence was granted beyond them): for each artist (keyed as
songs are, `primary_artist`), their genres as the sources give them (lower case, single spaces,
"hip-hop" spelt "hip hop") and how many of the artist's rows gave each. The model reads them as words
(`features/genres.words_of`: "dance pop" is dance + pop, "hip hop" and "r&b" one word each), the taste
page as names. {counts_line(table)}.
Nothing else of the files is kept (no titles, no listeners, no playlists). Only names that are words
are kept (never a number or a stray quote of a shifted column).
{skipped_line(skipped)[0].upper()}{skipped_line(skipped)[1:]}.

* playlist_2010to2022 (playlist_2010to2022.csv): the `artist_genres` column (Spotify's artist genres)
* bartekc_liked (liked_songs_raw.csv): the `artist_genres` column; one person's liked songs, of which
  only artist names and their genres are used
* spotifyfeatures_subset, tracks600k_head (SpotifyFeatures.csv): the `genre` column (the song's genre)
* high_popularity, low_popularity (*_spotify_data.csv): `playlist_genre`, the genre of the playlist a
  song was in, kept for the song's first artist only when {MIN_PLAYLISTS} or more different playlists give it
  (one playlist is no evidence of the artist's genre: "Meditative Vibes", filed as ambient, holds
  Afrobeats songs); `playlist_subgenre` ("modern", "classic", "chill") is not used
"""


if __name__ == "__main__":
    main()
