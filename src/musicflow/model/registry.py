"""The model registry: every training run is a numbered version; the `champion` alias says which serves.

Model-agnostic: a version is a set of named artifact files (bytes, safe text formats only) plus metadata.
Files live under `<data_dir>/models/<profile>/<version>/`, rows in the store; a version exists only once
both are in place, and loading checks every file against the sha256 recorded at registration.
"""

from __future__ import annotations

import builtins
import json
import logging
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from musicflow.errors import Hint, ModelError, ModelIntegrityError, ModelVersionNotFoundError, NoModelError
from musicflow.model import artifacts as files
from musicflow.model.metadata import check_features, checked_metadata, library_versions
from musicflow.model.refs import VersionRef, parse_ref, previous_champion
from musicflow.store.ports import (
    ANY_VERSION,
    CHAMPION,
    AliasMove,
    ModelMetadata,
    ModelStore,
    ModelVersion,
    MoveReason,
    NewModelVersion,
    VersionStatus,
)

if TYPE_CHECKING:
    from musicflow.config import Settings
    from musicflow.store.ports import Store

__all__ = [
    "CHAMPION",
    "AliasMove",
    "FileModelRegistry",
    "LoadedModel",
    "ModelMetadata",
    "ModelRegistry",
    "ModelVersion",
    "MoveReason",
    "VersionRef",
    "VersionStatus",
    "library_versions",
    "open_registry",
    "parse_ref",
    "previous_champion",
]

log = logging.getLogger(__name__)

STALE_TEMP_AFTER_S = 3600.0


class LoadedModel(NamedTuple):
    version: ModelVersion
    artifacts: dict[str, bytes]


class ModelRegistry(Protocol):
    """What `musicflow train`, `predict` and `models ...` need of the registry."""

    def register(
        self, profile: str, artifacts: Mapping[str, bytes], metadata: ModelMetadata
    ) -> ModelVersion: ...

    def load(
        self, profile: str, ref: VersionRef = CHAMPION, *, expected_features: Sequence[str] | None = None
    ) -> LoadedModel: ...

    def list(self, profile: str) -> builtins.list[ModelVersion]: ...

    def show(self, profile: str, ref: VersionRef) -> ModelVersion: ...

    def champion(self, profile: str) -> ModelVersion | None: ...

    def promote(
        self,
        profile: str,
        ref: VersionRef,
        reason: MoveReason = MoveReason.PROMOTE,
        note: str = "",
        *,
        expected_champion: int | Literal["any"] | None = ANY_VERSION,
    ) -> AliasMove: ...

    def rollback(self, profile: str, note: str = "") -> AliasMove: ...

    def history(self, profile: str) -> builtins.list[AliasMove]: ...


class FileModelRegistry:
    """Implements `ModelRegistry`: artifact files in a folder, records in a `ModelStore`."""

    def __init__(
        self,
        models: ModelStore,
        models_dir: Path,
        *,
        clock: Callable[[], float] = time.time,
        stale_temp_after_s: float = STALE_TEMP_AFTER_S,
    ) -> None:
        self._models = models
        self._dir = models_dir
        self._clock = clock
        self._stale_temp_after_s = stale_temp_after_s

    # -- writing ----------------------------------------------------------------------------------
    def profile_dir(self, profile: str) -> Path:
        """The folder of the profile's artifact files."""
        return self._dir / files.profile_dir_name(profile)

    def forget(self, profile: str) -> int:
        """Remove every artifact file of the profile (its records go with the profile); how many."""
        folder = self.profile_dir(profile)
        count = sum(1 for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():
            raise ModelError(f"could not remove {folder}: remove it by hand")
        return count

    def register(self, profile: str, artifacts: Mapping[str, bytes], metadata: ModelMetadata) -> ModelVersion:
        """Store a new version; it becomes visible only once its files and its row are both in place."""
        files.check_artifact_names(artifacts)
        metadata = checked_metadata(metadata)
        profile_dir = self._dir / files.profile_dir_name(profile)
        files.sweep_stale_temps(profile_dir, older_than_s=self._stale_temp_after_s, now=time.time())
        temp = files.write_to_temp(profile_dir, artifacts)
        placed: list[Path] = []

        def place_files(number: int) -> str:
            final = profile_dir / str(number)
            files.move_into_place(temp, final)
            placed.append(final)
            return final.relative_to(self._dir).as_posix()

        new = NewModelVersion(metadata, files.records_of(artifacts), self._clock())
        try:
            version = self._models.add_version(profile, new, place_files)
        except BaseException:
            files.remove_quietly(temp, *placed)
            raise
        log.info(
            "registered version %d of profile '%s' in %s", version.version, profile, version.artifact_dir
        )
        return version

    def promote(
        self,
        profile: str,
        ref: VersionRef,
        reason: MoveReason = MoveReason.PROMOTE,
        note: str = "",
        *,
        expected_champion: int | Literal["any"] | None = ANY_VERSION,
    ) -> AliasMove:
        """Make a version the champion, after checking its files; the move is recorded with `reason`."""
        target = self.show(profile, ref)
        self._verified_artifacts(target)
        move = self._models.move_alias(
            profile,
            CHAMPION,
            target.version,
            reason=reason,
            note=note,
            now=self._clock(),
            expected_from=expected_champion,
        )
        if move is None:
            raise ModelError(f"version {target.version} is already the champion of profile '{profile}'")
        log.info("champion of '%s': %s -> %d (%s)", profile, move.from_version, move.to_version, reason)
        return move

    def rollback(self, profile: str, note: str = "") -> AliasMove:
        """Return the champion to the one before it; repeated rollbacks walk further back."""
        moves = self._models.alias_moves(profile, CHAMPION)
        if not moves:
            raise NoModelError(f"profile '{profile}' has no champion to roll back")
        current = moves[0].to_version
        target = previous_champion(moves)
        if target is None:
            raise ModelError(
                f"version {current} is the first champion of profile '{profile}':"
                " there is no previous champion to roll back to"
            )
        self._verified_artifacts(self.show(profile, target))
        move = self._models.move_alias(
            profile,
            CHAMPION,
            target,
            reason=MoveReason.ROLLBACK,
            note=note,
            now=self._clock(),
            expected_from=current,
        )
        if move is None:  # pragma: no cover - a rollback target always differs from the champion
            raise ModelError(f"version {target} is already the champion of profile '{profile}'")
        log.info("champion of '%s' rolled back: %s -> %d", profile, move.from_version, move.to_version)
        return move

    # -- reading ----------------------------------------------------------------------------------
    def load(
        self, profile: str, ref: VersionRef = CHAMPION, *, expected_features: Sequence[str] | None = None
    ) -> LoadedModel:
        """A version and its artifact bytes, refused when a file is missing or changed.

        With `expected_features` (the features this code builds, in order), a version trained on other
        features is refused too: its predictions would be silently wrong.
        """
        version = self.show(profile, ref)
        if expected_features is not None:
            check_features(version, expected_features)
        return LoadedModel(version, self._verified_artifacts(version))

    def list(self, profile: str) -> builtins.list[ModelVersion]:
        """The profile's versions, newest first (`is_champion` marks the one serving)."""
        return self._models.versions(profile)

    def show(self, profile: str, ref: VersionRef) -> ModelVersion:
        """One version's record (artifact files are not read)."""
        number = parse_ref(ref)
        if number is None:
            champion = self.champion(profile)
            if champion is None:
                raise self._no_champion(profile)
            return champion
        found = self._models.version(profile, number)
        if found is None:
            raise ModelVersionNotFoundError(
                f"profile '{profile}' has no model version {number}", hint=Hint.LIST_MODELS, profile=profile
            )
        return found

    def champion(self, profile: str) -> ModelVersion | None:
        number = self._models.alias_target(profile, CHAMPION)
        return self._models.version(profile, number) if number is not None else None

    def history(self, profile: str) -> builtins.list[AliasMove]:
        """Every move of the champion, newest first."""
        return self._models.alias_moves(profile, CHAMPION)

    def metadata(self, version: ModelVersion) -> dict[str, Any]:
        """The version's `model.json` (what it learned from), checked against its checksum; reading it
        records nothing."""
        return self._json_file(version, files.META_FILE) or {}

    def lineage(self, version: ModelVersion) -> dict[str, Any] | None:
        """The version's `lineage.json` (the plays' cut-off, features, catalogs, code and seeds it learned
        from; `lineage.py`), checked like `metadata`; None for a version trained before it was recorded."""
        return self._json_file(version, files.LINEAGE_FILE)

    def _json_file(self, version: ModelVersion, name: str) -> dict[str, Any] | None:
        label = f"model version {version.version} of profile '{version.profile}'"
        records = [record for record in version.artifacts if record.name == name]
        found = files.read_verified(self._directory_of(version), records, label)
        loaded: dict[str, Any] | None = json.loads(found[name]) if name in found else None
        return loaded

    # -- helpers ----------------------------------------------------------------------------------
    def _verified_artifacts(self, version: ModelVersion) -> dict[str, bytes]:
        """Read and check the files, recording the outcome in the version's status for `models list`."""
        label = f"model version {version.version} of profile '{version.profile}'"
        try:
            found = files.read_verified(self._directory_of(version), version.artifacts, label)
        except ModelIntegrityError:
            if version.status != VersionStatus.DAMAGED:
                self._models.set_status(version.profile, version.version, VersionStatus.DAMAGED)
            raise
        if version.status != VersionStatus.READY:
            self._models.set_status(version.profile, version.version, VersionStatus.READY)
        return found

    def _directory_of(self, version: ModelVersion) -> Path:
        root = self._dir.resolve()
        directory = (root / version.artifact_dir).resolve()
        if not directory.is_relative_to(root):
            raise ModelIntegrityError(
                f"model version {version.version} of profile '{version.profile}' points outside"
                f" {root} ({version.artifact_dir}); refusing to load it"
            )
        return directory

    def _no_champion(self, profile: str) -> NoModelError:
        if self._models.versions(profile):
            return NoModelError(
                f"profile '{profile}' has no champion model", hint=Hint.PROMOTE, profile=profile
            )
        return NoModelError(f"profile '{profile}' has no model yet", hint=Hint.TRAIN, profile=profile)


def open_registry(store: Store, settings: Settings) -> FileModelRegistry:
    """The registry of the configured store, with artifacts under `<data_dir>/models`."""
    return FileModelRegistry(store.models, settings.data_dir / "models")
