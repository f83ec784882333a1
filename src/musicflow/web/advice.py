"""What the page says would help, and the page a failure is answered with.

The API's hint and the CLI's command speak to someone at a terminal ("ingest a Spotify data export",
"train a model"); a person on the page can add their export on the upload page, check what they typed or
paste a Spotify link. Each error's hint (`errors.Hint`) is said here in the page's words, with a link
where the page itself offers the remedy; the kinds, and so the statuses, stay the application's.

A request the page would have answered (a page route, or any path but the API's asked for by a browser,
`Accept: text/html`) that fails before its route can answer (input that does not validate, an unknown
path) gets the page's error view with the API's status rather than the API's JSON body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from musicflow.errors import Hint, MusicflowError, NoModelError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from fastapi import Request
    from fastapi.responses import HTMLResponse


# Paths the page answers (see `PAGE_PATHS`) besides the upload's job pages; what is not the page's:
API_PATHS = ("/api/", "/static/")
API_PAGES = frozenset({"/api", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"})
SPELLING = (
    "check the spelling of the title and the artist, or paste the song's Spotify link (or id) in the"
    " Spotify field to find the exact recording"
)
UPLOAD = "add your Spotify data export on the upload page"
SIGN_IN = "sign in with a token of this profile"
UPLOAD_WRITE = (
    "add your Spotify data export, signed in with a token of this profile that may change data (yours may"
    " only read)"
)


@dataclass(frozen=True)
class Advice:
    words: str
    link: str | None = None  # the page that offers the remedy


def advice(
    error: MusicflowError,
    profile: str | None,
    catalogs: Sequence[str] | None = None,
    *,
    writes: bool = True,
) -> Advice | None:
    """What would cure `error`, said for a person on the page; None when nothing they can do would.
    `catalogs`: the catalogs imported, where the page knows them (`/discover`), for an unknown catalog.
    `writes`: whether the visitor may change the profile's data; one signed in with a read token, whose
    upload page offers no form, is told that adding the export takes a token that may change data."""
    hint = error.hint
    upload = "/upload" + (f"?{urlencode({'profile': profile})}" if profile else "")
    trains = isinstance(error, NoModelError) or hint in (Hint.TRAIN, Hint.RETRAIN)
    if not writes and (hint is Hint.INGEST or trains):
        return Advice(UPLOAD_WRITE, "/signin")
    if hint is Hint.INGEST:
        return Advice(UPLOAD, upload)
    if trains:
        # A profile with too little history to train (an upload that failed) is told to add an export by
        # the application itself (`Hint.INGEST`, above); here an export's job is what trains a model.
        return Advice(f"{UPLOAD}: its job trains your model", upload)
    if hint is Hint.ADD_FEATURE_SOURCE:
        return Advice(SPELLING)
    if hint in (Hint.TOKEN, Hint.WRITE_TOKEN):
        return Advice(SIGN_IN if hint is Hint.TOKEN else f"{SIGN_IN} that may change data", "/signin")
    if hint is Hint.LIST_CATALOGS and catalogs is not None:
        return catalog_advice(catalogs, profile)
    if hint is Hint.LIST_JOBS:
        return Advice("see your uploads on the upload page", upload)
    return Advice(hint.value) if hint is not None else None


def catalog_advice(catalogs: Sequence[str], profile: str | None) -> Advice:
    """An unknown catalog's cure as `/discover` can offer it: its menu lists the catalogs only when there
    are two or more (`discover.html`), so with one the words name it (a link asks for it), with none they
    say how one is imported, as the page does when nothing is."""
    if len(catalogs) > 1:
        return Advice("choose one of the catalogs the menu lists")
    if not catalogs:
        return Advice(
            "no catalog is imported yet: add one with musicflow catalog add FILE (or run musicflow demo,"
            " which imports the bundled catalog)"
        )
    (only,) = catalogs
    asked = {"profile": profile} if profile else {}
    return Advice(
        f"ask for the one catalog imported here, '{only}'",
        "/discover?" + urlencode({**asked, "catalog": only}),
    )


def problem_of(advised: Advice | None, message: str) -> dict[str, Any]:
    """The problem as `problem.html` shows it."""
    return {
        "message": message,
        "hint": advised.words if advised else "",
        "link": advised.link if advised else None,
    }


def page_wanted(request: Request, page_paths: tuple[str, ...]) -> bool:
    """Whether a failure of this request is answered with the page's error view: a page route (its
    answers are pages), or a path outside the API that a browser asked for as HTML."""
    path = request.url.path
    if path.startswith(API_PATHS) or path in API_PAGES or path.endswith("/state"):
        return False  # the API's and the upload script's answers are JSON, failures too
    if path in page_paths or path.startswith("/upload/"):
        return True
    return "text/html" in request.headers.get("accept", "")


def error_page(
    request: Request,
    status: int,
    message: str,
    advised: Advice | None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """The page's view of a failure no route answered itself, with the API's status and headers."""
    from musicflow.web.signin import TEMPLATES, csrf_token, signed_in

    titles = {404: "Nothing is here", 405: "Not on this page", 422: "That cannot be asked"}
    with_session = "session" in request.scope  # a failure nobody foresaw is answered outside it
    context = {
        "csrf": csrf_token(request.session) if with_session else "",
        "signed_in": signed_in(request) if with_session else False,
        "profile": request.app.state.profile if request.app.state.grants.open else None,
        "title": titles.get(status, "Something went wrong"),
        "problem": problem_of(advised, message),
    }
    return TEMPLATES.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)


# The fields a page's form or link sends, as its visitor knows them.
FIELD_WORDS = {
    "query.song": "The song's title",
    "query.artist": "The artist's name",
    "query.spotify": "The Spotify link",
    "query.profile": "The profile's name",
    "query.catalog": "The catalog's name",
}
TYPED = Advice("correct what was typed, then ask again")
START = Advice("start again from the page that tries a song", "/")


def invalid_input_page(request: Request, problems: list[tuple[str, str]]) -> HTMLResponse:
    """Input a page route refused before answering (a title too long, a profile name too long): each
    field and why, in the page's words."""
    lines = [f"{FIELD_WORDS.get(field, f'The field {field!r}')} {reason}." for field, reason in problems]
    return error_page(request, 422, " ".join(lines) or "What was sent cannot be asked.", TYPED)
