"""The SQL adapter for the model registry: versions, artifact checksums, aliases and their moves.

Every write takes a per-profile lock first (the profile row FOR UPDATE on PostgreSQL, the database write
lock through a no-op UPDATE on SQLite), so two processes registering or promoting for the same profile are
serialised instead of racing for a version number or an alias.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, Literal

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update

from musicflow.errors import ChampionMovedError, ModelError, NoModelError, ProfileNotFoundError, StoreError
from musicflow.store import json_text
from musicflow.store.db import guarded
from musicflow.store.ports import (
    ANY_VERSION,
    CHAMPION,
    AliasMove,
    ArtifactRecord,
    ModelVersion,
    MoveReason,
    NewModelVersion,
    VersionStatus,
)
from musicflow.store.profile_rows import profile_row
from musicflow.store.schema import (
    model_alias_moves,
    model_aliases,
    model_artifacts,
    model_versions,
    profiles,
)


class SqlModelStore:
    """Implements `ModelStore` on the same engine as the plays."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- versions ---------------------------------------------------------------------------------
    def add_version(
        self,
        profile: str,
        new: NewModelVersion,
        place_files: Callable[[int], str],
        *,
        profile_id: int | None = None,
    ) -> ModelVersion:
        with guarded(self.engine) as conn:
            if profile_id is None:
                profile_id = self._lock_new_or_existing_profile(conn, profile)
            elif self._lock_existing_profile(conn, profile) != profile_id:
                raise ProfileNotFoundError(
                    f"profile '{profile}' was deleted while its model trained: the model was not kept",
                    profile=profile,
                )
            number = _next_version_number(conn, profile_id)
            artifact_dir = place_files(number)
            version_id = conn.execute(
                insert(model_versions).returning(model_versions.c.id),
                _version_row(profile_id, number, new, artifact_dir),
            ).scalar_one()
            conn.execute(
                insert(model_artifacts),
                [
                    {
                        "model_version_id": version_id,
                        "name": a.name,
                        "sha256": a.sha256,
                        "size_bytes": a.size_bytes,
                    }
                    for a in new.artifacts
                ],
            )
        found = self.version(profile, number)
        if found is None:  # pragma: no cover - the row was committed just above
            raise StoreError(f"version {number} of profile '{profile}' vanished after it was stored")
        return found

    def versions(self, profile: str) -> list[ModelVersion]:
        return self._select_versions(profile, None)

    def version(self, profile: str, number: int) -> ModelVersion | None:
        found = self._select_versions(profile, number)
        return found[0] if found else None

    def set_status(self, profile: str, number: int, status: VersionStatus) -> None:
        profile_id = select(profiles.c.id).where(profiles.c.name == profile).scalar_subquery()
        with guarded(self.engine) as conn:
            conn.execute(
                update(model_versions)
                .where(model_versions.c.profile_id == profile_id, model_versions.c.version == number)
                .values(status=status.value)
            )

    def replace_artifact(self, profile: str, version: int, artifact: ArtifactRecord) -> None:
        profile_id = select(profiles.c.id).where(profiles.c.name == profile).scalar_subquery()
        version_id = (
            select(model_versions.c.id)
            .where(model_versions.c.profile_id == profile_id, model_versions.c.version == version)
            .scalar_subquery()
        )
        with guarded(self.engine) as conn:
            conn.execute(
                update(model_artifacts)
                .where(model_artifacts.c.model_version_id == version_id)
                .where(model_artifacts.c.name == artifact.name)
                .values(sha256=artifact.sha256, size_bytes=artifact.size_bytes)
            )

    def remove_versions(
        self,
        profile: str,
        choose: Callable[[Sequence[ModelVersion], Sequence[AliasMove]], Collection[int]],
        record: Callable[[Sequence[ModelVersion]], None],
        *,
        champion_too: bool = False,
    ) -> list[ModelVersion]:
        with guarded(self.engine) as conn:
            profile_id = self._lock_existing_profile(conn, profile)
            if profile_id is None:
                return []
            versions = _versions_on(conn, profile, None)
            moves = _moves_on(conn, profile, CHAMPION)
            chosen = set(choose(versions, moves))
            removed = [v for v in versions if v.version in chosen]
            champion = next((v.version for v in removed if v.is_champion), None)
            if champion is not None and champion_too:
                conn.execute(
                    delete(model_aliases).where(
                        model_aliases.c.profile_id == profile_id, model_aliases.c.alias == CHAMPION
                    )
                )
            elif champion is not None:
                raise ModelError(
                    f"version {champion} is the champion of profile '{profile}': it is never removed"
                )
            if not removed:
                return []
            numbers = [v.version for v in removed]
            ids = select(model_versions.c.id).where(
                model_versions.c.profile_id == profile_id, model_versions.c.version.in_(numbers)
            )
            conn.execute(delete(model_artifacts).where(model_artifacts.c.model_version_id.in_(ids)))
            conn.execute(
                delete(model_versions).where(
                    model_versions.c.profile_id == profile_id, model_versions.c.version.in_(numbers)
                )
            )
            record(removed)
        return removed

    # -- aliases ----------------------------------------------------------------------------------
    def alias_target(self, profile: str, alias: str) -> int | None:
        query = (
            select(model_aliases.c.version)
            .join(profiles, profiles.c.id == model_aliases.c.profile_id)
            .where(profiles.c.name == profile, model_aliases.c.alias == alias)
        )
        with guarded(self.engine, transaction=False) as conn:
            found = conn.execute(query).scalar()
        return int(found) if found is not None else None

    def move_alias(
        self,
        profile: str,
        alias: str,
        to_version: int,
        *,
        reason: MoveReason,
        note: str,
        now: float,
        expected_from: int | Literal["any"] | None = ANY_VERSION,
    ) -> AliasMove | None:
        with guarded(self.engine) as conn:
            profile_id = self._lock_existing_profile(conn, profile)
            if profile_id is None or not _version_exists(conn, profile_id, to_version):
                raise NoModelError(f"profile '{profile}' has no model version {to_version}")
            current = _alias_version(conn, profile_id, alias)
            if expected_from != ANY_VERSION and current != expected_from:
                raise ChampionMovedError(
                    f"the {alias} of profile '{profile}' moved meanwhile (now {_label(current)},"
                    f" expected {_label(expected_from)}): nothing was changed, look again and retry"
                )
            if current == to_version:
                return None
            self._point_alias(conn, profile_id, alias, to_version, now, exists=current is not None)
            move = AliasMove(profile, alias, current, to_version, now, reason, note)
            conn.execute(insert(model_alias_moves), _move_row(profile_id, move))
        return move

    def alias_moves(self, profile: str, alias: str) -> list[AliasMove]:
        with guarded(self.engine, transaction=False) as conn:
            return _moves_on(conn, profile, alias)

    # -- helpers ----------------------------------------------------------------------------------
    def _lock_new_or_existing_profile(self, conn: Connection, profile: str) -> int:
        profile_row(self.engine, conn, profile)
        profile_id = self._lock_existing_profile(conn, profile)
        if profile_id is None:  # pragma: no cover - inserted just above
            raise StoreError(f"profile '{profile}' could not be created")
        return profile_id

    def _lock_existing_profile(self, conn: Connection, profile: str) -> int | None:
        """Take the profile's registry lock until the transaction ends; its id, or None if it is unknown."""
        query = select(profiles.c.id).where(profiles.c.name == profile)
        if self.engine.dialect.name == "postgresql":
            found = conn.execute(query.with_for_update()).scalar()
        else:  # SQLite: only a write takes the write lock (and makes later reads see the latest commit)
            conn.execute(update(profiles).where(profiles.c.name == profile).values(name=profiles.c.name))
            found = conn.execute(query).scalar()
        return int(found) if found is not None else None

    def _point_alias(
        self, conn: Connection, profile_id: int, alias: str, version: int, now: float, *, exists: bool
    ) -> None:
        if exists:
            conn.execute(
                update(model_aliases)
                .where(model_aliases.c.profile_id == profile_id, model_aliases.c.alias == alias)
                .values(version=version, updated_at=now)
            )
        else:
            conn.execute(
                insert(model_aliases),
                {"profile_id": profile_id, "alias": alias, "version": version, "updated_at": now},
            )

    def _select_versions(self, profile: str, number: int | None) -> list[ModelVersion]:
        with guarded(self.engine, transaction=False) as conn:
            return _versions_on(conn, profile, number)


def _versions_on(conn: Connection, profile: str, number: int | None) -> list[ModelVersion]:
    """The profile's versions (or the one numbered `number`), newest first, read on `conn`."""
    query = (
        select(model_versions)
        .join(profiles, profiles.c.id == model_versions.c.profile_id)
        .where(profiles.c.name == profile)
        .order_by(model_versions.c.version.desc())
    )
    if number is not None:
        query = query.where(model_versions.c.version == number)
    rows = conn.execute(query).all()
    artifacts = _artifacts_of(conn, [r.id for r in rows])
    champion = _alias_version(conn, rows[0].profile_id, CHAMPION) if rows else None
    return [_model_version(profile, r, artifacts.get(r.id, ()), champion) for r in rows]


def _moves_on(conn: Connection, profile: str, alias: str) -> list[AliasMove]:
    """Every move of the profile's alias, newest first, read on `conn`."""
    query = (
        select(model_alias_moves)
        .join(profiles, profiles.c.id == model_alias_moves.c.profile_id)
        .where(profiles.c.name == profile, model_alias_moves.c.alias == alias)
        .order_by(model_alias_moves.c.id.desc())
    )
    return [
        AliasMove(profile, alias, r.from_version, r.to_version, r.moved_at, MoveReason(r.reason), r.note)
        for r in conn.execute(query)
    ]


def _next_version_number(conn: Connection, profile_id: int) -> int:
    """The next number, never one given before (a removed version's neither); recorded as given."""
    latest = conn.execute(
        select(func.max(model_versions.c.version)).where(model_versions.c.profile_id == profile_id)
    ).scalar()
    given = conn.execute(select(profiles.c.model_versions_given).where(profiles.c.id == profile_id)).scalar()
    number = max(int(latest or 0), int(given or 0)) + 1
    conn.execute(update(profiles).where(profiles.c.id == profile_id).values(model_versions_given=number))
    return number


def _version_exists(conn: Connection, profile_id: int, number: int) -> bool:
    found = conn.execute(
        select(model_versions.c.id).where(
            model_versions.c.profile_id == profile_id, model_versions.c.version == number
        )
    ).scalar()
    return found is not None


def _alias_version(conn: Connection, profile_id: int, alias: str) -> int | None:
    found = conn.execute(
        select(model_aliases.c.version).where(
            model_aliases.c.profile_id == profile_id, model_aliases.c.alias == alias
        )
    ).scalar()
    return int(found) if found is not None else None


def _artifacts_of(conn: Connection, version_ids: Sequence[int]) -> dict[int, tuple[ArtifactRecord, ...]]:
    if not version_ids:
        return {}
    query = (
        select(model_artifacts)
        .where(model_artifacts.c.model_version_id.in_(version_ids))
        .order_by(model_artifacts.c.name)
    )
    found: dict[int, list[ArtifactRecord]] = {}
    for r in conn.execute(query):
        found.setdefault(r.model_version_id, []).append(ArtifactRecord(r.name, r.sha256, int(r.size_bytes)))
    return {version_id: tuple(records) for version_id, records in found.items()}


def _version_row(profile_id: int, number: int, new: NewModelVersion, artifact_dir: str) -> dict[str, Any]:
    meta = new.metadata
    return {
        "profile_id": profile_id,
        "version": number,
        "created_at": new.created_at,
        "status": VersionStatus.READY.value,
        "data_fingerprint": meta.data_fingerprint,
        "feature_names": json_text.dumps(list(meta.feature_names)),
        "parameters": json_text.dumps(dict(meta.parameters)),
        "evaluation": json_text.dumps(dict(meta.evaluation)),
        "library_versions": json_text.dumps(dict(meta.library_versions)),
        "artifact_dir": artifact_dir,
    }


def _model_version(
    profile: str, row: Row[Any], artifacts: tuple[ArtifactRecord, ...], champion: int | None
) -> ModelVersion:
    return ModelVersion(
        profile=profile,
        version=int(row.version),
        created_at=float(row.created_at),
        status=VersionStatus(row.status),
        data_fingerprint=row.data_fingerprint,
        feature_names=tuple(json_text.loads(row.feature_names)),
        parameters=json_text.loads(row.parameters),
        evaluation=json_text.loads(row.evaluation),
        library_versions=json_text.loads(row.library_versions),
        artifact_dir=row.artifact_dir,
        artifacts=artifacts,
        is_champion=champion == row.version,
    )


def _move_row(profile_id: int, move: AliasMove) -> dict[str, Any]:
    return {
        "profile_id": profile_id,
        "alias": move.alias,
        "from_version": move.from_version,
        "to_version": move.to_version,
        "moved_at": move.moved_at,
        "reason": move.reason.value,
        "note": move.note,
    }


def _label(version: int | str | None) -> str:
    return "none" if version is None else f"version {version}"
