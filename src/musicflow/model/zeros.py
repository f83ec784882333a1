"""Songs the listener did not stream, drawn so that they differ from the positives by taste, not by data.

Every source is drawn per availability pattern (audio features, metadata only, nothing: `basis.py`), in
the proportions of the positives: otherwise the presence of a value would tell the classes apart
(model-evaluation.md, trap 2), and a pattern with streamed songs but no zeros (or the reverse) is
weighed out of training (`balance.py`). Other listeners' songs are drawn owner-balanced within each
pattern (one heavy listener does not define "not my taste"); catalog songs match the positives' exact
patterns (which features are present) within each; the shipped songs (`shipped.py`) are drawn per
pattern too. `ZeroDraw` records what each pattern wanted and what each source gave it.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from musicflow.core.songs import FeatureValue
from musicflow.features.merge import MergedFeatures, single_source
from musicflow.model.affinity import artist_key
from musicflow.model.basis import Availability, availability_of, availability_of_values
from musicflow.model.snapshot import Snapshot
from musicflow.model.training_rows import Row, RowKind
from musicflow.model.vectorize import usable_values
from musicflow.store.ports import HistoryStore

CATALOG_CANDIDATES_PER_ZERO = 8
Wanted = Mapping[Availability, int]


def wanted_zeros(positives: Sequence[Row], count: int, allow_spotify: bool) -> dict[Availability, int]:
    """`count` zeros shared among the availability patterns as the positives are."""
    if not positives or count <= 0:
        return {}
    found = Counter(row.availability(allow_spotify) for row in positives)
    return {p: round(count * found[p] / len(positives)) for p in Availability if found[p]}


def others_zeros(
    snapshot: Snapshot,
    profile_id: int,
    wanted: Wanted,
    rng: np.random.Generator,
    avoid: Collection[int] = (),
) -> list[Row]:
    """Songs other profiles streamed and this listener never played, up to `wanted[pattern]` of each
    availability pattern, owner-balanced within each; none of the songs `avoid` (a split's test zeros)."""
    played = set(snapshot.plays[profile_id].song.tolist()) if profile_id in snapshot.plays else set()
    played.update(avoid)
    pools: list[list[int]] = []
    for owner, plays in sorted(snapshot.plays.items()):
        if owner != profile_id:
            pools.append(sorted(set(plays.song[plays.is_stream].tolist()) - played))
    pattern_of = {
        song: availability_of(snapshot.songs[song].features, snapshot.allow_spotify)
        for song in {song for pool in pools for song in pool}
    }
    chosen: set[int] = set()
    for pattern in Availability:
        count = wanted.get(pattern, 0)
        if count > 0:
            in_pattern = [[song for song in pool if pattern_of[song] is pattern] for pool in pools]
            chosen.update(in_turns([pool for pool in in_pattern if pool], count, rng))
    return [zero_row(snapshot, song, RowKind.OTHERS) for song in sorted(chosen)]


def in_turns(pools: Sequence[Sequence[int]], count: int, rng: np.random.Generator) -> list[int]:
    """Up to `count` distinct songs, the pools taking turns, each giving its next song in a random order:
    a pool that runs out leaves its share to the others."""
    queues = [deque(pool[int(i)] for i in rng.permutation(len(pool))) for pool in pools]
    order = [queues[int(i)] for i in rng.permutation(len(queues))]
    chosen: dict[int, None] = {}
    while len(chosen) < count and any(order):
        for queue in order:
            while queue and queue[0] in chosen:
                queue.popleft()
            if queue:
                chosen[queue.popleft()] = None
                if len(chosen) == count:
                    break
    return list(chosen)


def catalog_zeros(
    history: HistoryStore,
    snapshot: Snapshot,
    positives: Sequence[Row],
    wanted: Wanted,
    rng: np.random.Generator,
) -> list[Row]:
    """Catalog songs nobody in the store played, up to `wanted[pattern]` of each availability pattern,
    shared among the positives' exact patterns (which features are present) within it."""
    count = sum(wanted.values())
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
    exact = Counter(frozenset(row.usable(snapshot.allow_spotify)) for row in positives)
    within = Counter(availability_of_values(pattern) for pattern in exact.elements())
    left = dict(wanted)
    chosen: list[Row] = []
    for pattern, share in exact.most_common():
        available = availability_of_values(pattern)
        pool = by_pattern.get(pattern, [])
        share_of_wanted = round(wanted.get(available, 0) * share / within[available])
        take = min(len(pool), share_of_wanted, left.get(available, 0))
        left[available] = left.get(available, 0) - take
        chosen.extend(pool[:take])
    return chosen


@dataclass
class ZeroDraw:
    """The zeros of one training set by availability pattern: how many each wanted (the zeros per
    streamed song times its streamed songs), how many each source gave, and which of those made up
    for what the strategy's own sources lacked."""

    wanted: dict[str, int] = field(default_factory=dict)
    drawn: dict[str, dict[str, int]] = field(default_factory=dict)  # pattern -> kind of zero -> zeros
    made_up: dict[str, dict[str, int]] = field(default_factory=dict)  # pattern -> kind of zero -> zeros

    @classmethod
    def of(cls, wanted: Wanted) -> ZeroDraw:
        return cls({pattern.value: count for pattern, count in wanted.items()})

    def add(self, rows: Iterable[Row], allow_spotify: bool, made_up: bool = False) -> None:
        for row in rows:
            pattern = row.availability(allow_spotify).value
            kinds = self.drawn.setdefault(pattern, {})
            kinds[row.kind.value] = kinds.get(row.kind.value, 0) + 1
            if made_up:
                extra = self.made_up.setdefault(pattern, {})
                extra[row.kind.value] = extra.get(row.kind.value, 0) + 1

    def lacking(self) -> dict[Availability, int]:
        """The zeros each pattern still lacks."""
        have = {pattern: sum(kinds.values()) for pattern, kinds in self.drawn.items()}
        return {
            Availability(pattern): count - have.get(pattern, 0)
            for pattern, count in self.wanted.items()
            if count > have.get(pattern, 0)
        }

    def note(self) -> str | None:
        """A sentence on what was made up or is still lacking; None when the strategy's sources sufficed."""
        lacking = self.lacking()
        parts = []
        for pattern, count in self.wanted.items():
            extra = self.made_up.get(pattern, {})
            short = lacking.get(Availability(pattern), 0)
            if not extra and not short:
                continue
            own = sum(self.drawn.get(pattern, {}).values()) - sum(extra.values())
            text = f"{pattern}: {count} wanted, {own} drawn"
            if extra:
                text += ", made up with " + " and ".join(f"{n} {kind}" for kind, n in extra.items())
            parts.append(text + (f", {short} still lacking" if short else ""))
        return f"zeros like the streamed songs were lacking ({'; '.join(parts)})" if parts else None

    def as_dict(self) -> dict[str, Any]:
        return {"wanted": self.wanted, "drawn": self.drawn, "made_up": self.made_up}


def zero_row(snapshot: Snapshot, song: int, kind: RowKind) -> Row:
    """A song of the store as a training zero of this kind (the benchmarks draw zeros their way too)."""
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
