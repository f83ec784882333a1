"""The web page: try a song, see why, and see your own taste; served by the API's app at `/`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from musicflow.config import Settings


def install_web(app: FastAPI, settings: Settings) -> None:
    """Add the pages (and what they need: sessions, static files) to the API's app."""
