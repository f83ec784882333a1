"""A profile's id is never given again once its profile was deleted: what other listeners' model versions
recorded of a deleted one ("deleted profile 3") can never name someone who came later, on either backend,
and in a store made before ids were counted."""

from __future__ import annotations

from alembic import command

from musicflow.config import Settings
from musicflow.store import open_store
from musicflow.store.factory import create_store_engine
from musicflow.store.migrate import alembic_config
from musicflow.store.sql import SqlStore


def test_a_deleted_profiles_id_is_not_given_again(store: SqlStore) -> None:
    first = store.ensure_profile("alice")
    newest = store.ensure_profile("bob")
    store.delete_profile(newest)  # the highest id: SQLite alone would give it again
    store.ensure_profile("carol")  # an import
    store.jobs.add_job("job-1", "dave", "upload", None, 1.0)  # an upload's job
    store.tokens.add_token("erin", "d" * 64, "read", 1.0)  # a token
    made = [store.profile_id(name) for name in ("carol", "dave", "erin")]
    assert made == [newest + 1, newest + 2, newest + 3]
    assert store.ensure_profile("alice") == first  # an existing profile keeps its id
    assert store.profile_id("bob") is None


def test_a_store_made_before_ids_were_counted_gives_no_deleted_id_again(backend_settings: Settings) -> None:
    engine = create_store_engine(backend_settings)
    command.upgrade(alembic_config(engine), "0022")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO profiles (name) VALUES ('alice'), ('bob'), ('carol')")
        conn.exec_driver_sql("DELETE FROM profiles WHERE name = 'carol'")  # the newest
    engine.dispose()
    store = open_store(backend_settings)  # upgraded to the newest revision
    try:
        bob = store.profile_id("bob")
        assert bob is not None
        made = store.ensure_profile("dave")
        # PostgreSQL's sequence remembers carol's id; SQLite cannot know of it, but never gives bob's.
        assert made == (bob + 2 if backend_settings.database_url else bob + 1)
        store.delete_profile(made)
        assert store.ensure_profile("erin") == made + 1
    finally:
        store.close()
