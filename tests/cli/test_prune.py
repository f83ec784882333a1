"""`musicflow models prune` and the pruning after `train`, as a user runs them, on the demo listener: what
goes (records and files), what always stays (the champion, the version a rollback returns to, the newest
N), and what a command naming a removed version, the accuracy report and the API say afterwards."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from musicflow.api.app import create_app
from musicflow.app.service import MusicFlow
from musicflow.cli.command_tree import app
from musicflow.config import Settings
from musicflow.store.ports import ModelMetadata
from tests.trained import PROFILE, QUICK_TRAINING, copy_of

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def listed() -> list[int]:
    """The versions `models list` shows, newest first."""
    code, out, err = run("models", "list", "--format", "json")
    assert code == 0, err
    return [record["version"] for record in json.loads(out)]


def version_folders(data_dir: Path) -> list[int]:
    return sorted(int(p.name) for p in (data_dir / "models" / PROFILE).iterdir() if p.is_dir())


def add_versions(data_dir: Path, up_to: int) -> None:
    """Versions 2..`up_to`, each v1's files and record registered again (as many trainings would leave;
    registering takes milliseconds where training takes seconds)."""
    with MusicFlow.open(Settings(data_dir=data_dir)) as opened:
        registry = opened.registry
        first = registry.load(PROFILE, 1)
        record = first.version
        metadata = ModelMetadata(
            record.data_fingerprint,
            record.feature_names,
            record.parameters,
            record.evaluation,
            record.library_versions,
        )
        for _ in range(2, up_to + 1):
            registry.register(PROFILE, first.artifacts, metadata)


@pytest.fixture
def eight_versions(trained_listener: Path, isolated_environment: Path) -> Path:
    """The demo listener with v1..v8. v2 served and answered two songs (logged, as `predict --log`
    logs them); then v4 served, then v3, which serves now: a rollback returns to v4."""
    copy_of(trained_listener, isolated_environment)
    add_versions(isolated_environment, 8)
    assert run("models", "promote", "2")[0] == 0
    for song, artist in (("Wonderwall", "Oasis"), ("Everlong", "Foo Fighters")):
        code, _, err = run("predict", "--song", song, "--artist", artist, "--log")
        assert code == 0, err
    for number in ("4", "3"):
        assert run("models", "promote", number)[0] == 0
    return isolated_environment


def test_prune_keeps_the_champion_the_rollback_target_and_the_newest_and_removes_the_rest(
    eight_versions: Path,
):
    code, out, err = run("models", "prune", "--keep", "2")
    assert code == 0, err
    words = " ".join(out.split())
    assert words.startswith("Removed 4 old versions of 'default' (v6, v5, v2, v1), freeing ")
    assert "MiB" in words  # each version's files take about a megabyte here
    assert "Kept: the champion v3; v4, which a rollback returns to; the newest 2 versions, v8, v7." in words
    assert listed() == [8, 7, 4, 3]
    assert version_folders(eight_versions) == [3, 4, 7, 8]  # the removed versions' files are gone

    code, out, _ = run("models", "rollback")
    assert code == 0 and "now v4 (was v3" in out  # the rollback still returns where it did

    # From v4, a rollback would return to v2, removed: v3, rolled back from, is no longer kept.
    code, out, err = run("models", "prune", "--keep", "2")
    assert code == 0, err
    words = " ".join(out.split())
    assert words.startswith("Removed 1 old version of 'default' (v3), freeing ")
    assert "Kept: the champion v4; the newest 2 versions, v8, v7." in words
    code, out, err = run("models", "prune", "--keep", "2")
    assert code == 0, err
    assert "Nothing to remove: every one of the 3 model versions of 'default' is kept." in out


def test_a_listener_of_one_version_is_told_it_is_kept(trained_listener: Path, isolated_environment: Path):
    """It said "every one of the 1 model version of 'default' is kept"."""
    copy_of(trained_listener, isolated_environment)
    code, out, err = run("models", "prune", "--dry-run")
    assert code == 0, err
    assert out.splitlines()[0] == "Nothing to remove: 'default' has one model version, which is kept."


def test_a_dry_run_says_what_would_go_and_removes_nothing(eight_versions: Path):
    code, out, err = run("models", "prune", "--keep", "2", "--dry-run")
    assert code == 0, err
    words = " ".join(out.split())
    assert words.startswith("Would remove 4 old versions of 'default' (v6, v5, v2, v1), freeing ")
    assert "Would keep: the champion v3; v4, which a rollback returns to;" in words
    assert "Nothing was removed (--dry-run)." in words
    assert listed() == [8, 7, 6, 5, 4, 3, 2, 1]
    assert version_folders(eight_versions) == [1, 2, 3, 4, 5, 6, 7, 8]

    code, out, _ = run("models", "prune", "--keep", "2", "--dry-run", "--format", "json")
    document = json.loads(out)
    assert document["dry_run"] is True
    assert [r["version"] for r in document["removed"]] == [6, 5, 2, 1]
    assert document["freed_bytes"] == sum(r["size_bytes"] for r in document["removed"]) > 0
    assert (document["champion"], document["rollback_target"]) == (3, 4)
    assert listed() == [8, 7, 6, 5, 4, 3, 2, 1]
    # when each was made, as `models list` gives it (it was Unix seconds: 1796561879.42)
    made = {
        record["version"]: record["created"] for record in json.loads(run("models", "list", "-f", "json")[1])
    }
    assert [r["created_at"] for r in document["removed"]] == [made[v] for v in (6, 5, 2, 1)]
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", r["created_at"]) for r in document["removed"]
    )


def test_the_setting_says_how_many_of_the_newest_are_kept(
    eight_versions: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("MUSICFLOW_MODEL_KEEP_VERSIONS", "6")
    code, out, err = run("models", "prune", "--format", "json")
    assert code == 0, err
    assert [r["version"] for r in json.loads(out)["removed"]] == [2, 1]
    assert listed() == [8, 7, 6, 5, 4, 3]

    monkeypatch.delenv("MUSICFLOW_MODEL_KEEP_VERSIONS")
    code, out, _ = run("models", "prune")  # the default keeps the newest 5
    assert code == 0 and "Nothing to remove: every one of the 6 model versions" in out


@pytest.mark.parametrize("keep", ["0", "-1"])
def test_a_bad_number_to_keep_is_a_usage_error_and_removes_nothing(
    eight_versions: Path, monkeypatch: pytest.MonkeyPatch, keep: str
):
    code, _, err = run("models", "prune", "--keep", keep)
    assert code == 2
    assert f"--keep {keep} would keep no version: keep 1 or more" in " ".join(err.split())

    monkeypatch.setenv("MUSICFLOW_MODEL_KEEP_VERSIONS", keep)
    code, _, err = run("models", "prune")
    assert code == 2
    assert f"MUSICFLOW_MODEL_KEEP_VERSIONS: is {keep}: keep 1 or more" in err
    monkeypatch.delenv("MUSICFLOW_MODEL_KEEP_VERSIONS")
    assert listed() == [8, 7, 6, 5, 4, 3, 2, 1]


def test_an_unknown_profile_is_the_unknown_profile_error(eight_versions: Path):
    code, _, err = run("models", "prune", "--profile", "nobody")
    assert code == 1
    assert "profile 'nobody' has no data yet (profiles in this store: default" in err


def test_commands_naming_a_removed_version_say_so_and_name_what_remains(eight_versions: Path):
    assert run("models", "prune", "--keep", "2")[0] == 0
    for command in (
        ("models", "show", "v5"),
        ("models", "promote", "5"),
        ("evaluate", "--version", "v5"),
        ("train", "--reproduce", "v5"),
    ):
        result = runner.invoke(app, list(command))
        assert result.exit_code == 1, command
        said = " ".join(result.stderr.split())
        assert said.startswith("error: profile 'default' has no model version 5: it was removed on "), said
        assert "its versions are v8, v7, v4, v3 (champion): run `musicflow models list`" in said
        assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback

    settings = Settings(data_dir=eight_versions, retrain_every_hours=0)
    with TestClient(create_app(settings, profile=PROFILE, access="open")) as client:
        gone = client.get("/api/models/5")
        assert gone.status_code == 404
        assert "it was removed on" in gone.json()["error"]["message"]
        assert [v["version"] for v in client.get("/api/models").json()["versions"]] == [8, 7, 4, 3]


def test_a_removed_version_is_still_judged_from_where_it_learned_up_to(eight_versions: Path):
    code, out, err = run("accuracy", "--format", "json")
    assert code == 0, err
    (before,) = json.loads(out)["versions"]
    assert (before["model_version"], before["removed"], before["songs"]) == (2, False, 2)

    assert run("models", "prune", "--keep", "2")[0] == 0
    assert 2 not in listed()
    code, out, err = run("accuracy", "--format", "json")
    assert code == 0, err
    (after,) = json.loads(out)["versions"]
    assert after["removed"] is True and after["cut_off_from"] == "last play"
    assert {k: v for k, v in after.items() if k != "removed"} == {
        k: v for k, v in before.items() if k != "removed"
    }  # the same songs, against the plays after the same last play
    code, out, _ = run("accuracy")
    assert code == 0 and "v2 (removed)" in out


def test_reading_never_removes_a_version(eight_versions: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MUSICFLOW_MODEL_KEEP_VERSIONS", "1")
    settings = Settings(data_dir=eight_versions, retrain_every_hours=0, model_keep_versions=1)
    with TestClient(create_app(settings, profile=PROFILE, access="open")) as client:
        for route in ("/api/models", "/api/models/1", "/api/accuracy"):
            assert client.get(route).status_code == 200, route
    for command in (("models", "list"), ("models", "show", "1"), ("evaluate",), ("accuracy",)):
        assert run(*command)[0] == 0, command
    assert version_folders(eight_versions) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert listed() == [8, 7, 6, 5, 4, 3, 2, 1]


@pytest.mark.slow
def test_training_removes_the_old_versions_and_says_how_many(
    trained_listener: Path, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
):
    copy_of(trained_listener, isolated_environment)
    add_versions(isolated_environment, 6)
    for number in ("2", "3"):  # v3 serves; a rollback returns to v2
        assert run("models", "promote", number)[0] == 0
    monkeypatch.setenv("MUSICFLOW_MODEL_EVALUATION_SEEDS", str(QUICK_TRAINING["model_evaluation_seeds"]))
    monkeypatch.setenv("MUSICFLOW_MODEL_KEEP_VERSIONS", "2")

    code, out, err = run("train")
    assert code == 0, err
    kept = listed()
    assert kept[:2] == [7, 6]  # the new version and the one before it
    # and the champion, and where a rollback returns: v3 and v2 while v3 serves, v3 once v7 serves
    expected = {7, 6, 3} if "Model v7 registered and serving" in out else {7, 6, 3, 2}
    assert set(kept) == expected
    removed = sorted(set(range(1, 7)) - set(kept), reverse=True)
    words = " ".join(out.split())
    named = ", ".join(f"v{n}" for n in removed)
    assert f"Removed {len(removed)} old versions of 'default' ({named}), freeing " in words
    assert (
        "kept are the champion, the version a rollback returns to and the newest 2"
        " (MUSICFLOW_MODEL_KEEP_VERSIONS)." in words
    )
    assert version_folders(isolated_environment) == sorted(kept)
