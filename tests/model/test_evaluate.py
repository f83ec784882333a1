from __future__ import annotations

import json

from musicflow.model.dataset import ZeroStrategy
from musicflow.model.evaluate import evaluate_profile
from musicflow.model.scoring import MEAN, NO_LISTENER, OURS
from musicflow.model.snapshot import Snapshot

FAST = {"n_estimators": 80, "learning_rate": 0.1}


def test_a_planted_signal_is_found_and_the_blind_reference_is_near_chance(snapshot: Snapshot) -> None:
    evaluation = evaluate_profile(
        snapshot, "me", strategy=ZeroStrategy.parse("others"), params=FAST, seeds=(0, 1), splits=("time",)
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
    json.dumps(evaluation.as_dict())  # plain and serialisable
    assert evaluation.tables()[0].rows[0][0] == OURS
