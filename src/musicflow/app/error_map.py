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

from collections.abc import Mapping
from types import MappingProxyType

from musicflow.errors import ErrorKind, MusicflowError, TooLargeError, TooManyRequestsError

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
