"""Artist affinity: how much the listener already streams a song's artist, the strongest single signal.

Computed only from the plays a split allows (the training period), and for a song the listener played,
without that song's own plays: otherwise the feature would contain the target (model-evaluation.md,
trap 5).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from musicflow.features.matching import primary_artist


@dataclass(frozen=True, slots=True)
class ArtistAffinity:
    """The listener's streams of the artist's other songs, and how many such songs they streamed."""

    streams: int = 0
    songs: int = 0


NO_AFFINITY = ArtistAffinity()


def artist_key(artist: str) -> str:
    """The artist a song is credited to first, folded like song keys are."""
    return primary_artist(artist)


class AffinityIndex:
    """Streams per artist and per song from a chosen set of plays, answering with a song left out."""

    def __init__(self, song_streams: Iterable[tuple[int, str, int]]) -> None:
        """`song_streams`: (song id, artist key, streams in the allowed period), one per song."""
        self._song: dict[int, tuple[str, int]] = {}
        self._artist_streams: dict[str, int] = {}
        self._artist_songs: dict[str, int] = {}
        for song, artist, streams in song_streams:
            if streams <= 0:
                continue
            self._song[song] = (artist, streams)
            self._artist_streams[artist] = self._artist_streams.get(artist, 0) + streams
            self._artist_songs[artist] = self._artist_songs.get(artist, 0) + 1

    def of(self, artist: str, song: int | None = None) -> ArtistAffinity:
        """Affinity for `artist`, excluding the plays of `song` when the listener streamed it."""
        streams = self._artist_streams.get(artist, 0)
        if not streams:
            return NO_AFFINITY
        songs = self._artist_songs[artist]
        own = self._song.get(song) if song is not None else None
        if own is not None and own[0] == artist:
            streams -= own[1]
            songs -= 1
        return ArtistAffinity(streams, songs)

    @property
    def artists(self) -> int:
        return len(self._artist_streams)
