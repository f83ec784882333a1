"""Removing old model versions: which ones go, what stays, and the record of those removed.

A listener retrained every day gathers a version a day (its model, evaluation, lineage and the features it
learned from: megabytes each). Pruning keeps, always: the champion (it serves), the version a rollback
would return to (`refs.previous_champion`), and the newest N; every other version goes, its row and its
files. What a removed version leaves is one line in `removed.json` beside the profile's versions: its
number, when it was made and removed, and the last play it learned from, so its logged predictions are
still judged against the plays after it (`app/prediction_accuracy.py`) and a command naming it can say
what became of it.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from musicflow.core.timezone import iso_utc
from musicflow.model.artifacts import fsync_dir, write_durably
from musicflow.model.refs import previous_champion
from musicflow.store.ports import AliasMove, ModelVersion

log = logging.getLogger(__name__)

LEDGER_FILE = "removed.json"  # in the profile's folder, beside its version folders

# Why a version is kept (the words of `Pruning.kept` and of `models prune --format json`).
SERVES = "champion"
ROLLBACK = "rollback target"
NEWEST = "newest"

# Why a version left the registry (the ledger's words): pruned as old, or removed with the plays it had
# learned from when the listener took an import back (`MusicFlow.undo_import`).
OLD = "old"
TAKEN_BACK = "taken back"


@dataclass(frozen=True)
class Plan:
    """What pruning keeps (each kept version and why, newest first) and what it removes."""

    kept: Mapping[int, tuple[str, ...]]
    removed: tuple[ModelVersion, ...]
    champion: int | None
    rollback_target: int | None


def plan_pruning(versions: Sequence[ModelVersion], moves: Sequence[AliasMove], keep_newest: int) -> Plan:
    """Keep the champion, the version a rollback returns to, and the newest `keep_newest` versions;
    `versions` and `moves` newest first, as the registry gives them."""
    numbers = {v.version for v in versions}
    champion = next((v.version for v in versions if v.is_champion), None)
    target = previous_champion(moves)
    rollback_target = target if target in numbers else None
    reasons: dict[int, list[str]] = {}
    if champion is not None:
        reasons.setdefault(champion, []).append(SERVES)
    if rollback_target is not None:
        reasons.setdefault(rollback_target, []).append(ROLLBACK)
    for newest in sorted(numbers, reverse=True)[:keep_newest]:
        reasons.setdefault(newest, []).append(NEWEST)
    kept = {number: tuple(reasons[number]) for number in sorted(reasons, reverse=True)}
    removed = tuple(v for v in versions if v.version not in kept)
    return Plan(kept, removed, champion, rollback_target)


@dataclass(frozen=True)
class RemovedVersion:
    """A version pruning removed (or, in a dry run, would remove), and its files' size on disk."""

    version: int
    created_at: float
    size_bytes: int


@dataclass(frozen=True)
class Pruning:
    """What one pruning of a profile's versions did, or in a dry run would do."""

    profile: str
    keep_newest: int
    removed: tuple[RemovedVersion, ...]  # newest first
    kept: Mapping[int, tuple[str, ...]]  # each version kept, newest first, and why
    champion: int | None
    rollback_target: int | None
    dry_run: bool = False
    leftover_bytes: int = 0  # files of versions removed before that a killed run left behind, now deleted
    not_deleted: tuple[str, ...] = ()  # folders whose rows went but which could not be deleted

    @property
    def newest_kept(self) -> tuple[int, ...]:
        """The newest versions kept as such (at most `keep_newest`), newest first."""
        return tuple(number for number, why in self.kept.items() if NEWEST in why)

    @property
    def freed_bytes(self) -> int:
        return sum(r.size_bytes for r in self.removed) + self.leftover_bytes

    def as_document(self) -> dict[str, Any]:
        """What `models prune --format json` writes: each version removed with when it was made (ISO
        8601, UTC, as `models list` gives it), the space freed, and each version kept and why."""
        return {
            "profile": self.profile,
            "dry_run": self.dry_run,
            "keep_newest": self.keep_newest,
            "removed": [
                {"version": r.version, "created_at": iso_utc(r.created_at), "size_bytes": r.size_bytes}
                for r in self.removed
            ],
            "freed_bytes": self.freed_bytes,
            "kept": [{"version": number, "why": list(why)} for number, why in self.kept.items()],
            "champion": self.champion,
            "rollback_target": self.rollback_target,
            "not_deleted": list(self.not_deleted),
        }


@dataclass(frozen=True)
class RemovedRecord:
    """What the ledger keeps of a removed version."""

    version: int
    created_at: float
    removed_at: float
    last_play_at: float | None  # the last play it learned from; None for a version that did not record it
    why: str = OLD  # OLD: pruned; TAKEN_BACK: removed with the plays it learned from


def read_ledger(profile_dir: Path) -> dict[int, RemovedRecord]:
    """The profile's removed versions by number; empty when none was removed (or the ledger is
    unreadable, which is logged: what it serves is a courtesy, never needed to use the kept versions)."""
    path = profile_dir / LEDGER_FILE
    try:
        entries = json.loads(path.read_bytes())["removed"]
        records = [
            RemovedRecord(
                int(e["version"]),
                float(e["created_at"]),
                float(e["removed_at"]),
                float(e["last_play_at"]) if e.get("last_play_at") is not None else None,
                str(e.get("why", OLD)),
            )
            for e in entries
        ]
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read %s (%s): removed versions are not described", path, exc)
        return {}
    return {record.version: record for record in records}


def write_ledger(profile_dir: Path, added: Sequence[RemovedRecord]) -> None:
    """Add records to the profile's ledger, replacing it in one rename (a kill leaves the old one)."""
    records = {**read_ledger(profile_dir), **{r.version: r for r in added}}
    document = {
        "removed": [
            {
                "version": r.version,
                "created_at": r.created_at,
                "removed_at": r.removed_at,
                "last_play_at": r.last_play_at,
                "why": r.why,
            }
            for r in sorted(records.values(), key=lambda r: r.version)
        ]
    }
    profile_dir.mkdir(parents=True, exist_ok=True)
    temp = profile_dir / f".{LEDGER_FILE}.{uuid.uuid4().hex}"
    try:
        write_durably(temp, json.dumps(document, indent=1).encode())
        temp.replace(profile_dir / LEDGER_FILE)
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(profile_dir)


def bytes_under(folder: Path) -> int:
    """The size of the files under a folder (0 when it is not there)."""
    total = 0
    for path in folder.rglob("*") if folder.is_dir() else ():
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:  # gone meanwhile
            continue
    return total


def version_words(numbers: Sequence[int], champion: int | None, most: int = 8) -> str:
    """ "v9 (champion), v8, v7", at most `most` named: what a message about a missing version says remains."""
    named = [f"v{n} (champion)" if n == champion else f"v{n}" for n in numbers[:most]]
    more = len(numbers) - len(named)
    return ", ".join(named) + (f" and {more:,} more" if more else "")
