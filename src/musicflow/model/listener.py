"""What serving a listener needs besides a song's features: the champion, checked, and their history.

A prediction needs the listener's artist affinity over their whole history (the model serves on all
plays, not the training split); `Listener` holds it, loaded once per serving model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from musicflow.errors import Hint, ModelMismatchError
from musicflow.features.lookup import SongFeatures
from musicflow.model.affinity import AffinityIndex, ArtistAffinity, artist_key
from musicflow.model.dataset import affinity_index
from musicflow.model.predict import Prediction
from musicflow.model.registry import CHAMPION, ModelRegistry, VersionRef
from musicflow.model.snapshot import profile_plays
from musicflow.model.songs import song_ids
from musicflow.model.trained import TrainedModel
from musicflow.store.base import HistoryStore


def load_model(registry: ModelRegistry, profile: str, ref: VersionRef = CHAMPION) -> tuple[int, TrainedModel]:
    """The version's model, its files checked against their checksums and its registered feature list."""
    loaded = registry.load(profile, ref)
    model = TrainedModel.from_artifacts(loaded.artifacts)
    if tuple(model.features) != tuple(loaded.version.feature_names):
        raise ModelMismatchError(
            f"model v{loaded.version.version} of '{profile}' does not hold the features it was registered "
            "with",
            hint=Hint.RETRAIN,
            profile=profile,
        )
    return loaded.version.version, model


@dataclass(frozen=True)
class SongPrediction:
    song: SongFeatures
    affinity: ArtistAffinity
    prediction: Prediction


class Listener:
    """One listener's history as predictions need it: artist affinity over every play of theirs."""

    def __init__(self, index: AffinityIndex, song_of_track: Mapping[int, int]) -> None:
        self._index = index
        self._song_of_track = song_of_track

    @classmethod
    def load(cls, history: HistoryStore, profile: str, *, stream_min_ms: int) -> Listener:
        """The profile's own plays and tracks only (two bulk queries), whatever else the store holds."""
        profile_id = history.profile_ids().get(profile)
        if profile_id is None:
            return cls(AffinityIndex(()), {})
        tracks = history.played_tracks(profile_id)
        song_of_track = song_ids(tracks)
        artist_of_song = {song_of_track[t.track_id]: artist_key(t.artist) for t in tracks}
        plays = profile_plays(history.plays(profile_id), song_of_track, stream_min_ms)
        index = (
            affinity_index(plays, np.ones(len(plays.song), dtype=bool), artist_of_song)
            if plays is not None
            else AffinityIndex(())
        )
        return cls(index, song_of_track)

    def artist_affinities(self) -> dict[str, ArtistAffinity]:
        """Affinity for every artist the listener streamed, no song left out (what batch scoring ships)."""
        return {key: self._index.of(key) for key in self._index.artist_keys()}

    def affinity(self, artist: str, track_id: int | None) -> ArtistAffinity:
        """The listener's streams of this artist's other songs (the song's own plays left out)."""
        song = self._song_of_track.get(track_id) if track_id is not None else None
        return self._index.of(artist_key(artist), song)
