"""Predictions: one song (the original route and shape, with more beside it) or up to 100 at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response
from fastapi.concurrency import run_in_threadpool

from musicflow.api import documents
from musicflow.api.answers import AnswerKey
from musicflow.api.deps import App, ArtistQuery, Asked, Client, Profile, RateLimits, SongQuery
from musicflow.api.errors import ERRORS_OF_SONG_ROUTES
from musicflow.api.routes.songs import within_budget
from musicflow.api.schemas import MAX_SONGS, ApiError, BatchBody, PredictionBody, SongItem
from musicflow.core.songs import SongRequest
from musicflow.errors import UpstreamBudgetError

router = APIRouter(prefix="/api", tags=["predictions"])
TOO_LARGE: dict[int | str, dict[str, object]] = {
    400: {"model": ApiError, "description": "The body is not JSON"},
    413: {"model": ApiError, "description": "The body is larger than the server accepts"},
}
SongList = Annotated[list[SongItem], Body(min_length=1, max_length=MAX_SONGS)]


@router.get("/prediction/", response_model=PredictionBody, responses=ERRORS_OF_SONG_ROUTES)
async def prediction(song: SongQuery, artist: ArtistQuery, asked: Asked) -> Response:
    """How many times will this listener stream this song (0 to 30), why, and which model said so."""
    app, profile = asked.app, asked.profile
    serving = await asked.champion.serving(app, profile)

    def make() -> tuple[AnswerKey, bytes]:
        made = within_budget(
            app,
            asked.limits,
            asked.client,
            song,
            artist,
            lambda sources: app.predict(profile, song, artist, sources=sources),
        )
        body = documents.prediction(made).model_dump_json().encode()
        return (profile, made.model_version, song, artist), body

    body = await asked.answers.answer(
        (profile, serving.version, song, artist), lambda: run_in_threadpool(make)
    )
    return Response(body, media_type="application/json")


@router.post("/predictions", responses={**ERRORS_OF_SONG_ROUTES, **TOO_LARGE})
def predictions(songs: SongList, profile: Profile, app: App, client: Client, limits: RateLimits) -> BatchBody:
    """Up to 100 songs; one answer per song, in order: a prediction, or why it could not be made."""
    refused: dict[int, str] = {}
    wanted: list[SongRequest] = []
    for index, item in enumerate(songs):
        calls = app.upstream_calls_for(item.song, item.artist) if item.song and item.artist else []
        try:
            if calls:
                limits.spend_upstream(client, len(calls))
        except UpstreamBudgetError as exc:
            refused[index] = str(exc)
            continue
        wanted.append(SongRequest(item.song, item.artist, item.track_id))
    made = iter(app.predict_many(profile, wanted))
    answers = [documents.batch_answer(refused[i] if i in refused else next(made)) for i in range(len(songs))]
    return BatchBody(profile=profile, answers=answers)
