"""The promotion gate: a new version serves only if it does at least as well as the champion.

Evaluations are the JSON stored with each version; metrics are named by dotted paths into it
(`time_split.auc`), so the gate works with whatever shape the evaluation takes, and an older champion
evaluated without a metric does not block a newer one that has it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

# The protocol's headline metrics under the time split (see docs/model-evaluation.md): both higher-better.
DEFAULT_GATE_METRICS = ("time_split.auc", "time_split.sp_plus")


class GateDecision(NamedTuple):
    promote: bool
    reason: str


def should_promote(
    new_eval: Mapping[str, Any],
    champion_eval: Mapping[str, Any] | None,
    *,
    metric_keys: Sequence[str] = DEFAULT_GATE_METRICS,
    lower_is_better: Collection[str] = (),
    tolerance: float = 0.0,
) -> GateDecision:
    """Promote when no metric of `metric_keys` is worse than the champion's by more than `tolerance`.

    The caller handles `--force`. A new version without one of the metrics is never promoted by the
    gate: it could not show it is as good.
    """
    if not metric_keys:
        raise ValueError("the gate needs at least one metric")
    if champion_eval is None:
        return GateDecision(True, "there is no champion yet")
    compared: list[str] = []
    for key in metric_keys:
        new = metric_value(new_eval, key)
        if new is None:
            return GateDecision(False, f"the new version has no {key} to compare")
        old = metric_value(champion_eval, key)
        if old is None:
            compared.append(f"{key} {new:.3f} (champion has none)")
            continue
        if _worse(new, old, higher_is_better=key not in lower_is_better, tolerance=tolerance):
            return GateDecision(False, f"{key} {new:.3f} is worse than the champion's {old:.3f}")
        compared.append(f"{key} {new:.3f} vs {old:.3f}")
    return GateDecision(True, "at least as good as the champion: " + ", ".join(compared))


def metric_value(evaluation: Mapping[str, Any], key: str) -> float | None:
    """The number at a dotted path, or None when it is absent, not a number, or not finite."""
    value: Any = evaluation
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _worse(new: float, old: float, *, higher_is_better: bool, tolerance: float) -> bool:
    return new < old - tolerance if higher_is_better else new > old + tolerance
