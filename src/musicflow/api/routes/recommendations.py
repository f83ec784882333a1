"""Recommendations: the songs of the imported catalogs the listener never played, best first, with why.

The answer is the application's (`MusicFlow.recommendations`), kept per listener and question while
their model and the catalogs stay the same: the first question scores the catalogs (seconds over the
bundled one), the same question again is answered at once, and the page's `/discover` reads the same.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from musicflow.api.deps import Asked
from musicflow.api.error_responses import ERRORS_OF_LISTENER_ROUTES
from musicflow.api.schemas import MAX_TEXT, RecommendationsBody
from musicflow.app.vocabulary import DEFAULT_PER_ARTIST, RecommendationQuestion
from musicflow.web.query import given_once

ONE_VALUE = ("top", "per_artist", "new_songs_only", "by_prediction")  # `catalog` may be repeated


async def each_once(request: Request) -> None:
    """A parameter of one value given twice is refused (FastAPI would keep the last)."""
    given_once(request.query_params, ONE_VALUE)


router = APIRouter(
    prefix="/api",
    tags=["recommendations"],
    responses=ERRORS_OF_LISTENER_ROUTES,
    dependencies=[Depends(each_once)],
)
MAX_TOP = 100
MAX_CATALOGS = 20

Catalogs = Annotated[
    list[Annotated[str, Query(min_length=1, max_length=MAX_TEXT)]] | None,
    Query(max_length=MAX_CATALOGS, description="Only these imported catalogs (repeatable); default: all."),
]
Top = Annotated[int, Query(ge=1, le=MAX_TOP, description="How many songs.")]
PerArtist = Annotated[int, Query(ge=1, le=MAX_TOP, description="At most this many songs by one artist.")]
NewSongsOnly = Annotated[
    bool, Query(description="Leave out other versions (remixes, live) of songs the listener streamed.")
]
ByPrediction = Annotated[
    bool, Query(description="Rank by predicted streams, not the way chosen for the listener at training.")
]


@router.get("/recommendations/")
def recommendations(
    asked: Asked,
    catalog: Catalogs = None,
    top: Top = 20,
    per_artist: PerArtist = DEFAULT_PER_ARTIST,
    new_songs_only: NewSongsOnly = False,
    by_prediction: ByPrediction = False,
) -> RecommendationsBody:
    """Songs the listener never played that they might stream, ranked the way that found the most of
    their own later songs when their model was trained; each with its predicted streams and reasons."""
    question = RecommendationQuestion(tuple(catalog or ()), top, per_artist, new_songs_only, by_prediction)
    answer = asked.app.recommendations(asked.profile, question)
    return RecommendationsBody.model_validate(answer.as_document())
