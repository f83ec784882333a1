"""Artifact files of model versions on disk: written durably, moved into place atomically, read verified.

A version's files are first written to a hidden temporary folder beside the versions, each file and the
folder fsynced, then the folder is renamed to its final name (atomic on POSIX) and its parent fsynced. A
process killed while writing leaves only a temporary folder, which nothing reads and a later registration
sweeps away; a process killed after the rename but before the database commit leaves a version folder
with no row, which the next registration of that profile replaces (it takes the same number).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from musicflow.errors import ModelError, ModelIntegrityError
from musicflow.store.ports import ArtifactRecord

log = logging.getLogger(__name__)

# Safe formats only: LightGBM's text model, JSON, Parquet. Never a pickle or anything that runs code
# when loaded.
MODEL_FILE = "model.txt"  # the LightGBM booster as text
META_FILE = "model.json"  # what the version learned from, its evaluation and settings
LINEAGE_FILE = "lineage.json"  # the plays' cut-off, features, catalogs, code and seeds (`lineage.py`)
DATA_FILE = "features.parquet"  # the features it learned from, to build it again

# Parquet is a columnar data format: reading one runs no code.
ALLOWED_SUFFIXES = (".txt", ".json", ".parquet")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
SAFE_PROFILE_DIR = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
TEMP_PREFIX = ".tmp-"


def check_artifact_names(names: Iterable[str]) -> None:
    """Refuse names that could escape the version folder or hold an unsafe format."""
    names = list(names)
    if not names:
        raise ModelError("a model version needs at least one artifact file")
    for name in names:
        if not SAFE_NAME.fullmatch(name) or ".." in name:
            raise ModelError(
                f"artifact name {name!r} is not allowed: use letters, digits, '.', '_' and '-' only"
            )
        if not name.endswith(ALLOWED_SUFFIXES):
            raise ModelError(
                f"artifact {name!r} is not allowed: only {', '.join(ALLOWED_SUFFIXES)} files are stored"
                " (text formats that cannot run code when loaded)"
            )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def records_of(artifacts: Mapping[str, bytes]) -> tuple[ArtifactRecord, ...]:
    return tuple(
        ArtifactRecord(name, sha256_hex(data), len(data)) for name, data in sorted(artifacts.items())
    )


def profile_dir_name(profile: str) -> str:
    """The profile's folder name: the name itself when it is plainly safe, else a hashed stand-in.

    Only lower-case names are used as they are, so two profiles never share a folder on a file system
    that ignores case; hashed names start with '_', which a plain name cannot.
    """
    if SAFE_PROFILE_DIR.fullmatch(profile):
        return profile
    slug = re.sub(r"[^a-z0-9]+", "-", profile.lower()).strip("-")[:32]
    return f"_{slug}-{hashlib.sha256(profile.encode()).hexdigest()[:12]}"


def write_to_temp(parent: Path, artifacts: Mapping[str, bytes]) -> Path:
    """Write every artifact durably into a new temporary folder under `parent`; returns the folder."""
    parent.mkdir(parents=True, exist_ok=True)
    temp = parent / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
    temp.mkdir()
    for name, data in artifacts.items():
        write_durably(temp / name, data)
    fsync_dir(temp)
    return temp


def write_durably(path: Path, data: bytes) -> None:
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def move_into_place(temp: Path, final: Path) -> None:
    """Rename the temporary folder to its final name, replacing an orphan a killed run left there."""
    if final.exists():
        log.warning("removing %s: files of a registration that never completed", final)
        shutil.rmtree(final)
    temp.rename(final)
    fsync_dir(final.parent)


def fsync_dir(directory: Path) -> None:
    """Make a folder's entries (new files, a rename) durable, where the platform allows it."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        descriptor = os.open(directory, flags)
    except OSError:  # pragma: no cover - platforms that cannot open folders
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_quietly(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def sweep_stale_temps(parent: Path, *, older_than_s: float, now: float) -> int:
    """Remove temporary folders of registrations killed at least `older_than_s` ago; returns how many.

    Younger ones may belong to a registration still writing in another process, so they are left alone
    (nothing reads them either way).
    """
    if not parent.is_dir():
        return 0
    removed = 0
    for entry in parent.iterdir():
        if entry.name.startswith(TEMP_PREFIX) and _age_s(entry, now) >= older_than_s:
            log.info("removing %s: files of a registration that never completed", entry)
            remove_quietly(entry)
            removed += 1
    return removed


def _age_s(path: Path, now: float) -> float:
    """Seconds since the path last changed; minus infinity when it has just gone (renamed into place)."""
    try:
        return now - path.stat().st_mtime
    except FileNotFoundError:
        return -math.inf


def read_verified(directory: Path, expected: Sequence[ArtifactRecord], label: str) -> dict[str, bytes]:
    """Every artifact's bytes, after checking each against the checksum recorded at registration."""
    found: dict[str, bytes] = {}
    for record in expected:
        path = directory / record.name
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ModelIntegrityError(
                f"{label}: artifact {record.name} is missing at {path}; the version cannot be used"
                " (restore the models folder from the backup the store came from, promote another version,"
                " or train again)"
            ) from exc
        except OSError as exc:
            raise ModelIntegrityError(
                f"{label}: cannot read artifact {record.name} at {path}: {exc}"
            ) from exc
        actual = sha256_hex(data)
        if actual != record.sha256 and (rewritten := _finish_rewrite(path, record.sha256)) is not None:
            data, actual = rewritten, record.sha256
        if actual != record.sha256:
            raise ModelIntegrityError(
                f"{label}: artifact {record.name} at {path} was changed since it was registered"
                f" (sha256 {actual[:12]}…, expected {record.sha256[:12]}…); refusing to load it"
            )
        found[record.name] = data
    return found


def _finish_rewrite(path: Path, sha256: str) -> bytes | None:
    """A file rewritten in place (`.<name>.<random>` written durably, its checksum recorded, then moved
    over it) whose process died between the record and the move: the written copy, which the record
    names, is moved into place and its bytes returned; None when no copy there has that checksum."""
    for copy in sorted(path.parent.glob(f".{path.name}.*")):
        try:
            data = copy.read_bytes()
        except OSError:
            continue
        if sha256_hex(data) == sha256:
            copy.replace(path)
            fsync_dir(path.parent)
            log.info("%s: finished a rewrite its process left half-way", path)
            return data
    return None
