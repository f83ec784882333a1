"""The HTTP API's application: one `MusicFlow` for the process, the routes, the limits, the web page.

`create_app` is what `musicflow serve` runs under uvicorn (and what tests call in process). The store is
opened when the server starts and closed when it stops; the default profile's champion is loaded at start
so the first question does not wait for it (until it is, `/api/health/ready` answers 503).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from musicflow import __version__
from musicflow.api.answers import Answered, RecentAnswers
from musicflow.api.asked_together import AskedTogether
from musicflow.api.champion import ChampionWatch
from musicflow.api.docs import install_docs
from musicflow.api.error_responses import install_error_handlers
from musicflow.api.limits import Limits
from musicflow.api.middleware import AccessLog, BodyLimit, HeadAsGet
from musicflow.api.routes import (
    accuracy,
    health,
    models,
    predictions,
    recommendations,
    song_features,
    uploads,
)
from musicflow.api.routes import profile as profile_route
from musicflow.app.access import AccessMode, Grants
from musicflow.app.service import MusicFlow
from musicflow.app.upload_jobs import JobRunner
from musicflow.app.vocabulary import DEFAULT_PROFILE
from musicflow.config import Settings
from musicflow.errors import MusicflowError
from musicflow.web import install_web

log = logging.getLogger(__name__)
UPLOAD_OVERHEAD_BYTES = 1 << 20  # a multipart body's boundaries and headers, beside the files
FULL_COLLECTION_EVERY = 100  # younger collections between two full ones (Python's default: 10)
DESCRIPTION = (
    "How many times will this listener stream this song? A model of one listener's taste, trained on"
    " their Spotify data export, answers from 0 to 30 streams, with its reasons."
)


def create_app(settings: Settings, *, profile: str = DEFAULT_PROFILE, access: AccessMode = "open") -> FastAPI:
    """The API over the configured store. `access`: "open" answers for `profile` unless a request names
    another; "tokens" asks every route but the health probes for a token, which names the profile."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with MusicFlow.open(settings) as opened:
            app.state.musicflow = opened
            app.state.together = AskedTogether(opened)
            opened.make_lists_ahead()
            await asyncio.to_thread(_warm_up, opened, profile, tokens=access == "tokens")
            # What start-up made (the model, the listener, the libraries) lives as long as the server:
            # kept out of the garbage collector's full passes, which would walk it all again and again
            # (each pass stalled every request for tens of milliseconds). Given back when the server
            # stops, so that a process starting servers one after another (tests, an embedding
            # application) frees each one's memory.
            gc.freeze()
            # The young objects of a request die young; what lives longer (recent answers, the log's
            # queue) is small. The full collection, which walks all of it and stalled every request
            # for 20 to 50 ms about once a second under load, runs ten times less often.
            thresholds = gc.get_threshold()
            gc.set_threshold(thresholds[0], thresholds[1], FULL_COLLECTION_EVERY)
            runner = app.state.jobs = JobRunner(opened)
            runner.start()  # jobs a stopped server left running are taken up again
            try:
                yield
            finally:
                runner.stop()
                # The app object can outlive its server (FastAPI keeps its routes' functions, and so the
                # app, in caches of its own): what the server held (the store, the models, the songs in
                # memory) goes with the server, not with the app.
                for held in ("musicflow", "together", "jobs"):
                    with contextlib.suppress(AttributeError, KeyError):  # a server started twice
                        delattr(app.state, held)
                gc.set_threshold(*thresholds)
                gc.unfreeze()

    app = FastAPI(
        title="MusicFlow",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from the package by install_docs, not from a CDN
        redoc_url=None,
    )
    app.state.profile = profile
    app.state.grants = Grants(access, profile)
    app.state.limits = Limits(settings)
    app.state.answers = RecentAnswers[Answered](settings.api_answer_ttl_s)
    # What the server keeps of a profile in memory, forgotten when its data is deleted (the API's route
    # and the page's both call each; the page adds its own).
    app.state.on_erase = [app.state.answers.forget, app.state.grants.forget_profile]
    app.state.champion = ChampionWatch()
    routers = (
        health.router,
        song_features.router,
        predictions.router,
        models.router,
        accuracy.router,
        recommendations.router,
        profile_route.router,
        uploads.router,
    )
    for router in routers:
        app.include_router(router)
    install_error_handlers(app)
    install_docs(app)
    if settings.api_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_credentials=settings.api_cors_credentials,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Content-Type", "Authorization"],
        )
    app.add_middleware(HeadAsGet)  # inside the access log, which names the HEAD asked
    files = settings.upload_max_bytes
    streamed = {"/api/uploads": files, "/upload": files}
    app.add_middleware(
        BodyLimit, max_bytes=settings.api_max_body_bytes, streamed=streamed, framing=UPLOAD_OVERHEAD_BYTES
    )
    app.add_middleware(AccessLog, enabled=settings.api_access_log)
    install_web(app, settings)
    return app


def _warm_up(app: MusicFlow, profile: str, *, tokens: bool = False) -> None:
    """Load the champion and the song index now (not in the first request), and start making the
    profile's Discover list in the background (`recommend_ahead`); if there is no champion yet
    the server still starts (and is not ready). Where tokens name the listeners (`tokens`), a profile the
    store does not hold is nobody's: nothing to load, and nothing to warn of."""
    app.know_songs()
    if tokens and profile not in app.profiles():
        return
    try:
        served = app.serving.get(profile)
    except MusicflowError as exc:
        log.warning("no model serves yet: %s", exc)  # its words name the profile
        return
    log.info("profile '%s': serving model v%d", profile, served.version)
    app.recommend_ahead(profile)
