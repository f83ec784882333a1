"""How much of each real listener's music the bundled catalog alone gives features for.

For every listener in shared/data/histories (and the one-row-per-stream CSV in listeners/taniksha19),
plays of at least 30 s are grouped into songs by `match_key(artist, title)`. A song is covered when
one of its plays carries a Spotify id that the catalog has; a song whose plays carry no id (basic
exports) is covered when the catalog has a row with the same match key. "+key" also lets songs with
an id fall back to the match key (same song, another release or id).
Shares are of distinct songs and of streams (plays weighted).

Usage: python -m benchmarks.catalog_coverage [SHARED_DATA_DIR]
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from musicflow.core.plays import Play
from musicflow.core.songs import match_key
from musicflow.features.catalog_files import bundled_catalog_path, read_catalog
from musicflow.ingest.export_formats import HistoryKind, detect_kind, parse_history

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
MIN_MS = 30_000
PEOPLE_SPLIT_BY_PREFIX = {"lshatkin": ("MyData__", "dana_data__")}


@dataclass
class Song:
    ids: set[str] = field(default_factory=set)
    plays: int = 0


def load_catalog() -> tuple[set[str], set[str]]:
    ids: set[str] = set()
    keys: set[str] = set()
    with bundled_catalog_path() as path:
        for row in read_catalog(path):
            if row.spotify_id:
                ids.add(row.spotify_id)
            if row.song and row.artists:
                keys.add(match_key(row.artists[0], row.song))
    return ids, keys


def plays_of(files: list[Path]) -> list[Play]:
    plays: list[Play] = []
    for path in files:
        data = orjson.loads(path.read_bytes())
        kind = detect_kind(data)
        if kind is not None:
            plays.extend(parse_history(kind, data, path.name).plays)
    return plays


def plays_of_csv(path: Path) -> list[Play]:
    """A basic history saved as CSV (endTime, artistName, trackName, msPlayed)."""
    with path.open(newline="", encoding="utf-8") as handle:
        records = [dict(row, msPlayed=int(row["msPlayed"])) for row in csv.DictReader(handle)]
    return parse_history(HistoryKind.BASIC_MUSIC, records, path.name).plays


def listeners(shared: Path) -> list[tuple[str, str, list[Play]]]:
    found: list[tuple[str, str, list[Play]]] = []
    for group in ("basic", "extended", "both"):
        for folder in sorted((shared / "histories" / group).iterdir()):
            files = sorted(folder.glob("*.json"))
            for prefix in PEOPLE_SPLIT_BY_PREFIX.get(folder.name, ("",)):
                mine = [f for f in files if f.name.startswith(prefix)]
                name = f"{folder.name}/{prefix.rstrip('_')}" if prefix else folder.name
                found.append((name, group, plays_of(mine)))
    taniksha = shared / "listeners" / "taniksha19" / "data__final.csv"
    if taniksha.exists():
        found.append(("taniksha19", "basic csv", plays_of_csv(taniksha)))
    return found


def songs_of(plays: list[Play]) -> dict[str, Song]:
    songs: dict[str, Song] = defaultdict(Song)
    for play in plays:
        if play.ms_played < MIN_MS:
            continue
        song = songs[match_key(play.artist, play.track)]
        song.plays += 1
        if play.spotify_id:
            song.ids.add(play.spotify_id)
    return songs


def coverage(
    songs: dict[str, Song], ids: set[str], keys: set[str], key_fallback: bool
) -> tuple[float, float]:
    hit = Counter[str]()
    for key, song in songs.items():
        covered = bool(song.ids & ids) if song.ids else key in keys
        if not covered and key_fallback and song.ids:
            covered = key in keys
        hit["songs"] += covered
        hit["plays"] += song.plays if covered else 0
    total_plays = sum(song.plays for song in songs.values())
    return _share(hit["songs"], len(songs)), _share(hit["plays"], total_plays)


def _share(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHARED
    ids, keys = load_catalog()
    print(f"bundled catalog: {len(ids)} ids, {len(keys)} match keys\n")
    header = f"{'listener':<22} {'export':<9} {'plays>=30s':>10} {'songs':>6} {'songs %':>8} {'streams %':>9}"
    print(header + f" {'+key songs %':>12} {'+key streams %':>14}")
    print("-" * (len(header) + 28))
    for name, group, plays in listeners(shared):
        songs = songs_of(plays)
        played = sum(song.plays for song in songs.values())
        by_song, by_stream = coverage(songs, ids, keys, key_fallback=False)
        key_song, key_stream = coverage(songs, ids, keys, key_fallback=True)
        print(
            f"{name:<22} {group:<9} {played:>10} {len(songs):>6} {by_song:>7.1f}% {by_stream:>8.1f}%"
            f" {key_song:>11.1f}% {key_stream:>13.1f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
