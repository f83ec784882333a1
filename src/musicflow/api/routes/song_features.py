"""A song's features: as each source gave them (`raw_features`), and in the original processed shape."""

from __future__ import annotations

from fastapi import APIRouter

from musicflow.api import documents
from musicflow.api.deps import ArtistQuery, Asked, SongQuery
from musicflow.api.error_responses import ERRORS_OF_SONG_ROUTES
from musicflow.api.schemas import Features, RawFeatures

router = APIRouter(prefix="/api", tags=["songs"], responses=ERRORS_OF_SONG_ROUTES)


@router.get("/raw_features/")
def raw_features(song: SongQuery, artist: ArtistQuery, asked: Asked) -> RawFeatures:
    """The song's features as each source gave them, with when it did."""
    return documents.raw_features(asked.app.song_features(song, artist, keep=False, spend=asked.spend))


@router.get("/features/")
def features(song: SongQuery, artist: ArtistQuery, asked: Asked) -> Features:
    """The song's processed features in the original shape; what no source gives is null."""
    return documents.features(asked.app.song_features(song, artist, keep=False, spend=asked.spend))
