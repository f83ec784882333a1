"""One set of features per song from what several sources said, each value keeping where it came from.

Sources disagree (catalog and API values for the same id differ for 8-22 % of tracks), so a value is
never averaged: the first source in the precedence order that has it wins, and the value remembers it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from musicflow.features.spec import FEATURE_NAMES, FeatureValue
from musicflow.store.base import StoredFeatures


@dataclass(frozen=True)
class SourcedValue:
    value: FeatureValue
    source: str
    origin: str | None
    fetched_at: float

    @property
    def label(self) -> str:
        return f"{self.source}:{self.origin}" if self.origin else self.source


@dataclass(frozen=True)
class MergedFeatures:
    values: Mapping[str, SourcedValue] = field(default_factory=dict)
    spotify_id: str | None = None
    isrc: str | None = None

    def plain(self) -> dict[str, FeatureValue]:
        return {name: sourced.value for name, sourced in self.values.items()}

    @property
    def sources(self) -> set[str]:
        return {sourced.source for sourced in self.values.values()}


def merge(
    answers: Iterable[StoredFeatures],
    precedence: Sequence[str],
    excluded: Collection[str] = (),
) -> MergedFeatures:
    """Merge by precedence; sources not named in `precedence` come last, `excluded` ones not at all."""
    rank = {source: index for index, source in enumerate(precedence)}
    ordered = sorted(
        (a for a in answers if a.source not in excluded),
        key=lambda a: (rank.get(a.source, len(rank)), a.source),
    )
    values: dict[str, SourcedValue] = {}
    for answer in ordered:
        for name in FEATURE_NAMES:
            value = answer.values.get(name)
            if value is not None and name not in values:
                values[name] = SourcedValue(value, answer.source, answer.origin, answer.fetched_at)
    spotify_id = next((a.spotify_id for a in ordered if a.spotify_id), None)
    isrc = next((a.isrc for a in ordered if a.isrc), None)
    return MergedFeatures(values, spotify_id, isrc)
