"""Pruning old versions, on SQLite and PostgreSQL alike: what goes (rows and files), what always stays (the
champion, the version a rollback returns to, the newest N), and what a removed version leaves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from musicflow.errors import ModelError, ModelVersionNotFoundError
from musicflow.model.registry import FileModelRegistry
from musicflow.store.sql import SqlStore
from tests.fakes.clock import FakeClock
from tests.model.registry.samples import artifacts, metadata


def nine_versions(registry: FileModelRegistry) -> None:
    """v1..v9 registered; v2 was champion, then v3 (so a rollback returns to v2); v3 serves."""
    for number in range(1, 10):
        registry.register("default", artifacts(str(number)), metadata())
    registry.promote("default", 2)
    registry.promote("default", 3)


def on_disk(models_dir: Path) -> list[str]:
    return sorted(p.name for p in (models_dir / "default").iterdir() if p.is_dir())


def test_the_champion_the_rollback_target_and_the_newest_stay_when_older_ones_go(
    registry: FileModelRegistry, models_dir: Path
):
    nine_versions(registry)
    size = sum(len(data) for data in artifacts("1").values())

    pruned = registry.prune("default", 3)

    assert [r.version for r in pruned.removed] == [6, 5, 4, 1]
    assert pruned.freed_bytes == 4 * size  # what their files took on disk
    assert pruned.kept == {
        9: ("newest",),
        8: ("newest",),
        7: ("newest",),
        3: ("champion",),
        2: ("rollback target",),
    }
    assert [v.version for v in registry.list("default")] == [9, 8, 7, 3, 2]
    assert on_disk(models_dir) == ["2", "3", "7", "8", "9"]  # the removed versions' files are gone
    assert registry.champion("default").version == 3  # type: ignore[union-attr]
    assert registry.rollback("default").to_version == 2  # the rollback still has somewhere to go
    assert registry.load("default", 8).artifacts == artifacts("8")


def test_a_dry_run_says_the_same_and_removes_nothing(registry: FileModelRegistry, models_dir: Path):
    nine_versions(registry)
    would = registry.prune("default", 3, dry_run=True)
    assert would.dry_run and [r.version for r in would.removed] == [6, 5, 4, 1]
    assert would.freed_bytes == 4 * sum(len(data) for data in artifacts("1").values())
    assert len(registry.list("default")) == 9 and len(on_disk(models_dir)) == 9
    assert not (models_dir / "default" / "removed.json").exists()

    done = registry.prune("default", 3)
    assert [r.version for r in done.removed] == [r.version for r in would.removed]
    assert done.freed_bytes == would.freed_bytes


def test_a_removed_version_is_named_with_when_it_went_and_what_remains(
    registry: FileModelRegistry, clock: FakeClock
):
    nine_versions(registry)
    registry.prune("default", 3)

    for ask in (lambda: registry.show("default", 4), lambda: registry.promote("default", 4)):
        with pytest.raises(ModelVersionNotFoundError) as gone:
            ask()
        assert str(gone.value) == (
            "profile 'default' has no model version 4: it was removed on 2027-01-15, as an old version;"
            " its versions are v9, v8, v7, v3 (champion), v2"
        )
    with pytest.raises(ModelVersionNotFoundError, match="has no model version 12; its versions are v9, v8"):
        registry.show("default", 12)  # never existed: no date to give


def test_numbers_are_never_reused_and_pruning_again_keeps_the_rule(registry: FileModelRegistry):
    nine_versions(registry)
    registry.prune("default", 3)
    assert registry.register("default", artifacts("x"), metadata()).version == 10
    again = registry.prune("default", 3)
    assert [r.version for r in again.removed] == [7]
    assert [v.version for v in registry.list("default")] == [10, 9, 8, 3, 2]
    assert registry.prune("default", 3).removed == ()  # nothing more to remove


def test_a_rollback_past_the_kept_champion_says_the_older_one_was_removed(registry: FileModelRegistry):
    for number in range(1, 6):
        registry.register("default", artifacts(str(number)), metadata())
    for number in (1, 2, 3):
        registry.promote("default", number)
    registry.prune("default", 1)  # keeps v5 (newest), v3 (champion), v2 (a rollback returns to it)
    assert [v.version for v in registry.list("default")] == [5, 3, 2]
    assert registry.rollback("default").to_version == 2
    with pytest.raises(ModelVersionNotFoundError) as gone:
        registry.rollback("default")  # would return to v1, removed
    assert "cannot roll back to version 1, the champion before version 2" in str(gone.value)
    assert "it was removed on" in str(gone.value)
    assert registry.champion("default").version == 2  # type: ignore[union-attr]


def test_the_record_of_a_removed_version_keeps_the_last_play_it_learned_from(
    registry: FileModelRegistry, models_dir: Path
):
    for number in range(1, 4):
        files = artifacts(str(number))
        files["model.json"] = json.dumps({"training": {"last_play_at": 1_700_000_000 + number}}).encode()
        registry.register("default", files, metadata())
    registry.promote("default", 3)
    registry.prune("default", 1)
    removed = registry.removed("default")
    assert sorted(removed) == [1, 2]
    assert removed[1].last_play_at == 1_700_000_001 and removed[2].last_play_at == 1_700_000_002
    assert removed[1].removed_at == 1_800_000_000.0  # the registry's clock


def test_files_a_killed_pruning_left_behind_are_deleted_by_the_next(
    registry: FileModelRegistry, models_dir: Path
):
    nine_versions(registry)
    registry.prune("default", 3)
    left = models_dir / "default" / "5"  # as if a run had committed, then died before deleting it
    left.mkdir()
    (left / "model.txt").write_bytes(b"x" * 100)
    again = registry.prune("default", 3)
    assert again.removed == () and again.leftover_bytes == 100 and again.freed_bytes == 100
    assert not left.exists()


def test_keeping_fewer_than_one_is_refused_and_an_unknown_profile_has_nothing_to_remove(
    registry: FileModelRegistry,
):
    registry.register("default", artifacts(), metadata())
    with pytest.raises(ModelError, match="keep 1 or more"):
        registry.prune("default", 0)
    assert registry.prune("nobody", 3).removed == ()
    assert len(registry.list("default")) == 1


def test_the_store_never_removes_the_champion(store: SqlStore, registry: FileModelRegistry):
    for number in (1, 2):
        registry.register("default", artifacts(str(number)), metadata())
    registry.promote("default", 1)
    with pytest.raises(ModelError, match="version 1 is the champion"):
        store.models.remove_versions("default", lambda versions, moves: [1, 2], lambda removed: None)
    assert [v.version for v in store.models.versions("default")] == [2, 1]  # nothing was removed


def test_a_failure_while_recording_the_removal_keeps_every_version(
    store: SqlStore, registry: FileModelRegistry
):
    for number in (1, 2):
        registry.register("default", artifacts(str(number)), metadata())

    def fails(removed: object) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.models.remove_versions("default", lambda versions, moves: [1], fails)
    kept = store.models.version("default", 1)
    assert kept is not None and kept.artifacts  # its row and its files' records
    assert registry.load("default", 1).artifacts == artifacts("1")
