"""The model registry: every training run is a numbered version; the `champion` alias says which serves.

Model-agnostic: a version is a set of named artifact files (bytes, safe text formats only) plus metadata.
Files live under `<data_dir>/models/<profile>/<version>/`, rows in the store; a version exists only once
both are in place, and loading checks every file against the sha256 recorded at registration.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from musicflow.errors import Hint, ModelError, ModelIntegrityError, ModelVersionNotFoundError, NoModelError
from musicflow.model import artifacts as files
from musicflow.model.metadata import check_features, checked_metadata, library_versions
from musicflow.model.pruning import (
    TAKEN_BACK,
    Plan,
    Pruning,
    RemovedRecord,
    RemovedVersion,
    bytes_under,
    plan_pruning,
    read_ledger,
    version_words,
    write_ledger,
)
from musicflow.model.refs import VersionRef, parse_ref, previous_champion
from musicflow.store.ports import (
    ANY_VERSION,
    CHAMPION,
    AliasMove,
    ArtifactRecord,
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
    "Pruning",
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
        self,
        profile: str,
        artifacts: Mapping[str, bytes],
        metadata: ModelMetadata,
        *,
        profile_id: int | None = None,
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

    def prune(self, profile: str, keep_newest: int, *, dry_run: bool = False) -> Pruning: ...

    def take_back(self, profile: str, versions: Collection[int]) -> TakenBack: ...

    def forget_profile_name(self, gone: str, others: Sequence[str], tracks: Collection[int] = ()) -> int: ...


class TakenBack(NamedTuple):
    """What taking plays back did to a profile's models: the versions removed (oldest first), and the
    version that serves now (None: none does until one is trained)."""

    removed: tuple[int, ...]
    serving: int | None


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

    def register(
        self,
        profile: str,
        artifacts: Mapping[str, bytes],
        metadata: ModelMetadata,
        *,
        profile_id: int | None = None,
    ) -> ModelVersion:
        """Store a new version; it becomes visible only once its files and its row are both in place.
        `profile_id`: the profile's id when the version's data was read: a profile deleted since gets no
        version, nor made again (ProfileNotFoundError)."""
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
            version = self._models.add_version(profile, new, place_files, profile_id=profile_id)
        except BaseException:
            files.remove_quietly(temp, *placed)
            with contextlib.suppress(OSError):  # a folder made for this version alone names its profile
                profile_dir.rmdir()
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
        if not moves or self._models.alias_target(profile, CHAMPION) is None:
            raise NoModelError(f"profile '{profile}' has no champion to roll back", profile=profile)
        current = moves[0].to_version
        target = previous_champion(moves)
        if target is None:
            raise ModelError(
                f"version {current} is the first champion of profile '{profile}':"
                " there is no previous champion to roll back to"
            )
        try:
            found = self.show(profile, target)
        except ModelVersionNotFoundError as gone:
            raise ModelVersionNotFoundError(
                f"cannot roll back to version {target}, the champion before version {current}: {gone}",
                hint=Hint.PROMOTE,
                profile=profile,
            ) from None
        self._verified_artifacts(found)
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
            raise self._not_found(profile, number)
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

    def removed(self, profile: str) -> dict[int, RemovedRecord]:
        """The versions pruning removed from the profile, by number: when, and the last play each
        learned from (its logged predictions are judged from there)."""
        return read_ledger(self.profile_dir(profile))

    # -- pruning ----------------------------------------------------------------------------------
    def prune(self, profile: str, keep_newest: int, *, dry_run: bool = False) -> Pruning:
        """Remove the profile's old versions, rows and files: all but the champion, the version a
        rollback returns to, and the newest `keep_newest` (`model/pruning.py`). With `dry_run`, say what
        would go and change nothing. The size freed is what the files took on disk."""
        if keep_newest < 1:
            raise ModelError(f"keeping the newest {keep_newest} versions would keep none: keep 1 or more")
        if dry_run:
            versions = self._models.versions(profile)
            plan = plan_pruning(versions, self._models.alias_moves(profile, CHAMPION), keep_newest)
            would = tuple(
                RemovedVersion(v.version, v.created_at, _bytes_of(self._folder_of(v))) for v in plan.removed
            )
            return Pruning(
                profile, keep_newest, would, plan.kept, plan.champion, plan.rollback_target, dry_run=True
            )
        plans: builtins.list[Plan] = []
        now = self._clock()

        def choose(versions: Sequence[ModelVersion], moves: Sequence[AliasMove]) -> builtins.list[int]:
            plans.append(plan_pruning(versions, moves, keep_newest))
            return [v.version for v in plans[-1].removed]

        def record(removed: Sequence[ModelVersion]) -> None:
            write_ledger(
                self.profile_dir(profile),
                [RemovedRecord(v.version, v.created_at, now, self._last_play_at(v)) for v in removed],
            )

        removed = self._models.remove_versions(profile, choose, record)
        if not plans:  # the profile has no versions at all
            return Pruning(profile, keep_newest, (), {}, None, None)
        plan = plans[-1]
        gone, left = self._delete_files(profile, removed, "old versions")
        leftover = 0
        for orphan in self._orphan_folders(profile, plan.kept):
            freed, folder_gone = _delete_folder(orphan)
            leftover += freed
            if not folder_gone:
                left.append(str(orphan))
        return Pruning(
            profile,
            keep_newest,
            tuple(gone),
            plan.kept,
            plan.champion,
            plan.rollback_target,
            leftover_bytes=leftover,
            not_deleted=tuple(left),
        )

    def take_back(self, profile: str, versions: Collection[int]) -> TakenBack:
        """Remove the versions that learned from plays the listener took back, the champion among them:
        their rows and files go, the ledger says why (an unknown number is passed over). A champion removed
        is followed by a version left (none learned from those plays; `_serve_newest_left`), when one can."""
        wanted = set(versions)
        if not wanted:
            return TakenBack((), self._models.alias_target(profile, CHAMPION))
        now = self._clock()

        def record(removed: Sequence[ModelVersion]) -> None:
            write_ledger(
                self.profile_dir(profile),
                [
                    RemovedRecord(v.version, v.created_at, now, self._last_play_at(v), why=TAKEN_BACK)
                    for v in removed
                ],
            )

        removed = self._models.remove_versions(
            profile, lambda found, _moves: wanted, record, champion_too=True
        )
        self._delete_files(profile, removed, "with the plays they learned from")
        serving = self._models.alias_target(profile, CHAMPION)
        if serving is None and any(v.is_champion for v in removed):
            serving = self._serve_newest_left(profile)
        return TakenBack(tuple(sorted(v.version for v in removed)), serving)

    def forget_profile_name(self, gone: str, others: Sequence[str], tracks: Collection[int] = ()) -> int:
        """Take a deleted profile out of what the `others`' versions recorded they learned from (a version
        reads every listener's plays in its store): its name out of `lineage.json`, whose figures stay
        under "deleted profile N", and the `tracks` only it played out of `features.parquet` (their names
        and features), the lineage's digest of that file following it. Each new file is written beside
        the old, its checksum recorded, then it is moved over the old one: a process killed between the
        two leaves it for the next reading to move (`artifacts.read_verified`). How many versions changed."""
        from musicflow.model.lineage import without_profile, without_tracks

        changed = 0
        for profile in others:
            for version in self._models.versions(profile):
                label = f"model version {version.version} of profile '{profile}'"
                try:
                    recorded = self.lineage(version)
                    if recorded is None:
                        continue
                    directory = self._directory_of(version)
                    unnamed = without_profile(recorded, gone)  # None: it never named them, or no longer
                    scrubbed = unnamed if unnamed is not None else dict(recorded)
                    kept = None
                    if tracks:  # looked for even where the name went already: a deletion run again
                        records = [r for r in version.artifacts if r.name == files.DATA_FILE]
                        data = files.read_verified(directory, records, label).get(files.DATA_FILE)
                        kept = without_tracks(scrubbed, data, tracks) if data is not None else None
                except ModelError as unreadable:  # damaged: nothing of it is served or read
                    log.warning("%s: what it learned from not rewritten: %s", label, unreadable)
                    continue
                if kept is not None:
                    scrubbed, features = kept
                    self._replace_file(version, directory, files.DATA_FILE, features)
                if unnamed is not None or kept is not None:
                    lineage = json.dumps(scrubbed, indent=2, sort_keys=True, allow_nan=False).encode()
                    self._replace_file(version, directory, files.LINEAGE_FILE, lineage)
                    changed += 1
        return changed

    def _replace_file(self, version: ModelVersion, directory: Path, name: str, data: bytes) -> None:
        """One artifact file of a version rewritten: beside the old, its checksum recorded, then moved."""
        temp = directory / f".{name}.{uuid.uuid4().hex}"
        files.write_durably(temp, data)
        try:
            record = ArtifactRecord(name, files.sha256_hex(data), len(data))
            self._models.replace_artifact(version.profile, version.version, record)
            temp.replace(directory / name)
        finally:
            temp.unlink(missing_ok=True)

    def _serve_newest_left(self, profile: str) -> int | None:
        """Make a version left the champion: the newest that served before (the gate let it), else the
        newest, of those whose files are whole; None when no version can serve."""
        served = {move.to_version for move in self._models.alias_moves(profile, CHAMPION)}
        left = self._models.versions(profile)  # newest first
        for version in sorted(left, key=lambda v: v.version not in served):  # a stable sort: newest first
            try:
                return self.promote(
                    profile,
                    version.version,
                    MoveReason.AUTO_PROMOTE,
                    "the champion before it learned from plays taken back",
                    expected_champion=None,
                ).to_version
            except ModelError as unusable:
                log.warning("profile '%s': version %d cannot serve: %s", profile, version.version, unusable)
        return None

    def _delete_files(
        self, profile: str, removed: Sequence[ModelVersion], why: str
    ) -> tuple[builtins.list[RemovedVersion], builtins.list[str]]:
        """Delete the folders of versions whose rows went (logged with `why`): what each freed, and the
        folders that stay."""
        if removed:
            numbers = ", ".join(f"v{v.version}" for v in removed)
            log.info("removed %d versions of profile '%s', %s: %s", len(removed), profile, why, numbers)
        gone: builtins.list[RemovedVersion] = []
        left: builtins.list[str] = []
        for version in removed:
            folder = self._folder_of(version)
            freed, folder_gone = _delete_folder(folder) if folder is not None else (0, False)
            gone.append(RemovedVersion(version.version, version.created_at, freed))
            if not folder_gone:
                left.append(str(folder or version.artifact_dir))
        return gone, left

    def _last_play_at(self, version: ModelVersion) -> float | None:
        """The last play a version learned from, as its `model.json` recorded it (None if it did not, or
        its files are damaged)."""
        try:
            last_play = self.metadata(version).get("training", {}).get("last_play_at")
        except ModelError:
            return None
        return float(last_play) if isinstance(last_play, int | float) else None

    def _orphan_folders(self, profile: str, kept: Mapping[int, object]) -> builtins.list[Path]:
        """Version folders without a row, numbered below the newest kept version: the files of versions
        removed by a run killed before it deleted them. (A folder numbered above every row is a
        registration not committed yet, or killed: the next registration takes its number.)"""
        folder = self.profile_dir(profile)
        if not kept or not folder.is_dir():
            return []
        newest = max(kept)
        return [
            entry
            for entry in folder.iterdir()
            if entry.is_dir()
            and entry.name.isdigit()
            and int(entry.name) < newest
            and int(entry.name) not in kept
        ]

    # -- helpers ----------------------------------------------------------------------------------
    def _not_found(self, profile: str, number: int) -> ModelVersionNotFoundError:
        """A version the profile does not have, saying what became of it and which versions it has."""
        from datetime import UTC, datetime

        versions = self._models.versions(profile)
        said = f"profile '{profile}' has no model version {number}"
        removed = self.removed(profile).get(number)
        if removed is not None:
            day = datetime.fromtimestamp(removed.removed_at, UTC).strftime("%Y-%m-%d")
            why = "as an old version"
            if removed.why == TAKEN_BACK:
                why = "with the plays it learned from, which were taken back"
            said += f": it was removed on {day}, {why}"
        if versions:
            champion = next((v.version for v in versions if v.is_champion), None)
            said += f"; its versions are {version_words([v.version for v in versions], champion)}"
        else:
            said += "; it has no version yet"
        return ModelVersionNotFoundError(said, hint=Hint.LIST_MODELS, profile=profile)

    def _folder_of(self, version: ModelVersion) -> Path | None:
        """The version's folder; None when its record points outside the models folder (nothing there is
        measured or deleted)."""
        try:
            return self._directory_of(version)
        except ModelIntegrityError:
            return None

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


def _bytes_of(folder: Path | None) -> int:
    return bytes_under(folder) if folder is not None else 0


def _delete_folder(folder: Path) -> tuple[int, bool]:
    """Delete a version's folder; the bytes it freed, and whether the folder is gone."""
    before = bytes_under(folder)
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        log.warning("could not delete %s: delete it by hand", folder)
        return before - bytes_under(folder), False
    return before, True


def open_registry(store: Store, settings: Settings) -> FileModelRegistry:
    """The registry of the configured store, with artifacts under `<data_dir>/models`."""
    return FileModelRegistry(store.models, settings.data_dir / "models")
