"""The store adapter, run against SQLite and a real PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicflow.config import Settings
from musicflow.core.plays import ExportFormat, Play
from musicflow.errors import StoreError
from musicflow.store import open_store
from musicflow.store.sql import SqlStore

T0 = 1_700_000_000 - 1_700_000_000 % 60  # a whole minute


def basic(track: str, ended_at: int, ms: int, artist: str = "Artist") -> Play:
    return Play(ended_at, ms, track, artist, None, None, None, None, ExportFormat.BASIC)


def extended(track: str, ended_at: int, ms: int, spotify_id: str | None = "4uLU6hMCjMI75M1A2tKUQC") -> Play:
    return Play(ended_at, ms, track, "Artist", "Album", spotify_id, "trackdone", False, ExportFormat.EXTENDED)


def test_profiles_are_created_once_and_kept_apart(store: SqlStore):
    alice = store.ensure_profile("alice")
    assert store.ensure_profile("alice") == alice
    bob = store.ensure_profile("bob")
    assert bob != alice
    assert store.profiles() == ["alice", "bob"]
    assert store.profile_id("carol") is None
    store.add_plays(alice, [basic("Song", T0, 200_000)])
    assert store.track_streams(bob, 30_000) == []
    assert [t.track for t in store.track_streams(alice, 30_000)] == ["Song"]


def test_storing_the_same_plays_twice_counts_them_once(store: SqlStore):
    profile = store.ensure_profile("default")
    plays = [basic("A", T0, 200_000), basic("A", T0 + 600, 200_000), basic("B", T0, 10_000)]
    assert store.add_plays(profile, plays) == 3
    assert store.add_plays(profile, plays) == 0
    assert store.listening_summary(profile, 30_000).plays == 3


def test_a_play_in_both_formats_is_stored_once(store: SqlStore):
    profile = store.ensure_profile("default")
    assert store.add_plays(profile, [basic("Song", T0, 201_000), basic("Song", T0 + 3600, 5_000)]) == 2
    # The same two plays in the extended export: seconds resolution, one across a minute boundary.
    assert (
        store.add_plays(profile, [extended("Song", T0 + 41, 201_000), extended("Song", T0 + 3661, 5_000)])
        == 0
    )
    # A different play of the same song in the same minute (other ms played) is a play of its own.
    assert store.add_plays(profile, [extended("Song", T0 + 50, 12_345)]) == 1
    (row,) = store.track_streams(profile, 30_000)
    assert (row.streams, row.plays) == (1, 3)


def test_extended_first_then_basic_is_stored_once_too(store: SqlStore):
    profile = store.ensure_profile("default")
    assert store.add_plays(profile, [extended("Song", T0 + 59, 180_000)]) == 1
    assert store.add_plays(profile, [basic("Song", T0, 180_000)]) == 0


def test_streams_count_plays_from_the_threshold_and_rank_tracks(store: SqlStore):
    profile = store.ensure_profile("default")
    store.add_plays(
        profile,
        [
            basic("Often", T0, 30_000),
            basic("Often", T0 + 300, 31_000),
            basic("Once", T0 + 600, 100_000),
            basic("Often", T0 + 900, 29_999),
            basic("Never", T0 + 1200, 1_000),
        ],
    )
    rows = store.track_streams(profile, 30_000)
    assert [(r.track, r.streams, r.plays) for r in rows] == [("Often", 2, 3), ("Once", 1, 1)]
    assert [r.track for r in store.track_streams(profile, 30_000, limit=1)] == ["Often"]
    assert [r.track for r in store.track_streams(profile, 60_000)] == ["Once"]
    summary = store.listening_summary(profile, 30_000)
    assert (summary.plays, summary.streams, summary.tracks) == (5, 3, 3)
    assert (summary.first_ended_at, summary.last_ended_at) == (T0, T0 + 1200)


def test_a_track_first_seen_without_id_gets_it_from_the_extended_export(store: SqlStore):
    profile = store.ensure_profile("default")
    store.add_plays(profile, [basic("Song", T0, 200_000)])
    assert store.track_streams(profile, 30_000)[0].spotify_id is None
    store.add_plays(profile, [extended("Song", T0 + 7200, 200_000, spotify_id="0VjIjW4GlUZAMYd2vXMi3b")])
    assert store.track_streams(profile, 30_000)[0].spotify_id == "0VjIjW4GlUZAMYd2vXMi3b"


def test_spellings_of_one_track_share_it(store: SqlStore):
    profile = store.ensure_profile("default")
    store.add_plays(profile, [basic("Let It Be", T0, 200_000, "The Beatles")])
    store.add_plays(profile, [basic("LET IT BE ", T0 + 600, 200_000, "the  beatles")])
    (row,) = store.track_streams(profile, 30_000)
    assert (row.track, row.streams) == ("Let It Be", 2)


def test_reopening_a_store_keeps_its_data(backend_settings: Settings):
    first = open_store(backend_settings)
    first.add_plays(first.ensure_profile("default"), [basic("Song", T0, 200_000)])
    first.close()
    again = open_store(backend_settings)
    try:
        profile = again.profile_id("default")
        assert profile is not None
        assert again.listening_summary(profile, 30_000).plays == 1
    finally:
        again.close()


def test_an_unsupported_database_is_a_clear_error(tmp_path: Path):
    """The settings refuse such a URL (tests/test_config.py); the store says so too, whoever built them."""
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(StoreError, match="'mysql' database is not supported"):
        open_store(settings.model_copy(update={"database_url": "mysql://u:p@localhost/db"}))
    with pytest.raises(StoreError, match="not a database URL"):
        open_store(settings.model_copy(update={"database_url": "::nonsense::"}))


def test_an_unreachable_postgres_is_a_clear_error_without_the_password(tmp_path: Path):
    url = "postgresql://someone:s3cret-pw@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(StoreError, match="cannot open the store") as caught:
        open_store(Settings(data_dir=tmp_path, database_url=url))
    assert "s3cret-pw" not in str(caught.value)


def test_the_quick_revision_check_knows_the_latest_migration():
    """Opening a store skips Alembic when the stored revision is `LATEST`: it must be Alembic's head."""
    from musicflow.store.migrate import LATEST, head_revision

    assert head_revision() == LATEST


def test_deleting_a_profile_removes_its_plays_tokens_and_the_songs_only_it_played(store: SqlStore):
    from musicflow.core.songs import NotFound
    from musicflow.store.ports import ProfileErasure

    alice, bob = store.ensure_profile("alice"), store.ensure_profile("bob")
    store.add_plays(alice, [basic("Only Alice's", T0, 200_000), basic("Both", T0 + 60, 200_000)])
    store.add_plays(bob, [basic("Both", T0 + 120, 200_000), basic("Only Bob's", T0 + 180, 200_000)])
    tracks = {t.track: t.track_id for t in store.features.profile_tracks(alice, 30_000)}
    store.features.save_answers(
        "reccobeats", {tracks["Only Alice's"]: NotFound("reccobeats")}, now=T0, miss_ttl_s=3600
    )
    store.tokens.add_token("alice", "a" * 64, "write", T0)
    store.tokens.add_token("bob", "b" * 64, "read", T0)

    erased = store.delete_profile(alice)

    assert erased == ProfileErasure(
        plays=2, tracks=1, model_versions=0, tokens=1, logged_predictions=0, jobs=0
    )
    assert store.profiles() == ["bob"]
    assert store.profile_id("alice") is None
    assert store.tokens.token_by_digest("a" * 64) is None
    assert store.tokens.token_by_digest("b" * 64) is not None
    assert [t.track for t in store.features.profile_tracks(bob, 30_000)] == ["Both", "Only Bob's"]
    assert store.features.find_tracks([("Only Alice's", "Artist")]) == {}
    assert store.features.misses_of([tracks["Only Alice's"]], T0) == {}
    assert store.listening_summary(bob, 30_000).plays == 2


def test_taking_an_import_back_removes_only_the_plays_no_other_import_holds(store: SqlStore):
    from musicflow.store.ports import ImportUndone

    alice = store.ensure_profile("alice")
    for import_id in ("first", "second"):
        store.jobs.add_job(import_id, "alice", "ingest", None, T0)
    only_first = [basic("Only First", T0, 200_000), basic("Also First", T0 + 60, 200_000)]
    shared = basic("Both", T0 + 120, 200_000)
    assert store.add_plays(alice, [*only_first, shared], import_id="first") == 3
    # The second export is the extended one: the same play, ended 20 s into that minute, is not new.
    again = extended("Both", T0 + 140, 200_000, spotify_id=None)._replace(artist="Artist", album=None)
    assert store.add_plays(alice, [again, basic("Only Second", T0 + 600, 200_000)], import_id="second") == 1
    assert store.listening_summary(alice, 30_000).plays == 4

    ids = sorted(p.play_id for p in store.history.plays(alice))  # the first's three, then the second's
    # The smallest id removed: a model version whose cut-off reaches it learned from the plays taken back.
    assert store.undo_import(alice, "first") == ImportUndone(2, kept=1, tracks=2, first_play_id=ids[0])
    assert [t.track for t in store.features.profile_tracks(alice, 30_000)] == ["Both", "Only Second"]
    assert store.undo_import(alice, "second") == ImportUndone(2, kept=0, tracks=2, first_play_id=ids[2])
    assert store.listening_summary(alice, 30_000).plays == 0


def test_plays_stored_before_imports_were_recorded_are_never_taken_back(backend_settings: Settings):
    from alembic import command

    from musicflow.store.factory import create_store_engine
    from musicflow.store.migrate import alembic_config

    engine = create_store_engine(backend_settings)
    command.upgrade(alembic_config(engine), "0009")
    engine.dispose()
    older = SqlStore(create_store_engine(backend_settings))
    with older.engine.begin() as conn:  # as that revision's code made a profile
        conn.exec_driver_sql("INSERT INTO profiles (name) VALUES ('alice')")
    alice = older.profile_id("alice")
    assert alice is not None
    older.add_plays(alice, [basic("Old", T0, 200_000), basic("Again", T0 + 60, 200_000)])
    older.close()

    store = open_store(backend_settings)  # brought to the latest revision
    try:
        (legacy,) = store.jobs.jobs("alice")
        assert (legacy.kind, legacy.state) == ("ingest", "done")
        store.jobs.add_job("new", "alice", "ingest", None, T0)
        store.add_plays(alice, [basic("Again", T0 + 60, 200_000), basic("New", T0 + 120, 200_000)], "new")
        assert store.undo_import(alice, "new").removed == 1  # "Again" is held by the older import too
        assert sorted(t.track for t in store.features.profile_tracks(alice, 30_000)) == ["Again", "Old"]
    finally:
        store.close()


def test_the_schedule_is_claimed_by_one_runner_per_period_and_jobs_keep_why(store: SqlStore):
    jobs = store.jobs
    assert jobs.schedule_ran("learning") is None
    assert jobs.claim_schedule("learning", None, 100.5)
    assert not jobs.claim_schedule("learning", None, 100.7)  # another runner saw no run either: too late
    assert jobs.schedule_ran("learning") == 100.5
    assert not jobs.claim_schedule("learning", 99.0, 200.0)  # not the run it saw last
    assert jobs.claim_schedule("learning", 100.5, 200.25) and jobs.schedule_ran("learning") == 200.25

    queued = jobs.add_job("j1", "someone", "refresh", None, 1.0, "scheduled: 3 songs without features")
    assert queued.reason == "scheduled: 3 songs without features" and queued.digest is None
    jobs.update_job("j1", 2.0, state="done", digest="left:abc")
    done = jobs.job("j1")
    assert done is not None and done.digest == "left:abc" and done.reason == queued.reason


def test_plays_stored_later_have_larger_numbers_whatever_their_time(store: SqlStore):
    """A model's cut-off names the last play it read by number: an older export stored afterwards must
    come after it, on every backend."""
    profile = store.ensure_profile("default")
    store.add_plays(profile, [basic("Song", T0 + 3600, 200_000), basic("Other", T0 + 7200, 200_000)])
    cut = max(fact.play_id for fact in store.history.plays(profile))
    store.add_plays(profile, [basic("Old", T0, 200_000), basic("New", T0 + 9000, 200_000)])
    facts = store.history.plays(profile)
    assert [f.ended_at for f in facts] == [T0, T0 + 3600, T0 + 7200, T0 + 9000]  # oldest first
    assert sorted(f.ended_at for f in facts if f.play_id <= cut) == [T0 + 3600, T0 + 7200]
