"""The web page: try a song, see why, see your taste, discover songs; served by the API's app at `/`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from musicflow.config import Settings

STATIC = Path(__file__).parent / "static"
PAGE_PATHS = (
    "/",
    "/taste",
    "/discover",
    "/highscore/reset",
    "/signin",
    "/signout",
    "/upload",
    "/data/delete",
)
SESSION_COOKIE = "musicflow_session"
SESSION_DAYS = 30


def install_web(app: FastAPI, settings: Settings) -> None:
    """Add the pages (and what they need: sessions, static files, security headers) to the API's app.

    Raises ConfigError in production mode without a strong session secret, so the server never starts
    with a key anyone could guess."""
    from fastapi.responses import RedirectResponse
    from fastapi.staticfiles import StaticFiles
    from starlette.middleware.sessions import SessionMiddleware

    from musicflow.web import signin, upload_pages
    from musicflow.web.pages import router
    from musicflow.web.security import PageHeaders, session_secret

    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(settings),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_DAYS * 86_400,
        same_site="strict",
        https_only=settings.web_production,
    )
    app.add_middleware(PageHeaders, paths=PAGE_PATHS, prefixes=("/static/", "/upload/", "/api/"))
    averages: dict[str, object] = {}
    app.state.musicflow_web_averages = averages
    if not hasattr(app.state, "on_erase"):  # the page on an app of its own (the API's app makes the list)
        app.state.on_erase = []
    app.state.on_erase.append(lambda profile: averages.pop(profile, None))
    app.include_router(router)
    app.include_router(signin.router)
    app.include_router(upload_pages.router)

    async def sign_in_first(_request: object, _error: Exception) -> RedirectResponse:
        return RedirectResponse("/signin", status_code=303)

    app.add_exception_handler(signin.SignInNeededError, sign_in_first)
    app.mount("/static", StaticFiles(directory=STATIC), name="musicflow-web-static")
