"""The API's one place for errors: every error the server answers with has one shape and its own status.

The body is always `{"error": {"kind": ..., "message": ..., "hint": ..., ...}}` (`schemas.ApiError`), sent
as `application/json`: our own errors, input that does not validate, an unknown route, a method a route
does not take, a body too large (`middleware.BodyLimit`) and a failure nobody foresaw. The kinds are the
application's words (`ErrorKind`), plus `method not allowed` and `internal`, which only the HTTP layer meets.

The statuses are the application's map (`app/error_map.py`), the same the web page answers with: 404
not found (a song: what was searched, which sources were asked and the nearest songs known), 405 a method
the route does not take, 413 a body too large, 422 invalid input (each problem named in `problems`), 429
our own rate limit, 502 an upstream answered garbage, 503 not ready or an upstream paused or down (with
Retry-After where known). What a client sent is echoed at most in part: a long song name, profile or path
is cut short. Nothing unexpected ends in a traceback: it is logged here and answered with a plain 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from musicflow.api.schemas import (
    INTERNAL,
    METHOD_NOT_ALLOWED,
    ApiError,
    ErrorDetail,
    ValidationProblem,
)
from musicflow.app.error_map import (
    ECHO_CHARS,
    MAX_MESSAGE_CHARS,
    cut,
    error_detail,
    http_message,
    http_status,
)
from musicflow.errors import (
    ErrorKind,
    MusicflowError,
    ProfileNotFoundError,
)
from musicflow.web import PAGE_PATHS
from musicflow.web.advice import START, advice, error_page, invalid_input_page, page_wanted
from musicflow.web.query import REPEATED

log = logging.getLogger(__name__)
UNAUTHORIZED = 401
INVALID = 422

ERROR = {"model": ApiError}
INVALID_INPUT_RESPONSE: dict[int | str, dict[str, object]] = {
    422: {**ERROR, "description": "Invalid input: each problem named in `problems`, field and reason"},
}
ERRORS_OF_LISTENER_ROUTES: dict[int | str, dict[str, object]] = {
    401: {**ERROR, "description": "No valid token, where the server asks for one"},
    404: {**ERROR, "description": "Unknown profile or song (or another listener's profile)"},
    **INVALID_INPUT_RESPONSE,
    429: {**ERROR, "description": "Too many requests from this client; see Retry-After"},
    503: {**ERROR, "description": "No model serves yet, or an upstream is paused or down"},
}
ERRORS_OF_SONG_ROUTES: dict[int | str, dict[str, object]] = {
    **ERRORS_OF_LISTENER_ROUTES,
    502: {**ERROR, "description": "A feature source answered garbage"},
}

MAX_PROBLEMS = 20
ROUTES_HINT = "the API's routes and their methods are listed at /docs"
# What a value of these fields must look like, in words (else the pattern is named).
_A_SPOTIFY_ID = "must be a Spotify track id: 22 letters and digits"
FORMS = {
    "spotify_id": _A_SPOTIFY_ID,
    "track_id": _A_SPOTIFY_ID,  # spotify_id's older name, still taken
    "version": "must be a version: 3, v3 or champion",
}


def error_document(kind: str, message: str, hint: str | None = None, **extra: Any) -> dict[str, Any]:
    """The one error body, as JSON-ready data: kind, message and hint (null when none) first, then the
    fields that apply (those that are None are left out)."""
    detail = {"kind": kind, "message": message, "hint": hint}
    detail.update({name: value for name, value in extra.items() if value is not None})
    return {"error": detail}


def error_json(
    status: int,
    kind: str,
    message: str,
    hint: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(error_document(kind, message, hint, **extra), status_code=status, headers=headers)


def echoed(message: str, request: Request) -> str:
    """`message` with any long value the client sent (a query parameter, the path) cut short."""
    sent = [*request.query_params.values(), request.url.path]
    for value in sorted(sent, key=len, reverse=True):
        for form in {value, value.strip()}:
            if len(form) > ECHO_CHARS:
                message = message.replace(form, cut(form))
    return cut(message, MAX_MESSAGE_CHARS)


def error_body(request: Request, error: MusicflowError) -> ApiError:
    params = request.query_params
    said = http_message(error, open_server=request.app.state.grants.open)  # the page's words too
    detail = ErrorDetail.model_validate(
        error_detail(
            error,
            echoed(said, request),
            (params.get("song", ""), params.get("artist", "")),
            request.app.state.musicflow.settings.feature_sources,
        )
    )
    if (
        isinstance(error, ProfileNotFoundError)
        and request.app.state.musicflow.settings.api_list_profiles
        and request.app.state.grants.open  # where tokens are asked for, no profile is ever named
    ):
        detail.profiles = request.app.state.musicflow.profiles(holding_data=True)
    return ApiError(error=detail)


def error_response(request: Request, error: MusicflowError) -> Response:
    detail = error_body(request, error).error
    seconds = detail.retry_after_s
    headers = {"Retry-After": str(seconds)} if seconds is not None else {}
    status = http_status(error)
    if status == UNAUTHORIZED:
        headers["WWW-Authenticate"] = 'Bearer realm="musicflow"'

    if status >= 500:  # what failed, not its words: they name the song a listener asked
        source = getattr(error, "source", None)
        log.warning(
            "%s %s answered %d: %s%s",
            request.method,
            request.url.path,
            status,
            type(error).__name__,
            f" ({source})" if source else "",
        )
    extra = detail.model_dump(exclude_none=True, exclude={"kind", "message", "hint"})
    if status == INVALID and "problems" not in extra:  # every 422 names its problems, as documented
        extra["problems"] = [{"field": _refused_part(request), "reason": detail.message}]
    return error_json(status, detail.kind, detail.message, detail.hint, headers=headers, **extra)


def _refused_part(request: Request) -> str:
    """What a refusal that names no field was about: what was sent (an upload, a list of songs), or the
    question asked (the query)."""
    return "body" if request.method in ("POST", "PUT", "PATCH") else "query"


async def _our_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, MusicflowError)
    response = error_response(request, error)
    if page_wanted(request, PAGE_PATHS):  # the same status and headers, as the page's view
        detail = error_body(request, error).error
        headers = {k: v for k, v in response.headers.items() if k in ("retry-after", "www-authenticate")}
        return error_page(
            request, response.status_code, detail.message, advice(error, error.profile), headers
        )
    return response


async def _invalid_input(request: Request, error: Exception) -> Response:
    """Input that does not validate: which field and why, one line each, and the same as `problems`.
    The value sent is never echoed (FastAPI's own body would send it back whole)."""
    assert isinstance(error, RequestValidationError)
    sent_json = _json_type(request.headers.get("content-type"))
    found = [_problem(problem, sent_json) for problem in error.errors()]
    shown = found[:MAX_PROBLEMS]
    if page_wanted(request, PAGE_PATHS):
        return invalid_input_page(request, [(problem.field, problem.reason) for problem in shown])
    lines = [f"{_where(problem.field)} {problem.reason}" for problem in shown]
    if len(found) > len(shown):
        lines.append(f"and {len(found) - len(shown):,} more problems")
    return error_json(
        422,
        ErrorKind.INVALID_INPUT.value,
        "\n".join(lines) or "the request is not valid",
        PROBLEMS_HINT,
        problems=[problem.model_dump() for problem in shown],
    )


def _json_type(content_type: str | None) -> bool:
    """Whether a body of this Content-Type is read as JSON (`application/json`, `application/*+json`):
    FastAPI leaves any other body, or one without a type, unparsed."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


NOT_JSON = "must be JSON, sent as Content-Type: application/json"
PROBLEMS_HINT = "correct the input as each problem says; the schema is at /docs"


def _problem(problem: Mapping[str, Any], sent_json: bool = True) -> ValidationProblem:
    location: Sequence[str | int] = problem.get("loc", ())
    kind = str(problem.get("type", ""))
    if kind == "json_invalid":
        location = location[:1]  # the body, not the character where the JSON broke
    if not sent_json and tuple(location) == ("body",) and kind != "missing":
        # A list sent as text or a form ("curl -d") was left unread: "must be a list" said of one.
        return ValidationProblem(field="body", reason=NOT_JSON)
    return ValidationProblem(field=_field(location), reason=_reason(kind, location, problem))


def _field(location: Sequence[str | int]) -> str:
    """`("body", 3, "spotify_id")` as `body[3].spotify_id`; `("query", "song")` as `query.song`."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + cut(str(part), 40)
    return text or "request"


def _where(field: str) -> str:
    source, _, name = field.partition(".")
    if source in {"query", "path", "header", "cookie"} and name and "." not in name and "[" not in name:
        return f"{source} parameter '{name}'"
    return "the body" if field == "body" else field


def _reason(kind: str, location: Sequence[str | int], problem: Mapping[str, Any]) -> str:
    context: Mapping[str, Any] = problem.get("ctx") or {}
    sent = problem.get("input")
    name = str(location[-1]) if location else ""
    if kind == "missing":
        return "is required"
    if kind == "string_too_short":
        least = int(context.get("min_length", 1))
        return "must not be empty" if least <= 1 else f"must be at least {least:,} characters"
    if kind == "string_too_long":
        got = f" (it has {len(sent):,})" if isinstance(sent, str) else ""
        return f"must be at most {int(context.get('max_length', 0)):,} characters{got}"
    if kind == "too_short":
        least = int(context.get("min_length", 1))
        return "must not be empty" if least <= 1 else f"must hold at least {least:,} items"
    if kind == "too_long":
        length = context.get("actual_length")
        has = f" (it has {int(length):,})" if length is not None else ""
        return f"must hold at most {int(context.get('max_length', 0)):,} items{has}"
    if kind == "string_pattern_mismatch":
        return FORMS.get(name, f"must match {context.get('pattern', 'the pattern the schema gives')}")
    if kind == "json_invalid":
        return f"is not valid JSON ({context.get('error', 'it does not parse')})"
    if kind == "extra_forbidden":
        return "is not a field this takes"
    if kind == REPEATED:
        return f"must be given once (it was given {int(context.get('times', 2)):,} times)"
    return _WORDS.get(kind) or _lower_first(str(problem.get("msg", "is not valid")))


_WORDS = {
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


async def _http_error(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (an unknown path, a method the route does not take, a body it cannot
    parse) in our shape, with their headers (`Allow` for a 405)."""
    assert isinstance(error, StarletteHTTPException)
    status, path = error.status_code, cut(request.url.path)
    headers = error.headers
    if status in (404, 405) and page_wanted(request, PAGE_PATHS):
        said = f"Nothing is here at {path}." if status == 404 else f"{path} cannot be asked that way."
        return error_page(request, status, said, START, headers)
    if status == 404:
        return error_json(404, ErrorKind.NOT_FOUND.value, f"nothing is served at {path}", ROUTES_HINT)
    if status == 405:
        allowed = (headers or {}).get("Allow") or (headers or {}).get("allow") or ""
        takes = f" (it takes {allowed})" if allowed else ""
        message = f"{cut(request.method, 20)} is not allowed on {path}{takes}"
        return error_json(405, METHOD_NOT_ALLOWED, message, ROUTES_HINT, headers=headers)
    message = cut(str(error.detail), 300) if error.detail else "the request was refused"
    if status == 400:  # a body FastAPI could not read (not UTF-8, a broken form): invalid input, a 422
        reason = f"could not be read ({cut(str(error.detail), 100)})" if error.detail else "could not be read"
        return error_json(
            422,
            ErrorKind.INVALID_INPUT.value,
            f"the body {reason}",
            PROBLEMS_HINT,
            problems=[{"field": "body", "reason": reason}],
        )
    return error_json(status, _kind_of(status), message, headers=headers)


def _kind_of(status: int) -> str:
    kinds = {404: ErrorKind.NOT_FOUND, 409: ErrorKind.CONFLICT, 429: ErrorKind.RATE_LIMITED}
    if status in kinds:
        return kinds[status].value
    if status == 503:
        return ErrorKind.NOT_READY.value
    return ErrorKind.INVALID_INPUT.value if status < 500 else INTERNAL


async def _unexpected(request: Request, error: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return error_json(500, INTERNAL, "the server failed to answer; the failure is logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MusicflowError, _our_error)
    app.add_exception_handler(RequestValidationError, _invalid_input)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
