from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import numpy as np
import pytest

from musicflow.model.dataset import ZeroStrategy
from musicflow.model.evaluate import evaluate_profile
from musicflow.model.reports import NO_LISTENER_NOTE, Evaluation
from musicflow.model.snapshot import ProfilePlays, Snapshot, load_snapshot
from musicflow.model.split_scores import MEAN, NO_LISTENER, OURS
from tests.model.conftest import PRECEDENCE
from tests.model.synthetic import synthetic_store

FAST = {"n_estimators": 80, "learning_rate": 0.1}


@pytest.fixture(scope="module")
def larger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snapshot]:
    """The synthetic store with three times the songs: a time split of the small one tests on about 45
    streamed songs and as many zeros, whose AUC moves by 0.07 between seeds."""
    store = synthetic_store(tmp_path_factory.mktemp("larger"), songs=1_800)
    yield load_snapshot(store, stream_min_ms=30_000, precedence=PRECEDENCE)
    store.close()


def test_a_planted_signal_is_found_and_the_blind_reference_is_near_chance(larger: Snapshot) -> None:
    """The others stream songs at random, a third of this listener's later songs among them: some are
    training zeros, as a model trained at the cut may learn them, and the signal is found all the same."""
    evaluation = evaluate_profile(
        larger, "me", strategy=ZeroStrategy.parse("others"), params=FAST, seeds=(0, 1), splits=("time",)
    )
    time_split = evaluation.split("time")
    assert time_split is not None
    ours = time_split.headline(OURS, "auc_others")
    assert ours is not None and ours > 0.75
    mean_mae = time_split.headline(MEAN, "mae")
    ours_mae = time_split.headline(OURS, "mae")
    assert ours_mae is not None and mean_mae is not None and ours_mae < mean_mae
    blind = time_split.headline(NO_LISTENER, "auc_others")
    assert blind is not None and abs(blind - 0.5) < 0.15
    assert time_split.test_sizes["streamed"] > 0 and time_split.test_sizes["others"] > 0
    stored = json.loads(json.dumps(evaluation.as_dict()))  # plain and serialisable
    assert Evaluation.from_dict(stored).as_dict() == evaluation.as_dict()  # and reads back as it was
    assert evaluation.tables()[0].rows[0][0] == OURS


def test_a_reference_that_cannot_be_fitted_is_reported_not_available(snapshot: Snapshot) -> None:
    """The other listeners streamed only songs this listener played: the 'no data of this listener'
    model has nothing to learn from, and training goes on without that row, saying why."""
    me = snapshot.profiles["me"]
    played = np.unique(snapshot.plays[me].song)
    others = {
        snapshot.profiles["a"]: _streams_of(played),
        snapshot.profiles["b"]: _streams_of(played[: len(played) // 2]),
    }
    overlapping = dataclasses.replace(snapshot, plays={me: snapshot.plays[me], **others})
    evaluation = evaluate_profile(
        overlapping,
        "me",
        strategy=ZeroStrategy.parse("skips+others"),
        params=FAST,
        seeds=(0,),
        splits=("time",),
    )
    time_split = evaluation.split("time")
    assert time_split is not None and OURS in time_split.metrics
    assert NO_LISTENER not in time_split.metrics
    assert any(note.startswith(f"{NO_LISTENER_NOTE}: ") for note in evaluation.notes)


def _streams_of(songs: np.ndarray) -> ProfilePlays:
    count = len(songs)
    return ProfilePlays(
        song=songs.astype(np.int64),
        ended_at=np.arange(count, dtype=np.int64) * 3600 + 1_600_000_000,
        is_stream=np.ones(count, dtype=np.bool_),
        is_skip=np.zeros(count, dtype=np.bool_),
    )
