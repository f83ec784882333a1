"""Signing in to the page with a token, and who each page is for.

On an open server (one listener on their own machine) a page is for the profile it names, as the API.
On a server that asks for tokens, the listener signs in once with a token (`/signin`): the session
cookie (signed, HttpOnly, SameSite=Strict) keeps the token's SHA-256, never the token, and each page is
for that token's profile only; another profile named in a link is not found. Every form that changes
something carries the session's anti-forgery value (`csrf`), checked before anything is done.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from musicflow.app.access import Grant, Grants, digest_of
from musicflow.app.error_map import http_status
from musicflow.errors import ErrorKind, MusicflowError, UnauthorizedError

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")  # every page's, one set
GRANT_KEY = "grant"
CSRF_KEY = "csrf"
SIGNED_OUT_KEY = "signed_out"  # the sign-in page that follows a sign-out says so
MAX_TOKEN = 200
router = APIRouter(include_in_schema=False)
Session = MutableMapping[str, Any]


class SignInNeededError(Exception):
    """A page of a server that asks for tokens, opened without a valid sign-in: go to `/signin`."""


class ForgedFormError(MusicflowError):
    """A form sent without this session's anti-forgery value (another site's form, or a stale page)."""

    kind = ErrorKind.FORBIDDEN


def csrf_token(session: Session) -> str:
    """The session's anti-forgery value, made on first use."""
    token = session.get(CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def check_csrf(session: Session, sent: str) -> None:
    expected = session.get(CSRF_KEY)
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise ForgedFormError("this form did not come from this page: open the page again and retry")


def page_grant(request: Request, asked: str | None) -> Grant:
    """What this page's visitor may do: on an open server, write on the profile named; else the signed-in
    token's grant (which must reach the profile named). Raises `SignInNeededError` where a sign-in is
    missing or no longer valid."""
    grants: Grants = request.app.state.grants
    if grants.open:
        return grants.of_header(request.app.state.musicflow, None, asked)
    digest = request.session.get(GRANT_KEY)
    if not isinstance(digest, str):
        raise SignInNeededError
    try:
        grant = grants.of_digest(request.app.state.musicflow, digest)
    except UnauthorizedError:
        request.session.pop(GRANT_KEY, None)
        raise SignInNeededError from None
    return grants.reaching(grant, asked)


def page_profile(request: Request, asked: str | None) -> str:
    """Whose page this is (see `page_grant`)."""
    return page_grant(request, asked).profile


def signed_in(request: Request) -> bool:
    return not request.app.state.grants.open and isinstance(request.session.get(GRANT_KEY), str)


def _form(request: Request, message: str = "", status: int = 200, signed_out: bool = False) -> HTMLResponse:
    context = {
        "csrf": csrf_token(request.session),
        "message": message,
        "profile": None,
        "signed_out": signed_out,
    }
    return TEMPLATES.TemplateResponse(request, "signin.html", context, status_code=status)


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> Response:
    if request.app.state.grants.open:
        return RedirectResponse("/", status_code=303)
    return _form(request, signed_out=request.session.pop(SIGNED_OUT_KEY, False) is True)


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    token: Annotated[str, Form(max_length=MAX_TOKEN)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Check the token; keep its digest in the session; go to the listener's page."""
    grants: Grants = request.app.state.grants
    if grants.open:
        return RedirectResponse("/", status_code=303)
    try:
        check_csrf(request.session, csrf)
        digest = digest_of(token.strip())
        grant = grants.of_digest(request.app.state.musicflow, digest)
    except MusicflowError as refused:
        return _form(request, str(refused), http_status(refused))
    request.session.clear()  # a new session for the signed-in listener: nothing carried over
    request.session[GRANT_KEY] = digest
    csrf_token(request.session)
    request.app.state.musicflow.recommend_ahead(grant.profile)
    return RedirectResponse("/", status_code=303)


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    try:
        check_csrf(request.session, csrf)
    except ForgedFormError as refused:
        return _form(request, str(refused), http_status(refused))
    request.session.clear()
    request.session[SIGNED_OUT_KEY] = True
    return RedirectResponse("/signin", status_code=303)
