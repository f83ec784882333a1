"""What `musicflow train` does with a trained model: register it, then promote it if the gate allows."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from musicflow.model.gate import DEFAULT_GATE_METRICS, GateDecision, should_promote
from musicflow.model.registry import ModelRegistry
from musicflow.store.base import AliasMove, ModelMetadata, ModelVersion, MoveReason

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
    metric_keys: Mapping[str, str] | Sequence[str] = DEFAULT_GATE_METRICS,
) -> Publication:
    """Register the version; make it the champion if it does at least as well (or if `force`).

    The champion is compared as it was before registering, and moved only if it is still that one: a
    promotion made meanwhile by someone else is never overwritten (`ChampionMovedError`; the new version
    stays registered and can be promoted by hand).
    """
    champion = registry.champion(profile)
    version = registry.register(profile, artifacts, metadata)
    decision = should_promote(
        version.evaluation, champion.evaluation if champion else None, metric_keys=metric_keys
    )
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
