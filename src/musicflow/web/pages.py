"""The page routes: try a song (`/`), your taste (`/taste`), recommendations (`/discover`), and resetting
the highscore.

Every page takes `?profile=` like the API. A failure a user can meet (a song no source knows, no model
yet) is shown as a message on the page with what would help (for a song, links to the nearest songs
known), never as an error page; the page's status is the API's for the same kind of error
(`app/error_map.py`). A song answered for another name than the one typed says "did you mean ...".
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from musicflow.app.error_map import HTTP_STATUSES, http_message, http_status
from musicflow.app.vocabulary import MAX_NAME, MAX_PROFILE_NAME, RecommendationQuestion
from musicflow.errors import ErrorKind, MusicflowError, ProfileNotFoundError, SongNotFoundError
from musicflow.web import highscore, views, words
from musicflow.web.advice import FIELD_WORDS, advice, problem_of
from musicflow.web.discover import TOP, picks_of
from musicflow.web.query import given_once
from musicflow.web.signin import TEMPLATES, check_csrf, csrf_token, page_grant, page_profile, signed_in

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow

log = logging.getLogger(__name__)
MAX_TEXT = MAX_NAME
AVERAGE_TTL_S = 60.0
INVALID_INPUT = HTTP_STATUSES[ErrorKind.INVALID_INPUT]
FORM_FIELDS = tuple(field.removeprefix("query.") for field in FIELD_WORDS)  # what the pages' queries hold


async def each_once(request: Request) -> None:
    """A field of a page's form (or link) given twice is refused as the API's song routes refuse it:
    the page would answer the last value, for a question nobody asked as such."""
    given_once(request.query_params, FORM_FIELDS)


router = APIRouter(include_in_schema=False, dependencies=[Depends(each_once)])
Text = Annotated[str, Query(max_length=MAX_TEXT)]
# "" is refused, and a name longer than a profile's column, as the API does
ProfileParam = Annotated[str | None, Query(min_length=1, max_length=MAX_PROFILE_NAME)]


def _app(request: Request) -> MusicFlow:
    app: MusicFlow = request.app.state.musicflow
    return app


def _profile(request: Request, profile: str | None) -> str:
    return page_profile(request, profile)


def _writes(request: Request, who: str) -> bool:
    """Whether this page's visitor may change `who`'s data (an open server, or a write token): one who
    may only read is offered no remedy their upload page would refuse."""
    return page_grant(request, who).scope == "write"


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    context = {"csrf": csrf_token(request.session), "signed_in": signed_in(request), **context}
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def _problem(
    request: Request,
    error: MusicflowError,
    who: str,
    profile: str | None = None,
    catalogs: list[str] | None = None,
) -> dict[str, Any]:
    """What the page says of a failure (about `who`'s page) and what would help, in the page's words
    (`advice.py`): a song not found links to the nearest songs known (`profile`: the one the links name);
    an unknown profile names the profiles there are where the server may say them (`api_list_profiles`,
    as the API's 404 does); an unknown catalog, the catalogs imported (`catalogs`) where no menu does."""
    message = http_message(error, open_server=request.app.state.grants.open)  # the API's words
    listing = _app(request).settings.api_list_profiles and request.app.state.grants.open
    if isinstance(error, ProfileNotFoundError) and listing:
        known = ", ".join(error.known)
        message += f" (profiles here: {known})" if known else " (no profile holds data yet)"
    problem = problem_of(advice(error, who, catalogs, writes=_writes(request, who)), message)
    if isinstance(error, SongNotFoundError) and error.suggestions:
        asked = {"profile": profile} if profile else {}
        problem["suggestions"] = [
            (name.words, "/?" + urlencode({**asked, "song": name.song, "artist": name.artist}))
            for name in error.suggestions
        ]
    return problem


@router.get("/", response_class=HTMLResponse)
def try_a_song(
    request: Request, song: Text = "", artist: Text = "", spotify: Text = "", profile: ProfileParam = None
) -> HTMLResponse:
    who = _profile(request, profile)
    context: dict[str, Any] = {"profile": who, "song": song, "artist": artist, "spotify": spotify}
    status = 200
    if song or artist or spotify:
        status = _answer(request, who, song.strip(), artist.strip(), spotify, context)
    context["highscore"] = highscore.entries(request.session, who)
    context["highscore_reset"] = highscore.just_reset(request.session, who)
    return _page(request, "index.html", context, status)


def _answer(request: Request, who: str, song: str, artist: str, spotify: str, context: dict[str, Any]) -> int:
    """Predict, fill the context, record the highscore; the HTTP status of the page."""
    spotify_id = words.spotify_id_of(spotify) if spotify.strip() else None
    if not song or not artist:
        context["problem"] = {"message": "Give both the song's title and its artist.", "hint": ""}
        return INVALID_INPUT
    if spotify.strip() and spotify_id is None:
        context["problem"] = {"message": "That is not a Spotify track link or id.", "hint": ""}
        return INVALID_INPUT
    app = _app(request)
    try:
        prediction = app.predict(who, song, artist, spotify_id=spotify_id, log_via="page")
        average = _listener_average(request, app, who)
        standing = app.standing(who, prediction.model_version)
    except MusicflowError as error:
        context["problem"] = _problem(request, error, who, who)
        return http_status(error)
    view = views.song_view(prediction, average, standing)
    context["answer"] = view
    if not view.known:  # a song they played already answers with their count, not a score to keep
        highscore.record(request.session, highscore.Entry(view.title, view.artist, view.streams, who))
    return 200


def _listener_average(request: Request, app: MusicFlow, profile: str) -> dict[str, float]:
    """The listener's average sound, kept a minute: it reads every one of their songs' features."""
    cache: dict[str, tuple[float, dict[str, float]]] = request.app.state.musicflow_web_averages
    now = time.monotonic()
    kept = cache.get(profile)
    if kept is None or now - kept[0] > AVERAGE_TTL_S:
        kept = (now, app.listener_average(profile))
        cache[profile] = kept
    return kept[1]


@router.post("/highscore/reset")
def reset_highscore(
    request: Request, profile: ProfileParam = None, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    who = _profile(request, profile)
    try:
        check_csrf(request.session, csrf)
    except MusicflowError as error:
        context = {"profile": who, "problem": _problem(request, error, who)}
        return _page(request, "index.html", context, http_status(error))
    highscore.reset(request.session, who)
    highscore.mark_reset(request.session, who)  # the page it leads to says so, with the focus on it
    target = "/" if who == request.app.state.profile else f"/?{urlencode({'profile': who})}"
    return RedirectResponse(target, status_code=303)


@router.get("/taste", response_class=HTMLResponse)
def your_taste(request: Request, profile: ProfileParam = None) -> HTMLResponse:
    who = _profile(request, profile)
    context: dict[str, Any] = {"profile": who, "reads_only": not _writes(request, who)}
    try:
        page = _app(request).taste_page(who)
        context["view"] = views.taste_view(page.taste)
        context["accuracy"] = views.accuracy_view(page.accuracy)
        context["drift"] = page.accuracy.drift
    except MusicflowError as error:
        context["problem"] = _problem(request, error, who)
        return _page(request, "taste.html", context, http_status(error))
    return _page(request, "taste.html", context)


@router.get("/discover", response_class=HTMLResponse)
def discover(request: Request, profile: ProfileParam = None, catalog: Text = "") -> HTMLResponse:
    """The unplayed catalog songs with the best predictions; `?catalog=` narrows to one catalog. A page
    that names `catalog` (even empty: "All imported catalogs") answers the menu's "Show", or a link to one
    catalog: its list takes the focus, as an answer does."""
    who = _profile(request, profile)
    chosen = catalog.strip()
    asked = "catalog" in request.query_params
    context: dict[str, Any] = {"profile": who, "catalog": chosen, "top": TOP, "catalogs": [], "asked": asked}
    app = _app(request)
    question = RecommendationQuestion((chosen,) if chosen else (), TOP)
    try:
        context["catalogs"] = [c.name for c in app.catalogs()]
        context["view"] = picks_of(app.recommendations(who, question))
    except MusicflowError as error:
        context["problem"] = _problem(request, error, who, catalogs=context["catalogs"])
        return _page(request, "discover.html", context, http_status(error))
    return _page(request, "discover.html", context)
