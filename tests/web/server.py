"""A test-only factory of the web page's app, served by uvicorn as a real process:
`python -m uvicorn --factory tests.web.server:make_app`. Settings come from `MUSICFLOW_*` variables."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from musicflow.app.service import MusicFlow
from musicflow.config import load_settings
from musicflow.web import install_web

PROFILE_VARIABLE = "MUSICFLOW_TEST_WEB_PROFILE"


def make_app() -> FastAPI:
    settings = load_settings()
    musicflow = MusicFlow.open(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        musicflow.close()

    app = FastAPI(lifespan=lifespan)
    app.state.musicflow = musicflow
    app.state.profile = os.environ.get(PROFILE_VARIABLE, "demo")
    install_web(app, settings)
    return app
