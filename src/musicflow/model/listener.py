"""What serving a listener needs besides a song's features: the champion, checked, and their history.

A prediction needs the listener's artist affinity over their whole history (the model serves on all
plays, not the training split); `Listener` holds it, loaded once per serving model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from musicflow.core.songs import featured_artists, match_key, subtitle_free_key, version_family
from musicflow.errors import Hint, ModelMismatchError
from musicflow.features.genres import artist_genre_names, listener_genres
from musicflow.features.lookup import SongFeatures
from musicflow.model.affinity import AffinityIndex, ArtistAffinity, artist_key
from musicflow.model.dataset import affinity_index
from musicflow.model.library_marks import NOT_IN_LIBRARY, InLibrary, LibraryMarks
from musicflow.model.predict import Prediction
from musicflow.model.registry import CHAMPION, ModelRegistry, VersionRef
from musicflow.model.snapshot import profile_plays
from musicflow.model.song_groups import song_ids
from musicflow.model.song_streams import Streamed, named_streams, played_families, ranked
from musicflow.model.trained import TrainedModel
from musicflow.store.ports import HistoryStore, PlayFact, TrackFact


def load_model(registry: ModelRegistry, profile: str, ref: VersionRef = CHAMPION) -> tuple[int, TrainedModel]:
    """The version's model, its files checked against their checksums and its registered feature list."""
    loaded = registry.load(profile, ref)
    model = TrainedModel.from_artifacts(loaded.artifacts)
    if tuple(model.features) != tuple(loaded.version.feature_names):
        raise ModelMismatchError(
            f"model v{loaded.version.version} of '{profile}' does not hold the features it was registered "
            "with",
            hint=Hint.RETRAIN,
            profile=profile,
        )
    return loaded.version.version, model


@dataclass(frozen=True, slots=True)
class SongHistory:
    """What the listener's history says of one song and its artist: the numbers the taste page shows."""

    song_streams: int  # streams of this song (every spelling and id of it)
    artist: str  # the artist as the listener's history spells it most
    artist_streams: int  # streams of every song of the artist, this one included
    artist_songs: int  # how many of the artist's songs they streamed
    artist_share: float  # the artist's share of all their streams (0 to 1)
    artist_since: int | None = None  # when they first streamed the artist (epoch seconds), when known
    artist_until: int | None = None  # when they last streamed the artist
    library: InLibrary = NOT_IN_LIBRARY  # saved, its artist followed, or banned, in the listener's library
    short_plays: int = 0  # plays of a song never streamed: each shorter than a stream (`stream_min_ms`)
    stream_min_ms: int = 30_000  # how long a play must last to be a stream
    # For a song not in the history: the version of it they played (a remix of it, the live version
    # they streamed, the studio song of the remix asked), by `version_family`; None when none.
    other_version: Streamed | None = None


@dataclass(frozen=True)
class SongPrediction:
    song: SongFeatures
    affinity: ArtistAffinity
    prediction: Prediction
    history: SongHistory


class Listener:
    """One listener's history as answers need it: artist affinity over every play of theirs, and the
    streams of each song and artist (one source for the reasons beside a prediction and the taste page)."""

    def __init__(
        self,
        index: AffinityIndex,
        song_of_track: Mapping[int, int],
        songs: Mapping[int, Streamed] | None = None,
        artist_names: Mapping[str, str] | None = None,
        library: LibraryMarks | None = None,
        unstreamed: Sequence[Streamed] = (),
        short_plays: Mapping[int, int] | None = None,
        stream_min_ms: int = 30_000,
        song_of_id: Mapping[str, int] | None = None,
        song_of_key: Mapping[str, int] | None = None,
        artist_of_song: Mapping[int, str] | None = None,
        credited: Mapping[str, set[int]] | None = None,
    ) -> None:
        self._index = index
        self.library = library or LibraryMarks()
        self._song_of_track = song_of_track
        self._song_of_id = dict(song_of_id or {})  # Spotify id -> song, of their tracks
        self._song_of_key = dict(song_of_key or {})  # loose song key -> song, of their tracks
        self._artist_of_song = dict(artist_of_song or {})  # song -> the artist key its plays count for
        self._songs = dict(songs or {})
        self._unstreamed = list(unstreamed)
        self._short_plays = dict(short_plays or {})  # song id -> plays, of the songs never streamed
        self.stream_min_ms = stream_min_ms
        self._artist_names = dict(artist_names or {})
        self._total = sum(song.streams for song in self._songs.values())
        self._by_artist: dict[str, list[Streamed]] | None = None  # artist key -> songs, built on first use
        self._credited = dict(credited or {})  # artist key -> their songs whose titles credit that artist
        self._families: dict[str, Streamed] | None = None  # version family -> song, built on first use

    @classmethod
    def load(cls, history: HistoryStore, profile: str, *, stream_min_ms: int) -> Listener:
        """The profile's own plays and tracks only (two bulk queries), whatever else the store holds."""
        profile_id = history.profile_ids().get(profile)
        if profile_id is None:
            return cls(AffinityIndex(()), {})
        library = LibraryMarks.of(history.library(profile_id))
        return cls.of_plays(
            history.played_tracks(profile_id), history.plays(profile_id), stream_min_ms, library
        )

    @classmethod
    def of_plays(
        cls,
        tracks: Sequence[TrackFact],
        facts: Sequence[PlayFact],
        stream_min_ms: int,
        library: LibraryMarks | None = None,
    ) -> Listener:
        """The listener of these plays of these tracks (one profile's), and their library."""
        song_of_track = song_ids(tracks)
        by_track = Counter(fact.track_id for fact in facts if fact.ms_played >= stream_min_ms)
        named = named_streams(tracks, by_track, song_of_track)
        artist_of_song = _artist_of_song(tracks, song_of_track, named.named_by)
        plays = profile_plays(facts, song_of_track, stream_min_ms)
        index = (
            affinity_index(plays, np.ones(len(plays.song), dtype=bool), artist_of_song)
            if plays is not None
            else AffinityIndex(())
        )
        unstreamed: dict[int, Streamed] = {}
        for track in tracks:  # played, never for long enough to be a stream: named by a spelling of it
            song = song_of_track[track.track_id]
            if song not in named.songs:
                unstreamed.setdefault(song, Streamed(track.name, track.artist, 0))
        short = Counter(
            played for fact in facts if (played := song_of_track.get(fact.track_id, -1)) in unstreamed
        )
        credits = _credits(tracks, song_of_track)
        credited: dict[str, set[int]] = {}
        for artist, _, song in credits:
            credited.setdefault(artist, set()).add(song)
        return cls(
            index,
            song_of_track,
            named.songs,
            named.artist_names,
            library,
            list(unstreamed.values()),
            short,
            stream_min_ms,
            # their songs by every id and key of theirs, whichever track a question finds
            {t.spotify_id: song_of_track[t.track_id] for t in tracks if t.spotify_id},
            _song_of_key(tracks, song_of_track, credits),
            artist_of_song,
            credited,
        )

    @property
    def genre_words(self) -> Mapping[str, float]:
        """The genre words of everything the listener streamed and their shares: what the model matches
        a song's artist against."""
        return self._index.listener_genres

    def genres(self) -> Mapping[str, float]:
        """The genres of everything the listener streamed, named as the sources name them, and their
        shares: what the taste page shows."""
        return listener_genres(self._index.artist_streams(), artist_genre_names())

    def artist_affinities(self) -> dict[str, ArtistAffinity]:
        """Affinity for every artist the listener streamed, no song left out (what batch scoring ships)."""
        return {key: self._index.of(key) for key in self._index.artist_keys()}

    def played_song_affinities(self) -> dict[str, ArtistAffinity]:
        """Every key a song of theirs is found by (`song_of`), with their streams of its artist, the
        song's own plays left out: what batch scoring ships to tell a catalog row of a song they played
        and score it as `predict` would."""
        return {
            key: self._index.of(self._artist_of_song.get(song, ""), song)
            for key, song in self._song_of_key.items()
        }

    def played_id_keys(self) -> dict[str, str]:
        """Every Spotify id of their tracks, with a key of its song (one `played_song_affinities` holds)."""
        key_of_song: dict[int, str] = {}
        for key, song in self._song_of_key.items():
            key_of_song.setdefault(song, key)
        return {sid: key_of_song[song] for sid, song in self._song_of_id.items() if song in key_of_song}

    def song_of(
        self, track_id: int | None, spotify_id: str | None = None, keys: Sequence[str] = ()
    ) -> int | None:
        """Which of the listener's songs this is, if theirs: the stored track's, else the one of theirs
        with this Spotify id, else of the first of these keys one of theirs has (`song_lookup_keys`). A
        song is theirs under any of its tracks, whichever one a question found (another listener's
        spelling, a catalog entry)."""
        song = self._song_of_track.get(track_id) if track_id is not None else None
        if song is None and spotify_id:
            song = self._song_of_id.get(spotify_id)
        for key in keys:
            if song is not None:
                break
            song = self._song_of_key.get(key)
        return song

    def affinity(
        self, artist: str, track_id: int | None, spotify_id: str | None = None, keys: Sequence[str] = ()
    ) -> ArtistAffinity:
        """The listener's streams of this artist's other songs (the song's own plays left out, found as
        `song_of` finds it)."""
        return self._index.of(artist_key(artist), self.song_of(track_id, spotify_id, keys))

    def knows_artist(self, artist: str) -> bool:
        """Whether they streamed this artist (any spelling of the name)."""
        return self._index.of(artist_key(artist)).streams > 0

    def songs_by(self, artist: str) -> list[Streamed]:
        """The songs of this artist they streamed, each named as their history spells it most."""
        if self._by_artist is None:
            by_artist: dict[str, list[Streamed]] = {}
            for _, song in ranked(self._songs):
                by_artist.setdefault(artist_key(song.artist), []).append(song)
            self._by_artist = by_artist
        return self._by_artist.get(artist_key(artist), [])

    def songs_featuring(self, artist: str) -> list[Streamed]:
        """The songs they streamed whose title credits this artist besides its singer ("Different Size
        (feat. Victony)" by Burna Boy, for Victony), most streamed first."""
        songs = self._credited.get(artist_key(artist), set())
        return [song for _, song in ranked({s: self._songs[s] for s in songs if s in self._songs})]

    def streamed(self, track_id: int) -> bool:
        """Whether they streamed the song of this stored track (any spelling or id of it)."""
        song = self._song_of_track.get(track_id)
        return song is not None and song in self._songs

    def played(self, track_id: int) -> bool:
        """Whether this stored track is one of theirs (played, for 30 s or not)."""
        return track_id in self._song_of_track

    def history(
        self,
        artist: str,
        track_id: int | None,
        song: str = "",
        spotify_id: str | None = None,
        keys: Sequence[str] = (),
    ) -> SongHistory:
        """The song's own streams and its artist's, all songs counted, as the taste page counts them;
        and what the listener's library says of it (`song`, `spotify_id`: the song as asked). The song is
        theirs under any of its tracks (`song_of`, by `keys` too where given)."""
        played = self.song_of(track_id, spotify_id, keys)
        own = self._songs.get(played) if played is not None else None
        short = self._short_plays.get(played, 0) if played is not None else 0
        other = None
        if own is None and not short and song:
            other = self.version_families().get(version_family(artist, song))
        key = artist_key(artist)
        whole = self._index.of(key)
        streams, songs, share = whole.streams, whole.songs, whole.share
        if own is not None and played is not None and self._artist_of_song.get(played) != key:
            # The song's streams count for the spelling of its artist that names it ("Paradox
            # Interactive"); asked by another ("Andreas Waldetoft"), that artist's streams hold them too.
            streams, songs = streams + own.streams, songs + 1
            share = streams / self._total if self._total else 0.0
        since, until = self._index.first_and_last(key) or (None, None)
        return SongHistory(
            short_plays=short,
            other_version=other,
            stream_min_ms=self.stream_min_ms,
            song_streams=own.streams if own is not None else 0,
            artist=self._artist_names.get(key, artist),
            artist_streams=streams,
            artist_songs=songs,
            artist_share=share,
            artist_since=since,
            artist_until=until,
            library=self.library.of_song(artist, song, spotify_id),
        )

    def version_families(self) -> dict[str, Streamed]:
        """The song families the listener played, each named by one song of it (`played_families`)."""
        if self._families is None:
            self._families = played_families(self.top_songs(), self._unstreamed)
        return self._families

    def unstreamed_songs(self) -> list[Streamed]:
        """The songs the listener played but never streamed (every play shorter than a stream)."""
        return list(self._unstreamed)

    def top_songs(self, limit: int | None = None) -> list[Streamed]:
        """The most streamed songs (every spelling of a song counted as one), most first."""
        return [song for _, song in ranked(self._songs)][:limit]

    def top_artists(self, limit: int) -> list[Streamed]:
        """The most streamed artists (every song of theirs counted), most first."""
        totals = [
            Streamed(
                self._artist_names.get(key, key),
                self._artist_names.get(key, key),
                self._index.of(key).streams,
            )
            for key in self._index.artist_keys()
        ]
        ordered = sorted(totals, key=lambda a: (-a.streams, a.name.casefold()))
        return [artist for artist in ordered[:limit] if artist.streams > 0]


def _credits(tracks: Sequence[TrackFact], song_of_track: Mapping[int, int]) -> list[tuple[str, str, int]]:
    """Each artist a title of theirs credits besides its singer ("Different Size (feat. Victony)" by
    Burna Boy: Victony), by key, with the title and its song: the one reading of the featuring credits,
    from which `songs_featuring` and `_song_of_key` find a song by an artist its title credits."""
    return [
        (artist, track.name, song_of_track[track.track_id])
        for track in tracks
        for artist in featured_artists(track.name)
    ]


def _artist_of_song(
    tracks: Sequence[TrackFact], song_of_track: Mapping[int, int], named_by: Mapping[int, int]
) -> dict[int, str]:
    """The artist key each song's streams count for: that of the spelling that names the song (its most
    streamed, `named_streams`), so that the artist an answer credits a song to holds all of its streams
    (a song one Spotify id holds under "Macklemore & Ryan Lewis" and, once, "Macklemore" counted for
    whichever spelling was stored last); a song never streamed, its first stored track's."""
    artist_of_track = {t.track_id: t.artist for t in tracks}
    keys: dict[int, str] = {}
    for track in sorted(tracks, key=lambda t: t.track_id):
        keys.setdefault(song_of_track[track.track_id], artist_key(track.artist))
    for song, track_id in named_by.items():
        keys[song] = artist_key(artist_of_track[track_id])
    return keys


def _song_of_key(
    tracks: Sequence[TrackFact], song_of_track: Mapping[int, int], credits: Sequence[tuple[str, str, int]]
) -> dict[str, int]:
    """The listener's songs by the loose key of each of their tracks, then by the key of its title
    without a subtitle where no track has that key: "C.R.E.A.M." streamed is theirs as a catalog's
    "C.R.E.A.M. (Cash Rules Everything Around Me)", "Street Spirit (Fade Out)" as "Street Spirit"; then
    by the key each artist its title credits gives it, where no track has that key and it stands for one
    song of theirs: "Princess Diana (with Nicki Minaj)" streamed as Ice Spice's is theirs as a catalog's
    row credited to Nicki Minaj first (their export names the first artist of its own credits only)."""
    found = {t.match_key: song_of_track[t.track_id] for t in tracks}
    for track in tracks:
        found.setdefault(subtitle_free_key(track.artist, track.name), song_of_track[track.track_id])
    by_credit_key: dict[str, set[int]] = {}
    for artist, title, song in credits:
        by_credit_key.setdefault(match_key(artist, title), set()).add(song)
    for key, songs in by_credit_key.items():
        if len(songs) == 1:
            found.setdefault(key, next(iter(songs)))
    return found
