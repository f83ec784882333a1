"""One song, many tracks: merging ids and spellings before anything is split.

A song has several Spotify ids (single, album, remaster) and spellings ("Song - Remastered 2011"). If two
of them landed on both sides of a train/test split, the model would be tested on a song it has seen
(model-evaluation.md, trap 4). Tracks are merged with union-find over their Spotify id and `match_key`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from musicflow.store.ports import TrackFact


class UnionFind:
    """Disjoint sets over integers, with path halving and union by size."""

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}
        self._size: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self._parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        if self._size.get(root_a, 1) < self._size.get(root_b, 1):
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] = self._size.get(root_a, 1) + self._size.get(root_b, 1)


def song_ids(tracks: Sequence[TrackFact]) -> dict[int, int]:
    """Track id -> song id (the smallest track id of its group, so the mapping is reproducible)."""
    sets = UnionFind()
    for track in tracks:
        sets.find(track.track_id)
    for group in _groups_by(tracks, lambda t: t.spotify_id or ""):
        _join(sets, group)
    for group in _groups_by(tracks, lambda t: t.match_key):
        _join(sets, group)
    smallest: dict[int, int] = {}
    for track in tracks:
        root = sets.find(track.track_id)
        smallest[root] = min(smallest.get(root, track.track_id), track.track_id)
    return {t.track_id: smallest[sets.find(t.track_id)] for t in tracks}


def _groups_by(tracks: Iterable[TrackFact], key_of: Callable[[TrackFact], str]) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for track in tracks:
        key = key_of(track)
        if key:
            groups.setdefault(key, []).append(track.track_id)
    return [ids for ids in groups.values() if len(ids) > 1]


def _join(sets: UnionFind, ids: list[int]) -> None:
    first = ids[0]
    for other in ids[1:]:
        sets.union(first, other)
