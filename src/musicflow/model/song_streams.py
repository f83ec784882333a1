"""A listener's streams per song: every spelling and Spotify id of a song counted as one song.

One count for every place that says how often a song was streamed: the answer to a prediction ("You have
streamed it 10 times already"), the taste page's top tracks, and `musicflow streams top`. A song is named
by its most streamed spelling (ties: the spelling stored first), its artist by the artist's most streamed
spelling. Tracks are grouped into songs by `song_groups.song_ids`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from musicflow.core.plurals import times
from musicflow.core.songs import primary_artist, version_family, version_kind
from musicflow.model.song_groups import song_ids
from musicflow.store.ports import TrackFact, TrackStreams


@dataclass(frozen=True, slots=True)
class Streamed:
    """A song or an artist with its streams, named as the listener's history spells it most."""

    name: str
    artist: str
    streams: int


@dataclass(frozen=True)
class NamedStreams:
    """Song id -> its streams, named; the id of the track whose spelling names each song; and each
    artist key's most streamed spelling."""

    songs: dict[int, Streamed]
    named_by: dict[int, int]
    artist_names: dict[str, str]


def named_streams(
    tracks: Sequence[TrackFact], by_track: Mapping[int, int], song_of_track: Mapping[int, int]
) -> NamedStreams:
    """Each streamed song's streams (`by_track`: streams per track id), named by its most streamed
    spelling; each artist key's most streamed spelling."""
    named = {t.track_id: t for t in tracks}
    per_song: dict[int, int] = {}
    spelling: dict[int, tuple[int, int]] = {}  # song -> (streams of its best spelling, track id)
    artist_spellings: dict[str, Counter[str]] = {}
    for track_id, streams in by_track.items():
        if streams <= 0:
            continue
        song = song_of_track[track_id]
        per_song[song] = per_song.get(song, 0) + streams
        best = spelling.get(song)
        if best is None or (streams, -track_id) > (best[0], -best[1]):
            spelling[song] = (streams, track_id)
        track = named[track_id]
        artist_spellings.setdefault(primary_artist(track.artist), Counter())[track.artist] += streams
    songs = {
        song: Streamed(named[spelling[song][1]].name, named[spelling[song][1]].artist, streams)
        for song, streams in per_song.items()
    }
    artist_names = {key: counts.most_common(1)[0][0] for key, counts in artist_spellings.items()}
    return NamedStreams(songs, {song: best[1] for song, best in spelling.items()}, artist_names)


def ranked(songs: Mapping[int, Streamed]) -> list[tuple[int, Streamed]]:
    """The songs most streamed first (ties: by artist, then title, case folded)."""
    return sorted(songs.items(), key=lambda s: (-s[1].streams, s[1].artist.casefold(), s[1].name.casefold()))


def song_streams(rows: Sequence[TrackStreams]) -> list[TrackStreams]:
    """Per-track counts (`HistoryStore.track_streams`, every track the listener played, with its loose
    key: one read of the plays) as per-song counts, most streamed first: streams, plays and time summed
    over the song's spellings, named and identified (its Spotify id) by its most streamed spelling."""
    tracks = [TrackFact(r.track_id, r.track, r.artist, r.spotify_id, r.match_key) for r in rows]
    song_of_track = song_ids(tracks)
    named = named_streams(tracks, {r.track_id: r.streams for r in rows}, song_of_track)
    plays: Counter[int] = Counter()
    played_ms: Counter[int] = Counter()
    for row in rows:
        song = song_of_track[row.track_id]
        plays[song] += row.plays
        played_ms[song] += row.ms_played
    spotify = {t.track_id: t.spotify_id for t in tracks}
    return [
        TrackStreams(
            song.name,
            song.artist,
            spotify[named.named_by[song_id]],
            song.streams,
            plays[song_id],
            played_ms[song_id],
            named.named_by[song_id],
        )
        for song_id, song in ranked(named.songs)
    ]


def played_families(streamed: Sequence[Streamed], unstreamed: Sequence[Streamed]) -> dict[str, Streamed]:
    """The song families the listener played (every version of a song shares one: `version_family`),
    each named by the song itself where they streamed it, else by their most streamed version of it, or
    for a family only ever skipped, a spelling of it (with 0 streams): to a listener of "Despacito" (2
    streams) and its remix (5), another remix is "a remix of Despacito, which you streamed 2 times".
    `streamed`: most streamed first."""
    families: dict[str, Streamed] = {}
    places: dict[str, tuple[bool, bool]] = {}
    for song in [*streamed, *unstreamed]:
        family = version_family(song.artist, song.name)
        place = (song.streams == 0, version_kind(song.name) is not None)
        if family not in places or place < places[family]:
            families[family], places[family] = song, place
    return families


def version_words(song: str, played: Streamed) -> str:
    """What another version of a song the listener played is to them: "a remix of Grip, which you
    streamed 40 times"; a title that names no kind of version ("La La Land (feat. YG)" for a listener of
    "La La Land - Acoustic") is "another version", never named after the kind of the one they played."""
    kind = version_kind(song) or "another version"
    if played.streams:
        return f"{kind} of {played.name}, which you streamed {times(played.streams)}"
    return f"{kind} of {played.name}, which you played but never streamed"
