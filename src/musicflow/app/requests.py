"""What front ends build to ask the use cases about several songs at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from musicflow.model.serving import SongRequest


def song_request(song: str, artist: str, spotify_id: str | None = None) -> SongRequest:
    """One song of a list to predict (`MusicFlow.predict_many`); the model loads only when asked."""
    from musicflow.model.serving import SongRequest

    return SongRequest(song, artist, spotify_id)
