"""Training through the application layer: the gate compares like with like."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from tests.trained import PROFILE


@pytest.mark.slow
def test_a_second_listener_does_not_make_the_next_model_look_worse(trained_app: MusicFlow, shared_data: Path):
    """The champion was measured against catalog zeros; with a second listener the new version is measured
    against their songs. The gate measures the champion again on today's data with the same zeros and
    compares the same AUC, instead of refusing the new version against a flattering number."""
    champion = trained_app.model(PROFILE)
    assert champion.evaluation["zero_strategy"] == "shipped, then catalog"
    trained_app.ingest([shared_data / "histories" / "extended" / "erickmay"], "erick")
    run = trained_app.train(PROFILE)
    assert run.evaluation["zero_strategy"] == "others, then catalog, then shipped"
    assert run.publication.promoted, run.publication.decision.reason
    assert "AUC vs others' songs" in run.publication.decision.reason
