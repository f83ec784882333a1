"""The SQL adapter for the prediction log: appended in batches, read in time order, pruned by age."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, delete, insert, select

from musicflow.store.db import guarded
from musicflow.store.ports import LoggedPrediction
from musicflow.store.schema import prediction_log, profiles


class SqlPredictionLog:
    """Implements `PredictionLogStore` on the same engine as the plays."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, entries: Sequence[LoggedPrediction]) -> int:
        if not entries:
            return 0
        names = sorted({entry.profile for entry in entries})
        with guarded(self.engine) as conn:
            ids = dict(
                conn.execute(select(profiles.c.name, profiles.c.id).where(profiles.c.name.in_(names))).all()
            )
            rows = [
                {
                    "profile_id": ids[e.profile],
                    "song": e.song,
                    "artist": e.artist,
                    "spotify_id": e.spotify_id,
                    "model_version": e.model_version,
                    "predicted": e.predicted,
                    "asked_at": e.asked_at,
                    "via": e.via,
                }
                for e in entries
                if e.profile in ids
            ]
            if rows:
                conn.execute(insert(prediction_log), rows)
        return len(rows)

    def entries(self, profile: str | None = None, since: float | None = None) -> list[LoggedPrediction]:
        log = prediction_log.c
        query = (
            select(profiles.c.name, log.song, log.artist, log.spotify_id, log.model_version, log.predicted)
            .add_columns(log.asked_at, log.via)
            .join(profiles, profiles.c.id == log.profile_id)
            .order_by(log.asked_at, log.id)
        )
        if profile is not None:
            query = query.where(profiles.c.name == profile)
        if since is not None:
            query = query.where(log.asked_at >= since)
        with guarded(self.engine, transaction=False) as conn:
            return [
                LoggedPrediction(
                    str(r[0]), str(r[1]), str(r[2]), r[3], int(r[4]), float(r[5]), float(r[6]), str(r[7])
                )
                for r in conn.execute(query)
            ]

    def prune(self, before: float) -> int:
        with guarded(self.engine) as conn:
            return int(
                conn.execute(delete(prediction_log).where(prediction_log.c.asked_at < before)).rowcount
            )
