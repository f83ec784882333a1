"""The registry's side of the store, on SQLite and PostgreSQL alike: migration, constraints, moves."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect
from sqlalchemy.exc import IntegrityError

from musicflow.config import Settings
from musicflow.errors import ChampionMovedError, NoModelError
from musicflow.store import open_store
from musicflow.store.factory import create_store_engine
from musicflow.store.migrate import alembic_config
from musicflow.store.ports import CHAMPION, ArtifactRecord, ModelMetadata, MoveReason, NewModelVersion
from musicflow.store.schema import metadata, model_aliases
from musicflow.store.sql import SqlStore


def new_version() -> NewModelVersion:
    return NewModelVersion(
        ModelMetadata("fingerprint", ("energy",), evaluation={"auc": 0.7}),
        (ArtifactRecord("model.txt", "0" * 64, 10),),
        created_at=1_800_000_000.0,
    )


def test_an_older_store_is_upgraded_to_hold_models_and_can_go_back(backend_settings: Settings):
    engine = create_store_engine(backend_settings)
    config = alembic_config(engine)
    command.upgrade(config, "0002")
    engine.dispose()
    store = open_store(backend_settings)
    try:
        store.ensure_profile("default")
        added = store.models.add_version("default", new_version(), lambda number: f"default/{number}")
        assert (added.version, added.artifact_dir, added.evaluation) == (1, "default/1", {"auc": 0.7})
    finally:
        store.close()
    engine = create_store_engine(backend_settings)
    config = alembic_config(engine)
    command.downgrade(config, "0002")
    tables = set(inspect(engine).get_table_names())
    assert not {"model_versions", "model_artifacts", "model_aliases", "model_alias_moves"} & tables
    assert {"profiles", "plays", "tracks"} <= tables  # going back keeps the listening data
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()
    store = open_store(backend_settings)
    try:
        assert store.profiles() == ["default"]
        assert store.models.versions("default") == []  # the models went with their tables
        again = store.models.add_version("default", new_version(), lambda number: f"default/{number}")
        assert again.version == 1
    finally:
        store.close()


def test_the_migrations_build_the_tables_the_code_describes(store: SqlStore):
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_the_champion_can_only_name_a_stored_version(store: SqlStore):
    profile_id = store.ensure_profile("default")
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            insert(model_aliases),
            {"profile_id": profile_id, "alias": CHAMPION, "version": 7, "updated_at": 0.0},
        )
    with pytest.raises(NoModelError):
        store.models.move_alias("default", CHAMPION, 7, reason=MoveReason.PROMOTE, note="", now=0.0)
    with pytest.raises(NoModelError):
        store.models.move_alias("nobody", CHAMPION, 1, reason=MoveReason.PROMOTE, note="", now=0.0)


def test_a_move_expecting_no_champion_is_refused_once_there_is_one(store: SqlStore):
    for _ in range(2):
        store.models.add_version("default", new_version(), lambda number: f"default/{number}")
    first = store.models.move_alias(
        "default", CHAMPION, 1, reason=MoveReason.PROMOTE, note="", now=1.0, expected_from=None
    )
    assert first is not None and first.from_version is None
    with pytest.raises(ChampionMovedError):
        store.models.move_alias(
            "default", CHAMPION, 2, reason=MoveReason.PROMOTE, note="", now=2.0, expected_from=None
        )
    assert store.models.alias_target("default", CHAMPION) == 1
    assert (
        store.models.move_alias("default", CHAMPION, 1, reason=MoveReason.PROMOTE, note="", now=3.0) is None
    )
    assert len(store.models.alias_moves("default", CHAMPION)) == 1


def test_a_failure_while_placing_files_leaves_no_row(store: SqlStore):
    def fail(number: int) -> str:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.models.add_version("default", new_version(), fail)
    assert store.models.versions("default") == []
    assert store.models.add_version("default", new_version(), lambda n: f"default/{n}").version == 1
