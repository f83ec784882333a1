"""What each kind of error means to a caller: the command line's exit code and the HTTP status.

One map for every front end, so a kind of failure is answered alike wherever it is met: the CLI exits
with the code (`cli/error_hints.py` adds the command to run), the API and the web page answer with the status.

Exit codes: 0 done; 1 failed (nothing more was changed); 2 the settings or the command line are wrong;
3 partly done (a source paused or a file was damaged: run the same command again to resume);
130 interrupted (Ctrl-C; what was committed stays).

HTTP statuses: 401 no valid token (where the server asks for one); 403 the token may not do this; 404
not found; 413 what was sent is too large (an upload); 422 invalid input; 409 a conflict (the champion
moved meanwhile); 429 a client asked this server too often (our own limit); 502 an upstream answered
garbage; 503 not ready yet (no model serves, the store does not answer) or an upstream paused or down;
500 the server's settings are wrong. An upstream's own status is never copied through.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from musicflow.errors import (
    ErrorKind,
    MusicflowError,
    ProfileNotFoundError,
    RateLimitedError,
    SongNotFoundError,
    TooLargeError,
    TooManyRequestsError,
    UpstreamBudgetError,
)

ECHO_CHARS = 60  # what a caller sent is shown at most this long, then "…"
MAX_MESSAGE_CHARS = 2000
FAILED = 1
USAGE = 2
PARTIAL = 3
INTERRUPTED = 130

TOO_MANY_REQUESTS = 429
TOO_LARGE = 413

EXIT_CODES: Mapping[ErrorKind, int] = MappingProxyType(
    {
        ErrorKind.NOT_FOUND: FAILED,
        ErrorKind.INVALID_INPUT: FAILED,
        ErrorKind.NOT_READY: FAILED,
        ErrorKind.UPSTREAM_UNAVAILABLE: FAILED,
        ErrorKind.UPSTREAM_INVALID: FAILED,
        ErrorKind.RATE_LIMITED: PARTIAL,
        ErrorKind.CONFLICT: FAILED,
        ErrorKind.CONFIG: USAGE,
        ErrorKind.STORE: FAILED,
        ErrorKind.UNAUTHORIZED: FAILED,
        ErrorKind.FORBIDDEN: FAILED,
    }
)
HTTP_STATUSES: Mapping[ErrorKind, int] = MappingProxyType(
    {
        ErrorKind.NOT_FOUND: 404,
        ErrorKind.INVALID_INPUT: 422,
        ErrorKind.NOT_READY: 503,
        ErrorKind.UPSTREAM_UNAVAILABLE: 503,
        ErrorKind.UPSTREAM_INVALID: 502,
        ErrorKind.RATE_LIMITED: 503,  # an upstream asked us to wait (our own limit is TOO_MANY_REQUESTS)
        ErrorKind.CONFLICT: 409,
        ErrorKind.CONFIG: 500,
        ErrorKind.STORE: 503,
        ErrorKind.UNAUTHORIZED: 401,
        ErrorKind.FORBIDDEN: 403,
    }
)


def exit_code(error: MusicflowError) -> int:
    return EXIT_CODES[error.kind]


def http_status(error: MusicflowError) -> int:
    if isinstance(error, TooManyRequestsError):
        return TOO_MANY_REQUESTS
    if isinstance(error, TooLargeError):
        return TOO_LARGE
    return HTTP_STATUSES[error.kind]


def retry_after_s(error: MusicflowError) -> int | None:
    """Seconds until asking again makes sense, where known."""
    if isinstance(error, TooManyRequestsError | UpstreamBudgetError):
        return max(1, math.ceil(error.retry_after_s))
    if isinstance(error, RateLimitedError):
        return max(1, math.ceil(error.resume_at - time.time()))
    return None


def cut(text: str, limit: int = ECHO_CHARS) -> str:
    """`text` as an error may echo it: whole when short, else its first `limit` characters and "…"."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def http_message(error: MusicflowError, *, open_server: bool) -> str:
    """An error's message as the API and the page say it, in the same words: its own, but for a profile
    not found. The application says "profile 'Demo' has no data yet", which the CLI follows with the
    profiles in the store and the command that gives it data; over HTTP it read as if 'Demo' were there,
    empty, when no profile of that name is (a case variant of 'demo' is another name), and a caller may
    not be told which profiles are (`MUSICFLOW_API_LIST_PROFILES`). So: on an open server, "no profile
    'Demo' with plays on this server"; where tokens are asked for, a profile the token does not reach is
    answered as one that does not exist, and "no profile 'bob' that your token reaches" is true of both."""
    if isinstance(error, ProfileNotFoundError) and error.profile is not None:
        named = cut(error.profile)
        if open_server:
            return f"no profile '{named}' with plays on this server"
        return f"no profile '{named}' that your token reaches"
    return str(error)


def error_detail(
    error: MusicflowError, message: str, searched: tuple[str, str], sources: Sequence[str]
) -> dict[str, Any]:
    """The detail of an error as every front end writes it in JSON (the API's error body, the `problem`
    of a song in a list): kind, message, hint; when to ask again; for a song not found, what was searched
    (the song and artist asked, cut short if long), who was asked and the nearest songs known. Kind,
    message and hint are always there (hint null when nothing would cure it); the others where they apply."""
    detail: dict[str, Any] = {
        "kind": error.kind.value,
        "message": message,
        "hint": error.hint.value if error.hint is not None else None,
    }
    seconds = retry_after_s(error)
    if seconds is not None:
        detail["retry_after_s"] = seconds
    if isinstance(error, SongNotFoundError):
        detail["searched"] = {"song": cut(searched[0]), "artist": cut(searched[1])}
        detail["sources_asked"] = list(sources)
        detail["suggestions"] = [{"song": s.song, "artist": s.artist} for s in error.suggestions]
    return detail
