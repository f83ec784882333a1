"""A song's features: as each source gave them (`raw_features`), and in the original processed shape."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from fastapi import APIRouter

from musicflow.api import documents
from musicflow.api.deps import App, ArtistQuery, Client, RateLimits, SongQuery
from musicflow.api.errors import ERRORS_OF_SONG_ROUTES
from musicflow.api.limits import Limits
from musicflow.api.schemas import Features, RawFeatures
from musicflow.app.results import SongLookup
from musicflow.app.service import MusicFlow
from musicflow.errors import SongNotFoundError, UpstreamBudgetError

router = APIRouter(prefix="/api", tags=["songs"], responses=ERRORS_OF_SONG_ROUTES)
T = TypeVar("T")


@router.get("/raw_features/")
def raw_features(
    song: SongQuery, artist: ArtistQuery, app: App, client: Client, limits: RateLimits
) -> RawFeatures:
    """The song's features as each source gave them, with when it did."""
    return documents.raw_features(_lookup(app, limits, client, song, artist))


@router.get("/features/")
def features(song: SongQuery, artist: ArtistQuery, app: App, client: Client, limits: RateLimits) -> Features:
    """The song's processed features in the original shape; what no source gives is null."""
    return documents.features(_lookup(app, limits, client, song, artist))


def _lookup(app: MusicFlow, limits: Limits, client: str, song: str, artist: str) -> SongLookup:
    return within_budget(
        app, limits, client, song, artist, lambda sources: app.song_features(song, artist, sources)
    )


def within_budget(
    app: MusicFlow,
    limits: Limits,
    client: str,
    song: str,
    artist: str,
    answer: Callable[[Sequence[str] | None], T],
) -> T:
    """Answer, spending the upstream budget if a network source would be asked about this song.

    Past the budget, a song with features already cached is answered from them (no source is asked);
    a song with none is refused with 503 and when to ask again."""
    calls = app.upstream_calls_for(song, artist)
    if not calls:
        return answer(None)
    try:
        limits.spend_upstream(client, len(calls))
    except UpstreamBudgetError as spent:
        try:
            return answer(app.local_sources())
        except SongNotFoundError:
            raise spent from None
    return answer(None)
