"""A song's features: as each source gave them (`raw_features`), and in the original processed shape."""

from __future__ import annotations

from fastapi import APIRouter, Request

from musicflow.api import documents
from musicflow.api.deps import SONG_QUESTION, asking_for, song_question
from musicflow.api.error_responses import ERRORS_OF_SONG_ROUTES
from musicflow.api.schemas import Features, RawFeatures
from musicflow.app.types import SongFeatures

router = APIRouter(prefix="/api", tags=["songs"], responses=ERRORS_OF_SONG_ROUTES)


@router.get("/raw_features/", openapi_extra=SONG_QUESTION)
def raw_features(request: Request) -> RawFeatures:
    """The song's features as each source gave them, with when it did."""
    return documents.raw_features(_song_features(request))


@router.get("/features/", openapi_extra=SONG_QUESTION)
def features(request: Request) -> Features:
    """The song's processed features in the original shape; what no source gives is null."""
    return documents.features(_song_features(request))


def _song_features(request: Request) -> SongFeatures:
    """A song's features are the song's, whoever asks; the profile asked about only resolves a name from
    its history, as a prediction for it would. A profile named must be one there is, the same 404 as on
    every route that takes one (an unknown one was taken as no history and answered 200); none named is
    the server's profile, whose history is used when it has one."""
    question = song_question(request)
    asked = asking_for(request, question.profile)
    if question.profile is not None:
        asked.app.require_profile(asked.profile)
    return asked.app.song_features(
        question.song, question.artist, keep=False, spend=asked.spend, profile=asked.profile
    )
