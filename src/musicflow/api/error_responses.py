"""The API's one place for errors: each error becomes the HTTP status of its kind and a JSON body.

The statuses are the application's map (`app/error_map.py`), the same the web page answers with: 404
not found (a song: what was searched, which sources were asked and the nearest songs known), 422 invalid
input (FastAPI's own body for what does not validate), 429 our own rate limit, 502 an upstream answered
garbage, 503 not ready or an upstream paused or down (with Retry-After where known). Nothing unexpected
ends in a traceback: it is logged here and answered with a plain 500.
"""

from __future__ import annotations

import logging
import math
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from musicflow.api.schemas import ApiError, KnownSong
from musicflow.app.error_map import http_status
from musicflow.errors import (
    ErrorKind,
    MusicflowError,
    ProfileNotFoundError,
    RateLimitedError,
    SongNotFoundError,
    TooManyRequestsError,
    UpstreamBudgetError,
)

log = logging.getLogger(__name__)
UNAUTHORIZED = 401

ERROR = {"model": ApiError}
ERRORS_OF_LISTENER_ROUTES: dict[int | str, dict[str, object]] = {
    401: {**ERROR, "description": "No valid token, where the server asks for one"},
    404: {**ERROR, "description": "Unknown profile or song (or another listener's profile)"},
    429: {**ERROR, "description": "Too many requests from this client; see Retry-After"},
    503: {**ERROR, "description": "No model serves yet, or an upstream is paused or down"},
}
ERRORS_OF_SONG_ROUTES: dict[int | str, dict[str, object]] = {
    **ERRORS_OF_LISTENER_ROUTES,
    502: {**ERROR, "description": "A feature source answered garbage"},
}


def retry_after_s(error: MusicflowError) -> int | None:
    """Seconds until asking again makes sense, where known."""
    if isinstance(error, TooManyRequestsError | UpstreamBudgetError):
        return max(1, math.ceil(error.retry_after_s))
    if isinstance(error, RateLimitedError):
        return max(1, math.ceil(error.resume_at - time.time()))
    return None


def error_body(request: Request, error: MusicflowError) -> ApiError:
    body = ApiError(
        error=error.kind.value,
        message=str(error),
        hint=error.hint.value if error.hint is not None else None,
        retry_after_s=retry_after_s(error),
    )
    if isinstance(error, SongNotFoundError):
        params = request.query_params
        body.searched = {"song": params.get("song", ""), "artist": params.get("artist", "")}
        body.sources_asked = list(request.app.state.musicflow.settings.feature_sources)
        body.suggestions = [KnownSong(song=s.song, artist=s.artist) for s in error.suggestions]
    if (
        isinstance(error, ProfileNotFoundError)
        and request.app.state.musicflow.settings.api_list_profiles
        and request.app.state.grants.open  # where tokens are asked for, no profile is ever named
    ):
        body.profiles = request.app.state.musicflow.profiles()
    return body


def error_response(request: Request, error: MusicflowError) -> Response:
    body = error_body(request, error)
    headers = {"Retry-After": str(body.retry_after_s)} if body.retry_after_s is not None else {}
    status = http_status(error)
    if status == UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Bearer realm="musicflow"'

    if status >= 500:
        log.warning("%s %s: %s", request.method, request.url.path, error)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


async def _our_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, MusicflowError)
    return error_response(request, error)


async def _unexpected(request: Request, error: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    body = ApiError(error="internal", message="the server failed to answer; the failure is logged")
    return JSONResponse(body.model_dump(exclude_none=True), status_code=500)


async def _http_error(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (a body that is not JSON, an unknown path or method) in our shape."""
    assert isinstance(error, StarletteHTTPException)
    kind = ErrorKind.NOT_FOUND.value if error.status_code == 404 else ErrorKind.INVALID_INPUT.value
    body = ApiError(error=kind, message=str(error.detail))
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=error.status_code, headers=error.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MusicflowError, _our_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
