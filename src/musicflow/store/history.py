"""Read queries the model needs: every play with its skip flags, the tracks played, catalog rows.

Kept apart from the store adapter so the model can read history without widening the store port; every
query goes through `guarded`, so a database failure is a `StoreError` like everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from musicflow.core.feature_spec import FEATURE_NAMES
from musicflow.core.songs import FeatureValue
from musicflow.store.db import guarded
from musicflow.store.schema import catalog_tracks, catalogs, plays, profiles, tracks


@dataclass(frozen=True, slots=True)
class PlayFact:
    """One play, as much as the model may know of it (no device, place or account data)."""

    profile_id: int
    track_id: int
    ended_at: int
    ms_played: int
    reason_end: str | None
    skipped: bool | None


@dataclass(frozen=True, slots=True)
class TrackFact:
    track_id: int
    name: str
    artist: str
    spotify_id: str | None
    match_key: str


@dataclass(frozen=True, slots=True)
class CatalogSong:
    """A catalog row, for sampling songs nobody in the store played."""

    row_id: int
    origin: str
    spotify_id: str | None
    match_key: str
    song: str
    artist: str
    values: dict[str, FeatureValue]


def profile_ids(engine: Engine) -> dict[str, int]:
    with guarded(engine, transaction=False) as conn:
        return {name: int(pid) for pid, name in conn.execute(select(profiles.c.id, profiles.c.name))}


def all_plays(engine: Engine) -> list[PlayFact]:
    """Every play of every profile, oldest first (other profiles' songs are zeros for a listener)."""
    query = select(
        plays.c.profile_id,
        plays.c.track_id,
        plays.c.ended_at,
        plays.c.ms_played,
        plays.c.reason_end,
        plays.c.skipped,
    ).order_by(plays.c.ended_at, plays.c.id)
    with guarded(engine, transaction=False) as conn:
        return [PlayFact(*row) for row in conn.execute(query)]


def played_tracks(engine: Engine) -> list[TrackFact]:
    """Every track someone played, with the keys songs are merged on."""
    played = select(plays.c.track_id).distinct()
    query = select(
        tracks.c.id, tracks.c.name, tracks.c.artist, tracks.c.spotify_id, tracks.c.match_key
    ).where(tracks.c.id.in_(played))
    with guarded(engine, transaction=False) as conn:
        return [
            TrackFact(r.id, r.name, r.artist, r.spotify_id, r.match_key or "") for r in conn.execute(query)
        ]


def catalog_songs(engine: Engine, row_ids: list[int]) -> list[CatalogSong]:
    """Catalog rows by row id (the caller samples ids, so the sample is reproducible on any backend)."""
    columns = [catalogs.c.name, catalog_tracks.c.id, catalog_tracks.c.spotify_id, catalog_tracks.c.match_key]
    extra = [catalog_tracks.c.song, catalog_tracks.c.artists]
    features = [catalog_tracks.c[name] for name in FEATURE_NAMES]
    base = select(*columns, *extra, *features).join(catalogs, catalogs.c.id == catalog_tracks.c.catalog_id)
    found: list[CatalogSong] = []
    with guarded(engine, transaction=False) as conn:
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start : start + 500]
            found.extend(_catalog_song(r) for r in conn.execute(base.where(catalog_tracks.c.id.in_(chunk))))
    return found


def catalog_row_ids(engine: Engine) -> list[int]:
    with guarded(engine, transaction=False) as conn:
        return [
            int(i) for i in conn.execute(select(catalog_tracks.c.id).order_by(catalog_tracks.c.id)).scalars()
        ]


def _catalog_song(row: Any) -> CatalogSong:
    mapping = row._mapping
    values = {name: mapping[name] for name in FEATURE_NAMES if mapping[name] is not None}
    artist = (row.artists or "").split("; ")[0]
    return CatalogSong(row.id, row.name, row.spotify_id, row.match_key, row.song, artist, values)
