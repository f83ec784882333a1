"""Deleting a listener: afterwards no table and no file of the data directory holds anything of them, and
the other listener in the store is untouched."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from musicflow.app.service import MusicFlow
from musicflow.app.training import publish_candidate
from musicflow.config import Settings
from musicflow.errors import NotReproducibleError, ProfileNotFoundError
from musicflow.model.artifacts import DATA_FILE
from musicflow.model.lineage import features_digest, read_features
from musicflow.store.schema import metadata
from tests.trained import PROFILE, copy_of

OTHER_EXPORT = Path("histories/both/mungeraiden/Streaming_History_Audio_2022.json")
LIBRARY = Path("histories/basic/muskan123b/YourLibrary.json")
THIRD_EXPORT = Path("histories/extended/erickmay/endsong_1.json")


def rows_of(engine: sa.Engine) -> dict[str, list[dict[str, object]]]:
    """Every row of every table of the store."""
    with engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(sa.select(table))]
            for table in metadata.sorted_tables
        }


Rows = dict[str, list[dict[str, object]]]


def whose_tracks(rows: Rows) -> tuple[object, dict[object, set[object]], set[object]]:
    """The listener's profile id, the profiles that played each track, and the tracks only they played."""
    (gone_id,) = [p["id"] for p in rows["profiles"] if p["name"] == PROFILE]
    played_by: dict[object, set[object]] = {}
    for play in rows["plays"]:
        played_by.setdefault(play["track_id"], set()).add(play["profile_id"])
    return gone_id, played_by, {track for track, who in played_by.items() if who == {gone_id}}


@pytest.fixture
def two_listeners(two_versions_listener: Path, isolated_environment: Path, shared_data: Path) -> Settings:
    settings = copy_of(two_versions_listener, isolated_environment)
    with MusicFlow.open(settings) as app:
        app.ingest([shared_data / OTHER_EXPORT], "other")
        app.train("other")  # its version reads every listener's plays of the store: theirs too
        app.ingest([shared_data / LIBRARY], PROFILE)  # a real library: saved songs and albums
        app.create_token(PROFILE, "write")
        app.create_token("other")
        app.predict(PROFILE, "Levitating", "Dua Lipa", log_via="cli")
        app.start_upload(PROFILE, [("endsong_0.json", io.BytesIO(b"[]"))])  # a job and its files
    return settings


def test_nothing_of_a_deleted_listener_is_left_anywhere(two_listeners: Settings) -> None:
    settings = two_listeners
    engine = sa.create_engine(settings.effective_database_url)
    before = rows_of(engine)
    gone_id, played_by, only_theirs = whose_tracks(before)
    versions = {v["id"] for v in before["model_versions"] if v["profile_id"] == gone_id}
    assert only_theirs and versions and (settings.data_dir / "models" / PROFILE).is_dir()
    assert before["prediction_log"] and before["api_tokens"] and before["jobs"] and before["library_entries"]
    uploads = [
        settings.data_dir / "uploads" / str(job["id"])
        for job in before["jobs"]
        if job["profile_id"] == gone_id
    ]
    assert any(folder.is_dir() for folder in uploads)

    with MusicFlow.open(settings) as app:
        (others,) = app.models("other")
        assert PROFILE in (app.learned_from(others) or {})["plays"]  # what it read, by profile name
        recorded = settings.data_dir / "models" / others.artifact_dir / DATA_FILE
        assert {t.track_id for t in read_features(recorded.read_bytes())[0]} & only_theirs  # their tracks
        erased = app.delete_profile(PROFILE)
        assert app.profiles() == ["other"]
        # The other listener's version keeps its figures of what it read, not the name, and still loads.
        (now,) = app.models("other")  # its record as it is now (the lineage's checksum changed)
        read = app.learned_from(now) or {}
        now_dir = settings.data_dir / "models" / now.artifact_dir
        assert PROFILE not in read["plays"] and PROFILE not in read["profiles"]
        assert read["plays"][f"deleted profile {gone_id}"]["plays"] > 0
        assert erased.other_versions_unnamed == 1 and app.model("other").version == others.version
        app.registry.load("other")  # its files match their checksums
        assert app.listening_summary("other").plays == sum(
            p["profile_id"] != gone_id for p in before["plays"]
        )

    after = rows_of(engine)
    for table, rows in after.items():
        for row in rows:
            assert row.get("profile_id") != gone_id, table
            assert row.get("track_id") not in only_theirs, table
            assert row.get("model_version_id") not in versions, table
            assert row.get("name") != PROFILE, table
    assert {t["id"] for t in after["tracks"]} == {t["id"] for t in before["tracks"]} - only_theirs
    theirs = [row for table in ("plays", "api_tokens") for row in after[table]]
    assert theirs and all(row["profile_id"] != gone_id for row in theirs)
    assert [p for p in before["plays"] if p["profile_id"] != gone_id] == after["plays"]
    left = [p.relative_to(settings.data_dir).as_posix() for p in settings.data_dir.rglob("*")]
    assert not [path for path in left if path.startswith(f"models/{PROFILE}")]
    # What the other listener's version recorded it learned from holds none of the tracks only they
    # played, by id or by name; the tracks both played stay, and the record's digest is the file's.
    named = {(t["name"], t["artist"]) for t in before["tracks"] if t["id"] in only_theirs}
    recorded_tracks, recorded_answers = read_features((now_dir / DATA_FILE).read_bytes())
    assert recorded_tracks and not {t.track_id for t in recorded_tracks} & only_theirs
    assert not {(t.name, t.artist) for t in recorded_tracks} & named
    shared = {track for track, who in played_by.items() if len(who) > 1}
    assert shared and shared <= {t.track_id for t in recorded_tracks}
    assert read["features"]["digest"] == features_digest(recorded_tracks, recorded_answers)
    assert read["features"]["tracks"] == len(recorded_tracks)
    with MusicFlow.open(settings) as app, pytest.raises(NotReproducibleError, match="deleted profile"):
        app.reproduce("other", "champion")  # it can no longer be built again: the plays it read are gone
    assert not any(folder.exists() for folder in uploads)
    assert erased.stored.plays == len(before["plays"]) - len(after["plays"])
    assert erased.stored.logged_predictions == 1 and after["prediction_log"] == []
    assert erased.stored.library_entries == len(before["library_entries"]) and after["library_entries"] == []
    assert erased.stored.model_versions == len(versions) and erased.model_files > 0
    engine.dispose()


def test_a_deletion_stopped_half_way_is_finished_by_deleting_again(
    two_listeners: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What other listeners' versions recorded of the listener and their own files go first, their rows
    last: a deletion stopped before the rows went leaves the profile known, and deleting it again
    leaves nothing of them."""
    settings = two_listeners
    engine = sa.create_engine(settings.effective_database_url)
    before = rows_of(engine)
    gone_id, _, only_theirs = whose_tracks(before)

    def stopped(profile_id: int) -> None:
        raise RuntimeError("the process stopped here")

    with MusicFlow.open(settings) as app:
        monkeypatch.setattr(app._store, "delete_profile", stopped)
        with pytest.raises(RuntimeError, match="stopped"):
            app.delete_profile(PROFILE)
    monkeypatch.undo()
    with MusicFlow.open(settings) as app:
        assert PROFILE in app.profiles()  # still known: it can be deleted again
        erased = app.delete_profile(PROFILE)
        assert app.profiles() == ["other"] and erased.stored.plays > 0
        (now,) = app.models("other")
        app.registry.load("other")  # whole
        assert PROFILE not in (app.learned_from(now) or {})["plays"]
        recorded = settings.data_dir / "models" / now.artifact_dir / DATA_FILE
        assert not {t.track_id for t in read_features(recorded.read_bytes())[0]} & only_theirs
    after = rows_of(engine)
    for table, rows in after.items():
        assert all(row.get("profile_id") != gone_id for row in rows), table
    assert not {t["id"] for t in after["tracks"]} & only_theirs
    assert not (settings.data_dir / "models" / PROFILE).exists()
    engine.dispose()


def test_the_store_files_keep_no_copy_of_a_deleted_listener(
    two_listeners: Settings, shared_data: Path
) -> None:
    """The SQLite file and its write-ahead log hold none of the names of the songs only the deleted
    listener played, while the store stays open as a server keeps it (closing it checkpoints anyway)."""
    settings = two_listeners
    with MusicFlow.open(settings) as app:
        app.ingest([shared_data / THIRD_EXPORT], "third")  # a small history: its deletion fills no log
    engine = sa.create_engine(settings.effective_database_url)
    before = rows_of(engine)
    engine.dispose()
    (gone_id,) = [p["id"] for p in before["profiles"] if p["name"] == "third"]
    others = {p["track_id"] for p in before["plays"] if p["profile_id"] != gone_id}
    only_theirs = {p["track_id"] for p in before["plays"] if p["profile_id"] == gone_id} - others
    with MusicFlow.open(settings) as app:
        app.predict("other", "Levitating", "Dua Lipa")  # the store is in use, as by a server
        app.delete_profile("third")
        engine = sa.create_engine(settings.effective_database_url)
        after = rows_of(engine)
        engine.dispose()
        kept = "\0".join(str(v) for rows in after.values() for row in rows for v in row.values())
        names = sorted(
            {name for t in before["tracks"] if t["id"] in only_theirs and len(name := str(t["name"])) >= 12},
            key=len,
            reverse=True,
        )
        gone = [name for name in names[:200] if name not in kept][:40]  # no catalog row names them
        stored = b"".join(path.read_bytes() for path in settings.data_dir.glob("musicflow.db*"))
        assert gone
        assert [name for name in gone if name.encode() in stored] == []


def test_a_model_trained_while_its_listener_was_deleted_is_not_kept(two_listeners: Settings) -> None:
    """`musicflow train` in another process read the listener's plays, then the listener deleted their
    data: the version it made is not registered and the profile is not made again."""
    settings = two_listeners
    with MusicFlow.open(settings) as app:
        candidate = app.train_candidate(PROFILE)  # trained on their plays, not registered yet
        app.delete_profile(PROFILE)
        with pytest.raises(ProfileNotFoundError, match="deleted while its model trained"):
            publish_candidate(app.registry, candidate, False, keep_versions=5, history=app._store.history)
        assert app.profiles() == ["other"]
    engine = sa.create_engine(settings.effective_database_url)
    after = rows_of(engine)
    engine.dispose()
    assert [p["name"] for p in after["profiles"]] == ["other"]
    assert not (settings.data_dir / "models" / PROFILE).exists()


def test_a_listener_deleted_while_another_trained_is_not_named_by_its_new_version(
    two_listeners: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another listener's training read the deleted listener's plays before the deletion; its version,
    registered after the deletion or while it ran, records neither their name nor the tracks only they
    played, as the versions there were when it began."""
    settings = two_listeners
    engine = sa.create_engine(settings.effective_database_url)
    gone_id, _, only_theirs = whose_tracks(rows_of(engine))
    engine.dispose()
    with MusicFlow.open(settings) as app:
        before = app.train_candidate("other")
        during = app.train_candidate("other")
        history = app._store.history
        delete_rows = app._store.delete_profile

        def registered_meanwhile(profile_id: int) -> object:
            # registered after the deletion looked at every version, before the rows went
            publish_candidate(app.registry, during, True, keep_versions=5, history=history)
            return delete_rows(profile_id)

        monkeypatch.setattr(app._store, "delete_profile", registered_meanwhile)
        app.delete_profile(PROFILE)
        monkeypatch.undo()
        publish_candidate(app.registry, before, True, keep_versions=5, history=history)
        versions = app.models("other")
        assert len(versions) == 3
        for version in versions:
            read = app.learned_from(version) or {}
            assert PROFILE not in read["plays"] and PROFILE not in read["profiles"], version.version
            assert read["plays"][f"deleted profile {gone_id}"]["plays"] > 0
            recorded = settings.data_dir / "models" / version.artifact_dir / DATA_FILE
            assert not {t.track_id for t in read_features(recorded.read_bytes())[0]} & only_theirs
            app.registry.load("other", version.version)  # whole: its checksums follow its files


def test_a_prediction_given_just_before_a_deletion_goes_with_it(
    trained_listener: Path, isolated_environment: Path
) -> None:
    """A song tried on the page a moment before "Delete my data" waited in memory to be written (the log
    is written every second): the deletion said "2 logged predictions" of 3 given, and the third was
    written after it, to the profile of that name an upload made again at once."""
    from musicflow.demo import export_path

    settings = copy_of(trained_listener, isolated_environment)
    with MusicFlow.open(settings) as app:
        app.predict(PROFILE, "Levitating", "Dua Lipa", log_via="page")  # waits in memory to be written
        erased = app.delete_profile(PROFILE).as_document()
        assert erased["logged_predictions"] == 1, erased
        with export_path() as demo:
            app.ingest([demo], PROFILE, retrain=False)  # a listener of that name, anew
        time.sleep(1.5)  # past the log's writing, every second
        assert app.logged_predictions(PROFILE) == []
