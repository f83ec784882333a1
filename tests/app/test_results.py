"""A model version's records as answers give them: the records keep their times in Unix seconds, as every
version of MusicFlow wrote them, and every answer gives them in ISO 8601, UTC; a record written by an
older MusicFlow reads and renders as one written today."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from musicflow.app.results import evaluation_document, lineage_document, training_report_document
from musicflow.model.reports import Evaluation

CUT = 1761281946  # 2025-10-24T04:59:06+00:00
LAST_PLAY = 1770156060  # 2026-02-03T22:01:00+00:00
IMPORTED = 1771000000


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


# An evaluation as an older MusicFlow stored it: no protocol, coverage or answered songs; one time split
# with its cut-off in Unix seconds, one stored before the cut-off was recorded, and the random split.
OLD_EVALUATION: dict[str, Any] = {
    "profile": "ash",
    "zero_strategy": "shipped",
    "splits": [
        {
            "split": "time",
            "optimistic": False,
            "seeds": [0, 1, 2],
            "cutoff": CUT,
            "metrics": {"ours": {"auc": {"mean": 0.8, "std": 0.01, "n": 3}}},
            "test_sizes": {"streamed": 10, "shipped": 10},
        },
        {"split": "time", "seeds": [0], "metrics": {}, "test_sizes": {}},
        {"split": "random", "optimistic": True, "seeds": [0], "cutoff": None, "metrics": {}},
    ],
    "notes": [],
}


def test_an_old_evaluation_gives_its_cut_off_in_iso_8601_and_still_reads_in_words() -> None:
    stored = json.loads(json.dumps(OLD_EVALUATION))  # as read back from the store
    document = evaluation_document(stored)
    assert [split["cutoff"] for split in document["splits"]] == [_iso(CUT), None, None]  # null if none
    assert document["splits"][0]["cutoff"] == "2025-10-24T04:59:06+00:00"
    assert document["splits"][0]["metrics"] == stored["splits"][0]["metrics"]  # the rest as kept
    assert stored == OLD_EVALUATION  # the record itself is left as it is
    assert json.loads(json.dumps(document)) == document  # JSON as it is
    labels = [split.label() for split in Evaluation.from_dict(stored).splits]  # the tables' words
    assert labels == [
        "time split: songs first heard after 24 Oct 2025",
        "time split: songs first heard after the split's date",
        "random split by song (optimistic)",
    ]
    assert evaluation_document(document) == document  # given twice, the same


def test_a_training_report_gives_its_times_in_iso_8601() -> None:
    report: dict[str, Any] = {
        "last_play_at": LAST_PLAY,
        "plays": 16_816,
        "recommend_ranking": {"ranker": "model", "found": {"model": 3}, "later": 40, "cutoff": CUT},
    }
    document = training_report_document(report)
    assert document["last_play_at"] == "2026-02-03T22:01:00+00:00" and document["plays"] == 16_816
    assert document["recommend_ranking"] == {**report["recommend_ranking"], "cutoff": _iso(CUT)}
    older = training_report_document({"plays": 10, "recommend_ranking": None})  # before either was kept
    assert older == {"plays": 10, "recommend_ranking": None}


def test_a_lineage_gives_its_times_in_iso_8601_and_one_cut_off() -> None:
    """`cut_off` is the version's own listener's cut-off, an object: `last_play_at` is the moment the
    accuracy report gives as `cut_off_at`."""
    own = {"profile_id": 1, "plays": 12, "last_play_at": LAST_PLAY, "last_play_id": 40, "digest": "d"}
    recorded = {
        "format": "musicflow-lineage/1",
        "profile": "ash",
        "cut_off": {"last_play_at": LAST_PLAY, "plays": 12, "plays_digest": "d"},
        "plays": {"ash": own, "deleted profile 2": {**own, "profile_id": 2, "last_play_at": CUT}},
        "catalogs": [{"name": "bundled", "rows": 3, "imported_at": IMPORTED}],
    }
    document = lineage_document(recorded)
    assert document["cut_off"] == {"last_play_at": _iso(LAST_PLAY), "plays": 12, "plays_digest": "d"}
    assert document["plays"]["ash"]["last_play_at"] == _iso(LAST_PLAY)
    assert document["plays"]["deleted profile 2"]["last_play_at"] == _iso(CUT)
    assert document["catalogs"] == [{"name": "bundled", "rows": 3, "imported_at": _iso(IMPORTED)}]
    assert lineage_document({"format": "later", "cut_off": "??"}) == {"format": "later", "cut_off": "??"}
