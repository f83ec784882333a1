"""The promotion gate: a new version serves only if it does at least as well as the champion.

Evaluations are the JSON stored with each version; metrics are named by paths into it: dotted keys, and
`name[field=value]` to pick the element of a list whose `field` is `value`
(`splits[split=time].metrics.ours.auc.mean`). The gate so works with whatever shape the evaluation takes,
and an older champion evaluated without a metric does not block a newer one that has it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

# The protocol's headline metrics under the time split (see docs/model-evaluation.md), both higher-better,
# as `model.evaluate.Evaluation.as_dict()` stores them: label -> path.
TIME_SPLIT = "splits[split=time].metrics.ours"
DEFAULT_GATE_METRICS: Mapping[str, str] = {
    "time-split AUC": f"{TIME_SPLIT}.auc.mean",
    "time-split Sp+": f"{TIME_SPLIT}.sp_plus.mean",
}
# An AUC is only comparable with one measured against the same kind of zeros: other listeners' songs
# first (the honest test), then songs other people streamed from the list MusicFlow ships (a listener
# alone), the listener's own skip-only songs, and all zeros (catalog songs included, which flatter a
# model) only when no two evaluations share another.
AUC_KINDS = (
    ("AUC vs others' songs", "auc_others"),
    ("AUC vs songs other people streamed", "auc_shipped"),
    ("AUC vs your skips", "auc_skipped"),
    ("AUC vs all zeros", "auc"),
)


def gate_metrics(new_eval: Mapping[str, Any], champion_eval: Mapping[str, Any] | None) -> dict[str, str]:
    """The time split's AUC against the first kind of zeros both evaluations measured, and its Sp+."""
    for label, key in AUC_KINDS:
        path = f"{TIME_SPLIT}.{key}.mean"
        if metric_value(new_eval, path) is not None and (
            champion_eval is None or metric_value(champion_eval, path) is not None
        ):
            return {f"time-split {label}": path, "time-split Sp+": f"{TIME_SPLIT}.sp_plus.mean"}
    return dict(DEFAULT_GATE_METRICS)


LIST_PICK = re.compile(r"(?P<name>[^\[\]]+)\[(?P<field>[^=\]]+)=(?P<value>[^\]]*)\]")


class GateDecision(NamedTuple):
    promote: bool
    reason: str


def should_promote(
    new_eval: Mapping[str, Any],
    champion_eval: Mapping[str, Any] | None,
    *,
    metric_keys: Mapping[str, str] | Sequence[str] = DEFAULT_GATE_METRICS,
    lower_is_better: Collection[str] = (),
    tolerance: float = 0.0,
) -> GateDecision:
    """Promote when no metric is worse than the champion's by more than `tolerance`.

    `metric_keys` maps a label people read to a path (a plain list of paths labels each by its path);
    `lower_is_better` names labels. The caller handles `--force`. A new version without one of the
    metrics is never promoted by the gate: it could not show it is as good.
    """
    if isinstance(metric_keys, str):
        metric_keys = [metric_keys]
    metrics = dict(metric_keys) if isinstance(metric_keys, Mapping) else {k: k for k in metric_keys}
    if not metrics:
        raise ValueError("the gate needs at least one metric")
    if champion_eval is None:
        return GateDecision(True, "the first model of this profile")
    compared: list[str] = []
    for key, path in metrics.items():
        new = metric_value(new_eval, path)
        if new is None:
            return GateDecision(False, f"the new version has no {key} to compare")
        old = metric_value(champion_eval, path)
        if old is None:
            compared.append(f"{key} {new:.3f} (champion has none)")
            continue
        if _worse(new, old, higher_is_better=key not in lower_is_better, tolerance=tolerance):
            return GateDecision(False, f"{key} {new:.3f} is worse than the champion's {old:.3f}")
        compared.append(f"{key} {new:.3f} vs {old:.3f}")
    return GateDecision(True, "at least as good as the champion: " + ", ".join(compared))


def metric_value(evaluation: Mapping[str, Any], path: str) -> float | None:
    """The number at a path, or None when it is absent, not a number, or not finite."""
    value: Any = evaluation
    for part in path.split("."):
        value = _step(value, part)
        if value is None:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _step(value: Any, part: str) -> Any:
    """One path segment: a key, or `name[field=value]` picking from a list; None when absent."""
    pick = LIST_PICK.fullmatch(part)
    name = pick["name"] if pick else part
    if not isinstance(value, Mapping) or name not in value:
        return None
    value = value[name]
    if pick is None:
        return value
    if not isinstance(value, list):
        return None
    return next(
        (
            item
            for item in value
            if isinstance(item, Mapping) and str(item.get(pick["field"])) == pick["value"]
        ),
        None,
    )


def _worse(new: float, old: float, *, higher_is_better: bool, tolerance: float) -> bool:
    return new < old - tolerance if higher_is_better else new > old + tolerance
