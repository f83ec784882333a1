"""The history port's SQL adapter: plays with their skip flags, the tracks played, catalog rows.

The model reads history only through `HistoryStore` (the port, in `store/ports.py`), never through the
engine. Each read is one bulk query; every query goes through `guarded`, so a database failure is a
`StoreError` like everywhere else. `profile_id` narrows a read to one listener (serving needs only the
listener's own plays; training reads every profile, since other listeners' songs are zeros).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, select

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.store.db import guarded
from musicflow.store.ports import CatalogSong, LibraryEntry, LibraryKind, PlayFact, TrackFact
from musicflow.store.schema import catalog_tracks, catalogs, library_entries, plays, profiles, tracks


class SqlHistory:
    """Implements `HistoryStore` on the store's engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def profile_ids(self) -> dict[str, int]:
        with guarded(self._engine, transaction=False) as conn:
            return {name: int(pid) for pid, name in conn.execute(select(profiles.c.id, profiles.c.name))}

    def plays(self, profile_id: int | None = None) -> list[PlayFact]:
        """Plays oldest first: one profile's, or every profile's (other listeners' songs are zeros)."""
        query = select(
            plays.c.profile_id,
            plays.c.track_id,
            plays.c.ended_at,
            plays.c.ms_played,
            plays.c.reason_end,
            plays.c.skipped,
            plays.c.id,
        ).order_by(plays.c.ended_at, plays.c.id)
        if profile_id is not None:
            query = query.where(plays.c.profile_id == profile_id)
        with guarded(self._engine, transaction=False) as conn:
            return [PlayFact(*row) for row in conn.execute(query)]

    def played_tracks(self, profile_id: int | None = None) -> list[TrackFact]:
        """Every track played (by one profile, or by anyone), with the keys songs are merged on."""
        played = select(plays.c.track_id).distinct()
        if profile_id is not None:
            played = played.where(plays.c.profile_id == profile_id)
        query = select(
            tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.spotify_id, tracks.c.match_key
        ).where(tracks.c.id.in_(played))
        with guarded(self._engine, transaction=False) as conn:
            return [
                TrackFact(r.id, r.name, r.artist, r.spotify_id, r.match_key or "")
                for r in conn.execute(query)
            ]

    def library(self, profile_id: int) -> list[LibraryEntry]:
        table = library_entries
        query = (
            select(table.c.kind, table.c.artist, table.c.name, table.c.spotify_id)
            .where(table.c.profile_id == profile_id)
            .order_by(table.c.id)
        )
        with guarded(self._engine, transaction=False) as conn:
            return [
                LibraryEntry(LibraryKind(r.kind), r.artist, r.name, r.spotify_id) for r in conn.execute(query)
            ]

    def catalog_songs(self, row_ids: Sequence[int]) -> list[CatalogSong]:
        """Catalog rows by row id (the caller samples ids, so a sample is reproducible on any backend)."""
        columns = [
            catalogs.c.name,
            catalog_tracks.c.id,
            catalog_tracks.c.spotify_id,
            catalog_tracks.c.match_key,
        ]
        extra = [catalog_tracks.c.song, catalog_tracks.c.artists]
        features = [catalog_tracks.c[name] for name in FEATURE_NAMES]
        base = select(*columns, *extra, *features).join(
            catalogs, catalogs.c.id == catalog_tracks.c.catalog_id
        )
        found: list[CatalogSong] = []
        with guarded(self._engine, transaction=False) as conn:
            for start in range(0, len(row_ids), 500):
                chunk = list(row_ids[start : start + 500])
                query = base.where(catalog_tracks.c.id.in_(chunk))
                found.extend(_catalog_song(r) for r in conn.execute(query))
        return found

    def catalog_row_ids(self) -> list[int]:
        query = select(catalog_tracks.c.id).order_by(catalog_tracks.c.id)
        with guarded(self._engine, transaction=False) as conn:
            return [int(i) for i in conn.execute(query).scalars()]


def _catalog_song(row: Any) -> CatalogSong:
    mapping = row._mapping
    values = {name: mapping[name] for name in FEATURE_NAMES if mapping[name] is not None}
    artist = (row.artists or "").split("; ")[0]
    return CatalogSong(row.id, row.name, row.spotify_id, row.match_key, row.song, artist, values)
