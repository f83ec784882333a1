"""A store as it stood at a moment, for one listener: their plays before it, everyone else's as stored.

A listener's recommendations are ranked the way that found the most of their own later songs
(`ranker_choice.py`): a model trained on the store as it stood at an earlier moment ranks the catalogs,
and what each way of ranking found among the songs the listener first streamed after that moment is
counted. The library is left out: an export's library is taken at its end and would tell what came after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from musicflow.store.ports import (
    CatalogSong,
    FeatureStore,
    HistoryStore,
    LibraryEntry,
    PlayFact,
    Store,
    TrackFact,
)


class HistoryBefore:
    """A history as it stood at `cutoff` for one profile: its plays before then and the tracks of those
    plays; other profiles' plays as stored."""

    def __init__(self, history: HistoryStore, profile_id: int, cutoff: int) -> None:
        self._history = history
        self._profile_id = profile_id
        self._cutoff = cutoff
        self._plays: dict[int | None, list[PlayFact]] = {}
        self._tracks: dict[int | None, list[TrackFact]] = {}

    def profile_ids(self) -> dict[str, int]:
        return self._history.profile_ids()

    def plays(self, profile_id: int | None = None) -> list[PlayFact]:
        if profile_id not in self._plays:
            self._plays[profile_id] = [
                fact
                for fact in self._history.plays(profile_id)
                if fact.profile_id != self._profile_id or fact.ended_at < self._cutoff
            ]
        return self._plays[profile_id]

    def played_tracks(self, profile_id: int | None = None) -> list[TrackFact]:
        if profile_id not in self._tracks:
            kept = {fact.track_id for fact in self.plays(profile_id)}
            tracks = self._history.played_tracks(profile_id)
            self._tracks[profile_id] = [track for track in tracks if track.track_id in kept]
        return self._tracks[profile_id]

    def library(self, profile_id: int) -> list[LibraryEntry]:
        """None: the library of an export is taken at its end (it would tell what happened after T)."""
        return []

    def catalog_songs(self, row_ids: Sequence[int]) -> list[CatalogSong]:
        return self._history.catalog_songs(row_ids)

    def catalog_row_ids(self) -> list[int]:
        return self._history.catalog_row_ids()


class StoreBefore:
    """The history and features of a store, the history cut by `HistoryBefore`. Only what training and
    `scoring_pack` read is here: anything else fails loudly rather than read the whole history. Typed
    as a `Store` where those take one (`as_store`)."""

    def __init__(
        self, store: Store, profile_id: int, cutoff: int, history: HistoryStore | None = None
    ) -> None:
        """`history`: the store's history as the caller reads it (read once for all, say)."""
        self._features = store.features
        self._history = HistoryBefore(history or store.history, profile_id, cutoff)

    def as_store(self) -> Store:
        return cast("Store", self)

    @property
    def features(self) -> FeatureStore:
        return self._features

    @property
    def history(self) -> HistoryStore:
        return self._history
