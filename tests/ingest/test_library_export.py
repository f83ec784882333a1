"""The library file of an export (YourLibrary.json): read from real exports, stored, replaced, its bad
entries counted."""

from __future__ import annotations

import json
from pathlib import Path

import orjson

from musicflow.config import Settings
from musicflow.ingest.ingesting import ingest_paths
from musicflow.ingest.library_export import is_library, parse_library
from musicflow.store.ports import LibraryEntry, LibraryKind
from musicflow.store.sql import SqlStore

LIBRARIES = ("ashleyjmurray", "kechiemerole", "emb400", "muskan123b")


def test_the_libraries_of_real_exports_are_read_whole(shared_data: Path):
    for name in LIBRARIES:
        data = orjson.loads((shared_data / "histories/basic" / name / "YourLibrary.json").read_bytes())
        assert is_library(data)
        parsed = parse_library(data)
        counts = parsed.counts
        assert counts[LibraryKind.SAVED_SONG] == len(data["tracks"]), name
        assert counts[LibraryKind.SAVED_ALBUM] == len(data["albums"]), name
        assert counts[LibraryKind.FOLLOWED_ARTIST] == len(data.get("artists", [])), name
        assert parsed.unreadable == 0
        songs = [e for e in parsed.entries if e.kind is LibraryKind.SAVED_SONG]
        first = data["tracks"][0]
        uri = first.get("uri")  # older exports have none
        assert songs[0] == LibraryEntry(
            LibraryKind.SAVED_SONG, first["artist"], first["track"], uri.split(":")[-1] if uri else None
        )


def test_a_history_is_not_a_library(shared_data: Path):
    history = shared_data / "histories/basic/emb400/StreamingHistory0.json"
    assert not is_library(orjson.loads(history.read_bytes()))
    assert not is_library({"shows": [], "episodes": []})


def library_file(folder: Path, **lists: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "YourLibrary.json"
    path.write_text(json.dumps({"tracks": [], "albums": [], "shows": [], "episodes": [], **lists}))
    return path


def test_ingest_stores_the_library_counts_bad_entries_and_a_later_one_replaces_it(
    store: SqlStore, tmp_path: Path
):
    first = library_file(
        tmp_path / "first",
        tracks=[
            {
                "artist": "Dua Lipa",
                "album": "Future Nostalgia",
                "track": "Levitating",
                "uri": "spotify:track:x1",
            },
            {"artist": "", "track": "No artist"},
            "not an entry",
        ],
        bannedTracks=[{"artist": "Nickelback", "album": "Silver Side Up", "track": "How You Remind Me"}],
        bannedArtists=[{"name": "Crazy Frog", "uri": "spotify:artist:a9"}],
        artists=[{"name": "Kate Bush", "uri": "spotify:artist:a1"}],
    )
    report = ingest_paths([first.parent], store, "me", Settings())
    assert report.library == {
        "saved_song": 1,
        "saved_album": 0,
        "followed_artist": 1,
        "banned_song": 1,
        "banned_artist": 1,
    }
    assert report.library_unreadable == 2
    (read,) = report.files
    assert read.kind == "library" and read.rows == 4 and "2 entries without names" in (read.note or "")
    profile = store.profile_id("me")
    assert profile is not None
    stored = store.history.library(profile)
    assert LibraryEntry(LibraryKind.BANNED_ARTIST, "Crazy Frog", "", "a9") in stored
    assert LibraryEntry(LibraryKind.SAVED_SONG, "Dua Lipa", "Levitating", "x1") in stored

    second = library_file(tmp_path / "second", tracks=[{"artist": "Kate Bush", "track": "Hounds of Love"}])
    ingest_paths([second], store, "me", Settings())
    assert store.history.library(profile) == [
        LibraryEntry(LibraryKind.SAVED_SONG, "Kate Bush", "Hounds of Love")
    ]
    assert store.history.library(store.ensure_profile("someone else")) == []


def test_a_library_with_no_readable_entry_keeps_the_one_stored(store: SqlStore, tmp_path: Path):
    good = library_file(tmp_path / "good", bannedArtists=[{"name": "Crazy Frog"}])
    ingest_paths([good], store, "me", Settings())
    damaged = library_file(tmp_path / "damaged", tracks=[{"track": "no artist"}, 42], bannedArtists=[{}])
    report = ingest_paths([damaged], store, "me", Settings())
    (read,) = report.files
    assert read.note == "3 entries without names left out" and report.library is None
    profile = store.profile_id("me")
    assert profile is not None
    assert store.history.library(profile) == [LibraryEntry(LibraryKind.BANNED_ARTIST, "Crazy Frog")]


def test_library_entries_no_store_could_keep_are_counted_and_the_rest_stored(store: SqlStore, tmp_path: Path):
    """A NUL in a name (no database keeps it), a name past the 200 characters a question may name, an id
    that is no Spotify id (longer than the store's column): counted as unreadable, never a failed file."""
    library = library_file(
        tmp_path,
        tracks=[
            {"artist": "Nao", "track": "Intro", "uri": "spotify:track:4uLU6hMCjMI75M1A2tKUQC"},
            {"artist": "Nao", "track": "In\x00tro"},
            {"artist": "N" * 201, "track": "Intro"},
            {"artist": "Nao", "track": "Bad id", "uri": "spotify:track:" + "x" * 40},
        ],
    )
    report = ingest_paths([library], store, "me", Settings())
    (read,) = report.files
    assert report.library is not None and report.library["saved_song"] == 1
    assert report.library_unreadable == 3
    assert read.note == "3 with a name or id that cannot be kept (a NUL, or over 200 characters) left out"
    profile = store.profile_id("me")
    assert profile is not None
    (kept,) = store.history.library(profile)
    assert (kept.artist, kept.name) == ("Nao", "Intro")
