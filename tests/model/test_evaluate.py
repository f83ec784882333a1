from __future__ import annotations

import dataclasses
import json

import numpy as np

from musicflow.model.dataset import ZeroStrategy
from musicflow.model.evaluate import evaluate_profile
from musicflow.model.reports import NO_LISTENER_NOTE, Evaluation
from musicflow.model.snapshot import ProfilePlays, Snapshot
from musicflow.model.split_scores import MEAN, NO_LISTENER, OURS

FAST = {"n_estimators": 80, "learning_rate": 0.1}


def test_a_planted_signal_is_found_and_the_blind_reference_is_near_chance(snapshot: Snapshot) -> None:
    """The others stream none of this listener's songs here: in the synthetic store they stream a third
    of every song at random, so a third of the listener's later songs could be training zeros (as a
    model trained at the cut may learn them), which blurs the signal planted."""
    me = snapshot.profiles["me"]
    mine = np.unique(snapshot.plays[me].song)
    others = {
        owner: _streams_of(np.setdiff1d(np.unique(plays.song[plays.is_stream]), mine))
        for owner, plays in snapshot.plays.items()
        if owner != me
    }
    apart = dataclasses.replace(snapshot, plays={me: snapshot.plays[me], **others})
    evaluation = evaluate_profile(
        apart, "me", strategy=ZeroStrategy.parse("others"), params=FAST, seeds=(0, 1), splits=("time",)
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
