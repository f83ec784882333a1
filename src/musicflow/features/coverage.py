"""How much of a listener's music has features, from which sources, and which songs have none.

A model is only as good as its features, and a source missing for half the songs is a fact the user
must see before trusting anything trained on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from musicflow.core.feature_spec import AUDIO_FEATURES
from musicflow.features.merge import MergedFeatures, merged_features
from musicflow.store.ports import FeatureStore, ProfileTrack

# The audio features Spotify used to serve; a song with all of them has "full" features.
CORE_AUDIO: tuple[str, ...] = tuple(name for name in AUDIO_FEATURES if not name.endswith("_estimate"))
UNRESOLVED_SHOWN = 20


@dataclass
class CoverageReport:
    tracks: int = 0
    streams: int = 0
    full: int = 0
    partial: int = 0
    none: int = 0
    full_streams: int = 0
    partial_streams: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    not_found_by_source: Counter[str] = field(default_factory=Counter)
    unresolved: list[ProfileTrack] = field(default_factory=list)
    unresolved_total: int = 0

    def share(self, count: int, of_streams: bool = False) -> float:
        total = self.streams if of_streams else self.tracks
        return count / total if total else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "tracks": self.tracks,
            "streams": self.streams,
            "full": self.full,
            "partial": self.partial,
            "none": self.none,
            "full_share_of_streams": round(self.share(self.full_streams, of_streams=True), 4),
            "any_share_of_streams": round(
                self.share(self.full_streams + self.partial_streams, of_streams=True), 4
            ),
            "by_source": dict(self.by_source),
            "not_found_by_source": dict(self.not_found_by_source),
            "unresolved_total": self.unresolved_total,
            "unresolved": [
                {"track": t.track, "artist": t.artist, "streams": t.streams, "spotify_id": t.spotify_id}
                for t in self.unresolved
            ],
        }


def is_full(merged: MergedFeatures) -> bool:
    return all(name in merged.values for name in CORE_AUDIO)


def coverage(
    store: FeatureStore,
    profile_id: int,
    *,
    stream_min_ms: int,
    precedence: Sequence[str],
    now: float,
) -> CoverageReport:
    """Coverage of every track the profile played (skip-only songs need features too)."""
    played = store.profile_tracks(profile_id, stream_min_ms)
    ids = [t.track_id for t in played]
    merged_by_track = merged_features(store, ids, precedence)
    misses = store.misses_of(ids, now)
    report = CoverageReport(tracks=len(played), streams=sum(t.streams for t in played))
    for track in played:
        merged = merged_by_track[track.track_id]
        report.by_source.update({a.source for a in merged.answers})
        report.not_found_by_source.update(misses.get(track.track_id, {}).keys())
        if is_full(merged):
            report.full += 1
            report.full_streams += track.streams
        elif merged.values:
            report.partial += 1
            report.partial_streams += track.streams
        else:
            report.none += 1
            report.unresolved_total += 1
            if len(report.unresolved) < UNRESOLVED_SHOWN:
                report.unresolved.append(track)
    return report
