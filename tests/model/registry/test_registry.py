"""The model registry on SQLite and PostgreSQL alike: versions, checksums, the champion and its history."""

from __future__ import annotations

import itertools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from musicflow.errors import (
    ChampionMovedError,
    Hint,
    ModelError,
    ModelIntegrityError,
    ModelMismatchError,
    NoModelError,
)
from musicflow.model.artifacts import TEMP_PREFIX, profile_dir_name
from musicflow.model.registry import (
    FileModelRegistry,
    ModelMetadata,
    MoveReason,
    VersionStatus,
    parse_ref,
)
from musicflow.store.sql import SqlStore
from tests.model.registry.samples import artifacts, metadata


def test_a_registered_version_lists_and_loads_as_it_was_stored(registry: FileModelRegistry, models_dir: Path):
    first = registry.register("default", artifacts("a"), metadata(extra_metric=math.nan))
    second = registry.register("default", artifacts("b"), metadata())

    assert (first.version, second.version) == (1, 2)
    assert [v.version for v in registry.list("default")] == [2, 1]
    loaded, files = registry.load("default", 1)
    assert files == artifacts("a")
    assert loaded.feature_names == ("energy", "tempo", "artist_affinity")
    assert loaded.parameters == {"objective": "poisson", "num_leaves": 15}
    assert loaded.evaluation["splits"][1]["metrics"]["ours"]["auc"]["mean"] == 0.8
    assert loaded.evaluation["extra_metric"] is None  # NaN is not JSON: stored as null
    assert loaded.library_versions["lightgbm"] == "4.6.0"
    assert {"python", "musicflow"} <= set(loaded.library_versions)
    assert loaded.status == VersionStatus.READY and not loaded.is_champion
    assert {a.name: a.size_bytes for a in loaded.artifacts} == {n: len(b) for n, b in artifacts("a").items()}
    assert sorted(p.name for p in (models_dir / "default" / "1").iterdir()) == ["features.json", "model.txt"]
    assert not [p for p in (models_dir / "default").iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_versions_are_numbered_per_profile_in_folders_of_their_own(registry: FileModelRegistry):
    registry.register("default", artifacts(), metadata())
    odd = registry.register("Alex/../../etc", artifacts("x"), metadata())
    assert odd.version == 1
    assert odd.artifact_dir.startswith("_alex-etc-") and "/" in odd.artifact_dir
    assert registry.load("Alex/../../etc", 1).artifacts == artifacts("x")
    assert profile_dir_name("Alex") != profile_dir_name("alex")


@pytest.mark.parametrize(
    "names",
    [
        {"model.pkl": b"x"},
        {"model.joblib": b"x"},
        {"../escape.txt": b"x"},
        {"sub/model.txt": b"x"},
        {".hidden.txt": b"x"},
        {},
    ],
)
def test_unsafe_artifacts_are_refused_before_anything_is_written(
    registry: FileModelRegistry, models_dir: Path, names: dict[str, bytes]
):
    with pytest.raises(ModelError):
        registry.register("default", names, metadata())
    assert registry.list("default") == []
    assert not models_dir.exists()


def test_metadata_that_is_not_json_is_refused_before_anything_is_written(
    registry: FileModelRegistry, models_dir: Path
):
    bad = ModelMetadata("f" * 64, ("energy",), parameters={"callback": object()})
    with pytest.raises(ModelError, match="parameters"):
        registry.register("default", artifacts(), bad)
    with pytest.raises(ModelError, match="feature names"):
        registry.register("default", artifacts(), ModelMetadata("f" * 64, ("a", "a")))
    assert not models_dir.exists()


def test_a_changed_artifact_is_refused_and_the_version_marked_damaged(
    registry: FileModelRegistry, models_dir: Path
):
    registry.register("default", artifacts(), metadata())
    model_file = models_dir / "default" / "1" / "model.txt"
    original = model_file.read_bytes()
    model_file.write_bytes(original.replace(b"tree", b"TREE"))

    with pytest.raises(ModelIntegrityError, match=r"model\.txt .* changed since it was registered"):
        registry.load("default", 1)
    assert registry.show("default", 1).status == VersionStatus.DAMAGED

    model_file.write_bytes(original)
    assert registry.load("default", 1).artifacts == artifacts()
    assert registry.show("default", 1).status == VersionStatus.READY


def test_a_missing_artifact_is_refused(registry: FileModelRegistry, models_dir: Path):
    registry.register("default", artifacts(), metadata())
    (models_dir / "default" / "1" / "features.json").unlink()
    with pytest.raises(ModelIntegrityError, match=r"features\.json is missing") as refused:
        registry.load("default", "1")
    # A store restored without its model files (PostgreSQL's backup holds no files): what to do, in words
    assert "restore the models folder from the backup the store came from" in str(refused.value)


def test_a_version_trained_on_other_features_is_refused(registry: FileModelRegistry):
    registry.register("default", artifacts(), metadata())
    with pytest.raises(ModelMismatchError, match="missing \\['valence'\\]"):
        registry.load("default", 1, expected_features=["energy", "tempo", "artist_affinity", "valence"])
    with pytest.raises(ModelMismatchError, match="another order"):
        registry.load("default", 1, expected_features=["tempo", "energy", "artist_affinity"])
    loaded = registry.load("default", 1, expected_features=["energy", "tempo", "artist_affinity"])
    assert loaded.version.version == 1 and loaded.artifacts == artifacts()


def test_no_model_says_what_is_missing_and_what_cures_it(registry: FileModelRegistry):
    with pytest.raises(NoModelError, match="has no model yet") as caught:
        registry.load("default")
    assert caught.value.hint is Hint.TRAIN and caught.value.profile == "default"
    registry.register("default", artifacts(), metadata())
    with pytest.raises(NoModelError, match="has no champion model") as caught:
        registry.load("default", "champion")
    assert caught.value.hint is Hint.PROMOTE
    with pytest.raises(NoModelError, match="no model version 9"):
        registry.show("default", 9)
    with pytest.raises(NoModelError):
        registry.promote("default", 9)
    with pytest.raises(NoModelError, match="no champion to roll back"):
        registry.rollback("default")


def test_promote_then_rollback_walks_back_through_champions(registry: FileModelRegistry, clock):
    for seed in "abc":
        registry.register("default", artifacts(seed), metadata())
    for number in (1, 2, 3):
        clock.advance(60)
        registry.promote("default", number, note=f"try {number}")

    assert registry.load("default").artifacts == artifacts("c")
    assert [v.is_champion for v in registry.list("default")] == [True, False, False]
    assert registry.rollback("default").to_version == 2
    assert registry.rollback("default", note="still bad").to_version == 1
    with pytest.raises(ModelError, match="first champion"):
        registry.rollback("default")
    assert registry.champion("default").version == 1  # type: ignore[union-attr]

    history = registry.history("default")
    assert [(m.from_version, m.to_version, m.reason) for m in history] == [
        (2, 1, MoveReason.ROLLBACK),
        (3, 2, MoveReason.ROLLBACK),
        (2, 3, MoveReason.PROMOTE),
        (1, 2, MoveReason.PROMOTE),
        (None, 1, MoveReason.PROMOTE),
    ]
    assert history[0].note == "still bad" and history[4].note == "try 1"
    assert history[0].moved_at == history[-1].moved_at + 120


def test_a_promotion_after_a_rollback_is_the_next_one_undone(registry: FileModelRegistry):
    for seed in "abcd":
        registry.register("default", artifacts(seed), metadata())
    registry.promote("default", 1)
    registry.promote("default", 2)
    registry.rollback("default")  # back to 1
    registry.promote("default", 4, MoveReason.FORCED)
    assert registry.rollback("default").to_version == 1
    with pytest.raises(ModelError, match="first champion"):
        registry.rollback("default")


def test_promoting_the_champion_again_changes_nothing(registry: FileModelRegistry):
    registry.register("default", artifacts(), metadata())
    registry.promote("default", "v1")
    with pytest.raises(ModelError, match="already the champion"):
        registry.promote("default", 1)
    assert len(registry.history("default")) == 1


def test_a_damaged_version_is_never_promoted_nor_rolled_back_to(
    registry: FileModelRegistry, models_dir: Path
):
    registry.register("default", artifacts("a"), metadata())
    registry.register("default", artifacts("b"), metadata())
    registry.promote("default", 1)
    (models_dir / "default" / "2" / "model.txt").write_bytes(b"evil")
    with pytest.raises(ModelIntegrityError):
        registry.promote("default", 2)
    assert registry.champion("default").version == 1  # type: ignore[union-attr]

    (models_dir / "default" / "2" / "model.txt").write_bytes(artifacts("b")["model.txt"])
    registry.promote("default", 2)
    (models_dir / "default" / "1" / "model.txt").unlink()
    with pytest.raises(ModelIntegrityError):
        registry.rollback("default")
    assert registry.champion("default").version == 2  # type: ignore[union-attr]


def test_a_move_based_on_a_stale_champion_is_refused(registry: FileModelRegistry):
    for seed in "abc":
        registry.register("default", artifacts(seed), metadata())
    registry.promote("default", 1)
    with pytest.raises(ChampionMovedError, match="moved meanwhile"):
        registry.promote("default", 3, expected_champion=2)
    registry.promote("default", 3, expected_champion=1)
    assert registry.champion("default").version == 3  # type: ignore[union-attr]


def test_a_stale_temporary_folder_is_swept_by_the_next_registration(
    store: SqlStore, models_dir: Path, registry: FileModelRegistry
):
    orphan = models_dir / "default" / f"{TEMP_PREFIX}killed"
    orphan.mkdir(parents=True)
    (orphan / "model.txt").write_bytes(b"half")
    registry.register("default", artifacts(), metadata())
    assert orphan.exists(), "a young temporary folder may belong to a registration still running"

    os.utime(orphan, (0, 0))
    registry.register("default", artifacts(), metadata())
    assert not orphan.exists()


def test_a_version_folder_left_without_its_row_is_replaced(registry: FileModelRegistry, models_dir: Path):
    registry.register("default", artifacts("a"), metadata())
    orphan = models_dir / "default" / "2"
    orphan.mkdir()
    (orphan / "model.txt").write_bytes(b"from a run killed before its commit")
    assert registry.register("default", artifacts("b"), metadata()).version == 2
    assert registry.load("default", 2).artifacts == artifacts("b")


def test_concurrent_registrations_take_distinct_numbers(registry: FileModelRegistry):
    with ThreadPoolExecutor(max_workers=6) as pool:
        done = list(pool.map(lambda n: registry.register("default", artifacts(str(n)), metadata()), range(6)))
    assert sorted(v.version for v in done) == [1, 2, 3, 4, 5, 6]
    loaded = {registry.load("default", v.version).artifacts["model.txt"] for v in done}
    assert len(loaded) == 6


def test_concurrent_promotions_keep_the_history_a_single_chain(registry: FileModelRegistry):
    for seed in "abcdef":
        registry.register("default", artifacts(seed), metadata())

    def promote_again_and_again(number: int) -> int:
        moved = 0
        for _ in range(5):
            try:
                registry.promote("default", number)
            except ModelError as refused:  # already the champion: no other move came between
                if type(refused) is not ModelError or "already the champion" not in str(refused):
                    raise
            else:
                moved += 1
        return moved

    with ThreadPoolExecutor(max_workers=6) as pool:
        moved = sum(pool.map(promote_again_and_again, range(1, 7)))
    moves = list(reversed(registry.history("default")))
    assert len(moves) == moved >= 6  # each thread's first promotion finds another champion
    assert {m.to_version for m in moves} == {1, 2, 3, 4, 5, 6}
    assert moves[0].from_version is None
    for before, after in itertools.pairwise(moves):
        assert after.from_version == before.to_version
    assert registry.champion("default").version == moves[-1].to_version  # type: ignore[union-attr]


def test_references_name_a_number_or_the_champion():
    assert parse_ref(3) == parse_ref("3") == parse_ref("v3") == parse_ref(" V3 ") == 3
    assert parse_ref("champion") is None
    for bad in ("latest", "0", -1, "v", True):
        with pytest.raises(ModelError):
            parse_ref(bad)
