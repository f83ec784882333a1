"""The listener's own profile: deleting it, and all of its data, for good."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from musicflow.api.deps import Asked
from musicflow.api.error_responses import ERROR, ERRORS_OF_LISTENER_ROUTES

router = APIRouter(prefix="/api", tags=["profile"])
NEEDS_WRITE: dict[int | str, dict[str, object]] = {
    403: {**ERROR, "description": "The token may read, not change, this profile"},
}


@router.delete("/profile", status_code=204, responses={**ERRORS_OF_LISTENER_ROUTES, **NEEDS_WRITE})
def delete_profile(request: Request, asked: Asked) -> Response:
    """Delete the profile and everything stored of it: plays, the songs only it played, models and their
    files, tokens (this one too). Needs a token with the write scope. Cannot be undone."""
    asked.grant.may_write()
    asked.app.delete_profile(asked.profile)
    for forget in request.app.state.on_erase:
        forget(asked.profile)
    return Response(status_code=204)
