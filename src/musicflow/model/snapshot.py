"""Everything the model reads from the store, loaded once: songs (merged tracks), features, plays.

Tracks are merged into songs here, over every profile's tracks, before any split is drawn; a song keeps
the features of its best-covered track. Plays become numpy arrays per profile, with a stream flag and a
"real skip" flag (the extended export's `reason_end`/`skipped` tell a skip from an interruption).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from musicflow.features.merge import MergedFeatures, merge
from musicflow.model.affinity import artist_key
from musicflow.model.song_groups import song_ids
from musicflow.model.vectorize import usable_values
from musicflow.store.ports import PlayFact, Store, StoredFeatures, TrackFact

# Why a play under the stream threshold ended, when the export says: these are the listener's choice.
SKIP_REASONS = frozenset({"fwdbtn", "backbtn", "clickrow"})
# Any other reason (endplay, logout, unexpected-exit, trackdone of a short track, ...) is an interruption.

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Song:
    song_id: int
    name: str
    artist: str
    artist_key: str
    features: MergedFeatures

    @property
    def has_features(self) -> bool:
        return bool(self.features.values)


@dataclass(frozen=True)
class ProfilePlays:
    """One profile's plays as parallel arrays, oldest first."""

    song: IntArray
    ended_at: IntArray
    is_stream: BoolArray
    is_skip: BoolArray


@dataclass(frozen=True)
class SnapshotInputs:
    """What a snapshot was built from, as read from the store: every play (oldest first), the tracks
    played, what each source said of them, the profiles, and the feature precedence. A model version
    records them (`lineage.py`), so that it can be built again from the same facts."""

    facts: Sequence[PlayFact]
    tracks: Sequence[TrackFact]
    answers: Mapping[int, Sequence[StoredFeatures]]
    profiles: Mapping[str, int]
    precedence: Sequence[str]


@dataclass
class Snapshot:
    songs: dict[int, Song]
    plays: dict[int, ProfilePlays]
    profiles: dict[str, int]
    stream_min_ms: int
    allow_spotify: bool
    fingerprint: str
    song_of_track: dict[int, int] = field(default_factory=dict)
    played_keys: set[str] = field(default_factory=set)  # Spotify ids and song keys of played tracks
    inputs: SnapshotInputs | None = field(default=None, repr=False)


def is_real_skip(ms_played: int, reason_end: str | None, skipped: bool | None, stream_min_ms: int) -> bool:
    """A short play the listener chose to end; the basic export cannot tell, so its short plays count."""
    if ms_played >= stream_min_ms:
        return False
    if skipped is True or reason_end in SKIP_REASONS:
        return True
    return reason_end is None and skipped is None


def load_snapshot(
    store: Store, *, stream_min_ms: int, precedence: Sequence[str], allow_spotify: bool = False
) -> Snapshot:
    """Read plays, tracks and features of every profile (other profiles' songs are zeros)."""
    profiles = store.history.profile_ids()
    facts = store.history.plays()
    played = {fact.track_id for fact in facts}
    # Only the tracks of the plays read: a play stored meanwhile brings no track without its play.
    tracks = [track for track in store.history.played_tracks() if track.track_id in played]
    answers = store.features.features_of([t.track_id for t in tracks])
    inputs = SnapshotInputs(facts, tracks, answers, profiles, tuple(precedence))
    return snapshot_of(inputs, stream_min_ms=stream_min_ms, allow_spotify=allow_spotify)


def snapshot_of(inputs: SnapshotInputs, *, stream_min_ms: int, allow_spotify: bool) -> Snapshot:
    """The snapshot of these facts: what `load_snapshot` reads, or what a model version recorded."""
    tracks, facts = inputs.tracks, inputs.facts
    song_of_track = song_ids(tracks)
    songs = _songs(tracks, song_of_track, inputs.answers, inputs.precedence, allow_spotify)
    plays = _profiles_plays(facts, song_of_track, stream_min_ms)
    return Snapshot(
        songs=songs,
        plays=plays,
        profiles=dict(inputs.profiles),
        stream_min_ms=stream_min_ms,
        allow_spotify=allow_spotify,
        fingerprint=_fingerprint(facts, songs, stream_min_ms, allow_spotify),
        song_of_track=song_of_track,
        played_keys={t.match_key for t in tracks} | {t.spotify_id for t in tracks if t.spotify_id},
        inputs=inputs,
    )


def _songs(
    tracks: Sequence[TrackFact],
    song_of_track: dict[int, int],
    answers: Mapping[int, Sequence[StoredFeatures]],
    precedence: Sequence[str],
    allow_spotify: bool,
) -> dict[int, Song]:
    """One song per group; its features are those of the track with the most usable values."""
    best: dict[int, tuple[int, TrackFact, MergedFeatures]] = {}
    for track in sorted(tracks, key=lambda t: t.track_id):
        merged = merge(answers.get(track.track_id, []), precedence)
        score = len(usable_values(merged, allow_spotify))
        song = song_of_track[track.track_id]
        if song not in best or score > best[song][0]:
            best[song] = (score, track, merged)
    return {
        song: Song(
            song, track.name, track.artist, artist_key(track.artist), merged if score else MergedFeatures()
        )
        for song, (score, track, merged) in best.items()
    }


def _profiles_plays(
    facts: Sequence[PlayFact], song_of_track: Mapping[int, int], min_ms: int
) -> dict[int, ProfilePlays]:
    grouped: dict[int, list[PlayFact]] = {}
    for fact in facts:
        grouped.setdefault(fact.profile_id, []).append(fact)
    return {profile: _as_arrays(rows, song_of_track, min_ms) for profile, rows in grouped.items()}


def profile_plays(
    facts: Sequence[PlayFact], song_of_track: Mapping[int, int], min_ms: int
) -> ProfilePlays | None:
    """One profile's plays (oldest first) as arrays; None when there are none."""
    return _as_arrays(facts, song_of_track, min_ms) if facts else None


def _as_arrays(rows: Sequence[PlayFact], song_of_track: Mapping[int, int], min_ms: int) -> ProfilePlays:
    return ProfilePlays(
        song=np.array([song_of_track[f.track_id] for f in rows], dtype=np.int64),
        ended_at=np.array([f.ended_at for f in rows], dtype=np.int64),
        is_stream=np.array([f.ms_played >= min_ms for f in rows], dtype=np.bool_),
        is_skip=np.array(
            [is_real_skip(f.ms_played, f.reason_end, f.skipped, min_ms) for f in rows], dtype=np.bool_
        ),
    )


def _fingerprint(facts: Sequence[PlayFact], songs: dict[int, Song], min_ms: int, allow_spotify: bool) -> str:
    """A short digest of what a model was trained on: plays, songs with features, and the settings."""
    digest = hashlib.sha256(f"{min_ms}|{allow_spotify}|{len(facts)}".encode())
    for fact in facts:
        digest.update(f"{fact.profile_id},{fact.track_id},{fact.ended_at},{fact.ms_played};".encode())
    for song in sorted(s.song_id for s in songs.values() if s.has_features):
        digest.update(f"{song}:{len(songs[song].features.values)};".encode())
    return digest.hexdigest()[:16]
