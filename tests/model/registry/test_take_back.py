"""Versions removed with the plays they learned from (an import taken back), on SQLite and PostgreSQL
alike: the champion goes too, the newest version left serves in its place, and a command naming a removed
version says why it is gone; and a deleted listener's name taken out of what other versions learned from."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicflow.config import Settings
from musicflow.errors import ModelVersionNotFoundError, NoModelError
from musicflow.model.registry import FileModelRegistry
from tests.model.registry.samples import artifacts, metadata


def three_versions(registry: FileModelRegistry) -> None:
    """v1, v2 and v3 registered, each the champion in turn: v3 serves."""
    for number in (1, 2, 3):
        registry.register("default", artifacts(str(number)), metadata())
        registry.promote("default", number)


def test_the_champion_goes_with_the_plays_and_the_newest_version_left_serves(
    registry: FileModelRegistry, models_dir: Path
) -> None:
    three_versions(registry)

    taken = registry.take_back("default", [2, 3])

    assert taken.removed == (2, 3) and taken.serving == 1
    assert [v.version for v in registry.list("default")] == [1]
    assert registry.champion("default").version == 1  # type: ignore[union-attr]
    assert sorted(p.name for p in (models_dir / "default").iterdir() if p.is_dir()) == ["1"]
    with pytest.raises(ModelVersionNotFoundError, match="learned from, which were taken back"):
        registry.show("default", 3)
    assert registry.load("default").version.version == 1


def test_with_every_version_gone_no_model_serves_and_none_can_be_rolled_back_to(
    registry: FileModelRegistry,
) -> None:
    three_versions(registry)

    taken = registry.take_back("default", [1, 2, 3])

    assert taken.removed == (1, 2, 3) and taken.serving is None
    assert registry.champion("default") is None and registry.list("default") == []
    with pytest.raises(NoModelError):
        registry.load("default")
    with pytest.raises(NoModelError, match="no champion to roll back"):
        registry.rollback("default")  # its moves still name v2, which is gone
    registry.register("default", artifacts("4"), metadata())
    assert registry.promote("default", 4).from_version is None  # the next one serves as the first did


def test_the_version_that_serves_next_is_one_that_served_before(registry: FileModelRegistry) -> None:
    """v1 served, v2 was trained and kept out by the gate, v3 served: with v3 gone, v1 serves, not v2."""
    for number in (1, 2, 3):
        registry.register("default", artifacts(str(number)), metadata())
    registry.promote("default", 1)
    registry.promote("default", 3)

    assert registry.take_back("default", [3]) == ((3,), 1)
    assert registry.history("default")[0].note == "the champion before it learned from plays taken back"


def test_versions_that_did_not_learn_from_the_plays_stay_as_they_were(registry: FileModelRegistry) -> None:
    three_versions(registry)

    taken = registry.take_back("default", [1])

    assert taken.removed == (1,) and taken.serving == 3
    assert [v.version for v in registry.list("default")] == [3, 2]
    assert registry.rollback("default").to_version == 2
    assert registry.take_back("default", []) == ((), 2)


def test_a_number_is_never_given_twice_even_in_a_store_made_before_numbers_were_recorded(
    backend_settings: Settings, models_dir: Path
) -> None:
    from sqlalchemy import text

    from tests.store.test_feature_store import upgraded_from

    row = (
        "INSERT INTO model_versions (profile_id, version, created_at, status, data_fingerprint,"
        " feature_names, parameters, evaluation, library_versions, artifact_dir)"
        " SELECT id, {n}, 0, 'ready', '', '[]', '{{}}', '{{}}', '{{}}', 'default/{n}' FROM profiles"
    )
    inserts = ["INSERT INTO profiles (name) VALUES ('default')", row.format(n=1), row.format(n=2)]
    store = upgraded_from("0018", backend_settings, *inserts)
    try:
        with store.engine.begin() as conn:  # both gone, as `take_back` would leave it
            conn.execute(text("DELETE FROM model_versions"))
        registry = FileModelRegistry(store.models, models_dir)
        assert registry.register("default", artifacts("3"), metadata()).version == 3
        registry.take_back("default", [3])
        assert registry.register("default", artifacts("4"), metadata()).version == 4
    finally:
        store.close()


def test_a_deleted_profiles_name_leaves_what_another_version_learned_from(
    registry: FileModelRegistry,
) -> None:
    """Every version reads its store's plays of every listener; deleting one rewrites the others' record
    of it (and its checksum): it loads as before, and names that listener no more."""
    import json

    lineage = {"profile": "bob", "plays": {"bob": {"profile_id": 1}, "alice": {"profile_id": 2}}}
    registry.register("bob", {**artifacts("b"), "lineage.json": json.dumps(lineage).encode()}, metadata())
    registry.promote("bob", 1)

    assert registry.forget_profile_name("alice", ["bob"]) == 1
    assert registry.forget_profile_name("alice", ["bob"]) == 0  # nothing of it left to take out
    loaded = registry.load("bob")  # the checksums match the new file
    assert "alice" not in loaded.artifacts["lineage.json"].decode()
    assert registry.lineage(registry.show("bob", 1)) == {
        "profile": "bob",
        "plays": {"bob": {"profile_id": 1}, "deleted profile 2": {"profile_id": 2}},
        "profiles": {},
    }
