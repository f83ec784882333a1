"""What the store knows of songs' identity and the catalogs' rows, held in memory for questions.

A listener asks about songs nobody asked before, most of them in no table but a catalog. Answering such a
question from SQL costs a statement per fact; from memory it costs a dictionary lookup. The index keeps
the track keys (which songs the store holds, and under which loose keys) and the catalogs' rows by
Spotify id and loose key. It follows the store: at most once per `check_every_s` it asks (two small
queries) whether tracks were added or removed or a catalog changed, and reads again what did; a write
made through this process calls `refresh`. Catalogs too large to hold (`max_catalog_rows`) stay in the
store and are asked per question, as are the catalogs of an index not held (a one-shot command, which
reads their keys only, when a name no key finds is looked for).

For names no key finds, `names` gives a `NameIndex` of the same loose keys (stored tracks and catalogs
held in memory), and `credits` the catalog songs of several artists by each of them, built on first use
after the index changed: once per state, never per question.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from musicflow.core.perf import collector_paused
from musicflow.core.songs import match_key, track_key
from musicflow.features.names import Credits, NameIndex
from musicflow.store.ports import FeatureStore, StoredFeatures

log = logging.getLogger(__name__)

CatalogMatches = tuple[dict[str, list[StoredFeatures]], dict[str, list[StoredFeatures]]]


@dataclass
class _Catalogs:
    revision: tuple[tuple[str, float, int], ...] | None = None
    by_id: dict[str, list[StoredFeatures]] | None = None  # None: not held (too large, or one-shot)
    by_key: dict[str, list[StoredFeatures]] = field(default_factory=dict)
    keys: tuple[str, ...] | None = None  # the rows' loose keys, where the rows themselves are not held

    @property
    def loose_keys(self) -> tuple[str, ...]:
        """The loose keys near names are looked for among."""
        return self.keys if self.keys is not None else tuple(self.by_key)


@dataclass
class _Tracks:
    revision: tuple[int, int] = (0, 0)
    exact: dict[str, int] = field(default_factory=dict)  # track key -> id
    loose: dict[str, list[int]] = field(default_factory=dict)  # loose key -> ids


class _LastRead:
    """The catalogs this process read last, and the near names built on them, shared by every index.

    A catalog's rows never change under one revision: an import replaces a catalog whole, under a new
    import time. So an index of a store holding the same catalogs (a copy of the data directory, a
    command run in a process that served before, a worker that trains one listener after another)
    takes them instead of reading a hundred thousand rows again. Only the last revision is kept: what
    it holds is what a server holds anyway."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._catalogs: _Catalogs | None = None
        self._names: tuple[_Catalogs, tuple[str, ...], NameIndex] | None = None

    def catalogs(self, revision: tuple[tuple[str, float, int], ...]) -> _Catalogs | None:
        with self._lock:
            last = self._catalogs
        return last if last is not None and last.revision == revision else None

    def read(self, catalogs: _Catalogs) -> None:
        with self._lock:
            self._catalogs = catalogs

    def names(self, catalogs: _Catalogs, tracks: tuple[str, ...]) -> NameIndex:
        """The near names of these catalogs and these tracks' loose keys, built unless they were last."""
        with self._lock:
            last = self._names
        if last is not None and last[0] is catalogs and last[1] == tracks:
            return last[2]
        built = NameIndex([*tracks, *catalogs.loose_keys])
        with self._lock:
            self._names = (catalogs, tracks, built)
        return built


_LAST_READ = _LastRead()


class SongIndex:
    """Track keys and catalog rows in memory, following the store; safe to share between threads."""

    def __init__(
        self, store: FeatureStore, *, check_every_s: float = 1.0, max_catalog_rows: int = 1_000_000
    ) -> None:
        self._store = store
        self._check_every_s = check_every_s
        self._max_catalog_rows = max_catalog_rows
        self._catalogs = _Catalogs()
        self._tracks = _Tracks()
        self._checked = -float("inf")
        self._lock = threading.Lock()
        self._names: tuple[_Tracks, _Catalogs, NameIndex] | None = None
        self._credits: tuple[_Catalogs, Credits] | None = None
        self._names_lock = threading.Lock()
        self._held = False

    @property
    def loaded(self) -> bool:
        """Whether the index is in memory (a one-shot command asks the store instead, unless it needed
        the near names)."""
        return self._checked > -float("inf")

    def hold(self) -> None:
        """Read everything into memory now and follow the store from here on (what a server does)."""
        self._held = True
        self.refresh()

    def refresh_if_due(self) -> None:
        """Follow the store, at most once per `check_every_s`, once the index is in memory."""
        if self.loaded and time.monotonic() - self._checked >= self._check_every_s:
            self.refresh()

    def _ensure(self) -> None:
        if not self.loaded:
            self.refresh()

    def refresh(self) -> None:
        """Ask the store now whether tracks or catalogs changed, and read again what did."""
        with self._lock, collector_paused():  # a catalog is hundreds of thousands of objects
            self._refresh_tracks()
            self._refresh_catalogs()
            self._checked = time.monotonic()

    def stored_tracks(self, song: str, artist: str) -> tuple[int | None, list[int]]:
        """The stored track of this exact spelling (None if none) and those of the same loose key."""
        self._ensure()
        tracks = self._tracks
        return tracks.exact.get(track_key(artist, song)), tracks.loose.get(match_key(artist, song), [])

    def tracks_of(self, loose_key: str) -> list[int]:
        """The stored tracks of this loose key (`match_key`), in the order they were stored."""
        self._ensure()
        return self._tracks.loose.get(loose_key, [])

    def names(self) -> NameIndex:
        """The loose keys of every stored track and every catalog row held in memory, for near names;
        built on first use after the tracks or the catalogs changed."""
        self._ensure()
        tracks, catalogs = self._tracks, self._catalogs
        built = self._names
        if built is not None and built[0] is tracks and built[1] is catalogs:
            return built[2]
        with self._names_lock:
            built = self._names
            if built is None or built[0] is not tracks or built[1] is not catalogs:
                built = (tracks, catalogs, _LAST_READ.names(catalogs, tuple(tracks.loose)))
                self._names = built
            return built[2]

    def credits(self) -> Credits:
        """The catalog songs of several artists by each artist credited after the first; read on first
        use after the catalogs changed."""
        self._ensure()
        catalogs = self._catalogs
        built = self._credits
        if built is not None and built[0] is catalogs:
            return built[1]
        with self._names_lock:
            built = self._credits
            if built is None or built[0] is not catalogs:
                built = (catalogs, Credits(self._store.catalog_credits()))
                self._credits = built
            return built[1]

    def catalog_matches(self, spotify_ids: Sequence[str], match_keys: Sequence[str]) -> CatalogMatches:
        """Catalog rows by Spotify id and by loose key, as `FeatureStore.catalog_matches` gives them."""
        catalogs = self._catalogs
        if catalogs.by_id is None:
            return self._store.catalog_matches(spotify_ids, match_keys)
        by_id = {sid: catalogs.by_id[sid] for sid in spotify_ids if sid in catalogs.by_id}
        by_key = {key: catalogs.by_key[key] for key in match_keys if key in catalogs.by_key}
        return by_id, by_key

    def _refresh_tracks(self) -> None:
        revision = self._store.tracks_revision()
        current = self._tracks
        if revision == current.revision:
            return
        top, count = current.revision
        if revision[1] - count == revision[0] - top and revision[0] >= top:  # only added, after `top`
            tracks = _Tracks(revision, dict(current.exact), {k: list(v) for k, v in current.loose.items()})
            added = self._store.track_keys(top)
        else:
            tracks, added = _Tracks(revision), self._store.track_keys()
        for track_id, exact, loose in added:
            tracks.exact[exact] = track_id
            tracks.loose.setdefault(loose, []).append(track_id)
        self._tracks = tracks

    def _refresh_catalogs(self) -> None:
        revision = self._store.catalog_revision()
        current = self._catalogs
        if revision == current.revision and (current.keys is None or not self._held):
            return  # (an index held since reads the rows its keys stood for)
        if not self._held:  # a one-shot command needs the keys (for a name no key found), not the rows
            self._catalogs = _Catalogs(revision, keys=tuple(self._store.catalog_keys()))
            return
        rows = sum(count for _, _, count in revision)
        if rows > self._max_catalog_rows:
            log.info(
                "the catalogs hold %d rows, more than %d: asked of the store", rows, self._max_catalog_rows
            )
            self._catalogs = _Catalogs(revision)
            return
        shared = _LAST_READ.catalogs(revision)
        if shared is not None:
            self._catalogs = shared
            return
        by_id: dict[str, list[StoredFeatures]] = {}
        by_key: dict[str, list[StoredFeatures]] = {}
        for spotify_id, key, features in self._store.catalog_entries():
            if spotify_id:
                by_id.setdefault(spotify_id, []).append(features)
            by_key.setdefault(key, []).append(features)
        self._catalogs = _Catalogs(revision, by_id, by_key)
        _LAST_READ.read(self._catalogs)
