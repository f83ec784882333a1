"""Predictions: one song (the original route and shape, with more beside it) or up to 100 at once."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Body, Request, Response
from fastapi.concurrency import run_in_threadpool

from musicflow.api.answers import Answered, AnswerKey
from musicflow.api.deps import SONG_QUESTION, Asked, asking_for, song_question
from musicflow.api.error_responses import ERRORS_OF_SONG_ROUTES
from musicflow.api.schemas import MAX_SONGS, ApiError, BatchBody, PredictionBody, SongItem
from musicflow.app.prediction_log import Given
from musicflow.app.results import Prediction
from musicflow.core.songs import SongRequest

router = APIRouter(prefix="/api", tags=["predictions"])
TOO_LARGE: dict[int | str, dict[str, object]] = {
    413: {"model": ApiError, "description": "The body is larger than the server accepts"},
}
SongList = Annotated[list[SongItem], Body(min_length=1, max_length=MAX_SONGS)]


@router.get(
    "/prediction/",
    response_model=PredictionBody,
    responses=ERRORS_OF_SONG_ROUTES,
    openapi_extra=SONG_QUESTION,
)
async def prediction(request: Request) -> Response:
    """How many times will this listener stream this song (0 to 30), why, and which model said so."""
    question = song_question(request)
    song, artist = question.song, question.artist
    asked = asking_for(request, question.profile)
    app, profile = asked.app, asked.profile
    serving = await asked.champion.serving(app, profile)

    def answered(made: Prediction) -> tuple[AnswerKey, Answered]:
        body = orjson.dumps(made.as_document())  # the shape PredictionBody documents
        return (profile, serving.loaded, song, artist), (body, Given.of(made))

    def make() -> tuple[AnswerKey, Answered]:
        return answered(app.predict(profile, song, artist, keep=False, spend=asked.spend, serving=serving))

    async def answer() -> tuple[AnswerKey, Answered]:
        # Songs answered from this machine alone take well under a millisecond: made on the event loop,
        # with the others asked in the same turn, rather than handed to a worker thread; a question that
        # may call a network source waits there, on its own.
        if app.answers_locally:
            return answered(await asked.together.predict(serving, song, artist))
        return await run_in_threadpool(make)

    body, given = await asked.answers.answer((profile, serving.loaded, song, artist), answer)
    app.log_predictions((given,), "api")  # a reused answer was given too
    return Response(body, media_type="application/json")


@router.post("/predictions", response_model=BatchBody, responses={**ERRORS_OF_SONG_ROUTES, **TOO_LARGE})
def predictions(songs: SongList, asked: Asked) -> Response:
    """Up to 100 songs; one answer per song, in order: a prediction, or why it could not be made."""
    wanted = [SongRequest(item.song, item.artist, item.spotify_id) for item in songs]
    made = asked.app.predict_many(asked.profile, wanted, keep=False, spend=asked.spend, log_via="api")
    # The list's own document, as `predict --input -f json` writes it (a problem's fields where they apply).
    return Response(orjson.dumps(made.as_document()), media_type="application/json")
