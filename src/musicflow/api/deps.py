"""What the routes share: the application, who is asking (the grant: which profile, to read or also to
change it), and the per-client limits.

Each is `async`: none waits on anything, and FastAPI would run a plain function in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from musicflow.api.answers import Answered, RecentAnswers
from musicflow.api.asked_together import AskedTogether
from musicflow.api.champion import ChampionWatch
from musicflow.api.limits import Limits
from musicflow.api.middleware import GRANTED_PROFILE
from musicflow.api.schemas import SongQuestion, query_parameters
from musicflow.app.access import Grant, Grants, bearer_token, digest_of
from musicflow.app.service import MusicFlow
from musicflow.app.vocabulary import MAX_PROFILE_NAME
from musicflow.web.query import given_once

PROFILE_FIELD = ("profile",)
ProfileQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=MAX_PROFILE_NAME,  # the store's column: a longer name is no profile's
        description="Whose taste (default: the server's profile).",
    ),
]


async def musicflow(request: Request) -> MusicFlow:
    found: MusicFlow = request.app.state.musicflow
    return found


async def limits(request: Request) -> Limits:
    found: Limits = request.app.state.limits
    return found


async def counted_client(request: Request, limits: Annotated[Limits, Depends(limits)]) -> str:
    """The client, after counting this request against its rate limit (429 past it)."""
    return limits.counted(request)


SONG_FIELDS = tuple(SongQuestion.model_fields)


def token_checked(request: Request) -> None:
    """Where tokens are asked for, a request without a valid one is 401 before anything it asks is read:
    a question that would not validate is refused as any other is, not told its problems (422). The
    grant is kept a second (`Grants`): reading it again for the profile asked costs no query."""
    grants: Grants = request.app.state.grants
    if not grants.open:
        authorization = request.headers.get("authorization")
        grants.of_digest(request.app.state.musicflow, digest_of(bearer_token(authorization)))


async def authenticated(request: Request) -> None:
    """`token_checked`, as the first dependency of the routes FastAPI reads the query of."""
    token_checked(request)


def song_question(request: Request) -> SongQuestion:
    """The song asked about, read from the query here rather than by FastAPI's parameter machinery: on
    the routes asked most, that machinery cost more than a prediction of a song held in memory. Invalid
    input is the same 422 as for any other route (each problem named, in `problems`); a parameter given
    twice is one (`dict` of the query would keep the last value and answer another song than the first).
    Where tokens are asked for, the token is checked first (`token_checked`)."""
    token_checked(request)
    params = request.query_params
    given_once(params, SONG_FIELDS)
    try:
        return SongQuestion.model_validate(dict(params))
    except ValidationError as invalid:
        raise RequestValidationError(
            [{**problem, "loc": ("query", *problem["loc"])} for problem in invalid.errors()]
        ) from None


SONG_QUESTION: dict[str, object] = {"parameters": query_parameters(SongQuestion)}
"""`openapi_extra` of a route reading `song_question`: its parameters, documented as FastAPI would."""


def _grant(request: Request, asked: str | None) -> Grant:
    grants: Grants = request.app.state.grants
    granted = grants.of_header(request.app.state.musicflow, request.headers.get("authorization"), asked)
    setattr(request.state, GRANTED_PROFILE, granted.profile)  # for the access log
    return granted


async def grant(
    request: Request, _: Annotated[None, Depends(authenticated)], profile: ProfileQuery = None
) -> Grant:
    """Who is asking: the token's profile (the one named must be it), or on an open server the profile
    named (else the server's); a profile named twice is refused, as on the song routes."""
    given_once(request.query_params, PROFILE_FIELD)
    return _grant(request, profile)


async def profile(granted: Annotated[Grant, Depends(grant)]) -> str:
    return granted.profile


@dataclass(frozen=True)
class Asking:
    """All a hot route needs, in one dependency (each dependency costs FastAPI time on every request)."""

    app: MusicFlow
    limits: Limits
    answers: RecentAnswers[Answered]
    champion: ChampionWatch
    together: AskedTogether
    client: str
    grant: Grant

    @property
    def profile(self) -> str:
        return self.grant.profile

    def spend(self, calls: int) -> None:
        """Spend this client's share of the network sources' quotas (UpstreamBudgetError past it)."""
        self.limits.spend_upstream(self.client, calls)


async def asking(
    request: Request, _: Annotated[None, Depends(authenticated)], profile: ProfileQuery = None
) -> Asking:
    """The application, the limits, recent answers, the champion's watch, the client (counted) and the
    profile asked about (named once at most, as on the song routes)."""
    given_once(request.query_params, PROFILE_FIELD)
    return asking_for(request, profile)


def asking_for(request: Request, profile: str | None) -> Asking:
    """`asking`, for a route that read the profile asked about itself."""
    state = request.app.state
    client = state.limits.counted(request)
    return Asking(
        state.musicflow,
        state.limits,
        state.answers,
        state.champion,
        state.together,
        client,
        _grant(request, profile),
    )


App = Annotated[MusicFlow, Depends(musicflow)]
Granted = Annotated[Grant, Depends(grant)]
Client = Annotated[str, Depends(counted_client)]
Profile = Annotated[str, Depends(profile)]
RateLimits = Annotated[Limits, Depends(limits)]
Asked = Annotated[Asking, Depends(asking)]
