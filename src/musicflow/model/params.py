"""The count model's parameters as MusicFlow trains it, where they differ from the estimator's defaults.

Kept apart from `CountRegressor`'s own defaults so that a model stored before a parameter existed is
measured again (by the gate) as it was trained, not as today's defaults would train it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from musicflow.model.vectorize import AFFINITY_COLUMNS

# Averaged with a booster on the listener's history alone (see `CountRegressor.anchor_columns`), of 100
# trees: five columns need fewer than the 300 of every column, and measured the same on the public
# listeners (docs/model-quality.md) while every prediction and its reasons walk a third fewer trees.
HISTORY_ANCHOR: Mapping[str, Any] = {
    "anchor_columns": AFFINITY_COLUMNS,
    "anchor_weight": 0.5,
    "anchor_estimators": 100,
}
# A plain booster: the reference rows, and a model stored before the anchor parameters existed.
WITHOUT_ANCHOR: Mapping[str, Any] = {"anchor_columns": None}


def model_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of our model: MusicFlow's choices, overridden by those given."""
    return {**HISTORY_ANCHOR, **params}


def reference_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a reference row: those given, as one plain booster."""
    return {**params, **WITHOUT_ANCHOR}
