"""Artist affinity: how much the listener already streams a song's artist, the strongest single signal.

Computed only from the plays a split allows (the training period), and for a song the listener played,
without that song's own plays: otherwise the feature would contain the target (model-evaluation.md,
trap 5). Besides the streams and songs, it says what share of all the listener's streams the artist
holds, and how long before the reference time (the end of the allowed period) the listener first and
last streamed the artist: an artist streamed for years and still streamed last week is not one heard
once long ago.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from musicflow.core.songs import primary_artist
from musicflow.features.genres import Genres, genre_match, listener_genres

DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class ArtistAffinity:
    """The listener's streams of the artist's other songs, how many such songs, their share of all the
    listener's streams, and the days before the reference time of the first and last of those streams
    (NaN when the listener never streamed another song of the artist)."""

    streams: int = 0
    songs: int = 0
    share: float = 0.0
    first_days: float = math.nan
    last_days: float = math.nan
    genre_match: float = math.nan  # the share of the listener's genres the artist's hold (`genres.py`)

    def as_tuple(self) -> tuple[int, int, float, float, float, float]:
        """In the order of the model's affinity columns (`vectorize.AFFINITY_COLUMNS`)."""
        return (self.streams, self.songs, self.share, self.first_days, self.last_days, self.genre_match)


NO_AFFINITY = ArtistAffinity()

# (song id, artist key, streams) or (song id, artist key, streams, first stream time, last stream time)
SongStreams = tuple[int, str, int] | tuple[int, str, int, int, int]


def artist_key(artist: str) -> str:
    """The artist a song is credited to first, folded like song keys are."""
    return primary_artist(artist)


@dataclass
class _Artist:
    streams: int = 0
    songs: int = 0
    firsts: list[tuple[int, int]] | None = None  # the two earliest (first stream time, song)
    lasts: list[tuple[int, int]] | None = None  # the two latest (-last stream time, song)


class AffinityIndex:
    """Streams per artist and per song from a chosen set of plays, answering with a song left out."""

    def __init__(
        self,
        song_streams: Iterable[SongStreams],
        reference: int | None = None,
        genres: Mapping[str, Genres] | None = None,
    ) -> None:
        """`song_streams`: one per song, streams in the allowed period (with the times of the first and
        last of them, when known); `reference`: the time recency is measured from (the period's end);
        `genres`: artist genres, to say how well an artist matches the genres of these streams (every
        stream counted, the song's own too: one song moves a listener's genres little)."""
        self._song: dict[int, tuple[str, int]] = {}
        self._artists: dict[str, _Artist] = {}
        self._total = 0
        self._reference = reference
        for item in song_streams:
            song, artist, streams = item[0], item[1], item[2]
            if streams <= 0:
                continue
            self._song[song] = (artist, streams)
            entry = self._artists.setdefault(artist, _Artist())
            entry.streams += streams
            entry.songs += 1
            self._total += streams
            if len(item) == 5 and reference is not None:
                entry.firsts = sorted([*(entry.firsts or []), (item[3], song)])[:2]
                entry.lasts = sorted([*(entry.lasts or []), (-item[4], song)])[:2]
        self._genres = genres or {}
        self._listener_genres = listener_genres(self.artist_streams(), self._genres) if genres else {}

    def genre_match(self, artist: str) -> float:
        """How well `artist` matches the genres of these streams (NaN when either is unknown)."""
        return genre_match(artist, self._listener_genres, self._genres)

    @property
    def listener_genres(self) -> Genres:
        """The genre words of these streams and their shares, as the model matches them (empty without
        genres)."""
        return self._listener_genres

    def of(self, artist: str, song: int | None = None) -> ArtistAffinity:
        """Affinity for `artist`, excluding the plays of `song` when the listener streamed it."""
        entry = self._artists.get(artist)
        match = self.genre_match(artist) if self._listener_genres else math.nan
        if entry is None:
            return NO_AFFINITY if math.isnan(match) else ArtistAffinity(genre_match=match)
        streams, songs = entry.streams, entry.songs
        own = self._song.get(song) if song is not None else None
        left_out = song if own is not None and own[0] == artist else None
        if left_out is not None and own is not None:
            streams -= own[1]
            songs -= 1
        if not streams:
            return NO_AFFINITY if math.isnan(match) else ArtistAffinity(genre_match=match)
        first = _other(entry.firsts, left_out)
        last = _other(entry.lasts, left_out)
        return ArtistAffinity(
            streams,
            songs,
            share=streams / self._total,
            first_days=self._days_before(first),
            last_days=self._days_before(-last if last is not None else None),
            genre_match=match,
        )

    def first_and_last(self, artist: str) -> tuple[int, int] | None:
        """When the listener first and last streamed `artist` (any song of theirs; epoch seconds), when
        the plays' times are known."""
        entry = self._artists.get(artist)
        if entry is None or not entry.firsts or not entry.lasts:
            return None
        return entry.firsts[0][0], -entry.lasts[0][0]

    def _days_before(self, moment: int | None) -> float:
        if moment is None or self._reference is None:
            return math.nan
        return max(self._reference - moment, 0) / DAY_S

    @property
    def artists(self) -> int:
        return len(self._artists)

    def artist_keys(self) -> list[str]:
        """Every artist the chosen plays streamed."""
        return list(self._artists)

    def artist_streams(self) -> dict[str, float]:
        """Every artist the chosen plays streamed, and how many times."""
        return {artist: float(entry.streams) for artist, entry in self._artists.items()}


def _other(extremes: list[tuple[int, int]] | None, left_out: int | None) -> int | None:
    """The most extreme time among the artist's songs other than `left_out`."""
    for moment, song in extremes or []:
        if song != left_out:
            return moment
    return None
