"""A registration killed half-way (a real SIGKILL of a real process) leaves no version and the champion as
it was; the next registration completes, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from musicflow.config import Settings
from musicflow.model.artifacts import TEMP_PREFIX
from musicflow.model.registry import FileModelRegistry
from musicflow.store import open_store
from tests.model.registry.samples import artifacts, metadata

# The child pauses at a chosen point of `register` (by wrapping one step of musicflow.model.artifacts),
# says so on stdout, and waits to be killed.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from musicflow.config import Settings
    from musicflow.model import artifacts
    from musicflow.model.registry import ModelMetadata, open_registry
    from musicflow.store import open_store

    data_dir, database_url, pause_at = sys.argv[1:4]

    def pause(label):
        print(label, flush=True)
        time.sleep(600)

    if pause_at == "writing":
        def write_half(path, data):
            with path.open("xb") as handle:
                handle.write(data[: len(data) // 2])
            pause("paused")
        artifacts.write_durably = write_half
    else:
        move = artifacts.move_into_place
        def move_then_pause(temp, final):
            move(temp, final)
            pause("paused")
        artifacts.move_into_place = move_then_pause

    settings = Settings(data_dir=Path(data_dir), database_url=database_url or None)
    registry = open_registry(open_store(settings), settings)
    registry.register("default", {"model.txt": b"x" * 100_000, "meta.json": b"{}"}, ModelMetadata("f", ["a"]))
    print("registered", flush=True)
    """
)


# The child takes a deleted listener (their name, and their track 2) out of 'bob''s versions and pauses
# once the new record of the file named by its third argument is stored, before the rewritten file is
# moved over the old one.
FORGET_CHILD = textwrap.dedent(
    """
    import pathlib, sys, time
    from pathlib import Path
    from musicflow.config import Settings
    from musicflow.model.registry import open_registry
    from musicflow.store import open_store

    data_dir, database_url, pause_at = sys.argv[1:4]
    replace = pathlib.Path.replace

    def pause_before(self, target):
        if pathlib.Path(target).name == pause_at:
            print("paused", flush=True)
            time.sleep(600)
        return replace(self, target)

    pathlib.Path.replace = pause_before
    settings = Settings(data_dir=Path(data_dir), database_url=database_url or None)
    registry = open_registry(open_store(settings), settings)
    registry.forget_profile_name("alice", ["bob"], [2])
    """
)


def register_and_kill(settings: Settings, pause_at: str, tmp_path: Path, child_script: str = CHILD) -> None:
    script = tmp_path / "child.py"
    script.write_text(child_script)
    stderr = tmp_path / "child.err"
    with stderr.open("w") as err:
        child = subprocess.Popen(
            [sys.executable, str(script), str(settings.data_dir), settings.database_url or "", pause_at],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=dict(os.environ),
        )
        try:
            assert child.stdout is not None
            line = child.stdout.readline().strip()
            assert line == "paused", f"the child did not pause: {line!r}\n{stderr.read_text()}"
            child.send_signal(signal.SIGKILL)
        finally:
            child.kill()
            child.wait(timeout=30)
            if child.stdout is not None:
                child.stdout.close()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("pause_at", ["writing", "placed"])
def test_a_registration_killed_half_way_leaves_no_version_and_the_champion_untouched(
    backend_settings: Settings, tmp_path: Path, pause_at: str
):
    models_dir = backend_settings.data_dir / "models"
    store = open_store(backend_settings)
    try:
        registry = FileModelRegistry(store.models, models_dir, stale_temp_after_s=0.0)
        registry.register("default", artifacts("a"), metadata())
        registry.promote("default", 1)

        register_and_kill(backend_settings, pause_at, tmp_path)

        profile_dir = models_dir / "default"
        leftovers = sorted(p.name for p in profile_dir.iterdir() if p.name != "1")
        expected = "2" if pause_at == "placed" else TEMP_PREFIX
        assert len(leftovers) == 1 and leftovers[0].startswith(expected), leftovers
        assert [v.version for v in registry.list("default")] == [1]
        assert registry.load("default").version.version == 1
        assert len(registry.history("default")) == 1

        again = registry.register("default", artifacts("b"), metadata())
        assert again.version == 2
        assert registry.load("default", 2).artifacts == artifacts("b")
        assert sorted(p.name for p in profile_dir.iterdir()) == ["1", "2"]
        assert registry.champion("default").version == 1  # type: ignore[union-attr]
    finally:
        store.close()


@pytest.mark.slow
@pytest.mark.parametrize("pause_at", ["features.parquet", "lineage.json"])
def test_a_profile_deletion_killed_between_a_record_and_its_file_leaves_the_version_whole(
    backend_settings: Settings, tmp_path: Path, pause_at: str
):
    """Deleting a listener rewrites what other listeners' versions recorded they learned from: the tracks
    only they played out of `features.parquet`, then their name out of `lineage.json`; each new file is
    written, its checksum recorded, then the file moved into place. Killed (SIGKILL) between a record and
    its move, the version is not left damaged: loading it finishes the move and it serves; the files
    rewritten hold nothing of the deleted listener."""
    import json

    from musicflow.model.lineage import features_parquet, read_features
    from musicflow.store.ports import TrackFact

    models_dir = backend_settings.data_dir / "models"
    store = open_store(backend_settings)
    try:
        registry = FileModelRegistry(store.models, models_dir)
        lineage = {"profile": "bob", "plays": {"bob": {"profile_id": 1}, "alice": {"profile_id": 2}}}
        tracks = [
            TrackFact(1, "Shared", "Both", None, "both\x1fshared"),
            TrackFact(2, "Hers", "Alice's", None, "a"),
        ]
        recorded_files = {
            "lineage.json": json.dumps(lineage).encode(),
            "features.parquet": features_parquet(tracks, {}),
        }
        registry.register("bob", {**artifacts("b"), **recorded_files}, metadata())
        registry.promote("bob", 1)

        register_and_kill(backend_settings, pause_at, tmp_path, FORGET_CHILD)

        version_dir = models_dir / "bob" / "1"
        assert [p.name for p in version_dir.glob(f".{pause_at}.*")]  # the move never happened
        loaded = registry.load("bob")
        assert loaded.version.version == 1 and loaded.artifacts["model.txt"] == artifacts("b")["model.txt"]
        assert [t.track_id for t in read_features(loaded.artifacts["features.parquet"])[0]] == [1]
        if pause_at == "lineage.json":  # killed on the last file: the lineage was rewritten too
            recorded = registry.lineage(loaded.version)
            assert recorded is not None and "alice" not in json.dumps(recorded)
        assert not list(version_dir.glob(f".{pause_at}.*"))
        assert [v.status.value for v in registry.list("bob")] == ["ready"]
    finally:
        store.close()
