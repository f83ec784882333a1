"""One set of features per song from what several sources said, each value keeping where it came from.

Sources disagree (catalog and API values for the same id differ for 8-22 % of tracks), so a value is
never averaged: the first source in the precedence order that has it wins, and the value remembers it.
Merging runs for every track of a listener at every training and for every prediction, so it builds as
little as it can: a single answer is used as it is, and where a value came from is looked up on demand.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from musicflow.core.perf import collector_paused
from musicflow.core.songs import FeatureValue
from musicflow.store.ports import FeatureStore, StoredFeatures


class MergedFeatures(NamedTuple):
    values: Mapping[str, FeatureValue] = MappingProxyType({})
    answers: tuple[StoredFeatures, ...] = ()  # highest precedence first
    spotify_id: str | None = None
    isrc: str | None = None

    def source_of(self, name: str) -> StoredFeatures | None:
        """The answer the value of `name` came from (None when it is missing)."""
        return next((answer for answer in self.answers if name in answer.values), None)

    def contributors(self) -> list[StoredFeatures]:
        """The answers that gave at least one of the merged values, highest precedence first."""
        if len(self.answers) == 1:
            return list(self.answers) if self.values else []
        used = {id(answer) for name in self.values if (answer := self.source_of(name))}
        return [answer for answer in self.answers if id(answer) in used]

    @property
    def sources(self) -> set[str]:
        """The sources that gave at least one of the merged values."""
        return {answer.source for answer in self.contributors()}

    def without(self, source: str) -> MergedFeatures:
        """The same merge as if `source` had never answered (its values replaced by the next source's)."""
        for answer in self.answers:
            if answer.source == source:
                break
        else:
            return self
        order = [answer.source for answer in self.answers]
        return merge(self.answers, order, excluded=(source,))


def single_source(
    source: str, values: Mapping[str, FeatureValue], origin: str | None = None
) -> MergedFeatures:
    """Features that come from one source only (a catalog row, a test's made-up song)."""
    answer = StoredFeatures(source, origin, 0.0, values, None, None)
    return MergedFeatures(values, (answer,))


def source_label(answer: StoredFeatures) -> str:
    """`catalog:bundled`, `audio_files:song.flac`, or just the source where it has one origin."""
    return answer.label


def merge(
    answers: Iterable[StoredFeatures],
    precedence: Sequence[str],
    excluded: Collection[str] = (),
) -> MergedFeatures:
    """Merge by precedence; sources not named in `precedence` come last, `excluded` ones not at all."""
    kept = [a for a in answers if a.source not in excluded]
    if not kept:
        return MergedFeatures()
    if len(kept) == 1:
        (only,) = kept
        return MergedFeatures(only.values, (only,), only.spotify_id, only.isrc)
    rank = {source: index for index, source in enumerate(precedence)}
    kept.sort(key=lambda a: (rank.get(a.source, len(rank)), a.source))
    values: dict[str, FeatureValue] = {}
    for answer in reversed(kept):  # lowest precedence first: each later update wins
        values.update(answer.values)
    spotify_id = next((a.spotify_id for a in kept if a.spotify_id), None)
    isrc = next((a.isrc for a in kept if a.isrc), None)
    return MergedFeatures(values, tuple(kept), spotify_id, isrc)


def merged_features(
    store: FeatureStore,
    track_ids: Sequence[int],
    precedence: Sequence[str],
    excluded: Collection[str] = (),
) -> dict[int, MergedFeatures]:
    """The merged features of many tracks at once: one query, then a merge per track."""
    with collector_paused():
        stored = store.features_of(track_ids)
        return {tid: merge(stored.get(tid, ()), precedence, excluded) for tid in track_ids}
