"""Songs the listener did not stream, drawn so that they differ from the positives by taste, not by data.

Other listeners' songs are drawn owner-balanced (one heavy listener does not define "not my taste"), with
features or not, like the listener's own songs.
Catalog songs are drawn per availability pattern (which features are present), in the proportions of the
positives: otherwise the presence of a value would tell the classes apart (model-evaluation.md, trap 2).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from musicflow.core.songs import FeatureValue
from musicflow.features.merge import MergedFeatures, single_source
from musicflow.model.affinity import artist_key
from musicflow.model.rows import Row, RowKind
from musicflow.model.snapshot import Snapshot
from musicflow.model.vectorize import usable_values
from musicflow.store.base import HistoryStore

CATALOG_CANDIDATES_PER_ZERO = 8


def others_zeros(snapshot: Snapshot, profile_id: int, count: int, rng: np.random.Generator) -> list[Row]:
    """Up to `count` songs other profiles streamed and this listener never played, owner-balanced."""
    played = set(snapshot.plays[profile_id].song.tolist()) if profile_id in snapshot.plays else set()
    pools: list[list[int]] = []
    for owner, plays in sorted(snapshot.plays.items()):
        if owner == profile_id:
            continue
        pools.append(sorted(set(plays.song[plays.is_stream].tolist()) - played))
    pools = [pool for pool in pools if pool]
    if not pools or count <= 0:
        return []
    per_owner = math.ceil(count / len(pools))
    chosen: dict[int, None] = {}
    for pool in pools:
        take = min(per_owner, len(pool))
        for index in rng.choice(len(pool), size=take, replace=False):
            chosen.setdefault(pool[int(index)])
    return [_zero(snapshot, song, RowKind.OTHERS) for song in sorted(chosen)]


def catalog_zeros(
    history: HistoryStore, snapshot: Snapshot, positives: Sequence[Row], count: int, rng: np.random.Generator
) -> list[Row]:
    """Catalog songs nobody in the store played, matching the positives' availability patterns."""
    ids = history.catalog_row_ids()
    if not ids or count <= 0 or not positives:
        return []
    size = min(len(ids), count * CATALOG_CANDIDATES_PER_ZERO)
    sample = sorted(int(ids[int(i)]) for i in rng.choice(len(ids), size=size, replace=False))
    by_pattern: dict[frozenset[str], list[Row]] = {}
    taken_keys = _played_keys(snapshot)
    for song in history.catalog_songs(sample):
        if song.match_key in taken_keys or (song.spotify_id or "") in taken_keys:
            continue
        features = _catalog_features(song.values, song.origin)
        taken_keys.add(song.match_key)
        row = Row(-song.row_id, RowKind.CATALOG, 0, features, artist_key(song.artist))
        by_pattern.setdefault(_pattern(features, snapshot.allow_spotify), []).append(row)
    wanted = Counter(_pattern(row.features, snapshot.allow_spotify) for row in positives)
    chosen: list[Row] = []
    for pattern, share in wanted.items():
        pool = by_pattern.get(pattern, [])
        take = min(len(pool), round(count * share / len(positives)))
        chosen.extend(pool[:take])
    return chosen


def _zero(snapshot: Snapshot, song: int, kind: RowKind) -> Row:
    info = snapshot.songs[song]
    return Row(song, kind, 0, info.features, info.artist_key)


def _pattern(features: MergedFeatures, allow_spotify: bool) -> frozenset[str]:
    return frozenset(usable_values(features, allow_spotify))


def _played_keys(snapshot: Snapshot) -> set[str]:
    """Spotify ids and song keys of every played track, so no catalog zero is a song someone played."""
    keys = {song.features.spotify_id for song in snapshot.songs.values() if song.features.spotify_id}
    return keys | snapshot.played_keys


def _catalog_features(values: dict[str, FeatureValue], origin: str) -> MergedFeatures:
    return single_source("catalog", values, origin)
