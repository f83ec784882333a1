"""What the routes share: the application, the profile asked about, and the per-client limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from musicflow.api.limits import Limits
from musicflow.api.schemas import MAX_TEXT
from musicflow.app.service import MusicFlow

ProfileQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="Whose taste (default: the server's profile)."),
]
SongQuery = Annotated[str, Query(min_length=1, max_length=MAX_TEXT, description="The song's title.")]
ArtistQuery = Annotated[str, Query(min_length=1, max_length=MAX_TEXT, description="The song's artist.")]


def musicflow(request: Request) -> MusicFlow:
    found: MusicFlow = request.app.state.musicflow
    return found


def limits(request: Request) -> Limits:
    found: Limits = request.app.state.limits
    return found


def counted_client(request: Request, limits: Annotated[Limits, Depends(limits)]) -> str:
    """The client, after counting this request against its rate limit (429 past it)."""
    client = limits.identity.of(request)
    limits.count_request(client)
    return client


def profile(request: Request, profile: ProfileQuery = None) -> str:
    chosen: str = profile if profile is not None else request.app.state.profile
    return chosen


App = Annotated[MusicFlow, Depends(musicflow)]
Client = Annotated[str, Depends(counted_client)]
Profile = Annotated[str, Depends(profile)]
RateLimits = Annotated[Limits, Depends(limits)]
