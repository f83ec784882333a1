"""Songs other people streamed, shipped with MusicFlow as zeros for a listener who runs it alone.

A model learns "0 streams" best from songs that real people chose to stream and this listener did not:
random catalog songs teach it what a catalog looks like, not what this person passes over
(model-evaluation.md, "What a lone listener's model should learn"). A store with one profile has no
other people, so the package ships a list of the songs the public listening histories streamed: each
song's key (folded artist and title), its artist, how many of those people streamed it, and the bundled
catalog's features where it has them. No times, no counts per person, no person's name: see
`data/STREAMED_SONGS.txt` for where the histories come from and how the file is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.core.songs import FeatureValue, match_key
from musicflow.features.merge import MergedFeatures, single_source
from musicflow.model.basis import Availability, availability_of_values
from musicflow.model.snapshot import Snapshot
from musicflow.model.training_rows import Row, RowKind
from musicflow.model.vectorize import usable_values

SHIPPED_FILE = Path(__file__).parent / "data" / "streamed_songs.parquet"
SOURCE, ORIGIN = "catalog", "bundled"
# Zero rows get song ids far below any catalog row's (negative) id, so no two rows share one.
FIRST_ID = -(10**12)


@dataclass(frozen=True, slots=True)
class ShippedSong:
    """A song other people streamed: its key, its artist, how many of them streamed it, its features."""

    key: str
    artist_key: str
    listeners: int
    values: Mapping[str, FeatureValue]
    # Which features it has (the pattern it is drawn for), and its features as a zero row carries them:
    # every split of every training draws from the same list.
    pattern: Availability = field(init=False, repr=False, compare=False)
    _features: list[MergedFeatures] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", availability_of_values(self.values))

    @property
    def features(self) -> MergedFeatures:
        """The song's features as one answer of the bundled catalog (none when it has no values)."""
        if not self._features:
            made = single_source(SOURCE, self.values, ORIGIN) if self.values else MergedFeatures()
            self._features.append(made)
        return self._features[0]


def songs_streamed_by(snapshot: Snapshot, donors: Iterable[int]) -> list[ShippedSong]:
    """The songs the `donors` profiles streamed, one per song key, features as the snapshot knows them."""
    people: dict[int, set[int]] = {}
    for donor in donors:
        plays = snapshot.plays.get(donor)
        if plays is not None:
            for song in set(plays.song[plays.is_stream].tolist()):
                people.setdefault(song, set()).add(donor)
    found: dict[str, ShippedSong] = {}
    for song_id in sorted(people):
        song = snapshot.songs[song_id]
        key = match_key(song.artist, song.name)
        values = usable_values(song.features, snapshot.allow_spotify)
        known = found.get(key)
        listeners = len(people[song_id]) + (known.listeners if known else 0)
        best = values if known is None or len(values) > len(known.values) else known.values
        found[key] = ShippedSong(key, song.artist_key, listeners, best)
    return [found[key] for key in sorted(found)]


@lru_cache(maxsize=1)
def shipped_songs(path: Path = SHIPPED_FILE) -> tuple[ShippedSong, ...]:
    """The list shipped with the package (read once)."""
    import polars as pl

    frame = pl.read_parquet(path)
    names = [n for n in FEATURE_NAMES if n in frame.columns]
    songs = []
    for row in frame.iter_rows(named=True):
        values = {n: row[n] for n in names if row[n] is not None}
        songs.append(ShippedSong(row["song_key"], row["artist_key"], int(row["listeners"]), values))
    return tuple(songs)


def write_shipped(songs: Sequence[ShippedSong], path: Path) -> None:
    """Write the list in the form `shipped_songs` reads (Parquet, one row per song)."""
    import polars as pl

    columns: dict[str, list[object]] = {"song_key": [], "artist_key": [], "listeners": []}
    columns.update({name: [] for name in FEATURE_NAMES})
    for song in songs:
        columns["song_key"].append(song.key)
        columns["artist_key"].append(song.artist_key)
        columns["listeners"].append(song.listeners)
        for name in FEATURE_NAMES:
            value = song.values.get(name)
            columns[name].append(None if value is None else float(value))
    schema = {"song_key": pl.String, "artist_key": pl.String, "listeners": pl.Int32}
    schema.update({name: pl.Float32 for name in FEATURE_NAMES})
    pl.DataFrame(columns, schema=schema, strict=False).write_parquet(
        path, compression="zstd", compression_level=19
    )


def shipped_zeros(
    pool: Sequence[ShippedSong],
    excluded: set[str],
    wanted: Mapping[Availability, int],
    rng: np.random.Generator,
) -> list[Row]:
    """Songs of `pool` whose keys are not `excluded` (the songs the listener played), up to
    `wanted[pattern]` of each availability pattern (which features the song has)."""
    by_pattern: dict[Availability, list[int]] = {}
    for i, song in enumerate(pool):
        if song.key not in excluded:
            by_pattern.setdefault(song.pattern, []).append(i)
    chosen: list[int] = []
    for pattern, count in wanted.items():
        candidates = by_pattern.get(pattern, [])
        take = min(count, len(candidates))
        if take > 0:
            chosen += [candidates[int(i)] for i in rng.choice(len(candidates), size=take, replace=False)]
    return [_row(i, pool[i]) for i in sorted(chosen)]


def song_keys(snapshot: Snapshot, song_ids: Iterable[int]) -> set[str]:
    """The keys of the given snapshot songs, as the shipped list keys its songs."""
    return {match_key(snapshot.songs[s].artist, snapshot.songs[s].name) for s in song_ids}


def _row(index: int, song: ShippedSong) -> Row:
    return Row(FIRST_ID - index, RowKind.SHIPPED, 0, song.features, song.artist_key)
