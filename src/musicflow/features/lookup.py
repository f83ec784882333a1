"""Features of one song a user asks about: from the store, else from the sources, then cached.

The song need not be one the listener played: `features show` and (later) predictions ask about any
song. What the sources answer is stored, so the next question about it makes no call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from musicflow.core.clock import Clock
from musicflow.errors import (
    Hint,
    InvalidPayloadError,
    MusicflowError,
    RateLimitedError,
    SongNotFoundError,
    UpstreamError,
    UpstreamUnavailableError,
)
from musicflow.features.base import FeatureSource
from musicflow.features.merge import MergedFeatures, merge
from musicflow.store.base import FeatureStore, PendingTrack

log = logging.getLogger(__name__)


@dataclass
class SongFeatures:
    track: PendingTrack
    merged: MergedFeatures
    not_found: dict[str, str] = field(default_factory=dict)  # source -> reason
    failed: dict[str, str] = field(default_factory=dict)  # source -> what went wrong this time
    errors: dict[str, UpstreamError] = field(default_factory=dict)  # source -> the error itself


def song_features(
    store: FeatureStore,
    song: str,
    artist: str,
    sources: Sequence[FeatureSource],
    *,
    precedence: Sequence[str],
    clock: Clock,
    miss_ttl_s: float,
    spotify_id: str | None = None,
) -> SongFeatures:
    """Ask each source that has not answered for this song yet; a failing source is reported, not fatal."""
    track = store.find_track(song, artist) or store.ensure_track(song, artist, spotify_id)
    failed: dict[str, str] = {}
    errors: dict[str, UpstreamError] = {}
    for source in sources:
        if _already_answered(store, track, source.name, clock.now()):
            continue
        track = store.find_track(track.query.song, track.query.artist) or track  # ids adopted meanwhile
        try:
            answers = source.fetch([track.query])
        except (RateLimitedError, UpstreamError) as exc:
            log.warning("%s could not answer: %s", source.name, exc)
            failed[source.name] = str(exc)
            errors[source.name] = exc
            continue
        if track.query.key in answers:
            answer = {track.track_id: answers[track.query.key]}
            store.save_answers(source.name, answer, now=clock.now(), miss_ttl_s=miss_ttl_s)
    stored = store.features_of([track.track_id]).get(track.track_id, [])
    misses = store.misses_of([track.track_id], clock.now()).get(track.track_id, {})
    return SongFeatures(track, merge(stored, precedence), misses, failed, errors)


def sources_to_ask(
    store: FeatureStore, song: str, artist: str, sources: Sequence[str], now: float
) -> list[str]:
    """Which of `sources` a question about this song would call now (none once each has answered)."""
    track = store.find_track(song, artist)
    if track is None:
        return list(sources)
    return [name for name in sources if not _already_answered(store, track, name, now)]


def missing_features_error(
    song: str, artist: str, asked: Sequence[str], found: SongFeatures
) -> MusicflowError:
    """Why a song has no features, as an error: a source that failed says so (it may know the song
    once it answers again); otherwise the song is not found, naming what was searched and asked."""
    message = no_features_message(song, artist, asked, found)
    for error in found.errors.values():
        if isinstance(error, RateLimitedError):
            return RateLimitedError(message, source=error.source, resume_at=error.resume_at)
    if any(isinstance(error, InvalidPayloadError) for error in found.errors.values()):
        return InvalidPayloadError(message)
    if found.errors:
        return UpstreamUnavailableError(message)
    return SongNotFoundError(message, hint=Hint.ADD_FEATURE_SOURCE)


def _already_answered(store: FeatureStore, track: PendingTrack, source: str, now: float) -> bool:
    answered = any(a.source == source for a in store.features_of([track.track_id]).get(track.track_id, []))
    return answered or source in store.misses_of([track.track_id], now).get(track.track_id, {})


def no_features_message(song: str, artist: str, asked: Sequence[str], found: SongFeatures) -> str:
    """Why a song has no features: what was searched, which sources were asked, what each said."""
    why = "; ".join(f"{s}: {r}" for s, r in {**found.not_found, **found.failed}.items())
    return (
        f"no source has features for '{song}' by '{artist}' (asked: {', '.join(asked) or 'no source'}"
        f"{'; ' + why if why else ''})"
    )
