"""Training through the application layer: the gate compares like with like."""

from __future__ import annotations

from pathlib import Path

import pytest

from musicflow.app.service import MusicFlow
from tests.trained import PROFILE


@pytest.mark.slow
def test_a_second_listener_does_not_make_the_next_model_look_worse(trained_app: MusicFlow, shared_data: Path):
    """A second listener changes the data the champion was measured on (the zeros stay the shipped songs:
    one other listener is too few to learn "0" from). The gate measures the champion again on today's
    data with the same zeros and compares the same AUC, instead of refusing the new version against a
    number measured on other data."""
    champion = trained_app.model(PROFILE)
    assert champion.evaluation["zero_strategy"] == "shipped, then catalog"
    trained_app.ingest([shared_data / "histories" / "extended" / "erickmay"], "erick")
    run = trained_app.train(PROFILE)
    assert run.evaluation["zero_strategy"] == "shipped, then catalog"
    assert run.publication.promoted, run.publication.decision.reason
    assert "AUC vs songs other people streamed" in run.publication.decision.reason
