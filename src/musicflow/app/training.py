"""Training and publishing a listener's model: the settings turned into options, then the gate."""

from __future__ import annotations

from collections.abc import Callable

from musicflow.app.results import Training
from musicflow.config import Settings
from musicflow.errors import ConfigError
from musicflow.model.dataset import ZeroStrategy
from musicflow.model.publish import publish
from musicflow.model.registry import ModelMetadata, ModelRegistry
from musicflow.model.train import TrainingOptions, train_profile
from musicflow.store.sql import SqlStore


def train_and_publish(
    store: SqlStore,
    registry: ModelRegistry,
    settings: Settings,
    profile: str,
    force: bool,
    progress: Callable[[str, float], None] | None,
) -> Training:
    options = TrainingOptions(
        zeros=zero_strategy(settings.model_zeros),
        stream_min_ms=settings.stream_min_ms,
        precedence=tuple(settings.feature_precedence),
        allow_spotify=settings.spotify_features_for_model,
    )
    model = train_profile(store, profile, options, progress=progress)
    metadata = ModelMetadata(
        model.fingerprint, model.features, model.params, model.evaluation, model.libraries
    )
    published = publish(registry, profile, model.to_artifacts(), metadata, force=force)
    return Training(model.evaluation, model.training, published)


def zero_strategy(text: str) -> ZeroStrategy | None:
    """The zeros setting: `auto` lets training choose by what the store holds."""
    if text.strip().lower() == "auto":
        return None
    try:
        return ZeroStrategy.parse(text)
    except ValueError:
        raise ConfigError(
            f"MUSICFLOW_MODEL_ZEROS: {text!r} is not a zero strategy: use auto, or skips, others and "
            "catalog joined with + (for example skips+others)"
        ) from None
