"""The song index reads the catalogs once per state: an index of another store holding the same catalogs
(a copy of the data directory) takes the rows read before, and a catalog imported since is read again."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from musicflow.config import Settings
from musicflow.core.songs import match_key
from musicflow.features.catalog import import_catalog_file
from musicflow.features.song_index import SongIndex
from musicflow.store import open_store
from musicflow.store.ports import FeatureStore

HEADER = (
    "id,name,artists,danceability,energy,key,loudness,mode,speechiness,acousticness,"
    "instrumentalness,liveness,valence,tempo,time_signature\n"
)
SUGAR = (
    "6tNQ70jh4OwmPGpYy6R2o9,Sugar,Maroon 5,0.748,0.788,1,-7.055,1,0.0334,0.0591,0,0.0863,0.884,120.076,4\n"
)
LIGHTS = (
    "0VjIjW4GlUZAMYd2vXMi3b,Blinding Lights,The Weeknd,0.514,0.73,1,-5.934,1,0.0598,0.00146,"
    "0.0000954,0.0897,0.334,171.005,4\n"
)


class Counted:
    """A feature store that counts how often every catalog row is read."""

    def __init__(self, store: FeatureStore) -> None:
        self.store = store
        self.reads = 0

    def catalog_entries(self) -> Any:
        self.reads += 1
        return self.store.catalog_entries()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _found(index: SongIndex, artist: str, song: str) -> bool:
    return bool(index.catalog_matches([], [match_key(artist, song)])[1])


def test_a_copy_takes_the_catalogs_read_before_and_a_new_import_is_read_again(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text(HEADER + SUGAR, encoding="utf-8")
    (tmp_path / "two.csv").write_text(HEADER + LIGHTS, encoding="utf-8")
    original = open_store(Settings(data_dir=tmp_path / "original"))
    import_catalog_file(original.features, tmp_path / "one.csv", "one")
    shutil.copytree(tmp_path / "original", tmp_path / "copy")
    copy = open_store(Settings(data_dir=tmp_path / "copy"))
    try:
        first = Counted(original.features)
        SongIndex(first).hold()
        assert first.reads == 1

        of_copy = Counted(copy.features)
        index = SongIndex(of_copy)
        index.hold()
        assert of_copy.reads == 0 and _found(index, "Maroon 5", "Sugar")

        import_catalog_file(copy.features, tmp_path / "two.csv", "two")
        index.refresh()
        assert of_copy.reads == 1 and _found(index, "The Weeknd", "Blinding Lights")

        again = Counted(original.features)
        of_original = SongIndex(again)
        of_original.hold()  # the original holds one catalog, not the copy's two: read, never taken
        assert again.reads == 1
        assert _found(of_original, "Maroon 5", "Sugar")
        assert not _found(of_original, "The Weeknd", "Blinding Lights")
    finally:
        original.close()
        copy.close()


def test_an_index_not_held_looks_for_near_names_among_keys_without_reading_the_rows(tmp_path: Path) -> None:
    """A one-shot command asked a name no key finds reads the catalogs' keys, not their rows (seconds
    on a catalog of 200,000); held later (a server), it reads the rows."""
    (tmp_path / "one.csv").write_text(HEADER + SUGAR + LIGHTS, encoding="utf-8")
    store = open_store(Settings(data_dir=tmp_path / "data"))
    try:
        import_catalog_file(store.features, tmp_path / "one.csv", "one")
        counted = Counted(store.features)
        index = SongIndex(counted)
        near = index.names().nearest("Blindng Lights", "Weeknd")
        assert near.songs[0].key == match_key("The Weeknd", "Blinding Lights") and near.songs[0].answers
        assert counted.reads == 0
        assert _found(index, "Maroon 5", "Sugar")  # asked of the store
        index.hold()
        assert counted.reads == 1 and _found(index, "Maroon 5", "Sugar")
    finally:
        store.close()
