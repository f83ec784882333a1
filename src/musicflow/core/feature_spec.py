"""The feature table: every value a source may give for a track, with its type and allowed range.

This table is the single source of truth for validation, storage columns and the README's feature table.
A payload with a value of the wrong type or out of range is refused whole: a source that gets one field
wrong is not trusted for the others of the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from musicflow.core.songs import FeatureValue
from musicflow.errors import InvalidPayloadError


class Kind(StrEnum):
    FLOAT = "float"
    INT = "int"
    BOOL = "bool"


class Group(StrEnum):
    AUDIO = "audio"
    METADATA = "metadata"


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    kind: Kind
    low: float | None
    high: float | None
    group: Group
    meaning: str


def _audio(name: str, kind: Kind, low: float, high: float, meaning: str) -> FeatureSpec:
    return FeatureSpec(name, kind, low, high, Group.AUDIO, meaning)


def _meta(name: str, kind: Kind, low: float | None, high: float | None, meaning: str) -> FeatureSpec:
    return FeatureSpec(name, kind, low, high, Group.METADATA, meaning)


FEATURES: tuple[FeatureSpec, ...] = (
    _audio("danceability", Kind.FLOAT, 0, 1, "how suitable for dancing"),
    _audio("energy", Kind.FLOAT, 0, 1, "perceived intensity and activity"),
    _audio("key", Kind.INT, -1, 11, "pitch class of the key (0 = C, ..., 11 = B); -1 = not detected"),
    _audio("loudness", Kind.FLOAT, -60, 0, "average loudness in dB"),
    _audio("mode", Kind.INT, 0, 1, "1 = major, 0 = minor"),
    _audio("speechiness", Kind.FLOAT, 0, 1, "presence of spoken words"),
    _audio("acousticness", Kind.FLOAT, 0, 1, "confidence the track is acoustic"),
    _audio("instrumentalness", Kind.FLOAT, 0, 1, "confidence the track has no vocals"),
    _audio("liveness", Kind.FLOAT, 0, 1, "presence of an audience"),
    _audio("valence", Kind.FLOAT, 0, 1, "musical positiveness"),
    _audio("tempo", Kind.FLOAT, 0, 500, "estimated tempo in beats per minute"),
    _audio("time_signature", Kind.INT, 0, 7, "beats per bar (3 to 7; 0 or 1 = not detected)"),
    _audio(
        "energy_estimate", Kind.FLOAT, 0, 1, "energy estimated offline from the user's audio file (RMS based)"
    ),
    _audio(
        "danceability_estimate",
        Kind.FLOAT,
        0,
        1,
        "danceability estimated offline from the user's audio file (beat strength and regularity)",
    ),
    _meta("duration_ms", Kind.INT, 1, 86_400_000, "length in milliseconds"),
    _meta("explicit", Kind.BOOL, None, None, "explicit lyrics"),
    _meta("popularity", Kind.INT, 0, 100, "popularity at the time it was fetched"),
    _meta("release_year", Kind.INT, 1000, 2100, "year of release"),
    _meta("release_month", Kind.INT, 1, 12, "month of release, where the source knows it"),
    _meta("release_day", Kind.INT, 1, 31, "day of release, where the source knows it"),
    _meta("n_artists", Kind.INT, 1, 100, "number of credited artists"),
    _meta("n_markets", Kind.INT, 0, 250, "number of markets (countries) the track is available in"),
)

FEATURE_NAMES: tuple[str, ...] = tuple(spec.name for spec in FEATURES)
SPECS: Mapping[str, FeatureSpec] = {spec.name: spec for spec in FEATURES}
AUDIO_FEATURES: tuple[str, ...] = tuple(s.name for s in FEATURES if s.group is Group.AUDIO)


def validate_values(values: Mapping[str, object], *, source: str, what: str) -> dict[str, FeatureValue]:
    """Check a source's values against the table; None means missing and is dropped.

    Raises InvalidPayloadError naming the source, the track (`what`) and the first bad field.
    Unknown names are an error too: a source maps its own field names before calling this.
    """
    clean: dict[str, FeatureValue] = {}
    for name, value in values.items():
        spec = SPECS.get(name)
        if spec is None:
            raise InvalidPayloadError(f"{source}: {what}: unknown feature {name!r}")
        if value is None:
            continue
        clean[name] = _checked(spec, value, source=source, what=what)
    return clean


def _checked(spec: FeatureSpec, value: object, *, source: str, what: str) -> FeatureValue:
    def refuse(problem: str) -> InvalidPayloadError:
        return InvalidPayloadError(f"{source}: {what}: {spec.name} {problem}, got {value!r:.40}")

    if spec.kind is Kind.BOOL:
        if type(value) is not bool:
            raise refuse("should be true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise refuse(f"should be a {spec.kind.value}")
    if spec.kind is Kind.INT:
        if isinstance(value, float):
            if not value.is_integer():
                raise refuse("should be a whole number")
            value = int(value)
    elif not math.isfinite(value):
        raise refuse("should be a finite number")
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise refuse(f"should be within {spec.low:.15g}..{spec.high:.15g}")
    return int(value) if spec.kind is Kind.INT else float(value)
