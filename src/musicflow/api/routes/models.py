"""The listener's model versions, which one serves, and each one's stored evaluation; read only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from musicflow.api import documents
from musicflow.api.deps import App, Client, Profile
from musicflow.api.error_responses import ERRORS_OF_LISTENER_ROUTES
from musicflow.api.schemas import ModelDetail, ModelList

router = APIRouter(prefix="/api/models", tags=["models"], responses=ERRORS_OF_LISTENER_ROUTES)
VersionPath = Annotated[str, Path(pattern=r"^(v?[1-9][0-9]{0,8}|champion)$", description="3, v3 or champion")]


@router.get("")
def models(profile: Profile, app: App, client: Client) -> ModelList:
    """The profile's versions, newest first; `serving` marks the one this server answers with."""
    app.require_profile(profile)
    serving = _serving_version(app, profile)
    versions = [documents.model_summary(record, serving) for record in app.models(profile)]
    return ModelList(profile=profile, serving_version=serving, versions=versions)


@router.get("/{version}")
def model(version: VersionPath, profile: Profile, app: App, client: Client) -> ModelDetail:
    """One version, with its stored evaluation."""
    app.require_profile(profile)
    return documents.model_detail(app.model(profile, version), _serving_version(app, profile))


def _serving_version(app: App, profile: str) -> int | None:
    loaded = app.serving.loaded(profile)
    return loaded.version if loaded is not None else None
