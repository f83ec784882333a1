"""The SQL store adapter (SQLAlchemy Core): SQLite by default, PostgreSQL when the URL names one."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Final

from sqlalchemy import CompoundSelect, Connection, Engine, bindparam, case, delete, func, select, update

from musicflow.core.plays import ExportFormat, Play
from musicflow.core.songs import match_key, track_key
from musicflow.store.db import IN_CHUNK, chunks, guarded, insert_ignore, insert_rows
from musicflow.store.history import SqlHistory
from musicflow.store.ports import (
    ImportUndone,
    LibraryEntry,
    ListeningSummary,
    ProfileErasure,
    TrackStreams,
)
from musicflow.store.profile_rows import profile_row
from musicflow.store.schema import (
    api_tokens,
    jobs,
    library_entries,
    model_alias_moves,
    model_aliases,
    model_versions,
    play_imports,
    plays,
    prediction_log,
    profiles,
    tracks,
)
from musicflow.store.sql_features import SqlFeatureStore
from musicflow.store.sql_jobs import SqlJobStore
from musicflow.store.sql_models import SqlModelStore
from musicflow.store.sql_prediction_log import SqlPredictionLog
from musicflow.store.sql_tokens import SqlTokenStore

# A play as the plays table stores it, in column order: a plain tuple, the cheapest thing to build
# half a million times and what the driver binds fastest.
PLAY_COLUMNS = (
    "profile_id",
    "track_id",
    "ended_at",
    "ended_minute",
    "ms_played",
    "spotify_id",
    "reason_end",
    "skipped",
    "source",
)
PlayRow = tuple[int, int, int, int, int, str | None, str | None, bool | None, str]
_SOURCE_VALUES = {source: source.value for source in ExportFormat}  # an enum's `.value` is a slow property
TRACK_ID: Final = 1
ENDED_MINUTE: Final = 3
MS_PLAYED: Final = 4
SOURCE: Final = 8
CROSS_FORMAT_SLACK_MINUTES = 2


class SqlStore:
    """Implements `Store` on any SQLAlchemy engine whose dialect can insert-or-ignore."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.features = SqlFeatureStore(engine)
        self.models = SqlModelStore(engine)
        self.history = SqlHistory(engine)
        self.tokens = SqlTokenStore(engine)
        self.prediction_log = SqlPredictionLog(engine)
        self.jobs = SqlJobStore(engine)
        self._track_ids: dict[str, int] = {}
        self._tracks_with_spotify_id: set[int] = set()

    # -- profiles ---------------------------------------------------------------------------------
    def ensure_profile(self, name: str) -> int:
        with self._begin() as conn:
            return profile_row(self.engine, conn, name)

    def profile_id(self, name: str) -> int | None:
        with self._connect() as conn:
            found = conn.execute(select(profiles.c.id).where(profiles.c.name == name)).scalar()
        return int(found) if found is not None else None

    def profiles(self, *, holding_data: bool = False) -> list[str]:
        query = select(profiles.c.name).order_by(profiles.c.name)
        if holding_data:
            played = select(plays.c.id).where(plays.c.profile_id == profiles.c.id).exists()
            saved = select(library_entries.c.id).where(library_entries.c.profile_id == profiles.c.id).exists()
            query = query.where(played | saved)
        with self._connect() as conn:
            return list(conn.execute(query).scalars())

    # -- plays ------------------------------------------------------------------------------------
    def add_plays(self, profile_id: int, new_plays: Sequence[Play], import_id: str | None = None) -> int:
        if not new_plays:
            return 0
        given = self._play_rows(profile_id, new_plays)
        window = _minutes_around(given)
        with self._begin() as conn:
            rows = _without_plays_of_other_formats(conn, profile_id, given, window)
            added = insert_rows(conn, plays, PLAY_COLUMNS, rows, skip_stored=True) if rows else 0
            if import_id is not None:
                _link_to_import(conn, profile_id, given, window, import_id)
            return added

    def release_import(self, import_id: str) -> bool:
        link = play_imports.c
        held = select(link.play_id).where(link.import_id == import_id)
        with self._begin() as conn:
            count = _count(conn, link.import_id == import_id)
            if count:
                # Another import holding the very same plays, no more, no fewer: this is that export read
                # again. One holding only some of them (another export, however much it overlaps) is not.
                sharing = (
                    select(link.import_id)
                    .where(link.play_id.in_(held), link.import_id != import_id)
                    .group_by(link.import_id)
                    .having(func.count() == count)
                )
                same = (
                    select(link.import_id)
                    .where(link.import_id.in_(sharing))
                    .group_by(link.import_id)
                    .having(func.count() == count)
                )
                if conn.execute(same.limit(1)).first() is None:
                    return False
            conn.execute(delete(play_imports).where(link.import_id == import_id))
        return True

    def plays_brought(self, import_id: str) -> int:
        link, other = play_imports.c, play_imports.alias("other").c
        elsewhere = select(other.play_id).where(other.play_id == link.play_id, other.import_id != import_id)
        only_here = select(func.count()).where(link.import_id == import_id, ~elsewhere.exists())
        with self._connect() as conn:
            return int(conn.execute(only_here).scalar_one())

    def undo_import(self, profile_id: int, import_id: str) -> ImportUndone:
        held = select(play_imports.c.play_id).where(play_imports.c.import_id == import_id)
        elsewhere = select(play_imports.c.play_id).where(play_imports.c.import_id != import_id)
        with self._begin() as conn:
            only_here = sorted(int(i) for i in conn.execute(held.except_(elsewhere)).scalars())
            linked = _count(conn, play_imports.c.import_id == import_id)
            touched: set[int] = set()
            for chunk in chunks(only_here, IN_CHUNK):
                mine = plays.c.id.in_(chunk) & (plays.c.profile_id == profile_id)
                touched.update(int(t) for t in conn.execute(select(plays.c.track_id).where(mine)).scalars())
                conn.execute(delete(plays).where(mine))
            conn.execute(delete(play_imports).where(play_imports.c.import_id == import_id))
            unplayed = (
                sorted(
                    touched
                    - set(
                        conn.execute(
                            select(plays.c.track_id).where(plays.c.track_id.in_(sorted(touched)))
                        ).scalars()
                    )
                )
                if touched
                else []
            )
            for chunk in chunks(unplayed, IN_CHUNK):
                conn.execute(delete(tracks).where(tracks.c.id.in_(chunk)))
        self._track_ids.clear()
        self._tracks_with_spotify_id.clear()
        first = only_here[0] if only_here else None
        return ImportUndone(len(only_here), linked - len(only_here), len(unplayed), first_play_id=first)

    def track_streams(
        self, profile_id: int, stream_min_ms: int, limit: int | None = None, *, streamed_only: bool = True
    ) -> list[TrackStreams]:
        streams = func.sum(case((plays.c.ms_played >= stream_min_ms, 1), else_=0)).label("streams")
        query = (
            select(
                tracks.c.id,
                tracks.c.name,
                tracks.c.artist,
                tracks.c.spotify_id,
                tracks.c.match_key,
                streams,
                func.count().label("plays"),
                func.sum(plays.c.ms_played).label("ms_played"),
            )
            .join(tracks, tracks.c.id == plays.c.track_id)
            .where(plays.c.profile_id == profile_id)
            .group_by(tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.spotify_id, tracks.c.match_key)
            .order_by(streams.desc(), func.sum(plays.c.ms_played).desc(), tracks.c.name)
            .limit(limit)
        )
        if streamed_only:
            query = query.having(streams > 0)
        with self._connect() as conn:
            return [
                TrackStreams(
                    r.name,
                    r.artist,
                    r.spotify_id,
                    int(r.streams),
                    int(r.plays),
                    int(r.ms_played),
                    r.id,
                    r.match_key or "",
                )
                for r in conn.execute(query)
            ]

    def listening_summary(self, profile_id: int, stream_min_ms: int) -> ListeningSummary:
        query = select(
            func.count(),
            func.coalesce(func.sum(case((plays.c.ms_played >= stream_min_ms, 1), else_=0)), 0),
            func.count(plays.c.track_id.distinct()),
            func.min(plays.c.ended_at),
            func.max(plays.c.ended_at),
        ).where(plays.c.profile_id == profile_id)
        with self._connect() as conn:
            count, streams, distinct, first, last = conn.execute(query).one()
        return ListeningSummary(int(count), int(streams), int(distinct), first, last)

    def replace_library(self, profile_id: int, entries: Sequence[LibraryEntry]) -> int:
        rows = [
            {
                "profile_id": profile_id,
                "kind": entry.kind.value,
                "artist": entry.artist,
                "name": entry.name,
                "spotify_id": entry.spotify_id,
            }
            for entry in entries
        ]
        with self._begin() as conn:
            conn.execute(delete(library_entries).where(library_entries.c.profile_id == profile_id))
            if rows:
                conn.execute(library_entries.insert(), rows)
        return len(rows)

    def tracks_only_of(self, profile_id: int) -> list[int]:
        with self._begin() as conn:
            return sorted(int(t) for t in conn.execute(_only_played_by(profile_id)).scalars())

    def delete_profile(self, profile_id: int) -> ProfileErasure:
        with self._begin() as conn:
            only_mine = sorted(int(t) for t in conn.execute(_only_played_by(profile_id)).scalars())
            versions = _count(conn, model_versions.c.profile_id == profile_id)
            tokens = _count(conn, api_tokens.c.profile_id == profile_id)
            logged = _count(conn, prediction_log.c.profile_id == profile_id)
            jobs_removed = _count(conn, jobs.c.profile_id == profile_id)
            library = conn.execute(
                delete(library_entries).where(library_entries.c.profile_id == profile_id)
            ).rowcount
            # In the order the foreign keys need; the rest (artifact records, features and misses of the
            # removed tracks) follows by cascade.
            conn.execute(delete(model_aliases).where(model_aliases.c.profile_id == profile_id))
            conn.execute(delete(model_alias_moves).where(model_alias_moves.c.profile_id == profile_id))
            conn.execute(delete(model_versions).where(model_versions.c.profile_id == profile_id))
            conn.execute(delete(api_tokens).where(api_tokens.c.profile_id == profile_id))
            conn.execute(delete(prediction_log).where(prediction_log.c.profile_id == profile_id))
            conn.execute(delete(jobs).where(jobs.c.profile_id == profile_id))
            removed_plays = conn.execute(delete(plays).where(plays.c.profile_id == profile_id)).rowcount
            for chunk in chunks(only_mine, IN_CHUNK):
                conn.execute(delete(tracks).where(tracks.c.id.in_(chunk)))
            conn.execute(delete(profiles).where(profiles.c.id == profile_id))
        self._track_ids.clear()
        self._tracks_with_spotify_id.clear()
        self._off_the_disk()
        return ProfileErasure(
            int(removed_plays), len(only_mine), versions, tokens, logged, jobs_removed, int(library)
        )

    def close(self) -> None:
        self.engine.dispose()

    # -- helpers ----------------------------------------------------------------------------------
    def _play_rows(self, profile_id: int, new_plays: Sequence[Play]) -> list[PlayRow]:
        """The plays as the table stores them, their tracks found or made first."""
        track_ids = self._track_ids_of(new_plays)
        return [
            (
                profile_id,
                track_ids[artist, track],
                ended_at,
                ended_at // 60,
                ms_played,
                spotify_id,
                reason_end,
                skipped,
                _SOURCE_VALUES[source],
            )
            for ended_at, ms_played, track, artist, _, spotify_id, reason_end, skipped, source in new_plays
        ]

    def _track_ids_of(self, new_plays: Sequence[Play]) -> dict[tuple[str, str], int]:
        """The track id of each spelling (artist, title) the plays have, making the tracks not stored yet
        in a transaction of their own. An export plays each song many times: its key is computed once
        per spelling, not per play."""
        keys: dict[tuple[str, str], str] = {}
        first_seen: dict[str, Play] = {}
        with_id: dict[str, Play] = {}
        for play in new_plays:
            spelling = (play.artist, play.track)
            key = keys.get(spelling)
            if key is None:
                key = keys[spelling] = track_key(play.artist, play.track)
                first_seen.setdefault(key, play)
            if play.spotify_id and key not in with_id:
                with_id[key] = play
        missing = [k for k in first_seen if k not in self._track_ids]
        if missing:
            self._create_tracks(missing, first_seen, with_id)
        self._fill_spotify_ids(with_id)
        return {spelling: self._track_ids[key] for spelling, key in keys.items()}

    def _create_tracks(self, keys: list[str], first_seen: dict[str, Play], with_id: dict[str, Play]) -> None:
        rows: list[dict[str, Any]] = []
        for key in keys:
            play = with_id.get(key, first_seen[key])
            rows.append(
                {
                    "track_key": key,
                    "name": play.track,
                    "artist": play.artist,
                    "album": play.album,
                    "spotify_id": play.spotify_id,
                    "match_key": match_key(play.artist, play.track),
                }
            )
        with self._begin() as conn:
            for chunk in chunks(rows, IN_CHUNK):
                conn.execute(insert_ignore(self.engine, tracks), chunk)
            for chunk_keys in chunks(keys, IN_CHUNK):
                found = conn.execute(
                    select(tracks.c.id, tracks.c.track_key, tracks.c.spotify_id).where(
                        tracks.c.track_key.in_(chunk_keys)
                    )
                )
                for track_id, key, spotify_id in found:
                    self._track_ids[key] = track_id
                    if spotify_id:
                        self._tracks_with_spotify_id.add(track_id)

    def _fill_spotify_ids(self, with_id: dict[str, Play]) -> None:
        """A track first seen in the basic format gets its Spotify id when an extended play brings it."""
        pending = {
            self._track_ids[key]: play.spotify_id
            for key, play in with_id.items()
            if self._track_ids[key] not in self._tracks_with_spotify_id
        }
        updates = [{"tid": tid, "sid": sid} for tid, sid in pending.items()]
        if not updates:
            return
        statement = (
            update(tracks)
            .where(tracks.c.id == bindparam("tid"), tracks.c.spotify_id.is_(None))
            .values(spotify_id=bindparam("sid"))
        )
        with self._begin() as conn:
            conn.execute(statement, updates)
        self._tracks_with_spotify_id.update(pending)

    def _off_the_disk(self) -> None:
        """SQLite: what was just deleted leaves its files now, not at some later checkpoint. Its rows'
        old pages stay in the write-ahead log, and in the database file until the log is copied into it:
        copied now (the pages as they are, deleted content zeroed by `secure_delete`) and the log
        emptied. A reader in the middle of a query may keep the log from being emptied: the next
        checkpoint does it."""
        if self.engine.dialect.name != "sqlite":
            return
        with self._connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def _begin(self) -> AbstractContextManager[Connection]:
        return guarded(self.engine, transaction=True)

    def _connect(self) -> AbstractContextManager[Connection]:
        return guarded(self.engine, transaction=False)


def _count(conn: Connection, where: Any) -> int:
    table = where.left.table
    return int(conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())


def _minutes_around(rows: list[PlayRow]) -> tuple[int, int]:
    """The minutes the plays ended in, and a little more: where the same plays of the other format are."""
    return (
        min(row[ENDED_MINUTE] for row in rows) - CROSS_FORMAT_SLACK_MINUTES,
        max(row[ENDED_MINUTE] for row in rows) + CROSS_FORMAT_SLACK_MINUTES,
    )


def _link_to_import(
    conn: Connection, profile_id: int, given: list[PlayRow], window: tuple[int, int], import_id: str
) -> None:
    """Link each given play, as stored (new, already there, or stored from the other export format within
    a minute), to the import."""
    wanted = {(row[TRACK_ID], row[ENDED_MINUTE], row[MS_PLAYED]) for row in given}
    query = select(plays.c.id, plays.c.track_id, plays.c.ended_minute, plays.c.ms_played).where(
        plays.c.profile_id == profile_id, plays.c.ended_minute.between(*window)
    )
    linked = [
        (play_id, import_id)
        for play_id, track_id, minute, ms_played in conn.execute(query).all()
        if (track_id, minute, ms_played) in wanted  # the same minute first: most plays are stored as given
        or (track_id, minute - 1, ms_played) in wanted
        or (track_id, minute + 1, ms_played) in wanted
    ]
    if linked:
        insert_rows(conn, play_imports, ("play_id", "import_id"), linked, skip_stored=True)


def _without_plays_of_other_formats(
    conn: Connection, profile_id: int, rows: list[PlayRow], window: tuple[int, int]
) -> list[PlayRow]:
    """Drop plays that another export format already stored.

    The basic format knows the minute a play ended, the extended one the second: the same play from
    both has the same track and milliseconds played and ends in the same minute, give or take one
    (a boundary crossed by rounding). Within one format the unique key alone decides.
    """
    sources = {row[SOURCE] for row in rows}
    query = select(plays.c.track_id, plays.c.ended_minute, plays.c.ms_played, plays.c.source).where(
        plays.c.profile_id == profile_id,
        plays.c.ended_minute.between(*window),
        plays.c.source.notin_(sources) if len(sources) == 1 else plays.c.source.isnot(None),
    )
    stored: dict[tuple[int, int, int], set[str]] = {}
    for track_id, minute, ms_played, source in conn.execute(query):
        stored.setdefault((track_id, minute, ms_played), set()).add(source)
    if not stored:
        return rows

    def seen_in_another_format(row: PlayRow) -> bool:
        for minute in (row[ENDED_MINUTE] - 1, row[ENDED_MINUTE], row[ENDED_MINUTE] + 1):
            found = stored.get((row[TRACK_ID], minute, row[MS_PLAYED]))
            if found and found - {row[SOURCE]}:
                return True
        return False

    return [row for row in rows if not seen_in_another_format(row)]


def _only_played_by(profile_id: int) -> CompoundSelect[Any]:
    """The ids of the tracks this profile played and no other did."""
    mine = select(plays.c.track_id).where(plays.c.profile_id == profile_id)
    others = select(plays.c.track_id).where(plays.c.profile_id != profile_id)
    return mine.except_(others)
