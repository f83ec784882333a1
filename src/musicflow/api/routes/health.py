"""Health: the original `/api/health`, and the liveness and readiness probes of an orchestrator."""

from __future__ import annotations

from fastapi import APIRouter, Request

from musicflow.api.deps import App
from musicflow.api.error_responses import ERROR
from musicflow.api.schemas import Health, Ready
from musicflow.errors import MusicflowError, NotReadyError

router = APIRouter(prefix="/api/health", tags=["health"])


@router.get("")
async def health() -> Health:
    """The original health check: the server answers."""
    return Health(status="ok")


@router.get("/live")
async def live() -> Health:
    """The process is up (restart it if this fails)."""
    return Health(status="live")


@router.get(
    "/ready",
    responses={503: {**ERROR, "description": "The store does not answer, or no model serves yet"}},
)
def ready(request: Request, app: App) -> Ready:
    """Ready once the store answers and the default profile's champion is loaded (send traffic then).
    A server that asks for tokens names no profile here: it checks the store only."""
    profile: str = request.app.state.profile
    try:
        app.profiles()
        if not request.app.state.grants.open:
            return Ready(status="ready", profile=None, model_version=None)
        serving = app.serving.get(profile)
    except MusicflowError as exc:
        raise NotReadyError(f"not ready: {exc}", hint=exc.hint, profile=profile) from exc
    return Ready(status="ready", profile=profile, model_version=serving.version)
