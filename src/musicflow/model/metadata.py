"""What a version records besides its files: checked before anything is written, compared on load."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Iterable, Sequence
from dataclasses import replace

from musicflow.errors import Hint, ModelError, ModelMismatchError
from musicflow.store import json_text
from musicflow.store.ports import ModelMetadata, ModelVersion


def library_versions(packages: Iterable[str] = ()) -> dict[str, str]:
    """Python's version and each package's installed version ("not installed" when missing)."""
    found = {"python": platform.python_version()}
    for name in ("musicflow", *packages):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def checked_metadata(metadata: ModelMetadata) -> ModelMetadata:
    """Refuse metadata the store cannot keep as JSON before any file is written; add library versions."""
    if not metadata.data_fingerprint:
        raise ModelError("a model version needs a data fingerprint")
    if not metadata.feature_names or len(set(metadata.feature_names)) != len(metadata.feature_names):
        raise ModelError("a model version needs its feature names, each once, in the model's order")
    for field_name in ("feature_names", "parameters", "evaluation", "library_versions"):
        try:
            json_text.dumps(getattr(metadata, field_name))
        except TypeError as exc:
            raise ModelError(f"the model's {field_name} cannot be stored as JSON: {exc}") from exc
    libraries = {**library_versions(), **metadata.library_versions}
    return replace(metadata, feature_names=tuple(metadata.feature_names), library_versions=libraries)


def check_features(version: ModelVersion, expected: Sequence[str]) -> None:
    if tuple(expected) == version.feature_names:
        return
    missing = [n for n in expected if n not in version.feature_names]
    extra = [n for n in version.feature_names if n not in expected]
    detail = (
        f"missing {missing}, unexpected {extra}" if missing or extra else "the same features in another order"
    )
    raise ModelMismatchError(
        f"model version {version.version} of profile '{version.profile}' was trained on other features than"
        f" this MusicFlow builds ({detail})",
        hint=Hint.RETRAIN,
        profile=version.profile,
    )
