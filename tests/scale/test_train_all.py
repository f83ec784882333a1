"""`train --all`: every profile with plays trained as a task - on a real Dask cluster of two worker
processes, or in this process - with the same results as training them one by one: the same data
fingerprint, the same predictions; a profile too small to train fails alone, one without plays is
skipped, and the exit code says some failed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from musicflow.app.predicting import Unanswered
from musicflow.app.service import MusicFlow
from musicflow.app.train_all import TrainingTask, train_task
from musicflow.cli.command_tree import app as cli
from musicflow.cli.render_model import training_round
from musicflow.config import Settings
from musicflow.core.songs import SongRequest
from musicflow.errors import NotEnoughDataError
from musicflow.scale.engines import DaskEngine
from tests.trained import PROFILE, QUICK_TRAINING, copy_of

OTHER = "erick"  # a real public extended history, 2,080 plays
TINY = "tiny"  # a real 29-row basic history: too few streamed songs to train on
EMPTY = "empty"  # a profile that has a token and no plays
OTHER_EXPORT = Path("histories/extended/erickmay/endsong_1.json")
TINY_EXPORT = Path("histories/basic/musicflow_example/StreamingHistory0.json")


@pytest.fixture(scope="module")
def listeners(ingested_listener: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo listener, the two public histories with their catalog features, and an empty profile;
    no model yet."""
    home = tmp_path_factory.mktemp("listeners")
    with MusicFlow.open(copy_of(ingested_listener, home)) as app:
        app.ingest([shared_data / OTHER_EXPORT], OTHER, retrain=False)
        app.ingest([shared_data / TINY_EXPORT], TINY, retrain=False)
        app.fetch_features(OTHER)
        app.fetch_features(TINY)
        app.create_token(EMPTY)
    return home


def _copy(listeners: Path, target: Path) -> Settings:
    shutil.copytree(listeners, target)
    return Settings(data_dir=target, feature_sources=["catalog"]).model_copy(update=QUICK_TRAINING)


def _songs(app: MusicFlow, profile: str) -> list[SongRequest]:
    return [SongRequest(t.track, t.artist) for t in app.top_streams(profile, 12)]


def _predictions(app: MusicFlow, profile: str, songs: list[SongRequest]) -> list[float]:
    answers = app.predict_many(profile, songs, keep=False)
    assert all(not isinstance(a, Unanswered) for a in answers), answers
    return [a.streams for a in answers if not isinstance(a, Unanswered)]


def test_every_profile_on_dask_as_one_by_one(listeners: Path, tmp_path: Path, dask_client: Any) -> None:
    one_by_one: dict[str, tuple[str, list[float]]] = {}
    with MusicFlow.open(_copy(listeners, tmp_path / "one-by-one")) as app:
        for profile in (PROFILE, OTHER):
            published = app.train(profile).publication
            assert published.promoted
            songs = _songs(app, profile)
            one_by_one[profile] = (published.version.data_fingerprint, _predictions(app, profile, songs))
        with pytest.raises(NotEnoughDataError):
            app.train(TINY)

    heard: list[str] = []
    with MusicFlow.open(_copy(listeners, tmp_path / "on-dask")) as app:
        done = app.train_all(DaskEngine(dask_client), on_outcome=lambda o: heard.append(o.profile))
        assert done.engine == "dask"
        assert [(p.profile, p.outcome) for p in done.profiles] == [
            (PROFILE, "published"),
            (EMPTY, "skipped"),
            (OTHER, "published"),
            (TINY, "failed"),
        ]
        assert sorted(heard) == sorted([PROFILE, EMPTY, OTHER, TINY])
        outcomes = {p.profile: p for p in done.profiles}
        assert "streamed songs" in outcomes[TINY].reason and outcomes[TINY].version is None
        for profile in (PROFILE, OTHER):
            fingerprint, predictions = one_by_one[profile]
            assert outcomes[profile].version == 1 and app.model(profile).version == 1
            assert outcomes[profile].data_fingerprint == fingerprint == app.model(profile).data_fingerprint
            assert _predictions(app, profile, _songs(app, profile)) == pytest.approx(
                predictions, rel=0, abs=1e-9
            )
        assert app.models(TINY) == []

    shown = Console(record=True, width=200)
    training_round(shown, done)
    table = shown.export_text()
    assert "only 16 streamed songs" in table and "1 profile failed: the others were trained" in table
    rows = [[cell.strip() for cell in line.split("│")[1:4]] for line in table.splitlines() if "│ " in line]
    assert ["erick", "published", "v1"] in rows and ["empty", "skipped", ""] in rows


@pytest.mark.slow
def test_train_all_in_this_process_from_the_command_line(
    listeners: Path, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy(listeners, isolated_environment)
    monkeypatch.setenv("MUSICFLOW_MODEL_EVALUATION_SEEDS", str(QUICK_TRAINING["model_evaluation_seeds"]))
    runner = CliRunner()
    done = runner.invoke(cli, ["train", "--all", "--format", "json"])
    assert done.exit_code == 3, done.stderr  # some failed, some trained
    assert done.stderr == ""  # the outcomes are the document's, not said again on stderr
    document = json.loads(done.stdout)
    assert document["engine"] == "local"
    outcomes = {p["profile"]: p["outcome"] for p in document["profiles"]}
    assert outcomes == {PROFILE: "published", EMPTY: "skipped", OTHER: "published", TINY: "failed"}

    for wrong in (["train", "--all", "--profile", OTHER], ["train", "--engine", "dask"]):
        refused = runner.invoke(cli, wrong)
        assert refused.exit_code == 2 and "Traceback" not in refused.output


def test_a_worker_that_does_not_see_the_sqlite_store_says_so_and_makes_none(tmp_path: Path) -> None:
    elsewhere = Settings(data_dir=tmp_path / "not-here")
    why = train_task(TrainingTask(elsewhere, PROFILE))
    assert isinstance(why, str) and "does not see the store" in why
    assert not (tmp_path / "not-here").exists()
