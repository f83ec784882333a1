"""What the routes share: the application, the profile asked about, and the per-client limits.

Each is `async`: none waits on anything, and FastAPI would run a plain function in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from musicflow.api.answers import RecentAnswers
from musicflow.api.champion import ChampionWatch
from musicflow.api.limits import Limits
from musicflow.api.schemas import MAX_TEXT
from musicflow.app.service import MusicFlow
from musicflow.app.vocabulary import profile_asked

ProfileQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=100, description="Whose taste (default: the server's profile)."),
]
SongQuery = Annotated[str, Query(min_length=1, max_length=MAX_TEXT, description="The song's title.")]
ArtistQuery = Annotated[str, Query(min_length=1, max_length=MAX_TEXT, description="The song's artist.")]


async def musicflow(request: Request) -> MusicFlow:
    found: MusicFlow = request.app.state.musicflow
    return found


async def limits(request: Request) -> Limits:
    found: Limits = request.app.state.limits
    return found


async def counted_client(request: Request, limits: Annotated[Limits, Depends(limits)]) -> str:
    """The client, after counting this request against its rate limit (429 past it)."""
    client = limits.identity.of(request)
    limits.count_request(client)
    return client


async def profile(request: Request, profile: ProfileQuery = None) -> str:
    return profile_asked(profile, request.app.state.profile)


@dataclass(frozen=True)
class Asking:
    """All a hot route needs, in one dependency (each dependency costs FastAPI time on every request)."""

    app: MusicFlow
    limits: Limits
    answers: RecentAnswers
    champion: ChampionWatch
    client: str
    profile: str

    def spend(self, calls: int) -> None:
        """Spend this client's share of the network sources' quotas (UpstreamBudgetError past it)."""
        self.limits.spend_upstream(self.client, calls)


async def asking(request: Request, profile: ProfileQuery = None) -> Asking:
    """The application, the limits, recent answers, the champion's watch, the client (counted) and the
    profile asked about."""
    state = request.app.state
    client = await counted_client(request, state.limits)
    chosen = profile_asked(profile, state.profile)
    return Asking(state.musicflow, state.limits, state.answers, state.champion, client, chosen)


App = Annotated[MusicFlow, Depends(musicflow)]
Client = Annotated[str, Depends(counted_client)]
Profile = Annotated[str, Depends(profile)]
RateLimits = Annotated[Limits, Depends(limits)]
Asked = Annotated[Asking, Depends(asking)]
