"""A listener's history read once for one request, however many parts of the answer read it.

The taste page shows the listener's taste, how right their model's logged predictions were and how far
their listening has moved since the model learned: three parts, each reading every play and every
played track of the profile. Read through this adapter, a page reads each once, and every part counts
from the same plays. Kept for one request only: the next reads the store again.
"""

from __future__ import annotations

from collections.abc import Sequence

from musicflow.store.ports import CatalogSong, HistoryStore, LibraryEntry, PlayFact, TrackFact


class HistoryReadOnce:
    """`HistoryStore` over another, each profile's plays, played tracks and library read at most once."""

    def __init__(self, history: HistoryStore) -> None:
        self._history = history
        self._plays: dict[int | None, list[PlayFact]] = {}
        self._tracks: dict[int | None, list[TrackFact]] = {}
        self._library: dict[int, list[LibraryEntry]] = {}

    def profile_ids(self) -> dict[str, int]:
        return self._history.profile_ids()

    def plays(self, profile_id: int | None = None) -> list[PlayFact]:
        if profile_id not in self._plays:
            self._plays[profile_id] = self._history.plays(profile_id)
        return self._plays[profile_id]

    def played_tracks(self, profile_id: int | None = None) -> list[TrackFact]:
        if profile_id not in self._tracks:
            self._tracks[profile_id] = self._history.played_tracks(profile_id)
        return self._tracks[profile_id]

    def library(self, profile_id: int) -> list[LibraryEntry]:
        if profile_id not in self._library:
            self._library[profile_id] = self._history.library(profile_id)
        return self._library[profile_id]

    def catalog_songs(self, row_ids: Sequence[int]) -> list[CatalogSong]:
        return self._history.catalog_songs(row_ids)

    def catalog_row_ids(self) -> list[int]:
        return self._history.catalog_row_ids()
