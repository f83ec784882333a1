"""A stored evaluation reads back as the typed `Evaluation`: today's exactly, an older or damaged one with
the missing parts empty, never an error."""

from __future__ import annotations

import json

from musicflow.model.reports import (
    Coverage,
    Evaluation,
    FeatureCheck,
    PatternCheck,
    SplitEvaluation,
    Spread,
)


def test_an_evaluation_reads_back_as_it_was_stored() -> None:
    split = SplitEvaluation(
        split="time",
        optimistic=False,
        seeds=[0, 1],
        metrics={"ours": {"auc": Spread.of([0.8, 0.9]), "mae": Spread.of([None])}},
        train_sizes={"streamed": 90, "others": 80},
        test_sizes={"streamed": 30, "others": 25},
        features=FeatureCheck(
            availability={"energy": {"streamed": 0.9, "others": 0.85}},
            rows={"streamed": 90, "others": 80},
            dropped={"popularity": "not available"},
            patterns=PatternCheck({"audio": {"streamed": 80, "zeros": 70}}, ["none"], 0.61, 0.5),
        ),
        source_mix={"streamed": {"catalog": 90}},
        cutoff=1_700_000_000,
        answered={"streamed": 28, "others": 25},
    )
    coverage = Coverage(songs=120, songs_with_features=100, streams=900, streams_with_features=800)
    evaluation = Evaluation("me", "others", [split], coverage, ["a note"])
    stored = json.loads(json.dumps(evaluation.as_dict()))
    again = Evaluation.from_dict(stored)
    assert again.as_dict() == evaluation.as_dict()
    time_split = again.split("time")
    assert time_split is not None and time_split.headline("ours", "auc") == 0.85
    assert time_split.headline("ours", "mae") is None
    assert again.coverage == coverage and again.notes == ["a note"]


def test_an_older_or_damaged_evaluation_reads_with_the_missing_parts_empty() -> None:
    stored = {
        "splits": [
            {
                "split": "time",
                "metrics": {"ours": {"auc": {"mean": 0.8, "std": "wide"}, "sp_plus": "garbage"}},
                "test_sizes": {"streamed": 10, "others": "ten"},
            },
            "not a split",
        ],
        "coverage": {},
    }
    evaluation = Evaluation.from_dict(stored)
    assert len(evaluation.splits) == 1 and evaluation.coverage is None and evaluation.zero_strategy == ""
    time_split = evaluation.split("time")
    assert time_split is not None
    assert time_split.headline("ours", "auc") == 0.8 and time_split.metrics["ours"]["auc"].std is None
    assert time_split.headline("ours", "sp_plus") is None
    assert time_split.test_sizes == {"streamed": 10} and time_split.answered == {}
    assert time_split.features.availability == {} and time_split.seeds == []
    assert Evaluation.from_dict({}).splits == []
