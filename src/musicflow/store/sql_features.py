"""The SQL adapter for features: catalogs, what each source said of each track, misses and pauses."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, Select, Table, bindparam, case, delete, func, insert, literal, select, update

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.core.songs import (
    CatalogRow,
    FeatureRecord,
    FeatureValue,
    NotFound,
    SourceAnswer,
    TrackQuery,
    match_key,
    track_key,
)
from musicflow.errors import StoreError
from musicflow.store.db import IN_CHUNK, guarded, insert_ignore, insert_rows, upsert
from musicflow.store.ports import CatalogInfo, PendingTrack, ProfileTrack, SourcePause, StoredFeatures
from musicflow.store.schema import (
    audio_files,
    catalog_tracks,
    catalogs,
    fetch_misses,
    plays,
    removed_catalogs,
    source_pauses,
    track_features,
    tracks,
)

CATALOG_SOURCE = "catalog"
IMPORT_CHUNK = 2_000


class SqlFeatureStore:
    """Implements `FeatureStore` on the same engine as the plays."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- catalogs ---------------------------------------------------------------------------------
    def import_catalog(self, name: str, file_name: str, format_name: str, rows: Iterable[CatalogRow]) -> int:
        """Replace the catalog `name` with `rows` in one transaction; cached catalog answers are dropped."""
        with guarded(self.engine) as conn:
            conn.execute(delete(catalogs).where(catalogs.c.name == name))
            conn.execute(delete(removed_catalogs).where(removed_catalogs.c.name == name))
            catalog_id = conn.execute(
                insert(catalogs).returning(catalogs.c.id),
                {"name": name, "file_name": file_name, "format": format_name, "rows": 0, "imported_at": 0.0},
            ).scalar_one()
            count = 0
            for chunk in _chunked((_catalog_row(catalog_id, row) for row in rows), IMPORT_CHUNK):
                insert_rows(conn, catalog_tracks, CATALOG_COLUMNS, chunk)
                count += len(chunk)
            conn.execute(
                update(catalogs)
                .where(catalogs.c.id == catalog_id)
                .values(rows=count, imported_at=time.time())
            )
            self._forget_source(conn, CATALOG_SOURCE)
        return count

    def remove_catalog(self, name: str) -> bool:
        with guarded(self.engine) as conn:
            removed = conn.execute(delete(catalogs).where(catalogs.c.name == name)).rowcount
            if removed:
                self._forget_source(conn, CATALOG_SOURCE)
                marked = upsert(self.engine, removed_catalogs, ["name"])
                conn.execute(marked, {"name": name, "removed_at": time.time()})
        return bool(removed)

    def catalog_removed(self, name: str) -> bool:
        query = select(removed_catalogs.c.name).where(removed_catalogs.c.name == name)
        with guarded(self.engine, transaction=False) as conn:
            return conn.execute(query).first() is not None

    def catalogs(self) -> list[CatalogInfo]:
        query = select(catalogs).order_by(catalogs.c.name)
        with guarded(self.engine, transaction=False) as conn:
            return [
                CatalogInfo(r.name, r.file_name, r.format, r.rows, r.imported_at) for r in conn.execute(query)
            ]

    def catalog_matches(
        self, spotify_ids: Sequence[str], match_keys: Sequence[str]
    ) -> tuple[dict[str, list[StoredFeatures]], dict[str, list[StoredFeatures]]]:
        """Catalog rows by Spotify id and by loose song key, each with the catalog it came from."""
        base = _catalog_answers()
        by_id: dict[str, list[StoredFeatures]] = {}
        by_key: dict[str, list[StoredFeatures]] = {}
        with guarded(self.engine, transaction=False) as conn:
            for chunk in _chunked(iter(spotify_ids), IN_CHUNK):
                for row in conn.execute(base.where(catalog_tracks.c.spotify_id.in_(chunk))):
                    by_id.setdefault(row.spotify_id, []).append(_catalog_features(row))
            for chunk in _chunked(iter(match_keys), IN_CHUNK):
                for row in conn.execute(base.where(catalog_tracks.c.match_key.in_(chunk))):
                    by_key.setdefault(row.match_key, []).append(_catalog_features(row))
        return by_id, by_key

    def catalog_repeats(self) -> dict[str, list[tuple[int, StoredFeatures]]]:
        """The rows of every loose key more than one catalog row holds, by key, each beside its id: one
        statement (the keys are found on the index of `match_key`)."""
        key = catalog_tracks.c.match_key
        repeated = select(key).where(key != "").group_by(key).having(func.count() > 1)
        query = (
            _catalog_answers()
            .add_columns(catalog_tracks.c.id)
            .where(key.in_(repeated))
            .order_by(catalog_tracks.c.id)
        )
        found: dict[str, list[tuple[int, StoredFeatures]]] = {}
        with guarded(self.engine, transaction=False) as conn:
            for row in conn.execute(query):
                *answer, line = row
                found.setdefault(row.match_key, []).append((int(line), _catalog_features(tuple(answer))))
        return found

    def catalog_revision(self) -> tuple[tuple[str, float, int], ...]:
        """Each catalog's name, import time and rows: what changes whenever a catalog's contents do."""
        query = select(catalogs.c.name, catalogs.c.imported_at, catalogs.c.rows).order_by(catalogs.c.name)
        with guarded(self.engine, transaction=False) as conn:
            return tuple((r.name, float(r.imported_at), int(r.rows)) for r in conn.execute(query))

    def catalog_entries(self) -> list[tuple[str | None, str, StoredFeatures]]:
        """Every catalog row as (Spotify id, loose song key, what it says), for an index held in memory."""
        with guarded(self.engine, transaction=False) as conn:
            rows = conn.execute(_catalog_answers()).all()
        return [(row[2], row[3], _catalog_features(row)) for row in rows]

    def catalog_names(self, match_keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The song and primary artist of the first catalog row of each loose key."""
        query = select(catalog_tracks.c.match_key, catalog_tracks.c.song, catalog_tracks.c.artists)
        found: dict[str, tuple[str, str]] = {}
        with guarded(self.engine, transaction=False) as conn:
            for chunk in _chunked(iter(sorted(set(match_keys))), IN_CHUNK):
                ordered = query.where(catalog_tracks.c.match_key.in_(chunk)).order_by(catalog_tracks.c.id)
                for row in conn.execute(ordered):
                    found.setdefault(row.match_key, (row.song, row.artists.split("; ")[0]))
        return found

    def catalog_keys(self) -> list[str]:
        """Every catalog row's loose key, once (read from the index of `match_key`)."""
        query = select(catalog_tracks.c.match_key).distinct()
        with guarded(self.engine, transaction=False) as conn:
            return [str(key) for key in conn.execute(query).scalars()]

    def catalog_credits(self) -> list[tuple[str, str, str]]:
        """The catalog rows of several credited artists (stored joined by "; "), in import order."""
        artists = catalog_tracks.c.artists
        query = (
            select(catalog_tracks.c.match_key, catalog_tracks.c.song, artists)
            .where(artists.like("%; %"))
            .order_by(catalog_tracks.c.id)
        )
        with guarded(self.engine, transaction=False) as conn:
            return [(row.match_key, row.song, row.artists) for row in conn.execute(query)]

    # -- what sources said ------------------------------------------------------------------------
    def pending_tracks(
        self, profile_id: int, source: str, now: float, limit: int | None = None
    ) -> list[PendingTrack]:
        """The profile's tracks this source has not answered yet (nor missed recently), most played first."""
        answered = select(track_features.c.track_id).where(track_features.c.source == source)
        missed = select(fetch_misses.c.track_id).where(
            fetch_misses.c.source == source, fetch_misses.c.expires_at > now
        )
        played = func.count(plays.c.id)
        query = (
            select(tracks.c.id, tracks.c.track_key, tracks.c.name, tracks.c.artist, tracks.c.spotify_id)
            .join(plays, plays.c.track_id == tracks.c.id)
            .where(
                plays.c.profile_id == profile_id,
                tracks.c.id.notin_(answered),
                tracks.c.id.notin_(missed),
            )
            .group_by(tracks.c.id, tracks.c.track_key, tracks.c.name, tracks.c.artist, tracks.c.spotify_id)
            .order_by(played.desc(), tracks.c.id)
            .limit(limit)
        )
        with guarded(self.engine, transaction=False) as conn:
            return [
                PendingTrack(r.id, TrackQuery(r.track_key, r.name, r.artist, r.spotify_id))
                for r in conn.execute(query)
            ]

    def save_answers(
        self, source: str, answers: Mapping[int, SourceAnswer], *, now: float, miss_ttl_s: float
    ) -> None:
        """Store one batch of a source's answers in one transaction (a kill loses at most this batch)."""
        found = [(tid, a) for tid, a in answers.items() if isinstance(a, FeatureRecord)]
        missing = [(tid, a) for tid, a in answers.items() if isinstance(a, NotFound)]
        with guarded(self.engine) as conn:
            if found:
                rows = [_feature_row(tid, source, record) for tid, record in found]
                conn.execute(upsert(self.engine, track_features, ["track_id", "source"]), rows)
                conn.execute(
                    delete(fetch_misses).where(
                        fetch_misses.c.source == source,
                        fetch_misses.c.track_id.in_([tid for tid, _ in found]),
                    )
                )
                self._adopt_spotify_ids(conn, found)
            if missing:
                rows = [
                    {"track_id": tid, "source": source, "reason": miss.reason, "expires_at": now + miss_ttl_s}
                    for tid, miss in missing
                ]
                conn.execute(upsert(self.engine, fetch_misses, ["track_id", "source"]), rows)

    def features_of(self, track_ids: Sequence[int]) -> dict[int, list[StoredFeatures]]:
        """Everything every source said of these tracks, in one query per chunk."""
        found: dict[int, list[StoredFeatures]] = {}
        first = _FEATURES_FIRST
        with guarded(self.engine, transaction=False) as conn:
            for chunk in _chunked(iter(track_ids), IN_CHUNK):
                for row in conn.execute(_FEATURES_OF, {"ids": chunk}).all():
                    found.setdefault(row[0], []).append(
                        StoredFeatures(
                            source=row[1],
                            origin=row[2],
                            fetched_at=row[3],
                            values=_present(row, first),
                            spotify_id=row[4],
                            isrc=row[5],
                        )
                    )
        return found

    def misses_of(self, track_ids: Sequence[int], now: float) -> dict[int, dict[str, str]]:
        found: dict[int, dict[str, str]] = {}
        with guarded(self.engine, transaction=False) as conn:
            for chunk in _chunked(iter(track_ids), IN_CHUNK):
                for row in conn.execute(_MISSES_OF, {"ids": chunk, "now": now}):
                    found.setdefault(row.track_id, {})[row.source] = row.reason
        return found

    # -- tracks -----------------------------------------------------------------------------------
    def profile_tracks(self, profile_id: int, stream_min_ms: int) -> list[ProfileTrack]:
        """Every track the profile played, with its streams (most streamed first)."""
        streams = func.sum(case((plays.c.ms_played >= stream_min_ms, 1), else_=0)).label("streams")
        query = (
            select(tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.spotify_id, streams)
            .join(plays, plays.c.track_id == tracks.c.id)
            .where(plays.c.profile_id == profile_id)
            .group_by(tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.spotify_id)
            .order_by(streams.desc(), tracks.c.id)
        )
        with guarded(self.engine, transaction=False) as conn:
            return [
                ProfileTrack(r.id, r.name, r.artist, r.spotify_id, int(r.streams))
                for r in conn.execute(query)
            ]

    def tracks_revision(self) -> tuple[int, int]:
        """The highest track id and the number of tracks: they move whenever tracks are added or removed."""
        query = select(func.coalesce(func.max(tracks.c.id), 0), func.count(tracks.c.id))
        with guarded(self.engine, transaction=False) as conn:
            top, count = conn.execute(query).one()
        return int(top), int(count)

    def track_keys(self, after_id: int = 0) -> list[tuple[int, str, str]]:
        """(id, track key, loose key) of every track stored after `after_id`, in id order."""
        query = (
            select(tracks.c.id, tracks.c.track_key, tracks.c.match_key)
            .where(tracks.c.id > after_id)
            .order_by(tracks.c.id)
        )
        with guarded(self.engine, transaction=False) as conn:
            return [(int(r.id), r.track_key, r.match_key) for r in conn.execute(query)]

    def tracks_by_id(
        self, track_ids: Sequence[int], *, played: bool = False
    ) -> dict[int, tuple[PendingTrack, int]]:
        """These tracks, in one query; with how often each was played (by anyone) when `played` (that
        count reads the plays: ask for it only to choose between tracks), else 0."""
        query = _TRACKS_PLAYED if played else _TRACKS
        with guarded(self.engine, transaction=False) as conn:
            return {
                int(r.id): (_pending(r), int(r.played))
                for r in conn.execute(query, {"ids": sorted(set(track_ids))})
            }

    def tracks_by_spotify_id(self, spotify_ids: Sequence[str]) -> dict[str, PendingTrack]:
        columns = (tracks.c.id, tracks.c.track_key, tracks.c.name, tracks.c.artist, tracks.c.spotify_id)
        played = func.count(plays.c.id)
        best: dict[str, tuple[int, int, PendingTrack]] = {}  # id -> (-plays, track id, track)
        wanted = sorted(set(spotify_ids))
        with guarded(self.engine, transaction=False) as conn:
            for chunk in _chunked(iter(wanted), IN_CHUNK):
                held = (
                    select(*columns, tracks.c.spotify_id.label("asked"), played.label("played"))
                    .outerjoin(plays, plays.c.track_id == tracks.c.id)
                    .where(tracks.c.spotify_id.in_(chunk))
                    .group_by(*columns)
                )
                # A track of the song a catalog row of the id is, for an id no track holds.
                rows = (
                    select(*columns, catalog_tracks.c.spotify_id.label("asked"), played.label("played"))
                    .join(catalog_tracks, catalog_tracks.c.match_key == tracks.c.match_key)
                    .outerjoin(plays, plays.c.track_id == tracks.c.id)
                    .where(catalog_tracks.c.spotify_id.in_(chunk))
                    .group_by(*columns, catalog_tracks.c.spotify_id)
                )
                for query in (held, rows):
                    found: dict[str, tuple[int, int, PendingTrack]] = {}
                    for row in conn.execute(query):
                        ranked = (-int(row.played), int(row.id), _pending(row))
                        if row.asked not in found or ranked[:2] < found[row.asked][:2]:
                            found[row.asked] = ranked
                    best = {**found, **best}  # a track holding the id first
        return {spotify_id: track for spotify_id, (_, _, track) in best.items()}

    def find_track(self, song: str, artist: str) -> PendingTrack | None:
        """A stored track by exact spelling, else by loose key (the most played spelling wins)."""
        columns = (tracks.c.id, tracks.c.track_key, tracks.c.name, tracks.c.artist, tracks.c.spotify_id)
        exact = select(*columns).where(tracks.c.track_key == track_key(artist, song))
        loose = (
            select(*columns)
            .outerjoin(plays, plays.c.track_id == tracks.c.id)
            .where(tracks.c.match_key == match_key(artist, song))
            .group_by(*columns)
            .order_by(func.count(plays.c.id).desc(), tracks.c.id)
            .limit(1)
        )
        with guarded(self.engine, transaction=False) as conn:
            row = conn.execute(exact).first() or conn.execute(loose).first()
        if row is None:
            return None
        return PendingTrack(row.id, TrackQuery(row.track_key, row.name, row.artist, row.spotify_id))

    def ensure_track(self, song: str, artist: str, spotify_id: str | None = None) -> PendingTrack:
        """A track row for a song nobody played yet (a song a user asks about), created on first use."""
        key = track_key(artist, song)
        row = {
            "track_key": key,
            "name": song,
            "artist": artist,
            "spotify_id": spotify_id,
            "match_key": match_key(artist, song),
        }
        with guarded(self.engine) as conn:
            conn.execute(insert_ignore(self.engine, tracks), [row])
        found = self.find_track(song, artist)
        if found is None:  # pragma: no cover - the insert above makes it exist
            raise StoreError(f"could not store the track {song!r} by {artist!r}")
        return found

    def find_tracks(self, songs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], PendingTrack]:
        """`find_track` for many (song, artist) pairs in a few queries; pairs not stored are left out."""
        columns = (tracks.c.id, tracks.c.track_key, tracks.c.name, tracks.c.artist, tracks.c.spotify_id)
        exact_keys = {track_key(artist, song): (song, artist) for song, artist in songs}
        loose_keys = {match_key(artist, song) for song, artist in songs}
        exact: dict[str, PendingTrack] = {}
        loose: dict[str, tuple[int, int, PendingTrack]] = {}  # match key -> (-plays, id, track)
        played = func.count(plays.c.id)
        with guarded(self.engine, transaction=False) as conn:
            for chunk in _chunked(iter(exact_keys), IN_CHUNK):
                for row in conn.execute(select(*columns).where(tracks.c.track_key.in_(chunk))):
                    exact[row.track_key] = _pending(row)
            for chunk in _chunked(iter(sorted(loose_keys)), IN_CHUNK):
                query = (
                    select(*columns, tracks.c.match_key, played.label("played"))
                    .outerjoin(plays, plays.c.track_id == tracks.c.id)
                    .where(tracks.c.match_key.in_(chunk))
                    .group_by(*columns, tracks.c.match_key)
                )
                for row in conn.execute(query):
                    ranked = (-int(row.played), int(row.id), _pending(row))
                    if row.match_key not in loose or ranked[:2] < loose[row.match_key][:2]:
                        loose[row.match_key] = ranked
        found: dict[tuple[str, str], PendingTrack] = {}
        for song, artist in songs:
            track = exact.get(track_key(artist, song))
            if track is None:
                best = loose.get(match_key(artist, song))
                track = best[2] if best is not None else None
            if track is not None:
                found[(song, artist)] = track
        return found

    def ensure_tracks(self, songs: Sequence[tuple[str, str, str | None]]) -> None:
        """`ensure_track` for many (song, artist, Spotify id) at once: one insert that skips known ones."""
        rows = {
            track_key(artist, song): {
                "track_key": track_key(artist, song),
                "name": song,
                "artist": artist,
                "spotify_id": spotify_id,
                "match_key": match_key(artist, song),
            }
            for song, artist, spotify_id in songs
        }
        if not rows:
            return
        with guarded(self.engine) as conn:
            for chunk in _chunked(iter(rows.values()), IMPORT_CHUNK):
                conn.execute(insert_ignore(self.engine, tracks), chunk)

    def catalog_rows(self, name: str, batch: int = IMPORT_CHUNK) -> Iterator[CatalogRow]:
        """Every row of the catalog `name` as it was imported, read a batch at a time."""
        for rows in self._catalog_batches(name, batch):
            for row in rows:
                artists = tuple(a for a in row.artists.split("; ") if a)
                yield CatalogRow(row.spotify_id, row.song, artists, _present(row, 5), row.id)

    def catalog_columns(self, name: str, batch: int) -> Iterator[dict[str, list[Any]]]:
        """The rows of `catalog_rows`, `batch` at a time as columns (a frame is built of them directly)."""
        for rows in self._catalog_batches(name, batch):
            yield _as_columns(rows)

    def catalog_columns_of(self, row_ids: Sequence[int]) -> Iterator[dict[str, list[Any]]]:
        """The catalog rows of these ids (`line` in `catalog_columns`), in that form, in id order."""
        query = _catalog_select().order_by(catalog_tracks.c.id)
        for chunk in _chunked(iter(sorted(set(row_ids))), IN_CHUNK):
            with guarded(self.engine, transaction=False) as conn:
                rows = conn.execute(query.where(catalog_tracks.c.id.in_(chunk))).all()
            if rows:
                yield _as_columns(rows)

    def _catalog_batches(self, name: str, batch: int) -> Iterator[Sequence[Any]]:
        """The rows of the catalog `name` in the order they were imported, `batch` per statement: the id,
        Spotify id, song, artists, match key, then the features."""
        query = (
            _catalog_select()
            .join(catalogs, catalogs.c.id == catalog_tracks.c.catalog_id)
            .where(catalogs.c.name == name)
            .order_by(catalog_tracks.c.id)
        )
        last = 0
        while True:
            with guarded(self.engine, transaction=False) as conn:
                rows = conn.execute(query.where(catalog_tracks.c.id > last).limit(batch)).all()
            if rows:
                yield rows
            if len(rows) < batch:
                return
            last = rows[-1].id

    # -- the user's audio files -------------------------------------------------------------------
    def audio_fingerprints(self) -> set[str]:
        with guarded(self.engine, transaction=False) as conn:
            return set(conn.execute(select(audio_files.c.fingerprint)).scalars())

    def remember_audio_file(
        self, fingerprint: str, file_name: str, track_id: int | None, outcome: str, reason: str | None
    ) -> None:
        row = {
            "fingerprint": fingerprint,
            "file_name": file_name,
            "track_id": track_id,
            "outcome": outcome,
            "reason": reason,
            "analyzed_at": time.time(),
        }
        with guarded(self.engine) as conn:
            conn.execute(upsert(self.engine, audio_files, ["fingerprint"]), [row])

    # -- pauses -----------------------------------------------------------------------------------
    def pause_source(self, source: str, resume_at: float, reason: str) -> None:
        with guarded(self.engine) as conn:
            conn.execute(
                upsert(self.engine, source_pauses, ["source"]),
                [{"source": source, "resume_at": resume_at, "reason": reason}],
            )

    def source_pause(self, source: str) -> SourcePause | None:
        with guarded(self.engine, transaction=False) as conn:
            row = conn.execute(select(source_pauses).where(source_pauses.c.source == source)).first()
        return SourcePause(row.source, row.resume_at, row.reason) if row else None

    def clear_pause(self, source: str) -> None:
        with guarded(self.engine) as conn:
            conn.execute(delete(source_pauses).where(source_pauses.c.source == source))

    # -- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def _forget_source(conn: Any, source: str) -> None:
        conn.execute(delete(track_features).where(track_features.c.source == source))
        conn.execute(delete(fetch_misses).where(fetch_misses.c.source == source))

    @staticmethod
    def _adopt_spotify_ids(conn: Any, found: Sequence[tuple[int, FeatureRecord]]) -> None:
        """A track without a Spotify id takes the one a source resolved, so id-only sources can ask."""
        for track_id, record in found:
            if record.spotify_id:
                conn.execute(
                    update(tracks)
                    .where(tracks.c.id == track_id, tracks.c.spotify_id.is_(None))
                    .values(spotify_id=record.spotify_id)
                )


def _catalog_answers() -> Any:
    """Catalog rows with the catalog they came from, as `_catalog_features` reads them: the catalog's
    name and import time, the row's Spotify id and loose key, then its features."""
    columns = [catalogs.c.name, catalogs.c.imported_at, catalog_tracks.c.spotify_id]
    columns.append(catalog_tracks.c.match_key)
    return select(*columns, *_feature_columns(catalog_tracks)).join(
        catalogs, catalogs.c.id == catalog_tracks.c.catalog_id
    )


def _feature_columns(table: Table) -> list[Any]:
    return [table.c[name] for name in FEATURE_NAMES]


# The statements asked for every question a server answers, built once: building a select of thirty
# columns costs more than SQLite takes to run it.
_FEATURES_HEAD = (
    track_features.c.track_id,
    track_features.c.source,
    track_features.c.origin,
    track_features.c.fetched_at,
    track_features.c.spotify_id,
    track_features.c.isrc,
)
_FEATURES_FIRST = len(_FEATURES_HEAD)
_FEATURES_OF = select(*_FEATURES_HEAD, *_feature_columns(track_features)).where(
    track_features.c.track_id.in_(bindparam("ids", expanding=True))
)
_MISSES_OF = select(fetch_misses).where(
    fetch_misses.c.expires_at > bindparam("now"),
    fetch_misses.c.track_id.in_(bindparam("ids", expanding=True)),
)
_TRACK_COLUMNS = (tracks.c.id, tracks.c.track_key, tracks.c.name, tracks.c.artist, tracks.c.spotify_id)
_TRACKS = select(*_TRACK_COLUMNS, literal(0).label("played")).where(
    tracks.c.id.in_(bindparam("ids", expanding=True))
)
_TRACKS_PLAYED = (
    select(*_TRACK_COLUMNS, func.count(plays.c.id).label("played"))
    .outerjoin(plays, plays.c.track_id == tracks.c.id)
    .where(tracks.c.id.in_(bindparam("ids", expanding=True)))
    .group_by(*_TRACK_COLUMNS)
)


def _catalog_select() -> Select[Any]:
    """A catalog row as `catalog_rows` and `catalog_columns` read it: the id, Spotify id, song, artists,
    match key, then the features."""
    return select(
        catalog_tracks.c.id,
        catalog_tracks.c.spotify_id,
        catalog_tracks.c.song,
        catalog_tracks.c.artists,
        catalog_tracks.c.match_key,
        *_feature_columns(catalog_tracks),
    )


def _as_columns(rows: Sequence[Any]) -> dict[str, list[Any]]:
    """Rows of `_catalog_select` as the columns `catalog_columns` gives."""
    ids, spotify_ids, songs, artists, keys, *features = zip(*rows, strict=True)
    columns: dict[str, list[Any]] = {"spotify_id": list(spotify_ids), "song": list(songs)}
    columns["artists"] = ["; ".join(a for a in text.split("; ") if a) for text in artists]
    columns["line"] = list(ids)
    columns["match_key"] = list(keys)
    return columns | {name: list(values) for name, values in zip(FEATURE_NAMES, features, strict=True)}


def _present(row: Any, first: int) -> dict[str, FeatureValue]:
    """The feature values of a row whose feature columns start at `first`, missing ones left out."""
    return {name: value for name, value in zip(FEATURE_NAMES, row[first:], strict=True) if value is not None}


class _ValuesOfRow(Mapping[str, FeatureValue]):
    """The feature values of a `_catalog_answers` row (missing ones left out), gathered when first read."""

    __slots__ = ("_row", "_values")

    def __init__(self, row: Any) -> None:
        self._row = row
        self._values: dict[str, FeatureValue] | None = None

    def _gathered(self) -> dict[str, FeatureValue]:
        values = self._values
        if values is None:
            values = self._values = _present(self._row, 4)
        return values

    def __getitem__(self, name: str) -> FeatureValue:
        return self._gathered()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._gathered())

    def __len__(self) -> int:
        return len(self._gathered())

    def __repr__(self) -> str:
        return repr(self._gathered())


def _catalog_features(row: Any) -> StoredFeatures:
    """A row of `_catalog_answers`, read by position. A server reads every catalog row at start but the
    values of the few it is asked about: each row's values are gathered on first reading."""
    return StoredFeatures(CATALOG_SOURCE, row[0], row[1], _ValuesOfRow(row), row[2], None)


CATALOG_COLUMNS = ("catalog_id", "spotify_id", "match_key", "song", "artists", *FEATURE_NAMES)


def _catalog_row(catalog_id: int, row: CatalogRow) -> tuple[Any, ...]:
    """A row of `catalog_tracks`, its values in the order of `CATALOG_COLUMNS`."""
    primary = row.artists[0] if row.artists else ""
    key = match_key(primary, row.song) if row.song and primary else ""
    features = map(row.values.get, FEATURE_NAMES)
    return (catalog_id, row.spotify_id, key, row.song, "; ".join(row.artists), *features)


def _feature_row(track_id: int, source: str, record: FeatureRecord) -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(FEATURE_NAMES)
    values.update(record.values)
    return {
        "track_id": track_id,
        "source": source,
        "origin": record.origin,
        "spotify_id": record.spotify_id,
        "isrc": record.isrc,
        "fetched_at": record.fetched_at,
        **values,
    }


def _chunked(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pending(row: Any) -> PendingTrack:
    return PendingTrack(row.id, TrackQuery(row.track_key, row.name, row.artist, row.spotify_id))
