"""Predictions for a list of songs in a few bulk queries, the same as asking for each song on its own.

`Predictor.predict_many` looks each song up with its own queries (about 10 ms a song). Here the songs'
tracks, what every source already said of them and the catalogs' rows are read in bulk; a song for which
a source other than the catalogs would still have to be asked goes the per-song way (which asks it and
stores the answer). The features, hence the predictions, are those the per-song path gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from musicflow.core.songs import FeatureRecord, TrackQuery, match_key, track_key
from musicflow.features.catalog import SOURCE as CATALOG
from musicflow.features.catalog import CatalogSource
from musicflow.features.lookup import SongFeatures
from musicflow.features.merge import merge
from musicflow.store.base import PendingTrack, StoredFeatures

if TYPE_CHECKING:
    from musicflow.core.songs import SongRequest
    from musicflow.model.serving import Predictor, SongPrediction
    from musicflow.store.base import FeatureStore

NEEDS_NAMES = "song and artist are both needed"


@dataclass
class _Known:
    """What the store already holds for one song's track."""

    track: PendingTrack
    stored: list[StoredFeatures]
    misses: dict[str, str]


def predict_in_bulk(
    store: FeatureStore, predictor: Predictor, songs: Sequence[SongRequest], explain: int = 3
) -> list[SongPrediction | str]:
    """One answer per song, in order: a prediction, or why this song could not be predicted."""
    from musicflow.model.basis import NOTHING_KNOWN, basis_of
    from musicflow.model.predict import predict_batch
    from musicflow.model.serving import SongPrediction

    wanted = [(i, r) for i, r in enumerate(songs) if r.song.strip() and r.artist.strip()]
    known = _known(store, predictor, [r for _, r in wanted])
    found: dict[int, SongFeatures] = {}
    slow: list[int] = []
    for index, request in wanted:
        features = known.get(index_key(request))
        if features is None:
            slow.append(index)
        else:
            found[index] = features
    for index in slow:
        request = songs[index]
        found[index] = predictor.features(store, request.song, request.artist, request.spotify_id)
    allow_spotify = predictor.model.layout.allow_spotify
    scorable, affinities = [], []
    for index, features in sorted(found.items()):
        affinity = predictor.listener.affinity(features.track.query.artist, features.track.track_id)
        if basis_of(features.merged, affinity, allow_spotify) is not None:  # else nothing is known
            scorable.append((index, features))
            affinities.append(affinity)
    predictions = predict_batch(
        predictor.model, [(f.merged, a) for (_, f), a in zip(scorable, affinities, strict=True)], explain
    )
    answers: list[SongPrediction | str] = [
        NOTHING_KNOWN if i in found else NEEDS_NAMES for i in range(len(songs))
    ]
    for (index, features), affinity, prediction in zip(scorable, affinities, predictions, strict=True):
        answers[index] = SongPrediction(features, affinity, prediction)
    return answers


def index_key(request: SongRequest) -> tuple[str, str]:
    return (request.song, request.artist)


def _known(
    store: FeatureStore, predictor: Predictor, requests: Sequence[SongRequest]
) -> dict[tuple[str, str], SongFeatures]:
    """Features of the songs that need no source but the catalogs, which are read in bulk."""
    now = predictor.clock.now()
    tracks = _tracks(store, requests)
    ids = sorted({t.track_id for t in tracks.values()})
    stored = store.features_of(ids)
    misses = store.misses_of(ids, now)
    names = [source.name for source in predictor.sources]
    ready: dict[tuple[str, str], _Known] = {}
    for key, track in tracks.items():
        item = _Known(track, list(stored.get(track.track_id, [])), dict(misses.get(track.track_id, {})))
        answered = {a.source for a in item.stored} | set(item.misses)
        missing = [name for name in names if name not in answered]
        if missing in ([], [CATALOG]):
            ready[key] = item
    _ask_catalogs(store, predictor, [k for k in ready.values() if _unanswered(k, CATALOG)])
    return {
        key: SongFeatures(item.track, merge(item.stored, predictor.precedence), item.misses)
        for key, item in ready.items()
    }


def _tracks(store: FeatureStore, requests: Sequence[SongRequest]) -> dict[tuple[str, str], PendingTrack]:
    """Each song's track, as asking one song after the other would find or create it: a song not stored
    yet gets a track, and a later song with the same loose key finds that track (the earliest made)."""
    existing = store.find_tracks([index_key(r) for r in requests])
    first_of: dict[str, tuple[str, str]] = {}
    same_as: dict[tuple[str, str], tuple[str, str]] = {}
    new: list[SongRequest] = []
    for request in requests:
        key = index_key(request)
        if key in existing or key in same_as:
            continue
        exact, loose = track_key(request.artist, request.song), match_key(request.artist, request.song)
        first = first_of.get(exact) or first_of.get(loose)
        if first is not None:
            same_as[key] = first
            continue
        first_of[exact] = key
        first_of.setdefault(loose, key)
        new.append(request)
    store.ensure_tracks([(r.song, r.artist, r.spotify_id) for r in new])
    created = store.find_tracks([index_key(r) for r in new])
    return {
        **existing,
        **created,
        **{key: created[first] for key, first in same_as.items() if first in created},
    }


def _unanswered(item: _Known, source: str) -> bool:
    return source not in item.misses and all(a.source != source for a in item.stored)


def _ask_catalogs(store: FeatureStore, predictor: Predictor, items: Sequence[_Known]) -> None:
    """The catalogs' answers for many tracks at once, as the catalog source gives them one by one."""
    if not items or all(source.name != CATALOG for source in predictor.sources):
        return
    queries: list[TrackQuery] = [item.track.query for item in items]
    answers = CatalogSource(store).fetch(queries)
    for item in items:
        answer = answers[item.track.query.key]
        if isinstance(answer, FeatureRecord):
            item.stored.append(
                StoredFeatures(
                    CATALOG, answer.origin, answer.fetched_at, answer.values, answer.spotify_id, None
                )
            )
        else:
            item.misses[CATALOG] = answer.reason
