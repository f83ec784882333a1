"""Answering "how much will I stream this song?" with a trained model: one song or a list.

A prediction needs the song's merged features (from the store, else asked of the configured sources
and cached) and the listener's artist affinity over their whole history (the model serves on all plays,
not the training split). Both come from here, so the CLI, the API and batch scoring predict alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from musicflow.core.clock import Clock
from musicflow.core.songs import SongRequest
from musicflow.errors import Hint, ModelMismatchError, SongNotFoundError
from musicflow.features.base import FeatureSource
from musicflow.features.lookup import (
    SongFeatures,
    missing_features_error,
    no_features_message,
    song_features,
)
from musicflow.model.affinity import AffinityIndex, ArtistAffinity, artist_key
from musicflow.model.basis import NOTHING_KNOWN, basis_of
from musicflow.model.dataset import affinity_index
from musicflow.model.predict import Prediction, predict_batch, predict_song
from musicflow.model.registry import CHAMPION, ModelRegistry, VersionRef
from musicflow.model.snapshot import profile_plays
from musicflow.model.songs import song_ids
from musicflow.model.trained import TrainedModel
from musicflow.store.base import FeatureStore, HistoryStore


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


@dataclass(frozen=True)
class Predictor:
    model: TrainedModel
    listener: Listener
    sources: Sequence[FeatureSource]
    precedence: Sequence[str]
    clock: Clock
    miss_ttl_s: float

    @property
    def source_names(self) -> list[str]:
        return [source.name for source in self.sources]

    def features(
        self, store: FeatureStore, song: str, artist: str, spotify_id: str | None = None
    ) -> SongFeatures:
        return song_features(
            store,
            song,
            artist,
            self.sources,
            precedence=self.precedence,
            clock=self.clock,
            miss_ttl_s=self.miss_ttl_s,
            spotify_id=spotify_id,
        )

    def predict(
        self, store: FeatureStore, song: str, artist: str, explain: int = 5, spotify_id: str | None = None
    ) -> SongPrediction:
        """One song, from its features or, without them, the listener's history of its artist; when
        nothing at all is known, a SongNotFoundError naming what was searched (or why a source failed)."""
        found = self.features(store, song, artist, spotify_id)
        affinity = self.listener.affinity(found.track.query.artist, found.track.track_id)
        if basis_of(found.merged, affinity, self.model.layout.allow_spotify) is None:
            if found.errors:
                raise missing_features_error(song, artist, self.source_names, found)
            raise SongNotFoundError(
                f"{no_features_message(song, artist, self.source_names, found)}; and you never streamed "
                f"'{artist}', so nothing is known to answer from",
                hint=Hint.ADD_FEATURE_SOURCE,
            )
        return SongPrediction(found, affinity, predict_song(self.model, found.merged, affinity, explain))

    def predict_many(
        self, store: FeatureStore, songs: Sequence[SongRequest], explain: int = 3
    ) -> list[SongPrediction | str]:
        """One answer per input, in order: a prediction, or the reason this song could not be predicted."""
        found: list[SongFeatures | str] = []
        for request in songs:
            if not request.song.strip() or not request.artist.strip():
                found.append("song and artist are both needed")
                continue
            features = self.features(store, request.song, request.artist, request.spotify_id)
            affinity = self.listener.affinity(features.track.query.artist, features.track.track_id)
            known = basis_of(features.merged, affinity, self.model.layout.allow_spotify) is not None
            found.append(features if known else NOTHING_KNOWN)
        scorable = [(i, f) for i, f in enumerate(found) if isinstance(f, SongFeatures)]
        affinities = [self.listener.affinity(f.track.query.artist, f.track.track_id) for _, f in scorable]
        predictions = predict_batch(
            self.model, [(f.merged, a) for (_, f), a in zip(scorable, affinities, strict=True)], explain
        )
        answers: list[SongPrediction | str] = [f if isinstance(f, str) else "" for f in found]
        for (index, features), affinity, prediction in zip(scorable, affinities, predictions, strict=True):
            answers[index] = SongPrediction(features, affinity, prediction)
        return answers
