"""What the listener's own library says of a song: saved to their Liked Songs, its artist followed, or
banned (the song, or every song of the artist).

A ban is the listener's own word that they do not want a song: it is a firm zero, whatever the model
predicts, and no recommendation names it. Saving and following are facts to show beside an answer; they
are not model inputs (the library carries no dates, so in a time-split evaluation it would leak the
future).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from musicflow.core.songs import match_key, primary_artist
from musicflow.store.ports import LibraryEntry, LibraryKind


class Ban(StrEnum):
    SONG = "song"
    ARTIST = "artist"


@dataclass(frozen=True, slots=True)
class InLibrary:
    """One song in the listener's library."""

    saved: bool = False
    followed: bool = False  # its artist
    banned: Ban | None = None


NOT_IN_LIBRARY = InLibrary()


@dataclass(frozen=True)
class LibraryMarks:
    """The library as sets of song keys (loose song keys and Spotify ids) and artist keys."""

    saved_songs: frozenset[str] = frozenset()
    banned_songs: frozenset[str] = frozenset()
    followed_artists: frozenset[str] = frozenset()
    banned_artists: frozenset[str] = frozenset()

    @classmethod
    def of(cls, entries: Iterable[LibraryEntry]) -> LibraryMarks:
        songs: dict[LibraryKind, set[str]] = {LibraryKind.SAVED_SONG: set(), LibraryKind.BANNED_SONG: set()}
        artists: dict[LibraryKind, set[str]] = {
            LibraryKind.FOLLOWED_ARTIST: set(),
            LibraryKind.BANNED_ARTIST: set(),
        }
        for entry in entries:
            if entry.kind in songs:
                songs[entry.kind].add(match_key(entry.artist, entry.name))
                if entry.spotify_id:
                    songs[entry.kind].add(entry.spotify_id)
            elif entry.kind in artists:
                artists[entry.kind].add(primary_artist(entry.artist))
        return cls(
            frozenset(songs[LibraryKind.SAVED_SONG]),
            frozenset(songs[LibraryKind.BANNED_SONG]),
            frozenset(artists[LibraryKind.FOLLOWED_ARTIST]),
            frozenset(artists[LibraryKind.BANNED_ARTIST]),
        )

    def __bool__(self) -> bool:
        return bool(self.saved_songs or self.banned_songs or self.followed_artists or self.banned_artists)

    def of_song(self, artist: str, song: str, spotify_id: str | None = None) -> InLibrary:
        if not self:
            return NOT_IN_LIBRARY
        keys = {match_key(artist, song), *((spotify_id,) if spotify_id else ())}
        artist_key = primary_artist(artist)
        banned = (
            Ban.SONG
            if keys & self.banned_songs
            else Ban.ARTIST
            if artist_key in self.banned_artists
            else None
        )
        return InLibrary(bool(keys & self.saved_songs), artist_key in self.followed_artists, banned)
