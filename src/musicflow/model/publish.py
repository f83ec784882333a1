"""What `musicflow train` does with a trained model: register it, then promote it if the gate allows."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from musicflow.model.gate import GateDecision, gate_metrics, should_promote
from musicflow.model.registry import ModelRegistry
from musicflow.store.ports import AliasMove, ModelMetadata, ModelVersion, MoveReason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Publication:
    """A registered version, what the gate said, and the champion move if there was one."""

    version: ModelVersion
    decision: GateDecision
    move: AliasMove | None

    @property
    def promoted(self) -> bool:
        return self.move is not None


def publish(
    registry: ModelRegistry,
    profile: str,
    artifacts: Mapping[str, bytes],
    metadata: ModelMetadata,
    *,
    force: bool = False,
    metric_keys: Mapping[str, str] | Sequence[str] | None = None,
    baseline: Mapping[str, Any] | None = None,
    profile_id: int | None = None,
) -> Publication:
    """Register the version; make it the champion if it does at least as well (or if `force`).

    The champion is compared as it was before registering, and moved only if it is still that one: a
    promotion made meanwhile by someone else is never overwritten (`ChampionMovedError`; the new version
    stays registered and can be promoted by hand). `baseline` is the champion's evaluation on the same
    data as the new version's, where its stored one was measured on other data; `metric_keys` default to
    the time split's AUC against the kind of zeros both were measured with, and Sp+. `profile_id`: the
    profile's id when the version's data was read (a profile deleted since gets no version).
    """
    champion = registry.champion(profile)
    version = registry.register(profile, artifacts, metadata, profile_id=profile_id)
    old = baseline if baseline is not None else champion.evaluation if champion else None
    keys = metric_keys if metric_keys is not None else gate_metrics(version.evaluation, old)
    decision = should_promote(version.evaluation, old, metric_keys=keys)
    if champion is not None and baseline is not None:  # its scores are not the ones `models list` shows
        again = f"v{champion.version}, the model serving, measured again on the same data"
        decision = decision._replace(reason=f"{decision.reason} ({again})")
    if not decision.promote and not force:
        log.info("version %d of '%s' not promoted: %s", version.version, profile, decision.reason)
        return Publication(version, decision, None)
    reason = MoveReason.AUTO_PROMOTE if decision.promote else MoveReason.FORCED
    note = decision.reason if decision.promote else f"forced over the gate: {decision.reason}"
    move = registry.promote(
        profile,
        version.version,
        reason,
        note,
        expected_champion=champion.version if champion else None,
    )
    return Publication(version, decision, move)
