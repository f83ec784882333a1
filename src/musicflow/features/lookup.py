"""Features of the songs a user asks about: what the store and the catalogs know, else the sources.

The songs need not be ones the listener played: `features show`, predictions and lists ask about any
song. Each fact is read once per question, for every song of it together: the stored tracks come from the
song index (memory), their answers and misses from the store (one query each), the catalogs' rows from
the index. A source that has not answered for a song yet is asked (the network ones only when the
caller's budget allows); what it says is kept in the store when the caller may write (`keep`), else in
this process's memory, so a question over HTTP (a GET) changes nothing in the store yet never spends a
source's quota twice on one song.

A name neither the store nor the catalogs know by its keys is looked for among the names they know
(`names.py`), before any network source is asked: a near one close enough is answered for (`matched`
says which), the others are kept as `suggestions` for a not-found answer. A caller with a listener skips
that search for an artist the listener streamed: such a song is answered from their history.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from musicflow.core.clock import Clock
from musicflow.core.songs import (
    FeatureRecord,
    NotFound,
    SongName,
    SongRequest,
    SourceAnswer,
    TrackQuery,
    base_title,
    match_key,
    primary_artist,
    track_key,
    version_kind,
)
from musicflow.errors import (
    Hint,
    InvalidPayloadError,
    MusicflowError,
    RateLimitedError,
    SongNotFoundError,
    UpstreamBudgetError,
    UpstreamError,
    UpstreamUnavailableError,
)
from musicflow.features.catalog import SOURCE as CATALOG
from musicflow.features.catalog import CatalogSource
from musicflow.features.merge import MergedFeatures, merge
from musicflow.features.names import MOST, one_typo_apart
from musicflow.features.song_index import SongIndex
from musicflow.features.source_port import FeatureSource
from musicflow.store.ports import FeatureStore, PendingTrack, StoredFeatures

log = logging.getLogger(__name__)

LOCAL_SOURCES = frozenset({CATALOG, "audio_files"})  # answer from this machine, no quota spent
Spend = Callable[[int], None]  # spends this many upstream calls or raises UpstreamBudgetError


class StreamedSong(Protocol):
    """A song a listener streamed, as their history spells it most, and how often."""

    @property
    def name(self) -> str: ...

    @property
    def artist(self) -> str: ...

    @property
    def streams(self) -> int: ...


class TheirSongs(Protocol):
    """What a listener's history says of the songs asked about (`model.listener.Listener`)."""

    def knows_artist(self, artist: str) -> bool:
        """Whether they streamed this artist."""
        ...

    def songs_by(self, artist: str) -> Sequence[StreamedSong]:
        """The songs of this artist (any spelling of their name) they streamed."""
        ...

    def songs_featuring(self, artist: str) -> Sequence[StreamedSong]:
        """The songs they streamed whose title credits this artist besides its singer."""
        ...

    def streamed(self, track_id: int) -> bool:
        """Whether they streamed the song of this stored track."""
        ...

    def played(self, track_id: int) -> bool:
        """Whether this stored track is one of theirs (played, for 30 s or not)."""
        ...


@dataclass
class SongFeatures:
    """One asked song: as stored (or as asked, when the store does not hold it) and what is known."""

    query: TrackQuery
    track_id: int | None
    merged: MergedFeatures
    not_found: dict[str, str] = field(default_factory=dict)  # source -> reason
    failed: dict[str, str] = field(default_factory=dict)  # source -> what went wrong this time
    errors: dict[str, UpstreamError] = field(default_factory=dict)  # source -> the error itself
    matched: SongName | None = None  # the known song answered for, when the name as asked found nothing
    suggestions: tuple[SongName, ...] = ()  # the nearest known names, when the name as asked found nothing
    known: bool = False  # no source has features, but the store holds the song and someone streamed it
    # the sources not asked: each had asked us to wait (`failed` says until when)
    unasked: frozenset[str] = frozenset()


class RememberedAnswers:
    """Sources' answers to songs asked over HTTP, kept in memory (the store is not written by a GET),
    and a source's "wait until then" (a long Retry-After), so that no question asks it before."""

    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._answers: OrderedDict[tuple[str, str], tuple[SourceAnswer, float]] = OrderedDict()
        self._pauses: dict[str, RateLimitedError] = {}
        self._lock = threading.Lock()

    def pause(self, paused: RateLimitedError) -> None:
        self._pauses[paused.source] = paused

    def paused(self, source: str, now: float) -> RateLimitedError | None:
        found = self._pauses.get(source)
        return found if found is not None and found.resume_at > now else None

    def get(self, key: str, source: str, now: float) -> SourceAnswer | None:
        found = self._answers.get((key, source))
        if found is None or found[1] <= now:
            return None
        return found[0]

    def put(self, key: str, source: str, answer: SourceAnswer, expires_at: float) -> None:
        with self._lock:
            self._answers[(key, source)] = (answer, expires_at)
            self._answers.move_to_end((key, source))
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)


@dataclass
class _Song:
    query: TrackQuery
    track_id: int | None
    answers: list[StoredFeatures] = field(default_factory=list)
    misses: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, UpstreamError] = field(default_factory=dict)
    matched: SongName | None = None
    suggestions: tuple[SongName, ...] = ()
    known: bool = False
    unasked: set[str] = field(default_factory=set)
    by_name: bool = False  # the catalogs answer it by its name, not by its track's Spotify id (`_as_named`)

    def answered(self, source: str) -> bool:
        return source in self.misses or any(answer.source == source for answer in self.answers)


@dataclass
class SongFinder:
    """Finds what is known of asked songs, reading each fact once for all of them."""

    store: FeatureStore
    index: SongIndex
    remembered: RememberedAnswers
    precedence: Sequence[str]
    clock: Clock
    miss_ttl_s: float

    def find(
        self,
        requests: Sequence[SongRequest],
        sources: Sequence[FeatureSource],
        *,
        keep: bool,
        spend: Spend | None = None,
        theirs: TheirSongs | None = None,
        mine: Callable[[int], bool] | None = None,
    ) -> list[SongFeatures]:
        """One answer per request, in order. `keep`: store what sources say (else: remember it here);
        `spend`: asked before a network source is called about a song (None: no limit);
        `theirs`: the listener's history (a song of an artist of theirs that no key finds is answered
        for a near song of theirs only, "Bohemian Rapsody" for "Bohemian Rhapsody", else from their
        history; a song none is near may be answered for by a near one of them; a title they streamed
        under a longer name, or a version of theirs, is answered for it: `_their_own`);
        `mine`: which stored tracks are the asking listener's own (`theirs.played` by default): another
        listener's plays are never told of, so a song only others played is not offered as a near name,
        nor said to be "known (it was played)", nor kept from being answered for a near name (None: the
        store's own user asks, a command on their machine, and every listener's songs are theirs)."""
        if mine is None and theirs is not None:
            mine = theirs.played
        now = self.clock.now()
        network = [source for source in sources if source.name not in LOCAL_SOURCES]
        songs = self._stored(requests, now, with_misses=bool(network))
        _as_asked(requests, songs, theirs)
        catalogs = [source for source in sources if source.name == CATALOG]
        for source in catalogs:
            self._ask_catalogs(songs, source)
        lost = [i for i, song in enumerate(songs) if not song.answers]
        if lost:
            self._credited(requests, songs, lost, catalogs, now, with_misses=bool(network), mine=mine)
            lost = [i for i in lost if songs[i].matched is None]
        knows = theirs.knows_artist if theirs is not None else None
        by_their_artist = {i for i in lost if knows is not None and knows(requests[i].artist)}
        if lost:
            self._near(
                requests,
                songs,
                lost,
                catalogs,
                now,
                with_misses=bool(network),
                knows=knows,
                songs_only=by_their_artist,
                mine=mine,
            )
        if theirs is not None:
            self._their_own(requests, songs, theirs, catalogs, now, with_misses=bool(network))
        if network:
            self._remembered(songs, network, now)
            self._ask_network(songs, network, keep=keep, spend=spend)
        self._known(songs, mine)
        return [
            SongFeatures(
                song.query,
                song.track_id,
                merge(song.answers, self.precedence),
                song.misses,
                song.failed,
                song.errors,
                song.matched,
                song.suggestions,
                song.known,
                frozenset(song.unasked),
            )
            for song in songs
        ]

    def _credited(
        self,
        requests: Sequence[SongRequest],
        songs: list[_Song],
        lost: Sequence[int],
        catalogs: Sequence[FeatureSource],
        now: float,
        *,
        with_misses: bool,
        mine: Callable[[int], bool] | None = None,
    ) -> None:
        """The songs nothing was found for that a catalog credits to the asked artist after another
        ("Die With A Smile" by Bruno Mars, credited to "Lady Gaga; Bruno Mars"), answered for that song
        (replacing `songs[i]`, which says which): the listener's export names its first artist only, so
        their streams of it are found too. A track someone played under the name asked is left be."""
        if not catalogs:
            return
        credits = self.index.credits()
        found = {
            i: name
            for i in lost
            if (name := credits.song_of(requests[i].song, requests[i].artist)) is not None
        }
        asked = sorted({t for i in found if (t := songs[i].track_id) is not None})
        plays = (
            {t: count for t, (_, count) in self.store.tracks_by_id(asked, played=True).items()}
            if asked
            else {}
        )
        answers = {
            i: name
            for i, name in found.items()
            if not _told(plays.get(track := songs[i].track_id or 0, 0), track, mine)
        }
        self._answer_for(requests, songs, answers, catalogs, now, with_misses=with_misses)

    def _answer_for(
        self,
        requests: Sequence[SongRequest],
        songs: list[_Song],
        answers: Mapping[int, SongName],
        catalogs: Sequence[FeatureSource],
        now: float,
        *,
        with_misses: bool,
    ) -> None:
        """Each `songs[i]` of `answers` replaced by the song answered for, as the store and the catalogs
        know it, marked as matched (the answer says "did you mean ...") unless it is the song asked, by
        its name (asked with a Spotify id of another recording of it, which nothing holds: "did you mean
        'Eluwina' by Kacper Blonsky?" to a question about Eluwina by Kacper Blonsky)."""
        if not answers:
            return
        order = sorted(answers)
        again = self._stored(
            [SongRequest(answers[i].song, answers[i].artist, requests[i].spotify_id) for i in order],
            now,
            with_misses=with_misses,
        )
        for source in catalogs:
            self._ask_catalogs(again, source)
        for i, song in zip(order, again, strict=True):
            asked, answer = requests[i], answers[i]
            same = match_key(asked.artist, asked.song) == match_key(answer.artist, answer.song)
            song.matched = None if same else answer
            songs[i] = song

    def _their_own(
        self,
        requests: Sequence[SongRequest],
        songs: list[_Song],
        theirs: TheirSongs,
        catalogs: Sequence[FeatureSource],
        now: float,
        *,
        with_misses: bool,
    ) -> None:
        """The songs the listener streamed under another title, answered for that song (replacing
        `songs[i]`, which says "did you mean"): a title typed without its bracketed part or suffix
        ("Dear Future Self" for "Dear Future Self (Hands Up) [feat. Wyclef Jean]"), when nothing was
        found as typed; a version no key finds, for theirs of that kind ("Everlong (Live)" for "Everlong -
        Live at the Pantages Theatre"), rather than the song it is a version of. A song asked by its
        Spotify id is left be."""
        answers: dict[int, SongName] = {}
        for i, (request, song) in enumerate(zip(requests, songs, strict=True)):
            if request.spotify_id:
                continue
            own = _their_song(request, song, theirs)
            if own is not None:
                answers[i] = own
        self._answer_for(requests, songs, answers, catalogs, now, with_misses=with_misses)

    def _known(self, songs: Sequence[_Song], mine: Callable[[int], bool] | None = None) -> None:
        """Marks the songs no source has features for that the store holds and someone streamed (the
        asking listener, where `mine` says which tracks are theirs)."""
        featureless = {song.track_id for song in songs if song.track_id is not None and not song.answers}
        if not featureless:
            return
        read = self.store.tracks_by_id(sorted(featureless), played=True)
        for song in songs:
            if song.track_id in featureless and song.track_id in read:
                song.known = _told(read[song.track_id][1], song.track_id, mine) > 0

    def _near(
        self,
        requests: Sequence[SongRequest],
        songs: list[_Song],
        lost: Sequence[int],
        catalogs: Sequence[FeatureSource],
        now: float,
        *,
        with_misses: bool,
        knows: Callable[[str], bool] | None,
        songs_only: frozenset[int] | set[int] = frozenset(),
        mine: Callable[[int], bool] | None = None,
    ) -> None:
        """The songs nothing was found for by their keys, looked for among the names known: one close
        enough is answered for (replacing `songs[i]`), the rest are suggested. Those of `songs_only` (by
        an artist the listener streams, whose history answers them anyway) are answered for a near song
        only, and get no suggestions. A version asked ("Song - Live") is never answered for the song or
        another kind of version of it, however near the names: that is another recording, not a typo."""
        names = self.index.names()
        nearest = {
            i: names.nearest(requests[i].song, requests[i].artist, answers_only=i in songs_only) for i in lost
        }
        theirs = {
            near.key: names.songs_by(near.key)
            for found in nearest.values()
            for near in found.artists
            if knows is not None and knows(near.key)
        }
        keys = {near.key for found in nearest.values() for near in found.songs}
        asked = {song.track_id for song in (songs[i] for i in lost) if song.track_id is not None}
        spelled, played = self._spelled(keys.union(*theirs.values()), asked, mine)
        answers: dict[int, SongName] = {}
        suggestions: dict[int, tuple[SongName, ...]] = {}
        for i, found in nearest.items():
            options = [
                (near.answers and _may_stand_for(requests[i].song, spelled[near.key]), spelled[near.key])
                for near in found.songs
                if near.key in spelled
            ]
            known = {name for _, name in options}
            by_artist = set()  # the title as typed by an artist of theirs: an answer from their history
            for near in found.artists:  # of the artist, never a song to suggest (unless a known song's
                spelling = next((spelled[key] for key in theirs.get(near.key, []) if key in spelled), None)
                if spelling is not None:  # name: "Crawling" by Linkin Park, typed "Linkin")
                    options.append((near.answers, SongName(requests[i].song, spelling.artist)))
                    if options[-1][1] not in known:
                        by_artist.add(options[-1][1])
            track = songs[i].track_id
            if track is None or not played.get(track):  # a track someone played is never replaced
                answer = next((name for close, name in options if close), None)
                if answer is not None:
                    answers[i] = answer
            asked_key = match_key(requests[i].artist, requests[i].song)
            unique = dict.fromkeys(
                name
                for _, name in options
                if name != answers.get(i)
                and name not in by_artist
                and match_key(name.artist, name.song) != asked_key
            )
            suggestions[i] = tuple(unique)[:MOST]
        self._answer_for(requests, songs, answers, catalogs, now, with_misses=with_misses)
        for i in lost:
            songs[i].suggestions = suggestions[i]

    def _spelled(
        self, keys: set[str], asked: set[int], mine: Callable[[int], bool] | None = None
    ) -> tuple[dict[str, SongName], dict[int, int]]:
        """How the store or a catalog spells the songs of these loose keys, and how often the `asked`
        tracks were played. A stored track counts when someone played it or a source knew it: not one
        stored only because a source was asked about it (a name typed wrong once is never offered back).
        Where `mine` says which tracks are the asking listener's, a track others played counts only when
        it is theirs too (a catalog that has the song still spells it), and only their plays count."""
        stored = {key: tracks for key in keys if (tracks := self.index.tracks_of(key))}
        ids = sorted({track for tracks in stored.values() for track in tracks} | asked)
        read = self.store.tracks_by_id(ids, played=True) if ids else {}
        unplayed = [track for track, (_, played) in read.items() if not played]
        known = self.store.features_of(unplayed) if unplayed else {}
        spelled: dict[str, SongName] = {}
        counts = {t: _told(n, t, mine) for t, (_, n) in read.items()}
        for key, tracks in stored.items():
            real = [t for t in tracks if t in read and (counts[t] or (not read[t][1] and known.get(t)))]
            if real:
                chosen = read[max(real, key=lambda t: (read[t][1], -t))][0].query  # the most played
                spelled[key] = SongName(chosen.song, chosen.artist)
        rest = sorted(keys - spelled.keys())
        if rest:
            for key, (song, artist) in self.store.catalog_names(rest).items():
                spelled[key] = SongName(song, artist)
        return spelled, {track: counts[track] for track in asked if track in read}

    def _stored(self, requests: Sequence[SongRequest], now: float, *, with_misses: bool) -> list[_Song]:
        """Each song's stored track (exact spelling, else the most played of the same loose key) with
        what every source said of it and, `with_misses`, the network sources that did not know it:
        three queries at most. (The catalogs are asked again from memory rather than read.)"""
        if not self.index.loaded:  # a one-shot command: two queries rather than the whole index
            found = self.store.find_tracks([(r.song, r.artist) for r in requests])
            named = [found.get((r.song, r.artist)) for r in requests]
            return self._with_answers(requests, self._by_id(requests, named), now, with_misses)
        self.index.refresh_if_due()
        candidates = [self.index.stored_tracks(r.song, r.artist) for r in requests]
        wanted = {tid for exact, loose in candidates for tid in ([exact] if exact is not None else loose)}
        choosing = any(exact is None and len(loose) > 1 for exact, loose in candidates)
        tracks = self.store.tracks_by_id(sorted(wanted), played=choosing) if wanted else {}
        chosen: list[PendingTrack | None] = []
        for exact, loose in candidates:
            if exact is not None and exact in tracks:
                chosen.append(tracks[exact][0])
                continue
            ranked = sorted((-tracks[t][1], t) for t in loose if t in tracks)
            chosen.append(tracks[ranked[0][1]][0] if ranked else None)
        return self._with_answers(requests, self._by_id(requests, chosen), now, with_misses)

    def _by_id(
        self, requests: Sequence[SongRequest], named: Sequence[PendingTrack | None]
    ) -> list[PendingTrack | None]:
        """The tracks found by name, but where a song was asked with a Spotify id that names another
        recording than the one found (or none was found by name): the recording of that id (the id finds
        the exact recording), its stored track if any, else none (the sources are asked by the id)."""
        other = {
            r.spotify_id
            for r, track in zip(requests, named, strict=True)
            if r.spotify_id and (track is None or track.query.spotify_id not in (None, r.spotify_id))
        }
        if not other:
            return list(named)
        held = self.store.tracks_by_spotify_id(sorted(other))
        return [
            held.get(r.spotify_id) if r.spotify_id in other else track
            for r, track in zip(requests, named, strict=True)
        ]

    def _with_answers(
        self,
        requests: Sequence[SongRequest],
        chosen: Sequence[PendingTrack | None],
        now: float,
        with_misses: bool,
    ) -> list[_Song]:
        """The songs as stored (or as asked), with what every source said of their tracks."""
        ids = sorted({track.track_id for track in chosen if track is not None})
        stored = self.store.features_of(ids) if ids else {}
        misses = self.store.misses_of(ids, now) if ids and with_misses else {}
        songs = []
        for request, track in zip(requests, chosen, strict=True):
            if track is None:
                query = TrackQuery(
                    track_key(request.artist, request.song), request.song, request.artist, request.spotify_id
                )
                songs.append(_Song(query, None))
                continue
            query = track.query
            if request.spotify_id and not query.spotify_id:
                query = replace(query, spotify_id=request.spotify_id)
            songs.append(
                _Song(
                    query,
                    track.track_id,
                    list(stored.get(track.track_id, [])),
                    dict(misses.get(track.track_id, {})),
                )
            )
        return songs

    def _ask_catalogs(self, songs: Sequence[_Song], source: FeatureSource) -> None:
        """The catalogs' answers from the index, for the songs they have not answered yet."""
        waiting = [song for song in songs if not song.answered(CATALOG)]
        if not waiting:
            return
        catalogs = CatalogSource(self.index) if isinstance(source, CatalogSource) else source
        while waiting:  # answers are keyed by track key: one spelling with two Spotify ids goes twice
            batch: dict[str, _Song] = {}
            later: list[_Song] = []
            for song in waiting:
                if batch.setdefault(song.query.key, song) is not song:
                    later.append(song)
            answers = catalogs.fetch(
                [replace(s.query, spotify_id=None) if s.by_name else s.query for s in batch.values()]
            )
            for song in batch.values():
                _take(song, CATALOG, answers.get(song.query.key))
            waiting = later

    def _remembered(self, songs: Sequence[_Song], network: Sequence[FeatureSource], now: float) -> None:
        for song in songs:
            for source in network:
                if not song.answered(source.name):
                    _take(song, source.name, self.remembered.get(song.query.key, source.name, now))

    def _ask_network(
        self, songs: Sequence[_Song], network: Sequence[FeatureSource], *, keep: bool, spend: Spend | None
    ) -> None:
        """Ask each source about the songs it has not answered, but never one that asked us to wait (as
        the store records, or this process remembers) until then; one that asks now is asked no more,
        and the wait is recorded (in the store when the caller may write, else here)."""
        paused = {source.name: found for source in network if (found := self._paused(source.name))}
        for song in songs:
            asking = [source for source in network if not song.answered(source.name)]
            for source in asking:
                if source.name in paused:
                    _failed(song, source.name, paused[source.name])
                    song.unasked.add(source.name)
            asking = [source for source in asking if source.name not in paused]
            if not asking:
                continue
            if spend is not None:
                try:
                    spend(len(asking))
                except UpstreamBudgetError as spent:
                    for source in asking:
                        song.failed[source.name] = str(spent)
                        song.errors[source.name] = spent
                    continue
            for source in asking:
                limited = self._ask(song, source, keep)
                if limited is not None:
                    paused[source.name] = limited
                    self.remembered.pause(limited)
                    if keep:
                        self.store.pause_source(source.name, limited.resume_at, str(limited))

    def _paused(self, source: str) -> RateLimitedError | None:
        """The source's wait, when it asked for one that has not ended: remembered here, or in the store
        (a `features fetch`, another process)."""
        now = self.clock.now()
        remembered = self.remembered.paused(source, now)
        if remembered is not None:
            return remembered
        stored = self.store.source_pause(source)
        if stored is None or stored.resume_at <= now:
            return None
        return RateLimitedError(stored.reason, source=source, resume_at=stored.resume_at)

    def _ask(self, song: _Song, source: FeatureSource, keep: bool) -> RateLimitedError | None:
        """Ask one source about one song; the error when it asked us to wait."""
        try:
            answers = source.fetch([song.query])
        except (RateLimitedError, UpstreamError) as exc:
            log.warning("%s could not answer: %s", source.name, exc)
            _failed(song, source.name, exc)
            return exc if isinstance(exc, RateLimitedError) else None
        answer = answers.get(song.query.key)
        if answer is None:
            return None
        now = self.clock.now()
        if keep:
            self._keep(song, source.name, answer, now)
        else:
            expires = now + self.miss_ttl_s if isinstance(answer, NotFound) else float("inf")
            self.remembered.put(song.query.key, source.name, answer, expires)
        _take(song, source.name, answer)
        if isinstance(answer, FeatureRecord) and answer.spotify_id and not song.query.spotify_id:
            song.query = replace(song.query, spotify_id=answer.spotify_id)  # id-only sources may ask now
        return None

    def _keep(self, song: _Song, source: str, answer: SourceAnswer, now: float) -> None:
        if song.track_id is None:
            self.store.ensure_tracks([(song.query.song, song.query.artist, song.query.spotify_id)])
            found = self.store.find_tracks([(song.query.song, song.query.artist)])
            track = found.get((song.query.song, song.query.artist))
            if track is None:  # pragma: no cover - the insert above makes it exist
                return
            song.track_id = track.track_id
            if self.index.loaded:
                self.index.refresh()
        self.store.save_answers(source, {song.track_id: answer}, now=now, miss_ttl_s=self.miss_ttl_s)


def _told(played: int, track: int, mine: Callable[[int], bool] | None) -> int:
    """How often the track was played (`played`, by anyone), as the asking listener may be told: all of
    it where `mine` is None, else 0 unless the track is one of theirs (another listener's plays are
    theirs alone)."""
    return played if mine is None or (played and mine(track)) else 0


def _failed(song: _Song, source: str, error: UpstreamError) -> None:
    """The source could not answer for the song: what went wrong, in words that name it once (the
    message says which source it is about), and a wait as the time it ends."""
    said = str(error).removeprefix(f"{source}: ")
    if isinstance(error, RateLimitedError):
        until = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(error.resume_at))
        said = f"rate limited: it asked us to wait until {until}"
    song.failed[source] = said
    song.errors[source] = error


def _take(song: _Song, source: str, answer: SourceAnswer | None) -> None:
    if isinstance(answer, FeatureRecord):
        song.answers.append(
            StoredFeatures(
                source, answer.origin, answer.fetched_at, answer.values, answer.spotify_id, answer.isrc
            )
        )
    elif isinstance(answer, NotFound):
        song.misses[source] = answer.reason


def missing_features_error(
    song: str, artist: str, asked: Sequence[str], found: SongFeatures
) -> MusicflowError:
    """Why a song has no features, as an error: a source that failed says so (it may know the song
    once it answers again); otherwise the song is not found, naming what was searched and asked."""
    message = no_features_message(song, artist, asked, found)
    for error in found.errors.values():
        if isinstance(error, UpstreamBudgetError):
            return error
    for error in found.errors.values():
        if isinstance(error, RateLimitedError):
            return RateLimitedError(message, source=error.source, resume_at=error.resume_at)
    if any(isinstance(error, InvalidPayloadError) for error in found.errors.values()):
        return InvalidPayloadError(message)
    if found.errors:
        return UpstreamUnavailableError(message)
    suggestions = found.suggestions
    if found.matched is not None and found.matched not in suggestions:
        suggestions = (found.matched, *suggestions)  # the song the name was taken for: never the name itself
    return SongNotFoundError(message, hint=Hint.ADD_FEATURE_SOURCE, suggestions=suggestions)


def no_features_message(song: str, artist: str, asked: Sequence[str], found: SongFeatures) -> str:
    """Why a song has no features: what was searched (and the song it was taken for), which sources
    were asked, what each said; a song the store knows (someone streamed it) is said to be known."""
    said: Mapping[str, str] = {**found.not_found, **found.failed}
    why = "; ".join(f"{s}: {r}" for s, r in said.items())
    asked = [source for source in asked if source not in found.unasked]
    sources = f"(asked: {', '.join(asked) or 'no source'}{'; ' + why if why else ''})"
    if found.matched is not None:
        taken = f"'{song}' by '{artist}': {found.matched.did_you_mean} "
        if found.known:
            return f"{taken}It is known (it was played), but no source has features for it {sources}"
        return f"{taken}No source has features for it {sources}"
    if found.known:
        return f"'{song}' by '{artist}' is known (it was played), but no source has features for it {sources}"
    return f"no source has features for '{song}' by '{artist}' {sources}"


def _may_stand_for(asked: str, near: SongName) -> bool:
    """Whether a known song whose name is near the asked title may answer for it: not when the title
    names a kind of version (a remix, a live version) that the known song is not."""
    kind = version_kind(asked)
    return kind is None or version_kind(near.song) == kind


def _as_asked(requests: Sequence[SongRequest], songs: Sequence[_Song], theirs: TheirSongs | None) -> None:
    """The catalogs answer each song for the recording asked, whatever the stored track found holds:
    - asked with a Spotify id its track does not hold (a track of the same song, found by the id's
      catalog row), by that id: the id is the exact recording;
    - asked by name, found as a track someone else played under its Spotify id, by name (the recording
      `catalog.by_name` picks, as `recommend` lists it), not by another listener's recording.
    Their own track keeps its id. The stored catalog answers, given for the track's id, are set aside."""
    for request, song in zip(requests, songs, strict=True):
        if song.track_id is None or not song.query.spotify_id:
            continue
        if request.spotify_id:
            if song.query.spotify_id == request.spotify_id:
                continue
            song.query = replace(song.query, spotify_id=request.spotify_id)
        elif theirs is None or theirs.played(song.track_id):
            continue
        else:
            song.by_name = True
        song.answers = [answer for answer in song.answers if answer.source != CATALOG]
        song.misses.pop(CATALOG, None)


def _their_song(request: SongRequest, song: _Song, theirs: TheirSongs) -> SongName | None:
    """The listener's own song a request means, when it was found as another or not at all: of the
    artist's songs they streamed, the most streamed with the title's base (`base_title`) and, for a
    version ("Everlong (Live)") that nothing holds as typed, the same kind of version ("Everlong - Live
    at the Pantages Theatre"), never in place of another recording a catalog holds under that title
    ("Everlong - Live at the Roundhouse"); for a plain title, only when nothing was found as typed, and a
    song that is not a version first; a plain title no base of theirs is, for one a single typo from it
    ("Ligth It Up" for "Light It Up (feat. Nyla & Fuse ODG) [Remix]", the one they streamed)."""
    found = bool(song.answers) or song.matched is not None
    if found and "(" not in request.song and "[" not in request.song and " - " not in request.song:
        return None  # a plain title found as typed (what most questions are): no version, nothing to do
    kind = version_kind(request.song)
    base = base_title(request.song)
    if kind is None:
        if found:
            return None
        if song.track_id is not None and theirs.streamed(song.track_id):
            return None
    elif song.track_id is not None and version_kind(song.query.song) == kind:
        return None  # found as a song that is this kind of version
    elif found and song.matched is None:
        return None  # this very version, found as typed in a catalog: another recording than theirs
    artist = primary_artist(request.artist)
    by_artist = [mine for mine in theirs.songs_by(request.artist) if primary_artist(mine.artist) == artist]
    candidates = [mine for mine in by_artist if base_title(mine.name) == base]
    if not candidates and kind is None and not found:  # a typo in a title of theirs: "Ligth It Up"
        candidates = [mine for mine in by_artist if one_typo_apart(base, base_title(mine.name))]
    if kind is not None:
        candidates = [found for found in candidates if version_kind(found.name) == kind]
    elif song.track_id is not None:  # the plain song is stored: never one of its versions
        candidates = [found for found in candidates if version_kind(found.name) is None]
    if not candidates and kind is None:  # by an artist its title credits: "Different Size" by Victony,
        candidates = [  # streamed as "Different Size (feat. Victony)" by Burna Boy (never a version)
            found
            for found in theirs.songs_featuring(request.artist)
            if base_title(found.name) == base and version_kind(found.name) is None
        ]
    if not candidates:
        return None
    best = min(candidates, key=lambda f: (version_kind(f.name) is not None, -f.streams, f.name.casefold()))
    if track_key(best.artist, best.name) == track_key(request.artist, request.song):
        return None
    return SongName(best.name, best.artist)
